import { cartModelScorer } from "../backtest";
import {
  parseUtc,
  scoreCart,
  trainCartModel,
  type CartModel,
} from "../cart-model";
import { buildCustomerProfiles, rebuyStats } from "../customer-profile";
import {
  DEFAULT_PERSONAL_OPTIONS,
  personalCartScores,
  type PersonalOptions,
} from "../personal";
import { buildReplenishment } from "../replenishment";
import type { EngineOrder } from "../types";
import {
  evaluateProtocolA,
  hiddenChecksum,
  protocolACases,
  type CaseA,
  type ProtocolOrder,
  type ResultA,
  type ScorerFactory,
  type Split,
} from "./protocol";
import { foldSplit, rollingFolds, type Fold } from "./season-folds";

// Protocol C: Protocol A's cart-completion cases, restricted to returning customers (at least one
// order before the split), where the model may also read that customer's orders before the case.
// Defined in docs/decisions/023-personal-recommendations.md.

export interface CustomerOrder extends ProtocolOrder {
  customerId?: string;
  /** Minor units, aligned with `items`, where the export has them. */
  prices?: readonly number[];
}

/** An export's order as the engine's: the customer id is the key, times are UTC. */
function engineOrder(order: CustomerOrder): EngineOrder {
  return {
    id: order.id,
    createdAt: new Date(parseUtc(order.createdAt)),
    customerKey: order.customerId,
    lines: order.items.map((productId, i) => ({
      productId,
      quantity: 1,
      price: { amount: order.prices?.[i] ?? 0, currency: "" },
    })),
  };
}

export function protocolCCases(split: Split<CustomerOrder>): CaseA[] {
  const returning = new Set<string>();
  for (const o of split.train) if (o.customerId) returning.add(o.customerId);
  const customerOf = new Map(split.evaluation.map((o) => [o.id, o.customerId]));
  return protocolACases(split.evaluation).filter((c) =>
    returning.has(customerOf.get(c.orderId) ?? ""),
  );
}

/**
 * The personal ranking on Protocol C's cases, which must come in time order: each case first
 * counts its customers' orders placed before it into their profiles.
 */
export function personalScorer(
  model: CartModel,
  split: Split<CustomerOrder>,
  options: PersonalOptions,
): ScorerFactory {
  const train = split.train.map(engineOrder);
  const profiles = buildCustomerProfiles(train);
  const replenishment = buildReplenishment(train);
  // From the train orders only: the cases' own orders never count as re-buys.
  const rebuy = rebuyStats(profiles);
  const pending = [...split.evaluation].sort((a, b) =>
    a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0,
  );
  const customerOf = new Map(pending.map((o) => [o.id, o.customerId]));
  let next = 0;
  return (catalog) => {
    const position = Int32Array.from(model.items, () => -1);
    catalog.forEach((sku, c) => {
      const i = model.index.get(sku);
      if (i !== undefined) position[i] = c;
    });
    return (cart, which) => {
      if (!which) throw new Error("a personal scorer needs the case");
      while (next < pending.length && pending[next].createdAt < which.createdAt)
        profiles.addOrder(engineOrder(pending[next++]));
      const profile = profiles.get(customerOf.get(which.orderId) ?? "");
      const scores = profile
        ? personalCartScores(
            model,
            cart,
            { profile, now: parseUtc(which.createdAt), replenishment, rebuy },
            options,
          )
        : scoreCart(model, cart);
      const out = new Float64Array(catalog.length);
      for (let i = 0; i < scores.length; i++)
        if (position[i] >= 0) out[position[i]] = scores[i];
      return out;
    };
  };
}

export interface ProtocolCResult {
  cases: number;
  checksum: number;
  personal: ResultA;
  cartOnly: ResultA;
  /** HR@10 of each personal setting tried, when asked to tune them. */
  grid?: { options: PersonalOptions; hr10: number }[];
}

export function evaluateProtocolC(
  model: CartModel,
  split: Split<CustomerOrder>,
  options: PersonalOptions = DEFAULT_PERSONAL_OPTIONS,
  grid?: readonly PersonalOptions[],
): ProtocolCResult {
  const cases = protocolCCases(split);
  const score = (o: PersonalOptions) =>
    evaluateProtocolA(split, personalScorer(model, split, o), cases);
  return {
    cases: cases.length,
    checksum: hiddenChecksum(cases),
    personal: score(options),
    cartOnly: evaluateProtocolA(split, cartModelScorer(model, "cart"), cases),
    ...(grid
      ? { grid: grid.map((o) => ({ options: o, hr10: score(o).hr10 })) }
      : {}),
  };
}

export interface ProtocolCFold {
  name: string;
  cases: number;
  cartOnly: number;
  /** HR@10 of each setting of the grid, in grid order. */
  hr10: number[];
}

