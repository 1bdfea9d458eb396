import { describe, expect, it } from "vitest";
import { scoreCart, scoreProduct, trainCartModel } from "./cart-model";
import { changedBestSellerShop } from "./backtest-fixtures";
import {
  completionScorer,
  deserialiseModels,
  methodScorer,
  modelEvidence,
  serialiseModels,
  servedMethod,
  storedEvidence,
  trainModels,
} from "./shop-model";
import { servedWeights } from "./strategies";
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

  it("score a product page with the model's product-page lists, a one-item cart with the cart model", () => {
    const cartOrders = [
      ...orders,
      // The tent goes with the lamp more often than with the pad, but the lamp sells with
      // everything: the walk damps popular targets, the product-page counts do not.
      ...["7", "8", "9"].map((id) => order(id, ["tent", "lamp"], 7)),
      ...Array.from({ length: 12 }, (_, k) =>
        order(`b${k}`, ["lamp", "batteries"], 8),
      ),
    ].map((o) => ({
      id: o.id,
      createdAt: new Date(o.createdAt).toISOString(),
      items: o.lines.map((l) => l.productId),
    }));
    const model = trainCartModel(cartOrders);
    const score = completionScorer(model);
    const ranked = (scores: Float64Array) =>
      model.items
        .map((productId, i) => ({ productId, score: scores[i] }))
        .filter((s) => s.score > 0)
        .sort((x, y) => y.score - x.score)
        .map((s) => s.productId);
    for (const id of ["tent", "lamp"]) {
      const page = score([id], "product");
      expect(model.items.map((p) => page.score(p))).toEqual([
        ...scoreProduct(model, id),
      ]);
      expect(page.top(Infinity).map((s) => s.productId)).toEqual(
        ranked(scoreProduct(model, id)),
      );
      expect(
        score([id], "cart")
          .top(Infinity)
          .map((s) => s.productId),
      ).toEqual(ranked(scoreCart(model, [id])));
    }
    // A product nobody bought with anything is left to the ranker's cold-start signals.
    expect(score(["unknown"], "product").top(Infinity)).toEqual([]);
    expect(score(["unknown"], "product").score("lamp")).toBe(0);
    // The two models disagree on the tent's best companion, so the context decides.
    expect(score(["tent"], "product").top(1)[0].productId).toBe("lamp");
    expect(score(["tent"], "cart").top(1)[0].productId).toBe("pad");
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

describe("the backtest's choice, stored and served", () => {
  // The shop whose carts only a recent best-seller list can serve (backtest-fixtures.ts).
  const orders = changedBestSellerShop().map((o) => ({
    ...order(o.id, [...o.items], 1),
    createdAt: o.createdAt,
  }));
  const trained = trainModels(orders, { backtest: { maxCases: 100 } });

  it("keeps the choice with the model, through storage", () => {
    expect(trained.choice?.cart).toBe("recent-7");
    const stored = deserialiseModels(serialiseModels(trained));
    expect(stored.choice).toEqual(trained.choice);
    expect(servedMethod(stored, "cart")).toBe("recent-7");
    expect(servedMethod(stored, "drawer")).toBe("recent-7");
    expect(servedMethod(stored, "product_fbt")).toBe(stored.choice?.product);
  });

  it("serves the chosen list as the ranker's only signal", () => {
    const top = methodScorer(trained, "recent-7")(["once5"], "cart").top(3);
    expect(top[0].productId).toBe("new");
    expect(servedWeights("blended", "recent-7")).toEqual({
      completion: 1,
      copurchase: 0,
      content: 0,
      popularity: 0,
    });
    // A strategy the merchant picked is served as it is.
    expect(servedWeights("best_sellers", "recent-7").popularity).toBe(1);
  });

  it("tells the merchant how the served picks did against the best sellers", () => {
    const evidence = modelEvidence(trained.choice)!;
    expect(evidence.orders).toBe(trained.choice?.backtest?.cart.cases);
    expect(evidence.picks.mean).toBeGreaterThan(evidence.bestSellers.high);
    expect(storedEvidence(serialiseModels(trained))).toEqual(evidence);
  });

  it("serves the model everywhere from a model stored before backtests", () => {
    const old = JSON.parse(serialiseModels(trained)) as Record<string, unknown>;
    delete old.choice;
    const stored = deserialiseModels(JSON.stringify(old));
    expect(servedMethod(stored, "cart")).toBe("model");
    expect(storedEvidence(JSON.stringify(old))).toBeNull();
  });
});
