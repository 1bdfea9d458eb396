import { describe, expect, it } from "vitest";
import { scoreCart, trainCartModel } from "./cart-model";
import {
  completionScorer,
  deserialiseModels,
  serialiseModels,
  trainModels,
} from "./shop-model";
import type { EngineOrder } from "./types";

const usd = (amount: number) => ({ amount, currency: "USD" });
const order = (id: string, productIds: string[], day: number): EngineOrder => ({
  id,
  createdAt: new Date(Date.UTC(2026, 0, day)),
  lines: productIds.map((productId) => ({
    productId,
    quantity: 1,
    price: usd(1000),
  })),
});

const orders = [
  order("1", ["tent", "pad"], 1),
  order("2", ["tent", "pad"], 2),
  order("3", ["tent", "pad", "lamp"], 3),
  order("4", ["stove", "fuel"], 4),
  order("5", ["stove", "fuel"], 5),
  order("6", ["lamp", "batteries"], 6),
];

describe("a shop's models", () => {
  it("complete a cart with what was bought with it", () => {
    const completion = completionScorer(trainModels(orders).cartModel)([
      "stove",
    ]);
    expect(completion.top(1)[0].productId).toBe("fuel");
  });

  it("score a cart exactly like the cart model, on its neighbours only", () => {
    const cartOrders = orders.map((o) => ({
      id: o.id,
      createdAt: new Date(o.createdAt).toISOString(),
      items: o.lines.map((l) => l.productId),
    }));
    for (const options of [{}, { priorWeight: 0.3 }]) {
      const model = trainCartModel(cartOrders, options);
      const score = completionScorer(model);
      for (const cart of [
        [],
        ["tent"],
        ["lamp", "nope"],
        ["tent", "pad", "lamp"],
        ["stove", "fuel", "lamp", "batteries", "tent"],
      ]) {
        const dense = scoreCart(model, cart);
        const completion = score(cart);
        expect(model.items.map((id) => completion.score(id))).toEqual([
          ...dense,
        ]);
        const positive = model.items
          .map((productId, i) => ({ productId, score: dense[i] }))
          .filter((s) => s.score > 0)
          .sort((x, y) => y.score - x.score);
        expect(completion.top(3)).toEqual(positive.slice(0, 3));
        expect(completion.top(Infinity)).toEqual(positive);
      }
    }
  });

  it("come back from storage scoring exactly as before", () => {
    const trained = trainModels(orders);
    const restored = deserialiseModels(serialiseModels(trained));
    expect(completionScorer(restored.cartModel)(["tent"]).top(10)).toEqual(
      completionScorer(trained.cartModel)(["tent"]).top(10),
    );
    expect(restored.copurchase.orderCount).toBe(trained.copurchase.orderCount);
    expect(serialiseModels(restored)).toBe(serialiseModels(trained));
  });
});
