import { type BlendWeights, DEFAULT_WEIGHTS } from "./ranking";

/**
 * Strategies a merchant can pick per placement: named blends of the ranker's signals. "blended"
 * is the engine's validated default; the others lean on one signal, for experiments.
 */
export const STRATEGY_WEIGHTS = {
  blended: DEFAULT_WEIGHTS,
  bought_together: {
    completion: 0.6,
    copurchase: 0.38,
    content: 0,
    popularity: 0.02,
  },
  similar: { completion: 0, copurchase: 0, content: 0.9, popularity: 0.1 },
  best_sellers: { completion: 0, copurchase: 0, content: 0, popularity: 1 },
} as const satisfies Record<string, BlendWeights>;
export type Strategy = keyof typeof STRATEGY_WEIGHTS;
export const STRATEGIES = Object.keys(STRATEGY_WEIGHTS) as [
  Strategy,
  ...Strategy[],
];

/** The blend for a stored strategy name; an unknown one (an old row) falls back to the default. */
export function strategyWeights(strategy: string): BlendWeights {
  return STRATEGY_WEIGHTS[strategy as Strategy] ?? STRATEGY_WEIGHTS.blended;
}

/**
 * What a placement on the default strategy serves: the method the shop's backtest chose
 * (docs/decisions/021). The model goes through the validated blend; any other method was chosen as
 * the list it is, so it ranks alone (the ranker's rules, stock and diversity still apply).
 */
export function servedWeights(strategy: string, method: string): BlendWeights {
  if (strategy === "blended" && method !== "model")
    return { completion: 1, copurchase: 0, content: 0, popularity: 0 };
  return strategyWeights(strategy);
}
