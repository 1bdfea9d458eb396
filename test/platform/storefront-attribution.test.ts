import { beforeEach, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import {
  attributedRevenue,
  signOfferToken,
  visitorKey,
} from "~/services/measurement/attribution.server";
import { loadDashboard } from "~/services/measurement/dashboard.server";
import {
  OrderWebhookPayload,
  orderFromWebhook,
  saveOrders,
} from "~/services/catalog/orders.server";

const SHOP = "attribution-shop.myshopify.com";
const OTHER = "attribution-other.myshopify.com";
const VISITOR = "0123456789abcdef0123456789abcdef";

/** A token the storefront issued (by default the day before the orders below are placed). */
const token = (
  shop: string,
  productId: string,
  placement = "product_fbt",
  issuedAt = new Date("2026-03-09T12:00:00Z"),
) =>
  signOfferToken(
    shop,
    {
      placement,
      strategy: "blended",
      kind: "cross_sell",
      productId,
      modelId: "model-1",
      arm: "",
    },
    issuedAt,
  );

function order(
  lines: { product: string; price: string; qty?: number; token?: string }[],
  extra: Partial<OrderWebhookPayload> = {},
) {
  return orderFromWebhook(
    OrderWebhookPayload.parse({
      id: 7001,
      name: "#7001",
      created_at: "2026-03-10T12:00:00Z",
      updated_at: "2026-03-10T12:00:00Z",
      currency: "EUR",
      subtotal_price: "0.00",
      total_price: "0.00",
      line_items: lines.map((l, i) => ({
        id: 9000 + i,
        product_id: Number(l.product),
        variant_id: Number(l.product) * 100,
        quantity: l.qty ?? 1,
        price: l.price,
        properties: l.token ? [{ name: "_cartlift", value: l.token }] : [],
      })),
      ...extra,
    }),
  );
}

/** Another order (own order and line ids), cancelled. */
const cancelled = (o: ReturnType<typeof order>) => ({
  ...o,
  id: "7002",
  cancelledAt: march(10),
  lines: o.lines.map((l) => ({ ...l, id: `${l.id}2` })),
});

const march = (day: number) => new Date(Date.UTC(2026, 2, day));

beforeEach(async () => {
  for (const shop of [SHOP, OTHER]) {
    await prisma.order.deleteMany({ where: { shop } });
    await prisma.event.deleteMany({ where: { shop } });
    await prisma.shop.deleteMany({ where: { shop } });
  }
  await prisma.shop.create({ data: { shop: SHOP, attributionWindowDays: 7 } });
});

describe("attribution of orders to storefront offers", () => {
  it("attributes a line carrying a valid token, and counts it once however often the webhook arrives", async () => {
    const placed = order([
      { product: "1", price: "30.00" },
      { product: "2", price: "12.50", qty: 2, token: token(SHOP, "2") },
    ]);
    await saveOrders(SHOP, [placed]);
    // Shopify redelivers, or sends orders/updated with the same state: nothing adds up twice.
    await saveOrders(SHOP, [placed]);
    await saveOrders(SHOP, [{ ...placed, sourceUpdatedAt: march(11) }]);
    const lines = await prisma.orderLine.findMany({
      where: { shop: SHOP },
      orderBy: { id: "asc" },
      select: { productId: true, placement: true, strategy: true },
    });
    expect(lines).toEqual([
      { productId: "1", placement: null, strategy: null },
      { productId: "2", placement: "product_fbt", strategy: "blended" },
    ]);
    expect(await attributedRevenue(SHOP, march(1), march(31))).toEqual([
      {
        placement: "product_fbt",
        strategy: "blended",
        currency: "EUR",
        orders: 1,
        units: 2,
        revenueMinor: 2500,
      },
    ]);
  });

  it("ignores a forged token, another shop's token, and a token moved onto another product", async () => {
    const forged = token(SHOP, "2").replace("~2~", "~3~");
    await saveOrders(SHOP, [
      order([
        { product: "3", price: "10.00", token: forged },
        { product: "2", price: "10.00", token: token(OTHER, "2") },
        { product: "4", price: "10.00", token: token(SHOP, "2") },
      ]),
    ]);
    expect(
      await prisma.orderLine.count({
        where: { shop: SHOP, placement: { not: null } },
      }),
    ).toBe(0);
    expect(await attributedRevenue(SHOP, march(1), march(31))).toEqual([]);
  });

  it("attributes a line without a token to the visitor's click inside the window, not to older or later clicks", async () => {
    const click = (productId: string, at: Date) => ({
      shop: SHOP,
      type: "click",
      placement: "cart",
      offerProductId: productId,
      visitorKey: visitorKey(SHOP, VISITOR),
      offerToken: token(SHOP, productId, "cart"),
      createdAt: at,
    });
    await prisma.event.createMany({
      data: [
        click("5", march(8)), // 2 days before the order: inside the 7-day window
        click("6", march(1)), // 9 days before: outside
        click("7", march(12)), // after the order: cannot have caused it
      ],
    });
    await saveOrders(SHOP, [
      order(
        [
          { product: "5", price: "20.00" },
          { product: "6", price: "20.00" },
          { product: "7", price: "20.00" },
        ],
        { note_attributes: [{ name: "_cartlift_visitor", value: VISITOR }] },
      ),
    ]);
    const attributed = await prisma.orderLine.findMany({
      where: { shop: SHOP, placement: { not: null } },
      select: { productId: true, placement: true, strategy: true },
    });
    expect(attributed).toEqual([
      { productId: "5", placement: "cart", strategy: "blended:click" },
    ]);
  });

  it("leaves refunded units and cancelled orders out of attributed revenue", async () => {
    await saveOrders(SHOP, [
      order([
        { product: "2", price: "10.00", qty: 3, token: token(SHOP, "2") },
      ]),
      cancelled(
        order([{ product: "2", price: "99.00", token: token(SHOP, "2") }]),
      ),
    ]);
    await prisma.orderLine.updateMany({
      where: { shop: SHOP, orderId: "7001" },
      data: { refundedQuantity: 1 },
    });
    const [row] = await attributedRevenue(SHOP, march(1), march(31));
    expect(row).toMatchObject({ units: 2, revenueMinor: 2000, orders: 1 });
  });
  it("gives a carried token the attribution window as its lifetime: an order placed exactly 7 days after it counts, one a second later does not", async () => {
    const issued = new Date("2026-03-03T12:00:00Z");
    const placedAt = (at: string, id: number) =>
      order([], {
        id: String(id),
        name: `#${id}`,
        created_at: at,
        updated_at: at,
        line_items: [
          {
            id: String(id * 10),
            product_id: "2",
            variant_id: "200",
            quantity: 1,
            price: "10.00",
            properties: [
              { name: "_cartlift", value: token(SHOP, "2", "cart", issued) },
            ],
          },
        ],
      });
    await saveOrders(SHOP, [
      placedAt("2026-03-10T12:00:00Z", 7101), // exactly the 7-day window
      placedAt("2026-03-10T12:00:01Z", 7102), // one second past it
      placedAt("2020-01-01T00:00:00Z", 7103), // before the token existed
    ]);
    const lines = await prisma.orderLine.findMany({
      where: { shop: SHOP },
      orderBy: { orderId: "asc" },
      select: { orderId: true, placement: true },
    });
    expect(lines).toEqual([
      { orderId: "7101", placement: "cart" },
      { orderId: "7102", placement: null },
      { orderId: "7103", placement: null },
    ]);
  });

  it("attributes the accepted post-purchase offer's line once, to the post-purchase placement", async () => {
    await prisma.postPurchaseOffer.create({
      data: {
        shop: SHOP,
        referenceId: "checkout-abc",
        productId: "8",
        variantId: "800",
        maxQuantity: 2,
        priceMinor: 1500,
        currency: "EUR",
        discountBps: 1000,
        strategy: "cross_sell",
        signedAt: new Date("2026-03-10T12:01:00Z"),
        signedJti: "jti-1",
        signedQuantity: 1,
      },
    });
    // An offer made for another checkout and never accepted credits nothing.
    await prisma.postPurchaseOffer.create({
      data: {
        shop: SHOP,
        referenceId: "checkout-def",
        productId: "9",
        variantId: "900",
        maxQuantity: 2,
        priceMinor: 1500,
        currency: "EUR",
      },
    });
    const edited = order(
      [
        { product: "1", price: "30.00" },
        { product: "8", price: "13.50" },
      ],
      { checkout_token: "checkout-abc" },
    );
    const other = {
      ...order([{ product: "9", price: "15.00" }], {
        checkout_token: "checkout-def",
      }),
      id: "7002",
      lines: [
        { ...edited.lines[0], id: "99", productId: "9", variantId: "900" },
      ],
    };
    // orders/create, then orders/updated after the edit, then a redelivery.
    await saveOrders(SHOP, [edited, other]);
    await saveOrders(SHOP, [{ ...edited, sourceUpdatedAt: march(11) }]);
    await saveOrders(SHOP, [{ ...edited, sourceUpdatedAt: march(11) }]);
    const attributed = await prisma.orderLine.findMany({
      where: { shop: SHOP, placement: { not: null } },
      select: {
        orderId: true,
        productId: true,
        placement: true,
        strategy: true,
      },
    });
    expect(attributed).toEqual([
      {
        orderId: "7001",
        productId: "8",
        placement: "post_purchase",
        strategy: "cross_sell",
      },
    ]);
    const d = await loadDashboard(SHOP, { from: march(1), to: march(31) });
    expect(
      d.placements.find((p) => p.placement === "post_purchase"),
    ).toMatchObject({ attributedRevenue: 1350, attributedOrders: 1 });
    expect(d.attributedRevenue).toBe(1350);
  });
});
