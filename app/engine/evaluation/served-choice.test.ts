import { describe, expect, it } from "vitest";
import { SIMPLE_METHODS } from "../backtest";
import {
  lastShareFrom,
  restrictToBestSellers,
  singleItemShop,
} from "./data-sets";
import { evaluateServedChoice, servedLine } from "./served-choice";

describe("shops of other kinds", () => {
  it("generates the one-item shop the same way from a seed, mostly one-item orders with a strong head", () => {
    const shop = singleItemShop({ orders: 2000 });
    expect(singleItemShop({ orders: 2000 })).toEqual(shop);
    expect(singleItemShop({ orders: 2000, seed: 7 })).not.toEqual(shop);
    const single = shop.filter((o) => o.items.length === 1).length;
    expect(single / shop.length).toBeGreaterThan(0.7);
    const top = shop.filter((o) => o.items.includes("p000")).length;
    expect(top / shop.length).toBeGreaterThan(0.1);
  });

  it("restricts a shop to the best sellers of its train orders, never of the scored ones", () => {
    const orders = [
      { id: "1", createdAt: "2026-01-01T00:00:00", items: ["a", "b"] },
      { id: "2", createdAt: "2026-01-02T00:00:00", items: ["a", "c"] },
      // Only bought after the split: popular, but not by what the train orders know.
      { id: "3", createdAt: "2026-02-01T00:00:00", items: ["z", "b"] },
      { id: "4", createdAt: "2026-02-02T00:00:00", items: ["z"] },
    ];
    const kept = restrictToBestSellers(orders, "2026-01-15T00:00:00", 2);
    expect(kept.map((o) => o.items)).toEqual([["a", "b"], ["a"], ["b"]]);
  });
});

describe("the per-shop choice on a window it never saw", () => {
  const shop = singleItemShop({ orders: 3000 });
  const result = evaluateServedChoice({
    name: "one-item",
    orders: shop,
    evaluateFrom: lastShareFrom(shop),
  });

  it("compares what the choice serves with the best simple list of the same run", () => {
    expect(result.simple.map((s) => s.method)).toEqual([...SIMPLE_METHODS]);
    const best = Math.max(...result.simple.map((s) => s.hr10));
    expect(result.bestSimple.hr10).toBe(best);
    expect(result.cases).toBeGreaterThan(50);
  });

  it("prints one line with four decimals for the served choice and the best simple list", () => {
    const line = servedLine(result);
    expect(line).toMatch(
      /^protocol A HR@10 \d\.\d{4} best-simple (popularity|recent-\d+|co-occurrence) \d\.\d{4}$/,
    );
    const [, served, name, value] = /HR@10 (\S+) best-simple (\S+) (\S+)$/.exec(
      line,
    )!;
    expect(Number(served)).toBeCloseTo(result.served, 4);
    expect(name).toBe(result.bestSimple.method);
    expect(Number(value)).toBeCloseTo(result.bestSimple.hr10, 4);
  });
});
