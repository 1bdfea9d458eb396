import { describe, expect, it } from "vitest";
import { backtest, backtestCutoff, recentCounts } from "./backtest";
import { cartModelToJSON, trainCartModel } from "./cart-model";
import { buildCoPurchase, coPurchaseToJSON } from "./copurchase";
import { engineOrders, orderTable } from "./order-table";
import { mulberry32 } from "./random";
import { completionScorer, trainModels } from "./shop-model";
import type { EngineOrder } from "./types";

/**
 * A small shop with what training must keep apart: partners bought together, repeats of a product
 * within an order, quantities, guests, lines without a variant, baskets too large to count whole,
 * two currencies, and creation times given as dates and as strings with offsets.
 */
function smallShop(): EngineOrder[] {
  const rng = mulberry32(11);
  const start = Date.UTC(2025, 0, 1);
  return Array.from({ length: 2500 }, (_, u) => {
    const anchor = 1 + Math.floor(120 * rng() ** 2);
    const products = [anchor];
    if (rng() < 0.5) products.push(((anchor * 7) % 120) + 1);
    if (rng() < 0.2) products.push(anchor);
    if (u % 97 === 0)
      for (let k = 0; k < 30; k++) products.push(1 + ((anchor + k) % 120));
    const time = start + u * 3 * 3_600_000 + Math.floor(rng() * 1000);
    const currency = u % 50 === 0 ? "EUR" : "USD";
    return {
      id: String(1000 + u),
      createdAt:
        u % 3 === 0
          ? new Date(time)
          : new Date(time).toISOString().replace("Z", "+00:00"),
      customerKey: rng() < 0.7 ? `c${u % 400}` : undefined,
      lines: products.map((p, i) => ({
        productId: String(p),
        variantId: i % 4 === 3 ? undefined : `${p}-${u % 2}`,
        quantity: 1 + Math.floor(rng() * 3),
        price: { amount: 500 + p * 13, currency },
      })),
    };
  });
}

/** The cart model's input as training built it from orders as objects. */
const objectInputs = (orders: readonly EngineOrder[]) =>
  orders.map((o) => ({
    id: o.id,
    createdAt: new Date(o.createdAt).toISOString(),
    items: o.lines.map((l) => l.productId),
  }));

describe("orders held in typed arrays", () => {
  const orders = smallShop();
  const table = orderTable(orders);

  it("give back every order as it was added", () => {
    expect([...engineOrders(table)]).toEqual(
      orders.map((o) => ({
        ...o,
        createdAt: new Date(o.createdAt),
        lines: o.lines.map((l) => ({ ...l })),
      })),
    );
  });

  it("train the same cart model, co-purchase statistics and backtest as orders as objects", () => {
    const inputs = objectInputs(orders);
    const reference = trainCartModel(inputs);
    const trained = trainModels(table);
    expect(cartModelToJSON(trained.cartModel)).toEqual(
      cartModelToJSON(reference),
    );
    expect(coPurchaseToJSON(trained.copurchase)).toEqual(
      coPurchaseToJSON(buildCoPurchase(orders)),
    );
    // The backtest reads the table itself: the same cutoff, split, figures and choice as from
    // orders as objects, and the same recent best sellers.
    expect(trained.choice?.backtest).toEqual(backtest(inputs));
    expect(trained.choice?.backtest).not.toBeNull();
    const options = { maxCases: 500, maxCartItems: 8000, maxShare: 0.25 };
    for (const minCases of [30, 2000])
      expect(backtestCutoff(table, { ...options, minCases })).toBe(
        backtestCutoff(inputs, { ...options, minCases }),
      );
    expect(backtestCutoff(table, { ...options, minCases: 30 })).not.toBeNull();
    const recent = recentCounts(inputs);
    expect(recentCounts(table)).toEqual(recent);
    expect(recent["recent-30"].size).toBeGreaterThan(0);
    for (const [method, counts] of Object.entries(recent))
      expect(trained.choice?.recent[method]?.[0]?.[1]).toBe(
        Math.max(...counts.values()),
      );

    // The same scores for carts and product pages.
    const before = completionScorer(reference);
    const after = completionScorer(trained.cartModel);
    const carts = [["1"], ["2", "15"], ["7", "8", "50"], ["119"]];
    for (const cart of carts)
      for (const context of ["cart", "product"] as const) {
        const expected = before(cart, context).top(20);
        expect(expected.length).toBeGreaterThan(0);
        expect(after(cart, context).top(20)).toEqual(expected);
      }
  });
});
