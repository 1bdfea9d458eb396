import fc from "fast-check";
import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { PLACEMENTS } from "~/engine/types";
import { recordEvents } from "~/services/storefront/events.server";
import { applyRefund, saveOrders } from "~/services/catalog/orders.server";
import { signOfferToken, visitorKey } from "./attribution.server";
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
    // Net of refunds: one of the two drawer units came back.
    expect(d.attributedRevenue).toBe(2000 + 1500);
    expect(d.attributedOrders).toBe(2);
    expect(d.attributedShare).toBeCloseTo(3500 / 9000);
  });

  it("computes CTR, add rate and conversion from events", () => {
    expect(d.impressions).toBe(4);
    expect(d.clicks).toBe(2);
    expect(d.ctr).toBe(0.5);
    expect(d.addRate).toBe(0.25);
    // Two visitors bought through an offer (v1, v3) of the four who saw one.
    expect(d.buyers).toBe(2);
    expect(d.conversion).toBe(0.5);
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

  it("counts what a discounted offer brought in, as the order's subtotal does", () => {
    // The post-purchase offer at 10% off ($33.99 less $3.40) beside a $72.99 order, and a bundle
    // line of two at $10.00 with $3.00 off them, one unit returned.
    const discounted = computeDashboard(
      [
        {
          createdAt: at(1),
          visitorKey: "v1",
          subtotalMinor: 7299 + 3059,
          lines: [
            line(7299, 1),
            {
              ...line(3399, 1, "post_purchase", "blended"),
              discountMinor: 340,
            },
          ],
        },
        {
          createdAt: at(2),
          visitorKey: "v2",
          subtotalMinor: 2000 - 300,
          lines: [
            {
              ...line(1000, 2, "product_fbt", "bundle", 1),
              discountMinor: 300,
            },
          ],
        },
      ],
      [],
      { from, to },
      "USD",
    );
    expect(discounted.attributedRevenue).toBe(3059 + 850);
    expect(
      discounted.placements.find((p) => p.placement === "post_purchase")!
        .attributedRevenue,
    ).toBe(3059);
    expect(discounted.days[0].attributedRevenue).toBe(3059);
    expect(discounted.attributedShare).toBeCloseTo(
      (3059 + 850) / (7299 + 3059 + 1700),
    );
  });

  it("groups attributed revenue by strategy without the click suffix", () => {
    expect(d.strategies).toEqual([
      { strategy: "blended", attributedRevenue: 2000, lines: 1 },
      { strategy: "similar", attributedRevenue: 1500, lines: 1 },
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
    expect(drawer.attributedRevenue).toBe(1500);
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
    const at = new Date("2026-03-03T10:00:00Z");
    const token = signOfferToken(
      SHOP,
      {
        placement: "drawer",
        strategy: "similar",
        kind: "cross_sell",
        productId: "2",
        modelId: "",
        arm: "",
      },
      new Date(at.getTime() - 3_600_000),
    );
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
      created_at: new Date(at.getTime() + 86_400_000).toISOString(),
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
    // Net of the refunded unit.
    expect(d.strategies).toEqual([
      { strategy: "similar", attributedRevenue: 1000, lines: 1 },
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

describe("the dashboard's figures reconcile", () => {
  const strategies = ["blended", "similar", "bundle"];
  const placement = fc.constantFrom(...PLACEMENTS);
  const when = fc.integer({ min: -2, max: 9 }).map(at);
  const product = fc.constantFrom("p1", "p2", "p3");
  const visitor = fc.constantFrom("v1", "v2", "v3", "v4");
  const event = fc.record({
    type: fc.constantFrom("impression", "impression", "click", "add"),
    placement,
    visitorKey: visitor,
    createdAt: when,
    offerProductId: product,
    offerToken: fc
      .constantFrom(...strategies)
      .map((strategy) => `1~cart~${strategy}~cross_sell~p~m~~0.mac`),
  });
  const order = fc.record({
    createdAt: when,
    visitorKey: fc.option(visitor),
    subtotalMinor: fc.integer({ min: 0, max: 50_000 }),
    lines: fc.array(
      fc.record({
        productId: product,
        quantity: fc.integer({ min: 1, max: 3 }),
        priceMinor: fc.integer({ min: 0, max: 10_000 }),
        discountMinor: fc.option(fc.integer({ min: 0, max: 3_000 })),
        refundedQuantity: fc.integer({ min: 0, max: 4 }),
        placement: fc.option(placement),
        strategy: fc.constantFrom(
          ...strategies,
          ...strategies.map((s) => `${s}:click`),
        ),
      }),
      { maxLength: 4 },
    ),
  });
  const filter = fc.record({
    placement: fc.option(placement, { nil: undefined }),
    strategy: fc.option(fc.constantFrom(...strategies), { nil: undefined }),
  });

  it("never shows more clicks than views, more buyers than viewers, or revenue other than the attributed lines' net sum", () => {
    fc.assert(
      fc.property(
        fc.array(order, { maxLength: 12 }),
        fc.array(event, { maxLength: 40 }),
        filter,
        (os, es, f) => {
          const d = computeDashboard(os, es, { from, to, ...f }, "USD");
          const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
          // Counted independently of the join: units kept, in range, matching the filter.
          const expected = sum(
            os
              .filter((o) => o.createdAt >= from && o.createdAt < to)
              .flatMap((o) => o.lines)
              .filter(
                (l) =>
                  l.placement !== null &&
                  (!f.placement || l.placement === f.placement) &&
                  (!f.strategy || l.strategy.split(":")[0] === f.strategy),
              )
              .map((l) => {
                const kept =
                  l.quantity - Math.min(l.quantity, l.refundedQuantity);
                const discount = l.discountMinor ?? 0;
                return (
                  l.priceMinor * kept -
                  Math.round((discount * kept) / l.quantity)
                );
              }),
          );
          expect(d.attributedRevenue).toBe(expected);
          expect(sum(d.placements.map((p) => p.attributedRevenue))).toBe(
            expected,
          );
          expect(sum(d.days.map((x) => x.attributedRevenue))).toBe(expected);
          expect(sum(d.strategies.map((s) => s.attributedRevenue))).toBe(
            expected,
          );
          expect(d.clicks).toBeLessThanOrEqual(d.impressions);
          expect(d.adds).toBeLessThanOrEqual(d.impressions);
          expect(d.buyers).toBeLessThanOrEqual(d.visitors);
          expect(d.attributedOrders).toBeLessThanOrEqual(d.orders);
          expect(d.attributedOrders).toBeLessThanOrEqual(d.impressions);
          expect(d.buyers).toBeLessThanOrEqual(d.attributedOrders);
          expect(sum(d.placements.map((p) => p.impressions))).toBe(
            d.impressions,
          );
          expect(sum(d.placements.map((p) => p.clicks))).toBe(d.clicks);
          expect(sum(d.days.map((x) => x.impressions))).toBe(d.impressions);
          for (const p of d.placements) {
            expect(p.clicks).toBeLessThanOrEqual(p.impressions);
            expect(p.attributedOrders).toBeLessThanOrEqual(p.impressions);
            expect(p.buyers).toBeLessThanOrEqual(p.visitors);
            expect(p.visitors).toBeLessThanOrEqual(d.visitors);
          }
          for (const x of d.days)
            expect(x.clicks).toBeLessThanOrEqual(x.impressions);
          for (const rate of [d.ctr, d.addRate, d.conversion])
            if (rate !== null) expect(rate).toBeLessThanOrEqual(1);
          if (expected > 0) expect(d.visitors).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("loadDashboard on a hand-built shop", () => {
  const SHOP = "reconcile.myshopify.com";
  const token = (placement: string, productId: string, issued: Date) =>
    signOfferToken(
      SHOP,
      {
        placement,
        strategy: "blended",
        kind: "cross_sell",
        productId,
        modelId: "",
        arm: "",
      },
      issued,
    );

  it("gives the exact figures of three shoppers, one of whose views never reached the app", async () => {
    const day = new Date("2026-04-02T10:00:00Z");
    await prisma.shop.create({ data: { shop: SHOP, currency: "USD" } });
    // Ann sees two cart offers, clicks and adds one, and buys it.
    await recordEvents(
      SHOP,
      {
        visitor: "ann-visitor-1",
        events: [
          { type: "impression", token: token("cart", "2", day) },
          { type: "impression", token: token("cart", "3", day) },
          { type: "click", token: token("cart", "2", day) },
          { type: "add", token: token("cart", "2", day) },
        ],
      },
      day,
    );
    // Bob sees the drawer's offer and leaves.
    await recordEvents(
      SHOP,
      {
        visitor: "bob-visitor-1",
        events: [{ type: "impression", token: token("drawer", "3", day) }],
      },
      day,
    );
    const placed = new Date("2026-04-02T11:00:00Z");
    const order = (
      id: string,
      visitorId: string | null,
      lines: { productId: string; priceMinor: number; offer?: string }[],
    ) => ({
      id,
      name: `#${id}`,
      createdAt: placed,
      sourceUpdatedAt: placed,
      cancelledAt: null,
      currency: "USD",
      subtotalMinor: lines.reduce((s, l) => s + l.priceMinor, 0),
      totalMinor: lines.reduce((s, l) => s + l.priceMinor, 0),
      customerId: null,
      visitorId,
      lines: lines.map((l, i) => ({
        id: `${id}${i}`,
        productId: l.productId,
        variantId: `${l.productId}0`,
        quantity: 1,
        priceMinor: l.priceMinor,
        offerToken: l.offer ?? null,
      })),
    });
    await saveOrders(SHOP, [
      // Ann: the anchor and the cart offer she took.
      order("701", "ann-visitor-1", [
        { productId: "1", priceMinor: 4000 },
        { productId: "2", priceMinor: 1500, offer: token("cart", "2", day) },
      ]),
      // Cy blocks the beacon: no events, but his cart carries the cart offer's token.
      order("702", "cy-visitor-11", [
        { productId: "1", priceMinor: 4000 },
        { productId: "3", priceMinor: 2500, offer: token("cart", "3", day) },
      ]),
      // An order without offers.
      order("703", null, [{ productId: "1", priceMinor: 4000 }]),
    ]);
    // Cy returns what he took through the offer.
    await applyRefund(SHOP, {
      order_id: "702",
      created_at: "2026-04-05T09:00:00Z",
      refund_line_items: [{ line_item_id: "7021", quantity: 1 }],
    });
    const d = await loadDashboard(SHOP, {
      from: new Date("2026-04-01T00:00:00Z"),
      to: new Date("2026-04-08T00:00:00Z"),
    });
    expect(d).toMatchObject({
      orders: 3,
      revenue: 5500 + 6500 + 4000,
      // Ann, Bob, and Cy (his order proves he saw the offer).
      visitors: 3,
      // Cy returned what he took: only Ann bought through an offer.
      buyers: 1,
      // Ann's two, Bob's one, Cy's implied one.
      impressions: 4,
      clicks: 1,
      adds: 1,
      ctr: 0.25,
      // Ann's and Cy's orders over the three who saw an offer.
      revenuePerVisitor: Math.round((5500 + 6500) / 3),
      conversion: 1 / 3,
      // Cy's offer line came back: only Ann's counts.
      attributedRevenue: 1500,
      attributedOrders: 1,
    });
    expect(visitorKey(SHOP, "cy-visitor-11")).toBe(
      (await prisma.order.findFirst({ where: { shop: SHOP, id: "702" } }))
        ?.visitorKey,
    );
    const cart = d.placements.find((p) => p.placement === "cart")!;
    expect(cart).toMatchObject({
      impressions: 3,
      clicks: 1,
      visitors: 2,
      buyers: 1,
      attributedOrders: 1,
      attributedRevenue: 1500,
      soldQuantity: 2,
      refundedQuantity: 1,
      returnRate: 0.5,
    });
    expect(d.placements.find((p) => p.placement === "drawer")).toMatchObject({
      impressions: 1,
      clicks: 0,
      visitors: 1,
      buyers: 0,
    });
  });
});

describe("loadDashboard on a busy month", () => {
  it("counts each line of hundreds of orders once", async () => {
    const shop = "busy-month.myshopify.com";
    const n = 700;
    const at = (i: number) =>
      new Date(Date.UTC(2026, 4, 1 + (i % 28), 12, 0, i % 60));
    await prisma.order.createMany({
      data: Array.from({ length: n }, (_, i) => ({
        shop,
        id: String(90_000 + i),
        name: `#${i}`,
        createdAt: at(i),
        sourceUpdatedAt: at(i),
        currency: "USD",
        subtotalMinor: 3000,
        totalMinor: 3000,
      })),
    });
    await prisma.orderLine.createMany({
      data: Array.from({ length: n }, (_, i) => [
        {
          shop,
          id: `${90_000 + i}1`,
          orderId: String(90_000 + i),
          productId: "1",
          quantity: 1,
          priceMinor: 2000,
        },
        {
          shop,
          id: `${90_000 + i}2`,
          orderId: String(90_000 + i),
          productId: "2",
          quantity: 1,
          priceMinor: 1000,
          placement: "cart",
          strategy: "blended",
        },
      ]).flat(),
    });
    const d = await loadDashboard(shop, {
      from: new Date("2026-05-01T00:00:00Z"),
      to: new Date("2026-06-01T00:00:00Z"),
    });
    expect(d.orders).toBe(n);
    expect(d.attributedOrders).toBe(n);
    expect(d.attributedRevenue).toBe(n * 1000);
    expect(d.strategies).toEqual([
      { strategy: "blended", attributedRevenue: n * 1000, lines: n },
    ]);
  });
});
