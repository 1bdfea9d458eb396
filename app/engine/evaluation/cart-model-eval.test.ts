import { describe, expect, it } from "vitest";
import { bestBaseline, evaluateCartModel } from "./cart-model-eval";
import type { OrderInput } from "../cart-model";

// Eight pairs that are always bought together, each pair in its own price range and with its own
// words, so every signal agrees: any scorer that shows the right product first finds every
// hidden item at rank 1.
const PAIRS = Array.from({ length: 8 }, (_, p) => [`X${p}`, `Y${p}`]);

function orders(): OrderInput[] {
  const out: OrderInput[] = [];
  let n = 0;
  const add = (createdAt: string, items: string[]) =>
    out.push({ id: String(100000 + n++), createdAt, items });
  for (let day = 1; day <= 28; day++) {
    for (const pair of PAIRS)
      add(
        `2011-0${1 + (day % 6)}-${String(day).padStart(2, "0")}T10:00:00`,
        pair,
      );
  }
  for (let day = 10; day <= 17; day++)
    for (const pair of PAIRS) add(`2011-08-${day}T10:00:00`, pair);
  return out;
}

const description = {
  titles: new Map(
    PAIRS.flatMap(([x, y], p) => [
      [x, `Lantern model ${"abcdefgh"[p]}`],
      [y, `Candle for lantern ${"abcdefgh"[p]}`],
    ]),
  ),
  unitPrices: new Map(
    PAIRS.flatMap(([x, y], p) => [
      [x, 1000 * (p + 1)],
      [y, 100 * (p + 1)],
    ]),
  ),
  currency: "GBP",
};

describe("evaluating the storefront's ranking on the protocols", () => {
  it("scores the shipped ranking's offers on the same cases as the cart model", () => {
    const report = evaluateCartModel(orders(), "validation", {
      baselines: false,
      storefront: description,
    });
    expect(report.strategies.map((s) => s.name)).toEqual([
      "cartlift",
      "storefront",
    ]);
    const [model, storefront] = report.strategies;
    expect(storefront.a.cases).toBe(64);
    expect(storefront.a.checksum).toBe(model.a.checksum);
    // Each cart is one product of a pair: both put its partner first.
    for (const s of report.strategies) {
      expect(s.a.hr5).toBe(1);
      expect(s.a.ndcg10).toBe(1);
      expect(s.b.micro.p5).toBeCloseTo(0.2);
      expect(s.b.micro.ndcg10).toBe(1);
    }
  });
});

describe("the textbook baselines", () => {
  it("fits plain EASE^R and RP3beta on the same cases and names the best baseline", () => {
    const report = evaluateCartModel(orders(), "validation", {
      tuneBaselines: true,
    });
    const baselines = report.strategies.filter((s) => s.baseline);
    expect(baselines.map((s) => s.name)).toEqual([
      "popularity",
      "co-occurrence",
      "EASE^R(λ=50)",
      "RP3beta(α=0.75,β=0.5)",
    ]);
    expect(report.strategies[0].baseline).toBe(false);
    // Each cart is one product of a pair: both textbook models put its partner first.
    for (const s of baselines.slice(2)) expect(s.a.hr5).toBe(1);
    expect(baselines[0].a.hr10).toBeLessThan(1);
    expect(bestBaseline(report.strategies)?.name).toBe("co-occurrence");
    expect(report.baselineGrid?.length).toBe(14);
    for (const g of report.baselineGrid ?? []) expect(g.hr10).toBe(1);
  });
});
