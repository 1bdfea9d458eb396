import { describe, expect, it } from "vitest";
import { cartModelScorer } from "../backtest";
import { trainCartModel } from "../cart-model";
import { EASE_BASELINE_LAMBDA, easeBaselineOptions } from "./baselines";
import { singleItemShop } from "./data-sets";
import { evaluateProtocolA, fixedScorer, SPLITS } from "./protocol";
import {
  evaluateFolds,
  foldSplit,
  FoldWindowError,
  rollingFolds,
} from "./season-folds";

describe("rolling-origin folds before the test window", () => {
  it("lays four-week windows back to back, the last ending where the test window starts", () => {
    const folds = rollingFolds();
    expect(folds).toHaveLength(4);
    expect(folds[3].evalBefore).toBe(SPLITS.test.evalFrom);
    expect(folds[3].trainBefore).toBe("2011-09-11T00:00:00");
    expect(folds[0].trainBefore).toBe("2011-06-19T00:00:00");
    for (let k = 1; k < folds.length; k++)
      expect(folds[k].trainBefore).toBe(folds[k - 1].evalBefore);
  });

  it("trains on the orders before the origin and scores the weeks after it, never the test window", () => {
    const at = (day: string, id: string) => ({
      id,
      createdAt: `${day}T10:00:00`,
      items: ["a", "b"],
    });
    const orders = [
      at("2011-09-01", "1"),
      at("2011-09-20", "2"),
      at("2011-10-08", "3"),
      at("2011-10-09", "4"),
      at("2011-11-01", "5"),
    ];
    const split = foldSplit(orders, rollingFolds()[3]);
    expect(split.train.map((o) => o.id)).toEqual(["1"]);
    expect(split.evaluation.map((o) => o.id)).toEqual(["2", "3"]);
    const late = {
      name: "late",
      trainBefore: "2011-10-01T00:00:00",
      evalBefore: "2011-10-29T00:00:00",
    };
    expect(() => foldSplit(orders, late)).toThrow(FoldWindowError);
  });
});

describe("the season grid on the folds", () => {
  const shop = singleItemShop({ orders: 1200, products: 60, days: 180 });
  const end = "2025-06-20T00:00:00";
  const folds = rollingFolds(2, 4, end);

  it("scores each candidate as the protocol scores its model, a full EASE^R blend as EASE^R and a full recent-popularity blend as that list", () => {
    const report = evaluateFolds(
      shop,
      folds,
      [
        { name: "default", model: {} },
        { name: "half-life 30 d", model: { halfLifeDays: 30 } },
        { name: "all EASE^R", model: {}, easeShare: 1 },
        { name: "all recent", model: {}, recentShare: 1 },
      ],
      1,
      end,
    );
    expect(report.folds.map((f) => f.name)).toEqual(folds.map((f) => f.name));
    for (const [k, fold] of folds.entries()) {
      const split = foldSplit(shop, fold, end);
      const model = trainCartModel(split.train, { threads: 1 });
      const ease = trainCartModel(split.train, {
        ...easeBaselineOptions(EASE_BASELINE_LAMBDA),
        threads: 1,
      });
      const result = report.folds[k];
      expect(result.cases).toBeGreaterThan(30);
      expect(result.hr10[0]).toBe(
        evaluateProtocolA(split, cartModelScorer(model)).hr10,
      );
      expect(result.easeHr10).toBe(
        evaluateProtocolA(split, cartModelScorer(ease)).hr10,
      );
      expect(result.hr10[2]).toBe(result.easeHr10);
      const recent = fixedScorer((catalog) =>
        Float64Array.from(catalog, (sku) => {
          const i = model.index.get(sku);
          return i === undefined ? 0 : model.prior[i];
        }),
      );
      expect(result.hr10[3]).toBe(evaluateProtocolA(split, recent).hr10);
      // A blend's training is its two fits'.
      expect(result.fitMs[2]).toBeGreaterThan(result.fitMs[0]);
    }
    const [first, second] = report.folds;
    expect(report.mean[1].hr10).toBeCloseTo(
      (first.hr10[1] + second.hr10[1]) / 2,
      12,
    );
    expect(report.mean[0].beatsDefault).toBe(0);
    expect(report.mean[0].fitRatio).toBe(1);
  });
});
