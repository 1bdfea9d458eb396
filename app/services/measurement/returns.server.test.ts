import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { applyRefund, saveOrders } from "~/services/catalog/orders.server";
import { returnRateByRecommendation, returnRates } from "./returns.server";
import { signOfferToken } from "./attribution.server";

const SHOP = "returns.myshopify.com";

describe("return rate by recommendation type", () => {
  it("groups by placement and strategy, folds click attribution in, baseline last", () => {
    const rows = returnRates([
      {
        placement: "cart",
        strategy: "blended",
        quantity: 2,
        refundedQuantity: 1,
        priceMinor: 1000,
      },
      {
        placement: "cart",
        strategy: "blended:click",
        quantity: 2,
        refundedQuantity: 0,
        priceMinor: 500,
      },
      {
        placement: "product_fbt",
        strategy: "bundle",
        quantity: 1,
        refundedQuantity: 3,
        priceMinor: 700,
      },
      {
        placement: null,
        strategy: null,
        quantity: 10,
        refundedQuantity: 1,
        priceMinor: 100,
      },
    ]);
    expect(rows).toEqual([
      {
        placement: "cart",
        strategy: "blended",
        unitsSold: 4,
        unitsReturned: 1,
        returnRate: 0.25,
        refundedMinor: 1000,
      },
      // More refunded than sold is capped at what was sold.
      {
        placement: "product_fbt",
        strategy: "bundle",
        unitsSold: 1,
        unitsReturned: 1,
        returnRate: 1,
        refundedMinor: 700,
      },
      {
        placement: null,
        strategy: null,
        unitsSold: 10,
        unitsReturned: 1,
        returnRate: 0.1,
        refundedMinor: 100,
      },
    ]);
  });

  it("reads refunds from the webhook path on attributed lines, for this shop only", async () => {
    const token = signOfferToken(SHOP, {
      placement: "drawer",
      strategy: "similar",
      kind: "cross_sell",
      productId: "2",
      modelId: "",
      arm: "",
    });
    const at = new Date("2026-03-03T10:00:00Z");
    const order = {
      id: "500",
      name: "#500",
      createdAt: at,
      sourceUpdatedAt: at,
      cancelledAt: null,
      currency: "USD",
      subtotalMinor: 5000,
      totalMinor: 5000,
      customerId: null,
      lines: [
        {
          id: "5001",
          productId: "1",
          variantId: "10",
          quantity: 1,
          priceMinor: 3000,
          offerToken: null,
        },
        {
          id: "5002",
          productId: "2",
          variantId: "20",
          quantity: 2,
          priceMinor: 1000,
          offerToken: token,
        },
      ],
    };
    await saveOrders(SHOP, [order]);
    await saveOrders("other-returns.myshopify.com", [order]);
    await applyRefund(SHOP, {
      order_id: "500",
      refund_line_items: [{ line_item_id: "5002", quantity: 1 }],
    });
    const rows = await returnRateByRecommendation(
      SHOP,
      new Date("2026-03-01T00:00:00Z"),
      new Date("2026-03-31T00:00:00Z"),
    );
    expect(rows).toEqual([
      {
        placement: "drawer",
        strategy: "similar",
        unitsSold: 2,
        unitsReturned: 1,
        returnRate: 0.5,
        refundedMinor: 1000,
      },
      {
        placement: null,
        strategy: null,
        unitsSold: 1,
        unitsReturned: 0,
        returnRate: 0,
        refundedMinor: 0,
      },
    ]);
    expect(
      await prisma.orderLine.count({
        where: {
          shop: "other-returns.myshopify.com",
          refundedQuantity: { gt: 0 },
        },
      }),
    ).toBe(0);
  });
});
