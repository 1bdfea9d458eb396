import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { applyRefund, saveOrders } from "~/services/catalog/orders.server";
import { signOfferToken } from "./attribution.server";
import {
  type DashboardEvent,
  type DashboardOrder,
  computeDashboard,
  loadDashboard,
  rangeFilter,
} from "./dashboard.server";

const from = new Date("2026-11-01T00:00:00Z");
const to = new Date("2026-11-08T00:00:00Z");
const at = (day: number) => new Date(Date.UTC(2026, 10, day, 12));

const line = (
  priceMinor: number,
  quantity: number,
  placement: string | null = null,
  strategy: string | null = null,
  refundedQuantity = 0,
) => ({ priceMinor, quantity, placement, strategy, refundedQuantity });

const orders: DashboardOrder[] = [
  // A recommended FBT line (blended) and an ordinary line.
  {
    createdAt: at(1),
    visitorKey: "v1",
    subtotalMinor: 5000,
    lines: [line(2000, 1, "product_fbt", "blended"), line(3000, 1)],
  },
  // A drawer line clicked-then-bought (strategy suffixed ":click"), one of two returned.
  {
    createdAt: at(2),
    visitorKey: "v3",
    subtotalMinor: 3000,
    lines: [line(1500, 2, "drawer", "similar:click", 1)],
  },
  // No recommendation; one item returned.
  {
    createdAt: at(3),
    visitorKey: null,
    subtotalMinor: 1000,
    lines: [line(1000, 1, null, null, 1)],
  },
  // Outside the range: ignored.
  {
    createdAt: at(20),
    visitorKey: "v9",
    subtotalMinor: 99_999,
    lines: [line(99_999, 1, "cart")],
  },
];

const ev = (
  type: string,
  placement: string,
  visitorKey: string,
  day = 1,
): DashboardEvent => ({ type, placement, visitorKey, createdAt: at(day) });

const events: DashboardEvent[] = [
  ev("impression", "product_fbt", "v1"),
  ev("impression", "product_fbt", "v2"),
  ev("impression", "drawer", "v3", 2),
  ev("impression", "drawer", "v4", 2),
  ev("click", "product_fbt", "v1"),
  ev("click", "drawer", "v3", 2),
  ev("add", "drawer", "v3", 2),
  ev("impression", "cart", "v9", 25),
];

describe("computeDashboard", () => {
  const d = computeDashboard(orders, events, { from, to }, "USD");

  it("computes AOV, revenue per visitor and attributed share from orders in range", () => {
    expect(d.orders).toBe(3);
    expect(d.revenue).toBe(9000);
    expect(d.aov).toBe(3000);
    expect(d.visitors).toBe(4);
    // Only the orders of visitors who saw an offer (v1, v3), over those visitors: the imported
    // history and orders from other visitors must not inflate it.
    expect(d.revenuePerVisitor).toBe((5000 + 3000) / 4);
    expect(d.attributedRevenue).toBe(2000 + 3000);
    expect(d.attributedOrders).toBe(2);
    expect(d.attributedShare).toBeCloseTo(5000 / 9000);
  });

  it("computes CTR, add rate and conversion from events", () => {
    expect(d.impressions).toBe(4);
    expect(d.clicks).toBe(2);
    expect(d.ctr).toBe(0.5);
    expect(d.addRate).toBe(0.5);
    // Two orders with a recommended line over two visitors who clicked.
    expect(d.conversion).toBe(1);
  });

  it("gives return rates per placement beside the baseline of other lines", () => {
    const drawer = d.placements.find((p) => p.placement === "drawer")!;
    expect(drawer.returnRate).toBe(0.5);
    expect(drawer.ctr).toBe(0.5);
    expect(
      d.placements.find((p) => p.placement === "product_fbt")!.returnRate,
    ).toBe(0);
    expect(d.baselineReturnRate).toBe(0.5);
  });

  it("caps each line's refunds at its quantity, so no rate goes above 100%", () => {
    const refundedTooMuch = computeDashboard(
      [
        {
          createdAt: at(1),
          visitorKey: null,
          subtotalMinor: 4000,
          lines: [
            line(1000, 1, "cart", "bundle", 3),
            line(1000, 3, "cart", "bundle"),
          ],
        },
        {
          createdAt: at(2),
          visitorKey: null,
          subtotalMinor: 2000,
          lines: [line(1000, 1, null, null, 5), line(1000, 1)],
        },
      ],
      [],
      { from, to },
      "USD",
    );
    const cart = refundedTooMuch.placements.find(
      (p) => p.placement === "cart",
    )!;
    expect(cart).toMatchObject({
      soldQuantity: 4,
      refundedQuantity: 1,
      returnRate: 0.25,
    });
    expect(refundedTooMuch.baselineReturnRate).toBe(0.5);
  });

  it("groups attributed revenue by strategy without the click suffix", () => {
    expect(d.strategies).toEqual([
      { strategy: "similar", attributedRevenue: 3000, lines: 1 },
      { strategy: "blended", attributedRevenue: 2000, lines: 1 },
    ]);
  });

  it("has one point per day of the range, zeros included", () => {
    expect(d.days).toHaveLength(7);
    expect(d.days[0]).toEqual({
      date: "2026-11-01",
      revenue: 5000,
      attributedRevenue: 2000,
      impressions: 2,
      clicks: 1,
    });
    expect(d.days[6].revenue).toBe(0);
  });

  it("narrows to one placement and one strategy", () => {
    const drawer = computeDashboard(
      orders,
      events,
      { from, to, placement: "drawer" },
      "USD",
    );
    expect(drawer.impressions).toBe(2);
    expect(drawer.attributedRevenue).toBe(3000);
    expect(drawer.placements.map((p) => p.placement)).toEqual(["drawer"]);
    const blended = computeDashboard(
      orders,
      events,
      { from, to, strategy: "blended" },
      "USD",
    );
    expect(blended.attributedRevenue).toBe(2000);
    // Revenue and AOV stay store-wide: the strategy filter is about recommendations.
    expect(blended.revenue).toBe(9000);
  });

  it("reports no rate rather than zero when nothing was measured", () => {
    const empty = computeDashboard([], [], { from, to }, "EUR");
    expect(empty).toMatchObject({
      aov: null,
      revenuePerVisitor: null,
      ctr: null,
      conversion: null,
      attributedShare: null,
    });
  });
});

describe("rangeFilter", () => {
  it("covers the last N whole days including today", () => {
    const f = rangeFilter("7d", new Date("2026-11-25T15:30:00Z"));
    expect(f.from.toISOString()).toBe("2026-11-19T00:00:00.000Z");
    expect(f.to.toISOString()).toBe("2026-11-26T00:00:00.000Z");
  });
});

describe("loadDashboard", () => {
  const SHOP = "returns.myshopify.com";

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
    const d = await loadDashboard(SHOP, {
      from: new Date("2026-03-01T00:00:00Z"),
      to: new Date("2026-03-31T00:00:00Z"),
    });
    expect(d.placements.find((p) => p.placement === "drawer")).toMatchObject({
      soldQuantity: 2,
      refundedQuantity: 1,
      returnRate: 0.5,
    });
    expect(d.strategies).toEqual([
      { strategy: "similar", attributedRevenue: 2000, lines: 1 },
    ]);
    expect(d.baselineReturnRate).toBe(0);
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
