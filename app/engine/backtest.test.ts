import { describe, expect, it } from "vitest";
import {
  backtest,
  backtestCutoff,
  blendScorers,
  chooseMethod,
  cooccurrence,
  DEFAULT_BACKTEST_OPTIONS,
  interval,
  type Method,
  recentCounts,
} from "./backtest";
import { at, changedBestSellerShop } from "./backtest-fixtures";
import { fixedScorer, type ScorerFactory } from "./evaluation/protocol";
import type { OrderInput } from "./cart-model";

/** Per-case hits: `count` ones from case `from` on, zeros elsewhere, `n` cases. */
const hits = (n: number, count: number, from = 0) =>
  Float64Array.from({ length: n }, (_, i) =>
    i >= from && i < from + count ? 1 : 0,
  );

describe("choosing what a placement serves", () => {
  const model = hits(200, 60);

  it("keeps the model when a simpler list is better only within the interval", () => {
    // Five more hits in 200 cases (it misses 10 of the model's and finds 15 others): a paired
    // difference of 0.025 with an SE of 0.025.
    const perCase = new Map<Method, Float64Array>([
      ["model", model],
      ["popularity", hits(200, 65, 10)],
    ]);
    expect(chooseMethod(perCase)).toBe("model");
  });

  it("switches when a simpler list is better beyond the interval", () => {
    const perCase = new Map<Method, Float64Array>([
      ["model", model],
      ["popularity", hits(200, 80)],
    ]);
    expect(chooseMethod(perCase)).toBe("popularity");
  });

  it("never switches to a list that is worse, however sure", () => {
    const perCase = new Map<Method, Float64Array>([
      ["model", model],
      ["recent-30", hits(200, 10)],
    ]);
    expect(chooseMethod(perCase)).toBe("model");
  });

  it("takes the best of those beyond the interval, ties to the earlier method, in any map order", () => {
    const entries: [Method, Float64Array][] = [
      ["model", model],
      ["co-occurrence", hits(200, 90)],
      ["recent-7", hits(200, 120)],
      ["recent-30", hits(200, 120)],
    ];
    const forward = chooseMethod(new Map(entries));
    const backward = chooseMethod(new Map([...entries].reverse()));
    expect(forward).toBe("recent-7");
    expect(backward).toBe(forward);
  });

  it("gives a normal-approximation interval around the mean of the cases", () => {
    const { mean, low, high } = interval(hits(100, 30), 1.96);
    expect(mean).toBeCloseTo(0.3, 10);
    // sd of 30 ones in 100 cases: sqrt(0.3·0.7·100/99).
    const se = Math.sqrt((0.3 * 0.7 * 100) / 99 / 100);
    expect(low).toBeCloseTo(0.3 - 1.96 * se, 10);
    expect(high).toBeCloseTo(0.3 + 1.96 * se, 10);
  });
});

describe("the backtest's scorers", () => {
  const train: OrderInput[] = [
    { id: "1", createdAt: at(0, 0), items: ["a", "b", "b"] },
    { id: "2", createdAt: at(0, 1), items: ["a", "b"] },
    { id: "3", createdAt: at(0, 2), items: ["a", "c"] },
    { id: "4", createdAt: at(0, 3), items: ["d"] },
  ];
  const catalog = ["a", "b", "c", "d"];

  it("counts the orders holding both, for each cart afresh", () => {
    const score = cooccurrence(train)(catalog);
    expect([...score(["a"])]).toEqual([0, 2, 1, 0]);
    expect([...score(["b", "c"])]).toEqual([3, 0, 0, 0]);
    expect([...score(["d"])]).toEqual([0, 0, 0, 0]);
    expect([...score(["unknown"])]).toEqual([0, 0, 0, 0]);
  });

  it("lays the counts out in any catalog's order, not only the train popularity's", () => {
    const score = cooccurrence(train)(["d", "e", "c", "b", "a"]);
    expect([...score(["a"])]).toEqual([0, 0, 1, 2, 0]);
    expect([...score(["b", "c"])]).toEqual([0, 0, 0, 0, 3]);
  });

  it("counts each recent window's orders per item, an item repeated in an order once", () => {
    // The newest order is on day 100: days 95, 80 and 20 fall in the last 7, 30 and 90 days.
    const recent = recentCounts([
      { id: "1", createdAt: at(100, 0), items: ["a", "a", "b"] },
      { id: "2", createdAt: at(95, 0), items: ["a"] },
      { id: "3", createdAt: at(80, 0), items: ["b", "c"] },
      { id: "4", createdAt: at(20, 0), items: ["c"] },
      { id: "5", createdAt: at(5, 0), items: ["d"] },
    ]);
    expect(recent["recent-7"]).toEqual(
      new Map([
        ["a", 2],
        ["b", 1],
      ]),
    );
    expect(recent["recent-30"]).toEqual(
      new Map([
        ["a", 2],
        ["b", 2],
        ["c", 1],
      ]),
    );
    expect(recent["recent-90"]).toEqual(
      new Map([
        ["a", 2],
        ["b", 2],
        ["c", 2],
      ]),
    );
  });

  it("blends parts scaled to a best of 1, for each cart afresh", () => {
    const blend = blendScorers([
      { factory: cooccurrence(train), weight: 0.8 },
      { factory: () => () => Float64Array.from([4, 2, 1, 0]), weight: 0.2 },
    ])(catalog);
    expect([...blend(["a"])]).toEqual([0.2, 0.8 + 0.1, 0.4 + 0.05, 0]);
    expect([...blend(["d"])]).toEqual([0.2, 0.1, 0.05, 0]);
  });

  it("scales a part that is the same for every cart once, to the same blend", () => {
    const list = () => Float64Array.from([4, 2, 1, 0]);
    const blendWith = (factory: ScorerFactory) =>
      blendScorers([
        { factory: cooccurrence(train), weight: 0.8 },
        { factory, weight: 0.2 },
      ])(catalog);
    const once = blendWith(fixedScorer(list));
    const eachCart = blendWith(() => list);
    for (const cart of [["a"], ["b", "c"], ["d"], ["unknown"]])
      expect([...once(cart)]).toEqual([...eachCart(cart)]);
    expect([...once(["d"])]).toEqual([0.2, 0.1, 0.05, 0]);
  });
});

