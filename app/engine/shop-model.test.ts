import { describe, expect, it } from "vitest";
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
    const scores = completionScorer(trainModels(orders).cartModel)(["stove"]);
    const best = [...scores].sort((a, b) => b[1] - a[1])[0][0];
    expect(best).toBe("fuel");
  });

  it("come back from storage scoring exactly as before", () => {
    const trained = trainModels(orders);
    const restored = deserialiseModels(serialiseModels(trained));
    expect([...completionScorer(restored.cartModel)(["tent"])]).toEqual([
      ...completionScorer(trained.cartModel)(["tent"]),
    ]);
    expect(restored.copurchase.orderCount).toBe(trained.copurchase.orderCount);
    expect(serialiseModels(restored)).toBe(serialiseModels(trained));
  });
});
