import { cartModelScorer } from "../backtest";
import {
  trainCartModel,
  type CartModel,
  type CartModelOptions,
  type OrderInput,
} from "../cart-model";
import { EASE_BASELINE_LAMBDA, easeBaselineOptions } from "./baselines";
import {
  evaluateProtocolAEach,
  fixedScorer,
  protocolACases,
  SPLITS,
  type ScorerFactory,
  type Split,
} from "./protocol";

// Validation that looks like the test window (docs/decisions/028-season-validation.md): the test
// split scores the two months after 2011-10-09, the season, while the fixed validation split
// scores August and September only. Rolling origins bring the later weeks in: each fold trains on
// everything before its origin and scores the weeks after it, the last fold ending where the test
// window starts. No fold reads an order of the test window.

const DAY_MS = 86_400_000;

export interface Fold {
  name: string;
  /** The origin: orders before it train, orders from it on (until `evalBefore`) are scored. */
  trainBefore: string;
  evalBefore: string;
}

/** A fixed-width local time, like the export's, `days` before or after `at`. */
function shift(at: string, days: number): string {
  return new Date(Date.parse(`${at}Z`) + days * DAY_MS)
    .toISOString()
    .slice(0, 19);
}

/**
 * `count` folds of `weeks` weeks each, back to back, the last one ending at `end` (by default the
 * start of the test window), oldest first.
 */
export function rollingFolds(
  count = 4,
  weeks = 4,
  end = SPLITS.test.trainBefore,
): Fold[] {
  return Array.from({ length: count }, (_, k) => {
    const evalBefore = shift(end, -7 * weeks * (count - 1 - k));
    const trainBefore = shift(evalBefore, -7 * weeks);
    return {
      name: `${trainBefore.slice(0, 10)}…${shift(evalBefore, -1).slice(0, 10)}`,
      trainBefore,
      evalBefore,
    };
  });
}

export class FoldWindowError extends Error {}

/**
 * A fold's train and scored orders. A fold that would score an order of the test window is
 * refused: the choice made on the folds must never have seen it.
 */
export function foldSplit<O extends OrderInput>(
  orders: readonly O[],
  fold: Fold,
  testFrom = SPLITS.test.evalFrom,
): Split<O> {
  if (fold.evalBefore > testFrom)
    throw new FoldWindowError(
      `fold ${fold.name} scores orders of the test window (from ${testFrom})`,
    );
  const split: Split<O> = { name: fold.name, train: [], evaluation: [] };
  for (const o of orders) {
    if (o.createdAt < fold.trainBefore) split.train.push(o);
    else if (o.createdAt < fold.evalBefore) split.evaluation.push(o);
  }
  return split;
}

/** One setting of the grid: a fit of the cart model, optionally blended with plain EASE^R. */
export interface FoldCandidate {
  name: string;
  /** Options over the defaults: `priorWeight` is read at scoring, the rest at fitting. */
  model: Partial<CartModelOptions>;
  /** Share of plain EASE^R in the score, each part scaled to a best of 1 per cart (0: none). */
  easeShare?: number;
  /**
   * Share of recent popularity (the model's recency prior, half-life `priorHalfLifeDays`) in the
   * score, the cart's part scaled to a best of 1 per cart, so that the share means the same for
   * a cart of one item and one of forty (0: none).
   */
  recentShare?: number;
}

/**
 * The settings before this grid (half-life 0, basket power 0.5), written out so that every row
 * reads the same after the defaults changed.
 */
const BEFORE: Partial<CartModelOptions> = {
  lambda: 10,
  basketPower: 0.5,
  halfLifeDays: 0,
  priorWeight: 0,
};

/** A second fit merged into the linear model's weights (`mixShare`), in plain EASE^R's view. */
const mixPlain = (share: number): Partial<CartModelOptions> => ({
  mixShare: share,
  mixLambda: EASE_BASELINE_LAMBDA,
  mixBasketPower: 0,
  mixHalfLifeDays: 0,
});

/** A second fit like the first but with recent orders weighing more (half-life 30 days). */
const mixRecent = (share: number): Partial<CartModelOptions> => ({
  mixShare: share,
  mixLambda: 10,
  mixBasketPower: 0.25,
  mixHalfLifeDays: 30,
});

/** Items in 5 train orders or more enter the linear model (round 3's best). */
const FIVE: Partial<CartModelOptions> = { easeMinItemOrders: 5 };

