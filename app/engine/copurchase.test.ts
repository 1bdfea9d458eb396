import { describe, expect, it } from "vitest";
import {
  addOrders,
  buildCoPurchase,
  CoPurchaseFormatError,
  type CoPurchaseStats,
  coPurchaseFromJSON,
  coPurchaseToJSON,
  compareIds,
  emptyCoPurchase,
  pairEvidence,
  partnersOf,
  popularity,
  shrunkConfidence,
} from "./copurchase";
import type { EngineOrder } from "./types";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);
let seq = 0;

function order(day: number, ...productIds: string[]): EngineOrder {
  seq += 1;
  return {
    id: `o${seq}`,
    createdAt: new Date(T0 + day * DAY),
    lines: productIds.map((productId) => ({
      productId,
      quantity: 1,
      price: { amount: 1_000, currency: "USD" },
    })),
  };
}

function repeat(n: number, make: (i: number) => EngineOrder): EngineOrder[] {
  return Array.from({ length: n }, (_, i) => make(i));
}

/** Each product's and each pair's counts, by key: [key, orders, weight]. */
function counts(stats: CoPurchaseStats): [string, number, number][] {
  const out: [string, number, number][] = [];
  for (const [id, c] of stats.items) out.push([id, c.orders, c.weight]);
  for (const [a, adjacency] of stats.pairs)
    for (const [b, c] of adjacency) out.push([`${a}+${b}`, c.orders, c.weight]);
  return out.sort((x, y) => compareIds(x[0], y[0]));
}

/** The pairs as "a+b" with a < b, sorted. */
function pairNames(stats: CoPurchaseStats): string[] {
  return counts(stats)
    .map(([key]) => key.split("+"))
    .filter(([a, b]) => b !== undefined && compareIds(a, b) < 0)
    .map(([a, b]) => `${a}+${b}`);
}

function expectSameModel(a: CoPurchaseStats, b: CoPurchaseStats) {
  expect(a.orderCount).toBe(b.orderCount);
  expect(a.orderWeight).toBeCloseTo(b.orderWeight, 9);
  const [x, y] = [counts(a), counts(b)];
  expect(x.map(([key, n]) => [key, n])).toEqual(y.map(([key, n]) => [key, n]));
  x.forEach(([, , w], i) => expect(w / y[i][2]).toBeCloseTo(1, 12));
}