/**
 * A personal grid on the rolling-origin folds of decision 028: each fold trains the cart model
 * (default options) on the orders before its origin and scores Protocol C on its weeks, so that a
 * setting is kept for how it does across the season, not in one window. `foldSplit` refuses a fold
 * that reaches the test window.
 */
export function evaluateProtocolCFolds(
  orders: readonly CustomerOrder[],
  grid: readonly PersonalOptions[],
  folds: readonly Fold[] = rollingFolds(),
  threads?: number,
  testFrom?: string,
): { folds: ProtocolCFold[]; meanRatio: number[] } {
  const results = folds.map((fold) => {
    const split = foldSplit(orders, fold, testFrom);
    const model = trainCartModel(split.train, { threads });
    const c = evaluateProtocolC(model, split, undefined, grid);
    return {
      name: fold.name,
      cases: c.cases,
      cartOnly: c.cartOnly.hr10,
      hr10: c.grid!.map((g) => g.hr10),
    };
  });
  const meanRatio = grid.map(
    (_, k) =>
      results.reduce(
        (s, f) => s + (f.cartOnly > 0 ? f.hr10[k] / f.cartOnly : 0),
        0,
      ) / Math.max(results.length, 1),
  );
  return { folds: results, meanRatio };
}

/** Round 4's choice, the default before round 5: owned products scaled by their share. */
const ROUND_4: PersonalOptions = {
  ...DEFAULT_PERSONAL_OPTIONS,
  mix: "scale",
  dueWeight: 0.25,
};

/**
 * Round 5 (decision 023): owned products get the share of the scores that the cart gives to the
 * customer's own purchases, around the chosen cart power, own-frequency weight and pseudo-count,
 * and with a due consumable's weight.
 */
const ROUND_5: PersonalOptions[] = [
  ...[1, 1.5, 2].map((cartPower) => ({
    ...DEFAULT_PERSONAL_OPTIONS,
    mix: "cart" as const,
    cartPower,
  })),
  ...[0, 0.1, 0.4].map((ownWeight) => ({
    ...DEFAULT_PERSONAL_OPTIONS,
    mix: "cart" as const,
    ownWeight,
  })),
  { ...DEFAULT_PERSONAL_OPTIONS, mix: "cart", cartPseudoCount: 0.5 },
  // A due consumable's weight added after the mix, as round 4 added it.
  ...[0.05, 0.25].map((dueWeight) => ({
    ...DEFAULT_PERSONAL_OPTIONS,
    mix: "cart" as const,
    dueWeight,
  })),
];

/** What `evaluate --folds personal` scores: round 4's choice against round 5's grid. */
export const PERSONAL_FOLD_GRID: PersonalOptions[] = [ROUND_4, ...ROUND_5];

/**
 * The settings tried on validation (rounds 3 to 5; rounds 1 and 2 are in decision 023): the
 * chosen setting of round 2, the cart's own ranking, the re-buy rule, the re-buy lift, the proven
 * re-buy, and the proven re-buy mixed by the cart's share of owned products.
 */
export const PERSONAL_GRID: PersonalOptions[] = [
  {
    ...ROUND_4,
    reoffer: "consumable",
  },
  {
    ...ROUND_4,
    reoffer: "all",
    dueWeight: 0,
    historyWeight: 0,
    repeatWeight: 0,
  },
  ...[2, 10, 50].flatMap((rebuyPseudoCount) =>
    [0, 0.25, 1].flatMap((repeatWeight) =>
      (repeatWeight === 0 ? [90] : [30, 90]).map((historyHalfLifeDays) => ({
        ...ROUND_4,
        reoffer: "rebuy" as const,
        rebuyPseudoCount,
        repeatWeight,
        historyHalfLifeDays,
      })),
    ),
  ),
  ...[2, 10, 50].flatMap((rebuyPseudoCount) =>
    [0.25, 0.5, 1].map((liftPower) => ({
      ...ROUND_4,
      reoffer: "lift" as const,
      rebuyPseudoCount,
      liftPower,
    })),
  ),
  ...[0.25, 1].map((repeatWeight) => ({
    ...ROUND_4,
    reoffer: "lift" as const,
    liftPower: 0.5,
    repeatWeight,
  })),
  // Round 4: only re-buys the shop's customers are seen to make (decision 023).
  ...[2, 10, 50].map((rebuyPseudoCount) => ({
    ...ROUND_4,
    reoffer: "proven" as const,
    rebuyPseudoCount,
    liftPower: 0.5,
  })),
  ...[0.25, 1].map((liftPower) => ({
    ...ROUND_4,
    reoffer: "proven" as const,
    liftPower,
  })),
  ...ROUND_5,
];