/**
 * The grids of decision 028 and 029, by round. Rounds 1 and 2 start every row from BEFORE: round
 * 1 the defaults then, a recency-weighted Gram matrix (order half-lives), λ around its value, a
 * lighter basket weight, the recency prior (recent popularity) and blends with plain EASE^R;
 * round 2 combinations around round 1's best. Round 3 starts from the defaults of decision 028:
 * a second fit merged into the weights (plain EASE^R's view, or a 30-day one), more items in the
 * linear model, more neighbours kept, recent popularity blended into each cart's scores. Round 4:
 * around round 3's best, more items in the linear model.
 */
export const SEASON_GRIDS: Record<1 | 2 | 3 | 4, readonly FoldCandidate[]> = {
  1: [
    { name: "before (the defaults then)", model: BEFORE },
    ...[30, 60, 120].map((d) => ({
      name: `half-life ${d} d`,
      model: { ...BEFORE, halfLifeDays: d },
    })),
    ...[5, 20].map((lambda) => ({
      name: `λ ${lambda}`,
      model: { ...BEFORE, lambda },
    })),
    { name: "basket power 0.25", model: { ...BEFORE, basketPower: 0.25 } },
    {
      name: "half-life 60 d, λ 20",
      model: { ...BEFORE, halfLifeDays: 60, lambda: 20 },
    },
    ...[0.02, 0.05].map((w) => ({
      name: `recency prior ${w}`,
      model: { ...BEFORE, priorWeight: w },
    })),
    ...[0.3, 0.5].map((s) => ({
      name: `blend EASE^R ${s}`,
      model: BEFORE,
      easeShare: s,
    })),
  ],
  2: [
    { name: "before (the defaults then)", model: BEFORE },
    ...[120, 180, 240].map((d) => ({
      name: `half-life ${d} d`,
      model: { ...BEFORE, halfLifeDays: d },
    })),
    {
      name: "half-life 120 d, power 0.25",
      model: { ...BEFORE, halfLifeDays: 120, basketPower: 0.25 },
    },
    {
      name: "power 0.25, λ 20",
      model: { ...BEFORE, basketPower: 0.25, lambda: 20 },
    },
    { name: "power 0, λ 50", model: { ...BEFORE, basketPower: 0, lambda: 50 } },
    {
      name: "half-life 120 d, power 0, λ 50",
      model: { ...BEFORE, halfLifeDays: 120, basketPower: 0, lambda: 50 },
    },
    { name: "blend EASE^R 0.7", model: BEFORE, easeShare: 0.7 },
    {
      name: "half-life 120 d, EASE^R 0.5",
      model: { ...BEFORE, halfLifeDays: 120 },
      easeShare: 0.5,
    },
  ],
  3: [
    { name: "defaults (decision 028)", model: {} },
    ...[0.3, 0.5, 0.7].map((s) => ({
      name: `mix plain ${s}`,
      model: mixPlain(s),
    })),
    ...[0.3, 0.5].map((s) => ({
      name: `mix 30-day ${s}`,
      model: mixRecent(s),
    })),
    { name: "linear items ≥ 5 orders", model: { easeMinItemOrders: 5 } },
    { name: "200 neighbours", model: { neighbours: 200 } },
    ...[0.05, 0.15].map((s) => ({
      name: `recent popularity ${s}`,
      model: {},
      recentShare: s,
    })),
    { name: "blend EASE^R 0.5", model: {}, easeShare: 0.5 },
  ],
  4: [
    { name: "defaults (decision 028)", model: {} },
    { name: "linear items ≥ 5 orders", model: FIVE },
    {
      name: "all items ≥ 3 orders",
      model: { minItemOrders: 3, easeMinItemOrders: 3 },
    },
    { name: "≥ 5, 200 neighbours", model: { ...FIVE, neighbours: 200 } },
    { name: "≥ 5, λ 20", model: { ...FIVE, lambda: 20 } },
    { name: "≥ 5, blend EASE^R 0.5", model: FIVE, easeShare: 0.5 },
  ],
};

/** Divides `scores` by their best value when it is positive (in place). */
function scaleToBest(scores: Float64Array): Float64Array {
  let best = 0;
  for (const v of scores) if (v > best) best = v;
  if (best > 0) for (let j = 0; j < scores.length; j++) scores[j] /= best;
  return scores;
}