describe("co-purchase evidence", () => {
  it("counts support, confidence and lift for a pair", () => {
    const stats = buildCoPurchase(
      [order(0, "a", "b"), order(0, "a", "b"), order(0, "a"), order(0, "c")],
      { priorStrength: 0 },
    );
    const ev = pairEvidence(stats, "a", "b")!;
    expect(ev.orders).toBe(2);
    expect(ev.support).toBeCloseTo(0.5);
    expect(ev.confidence).toBeCloseTo(2 / 3);
    expect(ev.rawConfidence).toBeCloseTo(2 / 3);
    // P(b|a) / P(b) = (2/3) / (2/4)
    expect(ev.lift).toBeCloseTo(4 / 3);
  });

  it("shrinkage demotes a pair seen once below steady evidence", () => {
    // "x" was bought once, together with "rare". "a" is a staple bought with "b" a fifth of the time.
    const orders = [
      order(0, "x", "rare"),
      ...repeat(10, () => order(0, "a", "b")),
      ...repeat(40, () => order(0, "a")),
      ...repeat(10, () => order(0, "b")),
      ...repeat(139, () => order(0, "filler")),
    ];
    const raw = buildCoPurchase(orders, { priorStrength: 0 });
    const shrunk = buildCoPurchase(orders);
    // Without shrinkage the coincidence looks perfect …
    expect(pairEvidence(raw, "x", "rare")!.confidence).toBe(1);
    expect(pairEvidence(raw, "x", "rare")!.confidence).toBeGreaterThan(
      pairEvidence(raw, "a", "b")!.confidence,
    );
    // … with it, the steady pair wins on both confidence and lift.
    const oneOff = pairEvidence(shrunk, "x", "rare")!;
    const steady = pairEvidence(shrunk, "a", "b")!;
    expect(steady.confidence).toBeGreaterThan(oneOff.confidence);
    expect(steady.lift).toBeGreaterThan(oneOff.lift);
    expect(oneOff.lift).toBeLessThan(1.5);
    // The factual share stays factual.
    expect(oneOff.rawConfidence).toBe(1);
  });

  it("decay favours pairs bought recently over the same count long ago", () => {
    const orders = [
      ...repeat(5, () => order(0, "anchor", "old")),
      ...repeat(5, () => order(360, "anchor", "new")),
      ...repeat(5, () => order(365, "anchor")),
    ];
    const stats = buildCoPurchase(orders, { halfLifeDays: 90 });
    const ranked = partnersOf(stats, "anchor");
    expect(ranked.map((e) => e.productId)).toEqual(["new", "old"]);
    expect(ranked[0].confidence).toBeGreaterThan(ranked[1].confidence * 2);
    // Equal raw counts: only time separates them.
    expect(ranked[0].orders).toBe(ranked[1].orders);

    const noDecay = buildCoPurchase(orders, { halfLifeDays: 1e9 });
    const flat = partnersOf(noDecay, "anchor");
    expect(flat[0].confidence).toBeCloseTo(flat[1].confidence, 5);
  });

  it("adding orders incrementally gives the same model as a full recompute", () => {
    const orders = [
      order(0, "a", "b", "c"),
      order(3, "a", "b"),
      order(50, "b", "c"),
      order(400, "c", "d"),
      order(2_000, "a", "d"),
      order(2_001, "a", "b", "d"),
      order(20_000, "a", "c"), // far enough to force a rebase of the reference time
      order(20_010, "b", "d"),
    ];
    const full = buildCoPurchase(orders, { halfLifeDays: 30 });
    let stepwise = emptyCoPurchase({ halfLifeDays: 30 });
    for (const chunk of [
      orders.slice(0, 2),
      orders.slice(2, 5),
      orders.slice(5),
    ]) {
      stepwise = addOrders(stepwise, chunk);
    }
    expectSameModel(stepwise, full);
    expect(pairEvidence(stepwise, "a", "b")!.confidence).toBeCloseTo(
      pairEvidence(full, "a", "b")!.confidence,
      12,
    );
  });

  it("does not modify the stats it is given", () => {
    const before = buildCoPurchase([order(0, "a", "b")]);
    const snapshot = JSON.stringify(coPurchaseToJSON(before));
    addOrders(before, [order(1, "a", "b"), order(2, "c")]);
    expect(JSON.stringify(coPurchaseToJSON(before))).toBe(snapshot);
  });

  it("round-trips through JSON to the same statistics, bit for bit", () => {
    const stats = buildCoPurchase([
      order(0, "a", "b"),
      order(10, "b", "c"),
      order(20, "a", "c"),
      order(27, "c", "d", "a"),
    ]);
    const restored = coPurchaseFromJSON(
      JSON.parse(JSON.stringify(coPurchaseToJSON(stats))),
    );
    expect(restored).toEqual(stats);
    expect(counts(restored)).toEqual(counts(stats));
    expect(partnersOf(restored, "a")).toEqual(partnersOf(stats, "a"));
  });

  it("reads statistics stored in the first form, lists of [a, b, weight, orders]", () => {
    const stats = buildCoPurchase([
      order(0, "a", "b"),
      order(10, "b", "c"),
      order(20, "a", "c"),
    ]);
    const v1 = {
      version: 1,
      config: stats.config,
      referenceTime: stats.referenceTime,
      latestTime: stats.latestTime,
      orderWeight: stats.orderWeight,
      orderCount: stats.orderCount,
      items: [...stats.items]
        .sort((x, y) => compareIds(x[0], y[0]))
        .map(([id, c]) => [id, c.weight, c.orders]),
      pairs: pairNames(stats).map((name) => {
        const [a, b] = name.split("+");
        const c = stats.pairs.get(a)!.get(b)!;
        return [a, b, c.weight, c.orders];
      }),
    };
    const restored = coPurchaseFromJSON(JSON.parse(JSON.stringify(v1)));
    expect(restored).toEqual(stats);
    expect(coPurchaseToJSON(restored)).toEqual(coPurchaseToJSON(stats));
  });

  it("rejects a model of another version, or counts that do not fit its products", () => {
    expect(() => coPurchaseFromJSON({ version: 3 })).toThrow(/version 1 or 2/);
    const json = coPurchaseToJSON(
      buildCoPurchase([order(0, "a", "b"), order(1, "b", "c")]),
    );
    expect(() => coPurchaseFromJSON({ ...json, items: ["a", "b"] })).toThrow(
      CoPurchaseFormatError,
    );
    expect(() =>
      coPurchaseFromJSON({ ...json, pairWeights: "not base64 of doubles" }),
    ).toThrow(CoPurchaseFormatError);
  });

  it("caps pairs per order and down-weights large baskets", () => {
    const big = Array.from(
      { length: 100 },
      (_, i) => `p${String(i).padStart(3, "0")}`,
    );
    const stats = buildCoPurchase([order(0, ...big), order(0, "a", "b")], {
      maxProductsPerOrder: 20,
      fullWeightBasketSize: 10,
    });
    // Every product is still counted, but only 20·19/2 pairs come from the big basket.
    expect(stats.items.size).toBe(102);
    expect(pairNames(stats)).toHaveLength(190 + 1);
    const bigPair = stats.pairs.get("p000")!.get("p001")!;
    const smallPair = stats.pairs.get("a")!.get("b")!;
    expect(bigPair.weight / smallPair.weight).toBeCloseTo(9 / 19);
  });

  it("keeps the highest-value products of a basket when it is capped", () => {
    const o: EngineOrder = {
      id: "valued",
      createdAt: "2024-01-01T00:00:00Z",
      lines: ["cheap1", "cheap2", "dear1", "dear2"].map((productId) => ({
        productId,
        quantity: 1,
        price: {
          amount: productId.startsWith("dear") ? 9_000 : 100,
          currency: "USD",
        },
      })),
    };
    const stats = buildCoPurchase([o], { maxProductsPerOrder: 2 });
    expect(pairNames(stats)).toEqual(["dear1+dear2"]);
  });

  it("scores never-seen candidates at the prior so popularity fills gaps", () => {
    const stats = buildCoPurchase([
      ...repeat(8, () => order(0, "popular")),
      order(0, "a", "niche"),
      order(0, "quiet"),
    ]);
    expect(shrunkConfidence(stats, "a", "popular")).toBeGreaterThan(
      shrunkConfidence(stats, "a", "quiet"),
    );
    expect(shrunkConfidence(stats, "a", "unknown")).toBe(0);
    expect(popularity(stats)[0]).toMatchObject({
      productId: "popular",
      orders: 8,
    });
  });

  it("orders partners deterministically whatever the input order", () => {
    const orders = [
      order(0, "a", "b"),
      order(0, "a", "c"),
      order(0, "a", "d"),
      order(0, "a", "b"),
    ];
    const forward = buildCoPurchase(orders);
    const backward = buildCoPurchase([...orders].reverse());
    expect(partnersOf(forward, "a")).toEqual(partnersOf(backward, "a"));
    expect(partnersOf(forward, "a").map((e) => e.productId)).toEqual([
      "b",
      "c",
      "d",
    ]);
  });

  it("reports an order with an unreadable date by its id", () => {
    expect(() =>
      buildCoPurchase([{ id: "bad-1", createdAt: "yesterday", lines: [] }]),
    ).toThrow(/bad-1/);
  });

  it("returns the same top partners with a limit as the head of the full list", () => {
    const orders: EngineOrder[] = [];
    for (let p = 0; p < 60; p++) {
      for (let r = 0; r <= p % 7; r++) orders.push(order(p, "hub", `p${p}`));
      orders.push(order(p, `p${p}`));
    }
    const stats = buildCoPurchase(orders);
    const all = partnersOf(stats, "hub");
    expect(all).toHaveLength(60);
    expect(partnersOf(stats, "hub", { limit: 10 })).toEqual(all.slice(0, 10));
    expect(partnersOf(stats, "hub", { limit: 10, minOrders: 3 })).toEqual(
      all.filter((e) => e.orders >= 3).slice(0, 10),
    );
    expect(partnersOf(stats, "hub", { limit: 0 })).toEqual([]);
  });
});