describe("the shop's backtest", () => {
  it("keeps the model on a shop of fixed pairs, where it finds every hidden item", () => {
    // 20 pairs of products, each order one pair, every pair equally popular.
    const orders: OrderInput[] = [];
    for (let u = 0; u < 400; u++) {
      const pair = (u * 7) % 20;
      orders.push({
        id: `o${u}`,
        createdAt: at(Math.floor(u / 2), u % 2),
        items: [`p${2 * pair}`, `p${2 * pair + 1}`],
      });
    }
    const report = backtest(orders)!;
    expect(report.cart.cases).toBe(100);
    const score = (m: Method) =>
      report.cart.scores.find((s) => s.method === m)!.hr10.mean;
    expect(score("model")).toBe(1);
    // Ten of the 39 other products make a popularity top 10.
    expect(score("popularity")).toBeLessThan(0.5);
    expect(report.cart.chosen).toBe("model");
    expect(report.product.chosen).toBe("model");
  });

  it("switches carts to recent best sellers when the shop's best seller changed and the model cannot know", () => {
    const orders = changedBestSellerShop();
    const report = backtest(orders, { maxCases: 100 })!;
    const score = (m: Method) =>
      report.cart.scores.find((s) => s.method === m)!.hr10;
    // Trained before the cutoff, "new" is behind the twelve old best sellers in all-time counts.
    expect(score("popularity").mean).toBe(0);
    expect(score("model").mean).toBe(0);
    expect(score("recent-7").mean).toBeGreaterThan(0.3);
    expect(report.cart.chosen).toBe("recent-7");
    // Deterministic: the same orders, the same report.
    expect(backtest(orders, { maxCases: 100 })).toEqual(report);
  });

  it("scores fewer orders of a shop whose carts are big: the window is bounded by cart items too", () => {
    // One order a minute; order u holds `size(u)` distinct products.
    const shop = (size: (u: number) => number) =>
      Array.from({ length: 4000 }, (_, u) => ({
        id: `o${u}`,
        createdAt: at(0, u),
        items: Array.from({ length: size(u) }, (_, k) => `p${(u + k) % 90}`),
      }));
    const cutoff = (size: (u: number) => number) =>
      backtestCutoff(shop(size), DEFAULT_BACKTEST_OPTIONS);
    // Pairs: the case count binds (carts of one item).
    expect(cutoff(() => 2)).toBe(at(0, 4000 - 500));
    // 21 products per order, 20 per cart: 8,000 cart items are 400 orders.
    expect(cutoff(() => 21)).toBe(at(0, 4000 - 400));
  });

  it("has no backtest for a shop with too few orders for an interval", () => {
    const orders = Array.from({ length: 40 }, (_, u) => ({
      id: `o${u}`,
      createdAt: at(u, 0),
      items: ["a", "b"],
    }));
    expect(backtest(orders)).toBeNull();
  });
});