function blendScorer(
  model: ScorerFactory,
  ease: ScorerFactory,
  share: number,
): ScorerFactory {
  return (catalog) => {
    const a = model(catalog);
    const b = ease(catalog);
    return (cart, which) => {
      // Copies: a scorer may hand out the same array for every cart.
      const out = scaleToBest(Float64Array.from(a(cart, which)));
      const e = scaleToBest(Float64Array.from(b(cart, which)));
      for (let j = 0; j < out.length; j++)
        out[j] = (1 - share) * out[j] + share * e[j];
      return out;
    };
  };
}

/** The model's recency prior over the catalog, the same for every cart. */
function recentScorer(model: CartModel): ScorerFactory {
  return fixedScorer((catalog) =>
    Float64Array.from(catalog, (sku) => {
      const i = model.index.get(sku);
      return i === undefined ? 0 : model.prior[i];
    }),
  );
}

export interface FoldResult {
  name: string;
  cases: number;
  /** Protocol A HR@10 of every candidate, in grid order. */
  hr10: number[];
  /** Plain EASE^R (the best baseline on validation), on the same cases. */
  easeHr10: number;
  /** Training time of every candidate (its fits, plain EASE^R's included for a blend), ms. */
  fitMs: number[];
}

export interface FoldReport {
  candidates: readonly FoldCandidate[];
  folds: FoldResult[];
  /**
   * Per candidate: the mean over folds of HR@10 and of HR@10 / EASE^R's, and the folds on which it
   * beats the first candidate (the defaults).
   */
  mean: {
    hr10: number;
    ratio: number;
    beatsDefault: number;
    /** Training time over the folds, against the first candidate's. */
    fitRatio: number;
  }[];
  easeMean: number;
}

/**
 * Scores every candidate on every fold, Protocol A HR@10. Each distinct fit is trained once per
 * fold (settings read at scoring share it); plain EASE^R λ=50 is fit on each fold as the bar.
 */
export function evaluateFolds(
  orders: readonly OrderInput[],
  folds: readonly Fold[] = rollingFolds(),
  candidates: readonly FoldCandidate[] = SEASON_GRIDS[1],
  threads?: number,
  testFrom?: string,
): FoldReport {
  const results: FoldResult[] = [];
  for (const fold of folds) {
    const split = foldSplit(orders, fold, testFrom);
    const cases = protocolACases(split.evaluation);
    const fits = new Map<string, { model: CartModel; ms: number }>();
    const fitOf = (options: Partial<CartModelOptions>) => {
      const { priorWeight, ...fitting } = options;
      const key = JSON.stringify(fitting);
      let fit = fits.get(key);
      if (!fit) {
        const t = performance.now();
        const model = trainCartModel(split.train, { ...fitting, threads });
        fits.set(key, (fit = { model, ms: performance.now() - t }));
      }
      return priorWeight === undefined
        ? fit
        : { ...fit, model: { ...fit.model, priorWeight } };
    };
    const bar = fitOf(easeBaselineOptions(EASE_BASELINE_LAMBDA));
    const ease = cartModelScorer(bar.model);
    const fitMs: number[] = [];
    const factories = candidates.map((c) => {
      const fit = fitOf(c.model);
      fitMs.push(fit.ms + (c.easeShare ? bar.ms : 0));
      const model = cartModelScorer(fit.model);
      const blended = c.easeShare
        ? blendScorer(model, ease, c.easeShare)
        : model;
      return c.recentShare
        ? blendScorer(blended, recentScorer(fit.model), c.recentShare)
        : blended;
    });
    const scored = evaluateProtocolAEach(split, [...factories, ease], cases);
    results.push({
      name: fold.name,
      cases: cases.length,
      hr10: scored.slice(0, -1).map((r) => r.hr10),
      easeHr10: scored[scored.length - 1].hr10,
      fitMs,
    });
  }
  const n = Math.max(results.length, 1);
  const mean = candidates.map((_, c) => ({
    hr10: results.reduce((s, f) => s + f.hr10[c], 0) / n,
    ratio:
      results.reduce(
        (s, f) => s + (f.easeHr10 > 0 ? f.hr10[c] / f.easeHr10 : 0),
        0,
      ) / n,
    beatsDefault: results.filter((f) => f.hr10[c] > f.hr10[0]).length,
    fitRatio:
      results.reduce((s, f) => s + f.fitMs[c], 0) /
      Math.max(
        results.reduce((s, f) => s + f.fitMs[0], 0),
        Number.MIN_VALUE,
      ),
  }));
  return {
    candidates,
    folds: results,
    mean,
    easeMean: results.reduce((s, f) => s + f.easeHr10, 0) / n,
  };
}
