import type { CartModelOptions, OrderInput } from "../cart-model";

/**
 * The textbook baselines of the protocols, fit by the cart model's own trainer with every
 * refinement turned off: binary order×item matrix (no basket weight, no time decay, no prior),
 * every catalog item in the model, every weight kept.
 */

const TEXTBOOK: Partial<CartModelOptions> = {
  minItemOrders: 1,
  minItemOrdersFrom: 0,
  maxItems: Infinity,
  maxBasketSize: Infinity,
  basketPower: 0,
  halfLifeDays: 0,
  priorWeight: 0,
};

/** EASE^R (Steck 2019): B = I − P·diag(1/diag P), P = (XᵀX + λI)⁻¹, dense. */
export function easeBaselineOptions(lambda: number): Partial<CartModelOptions> {
  return {
    ...TEXTBOOK,
    lambda,
    easeMinItemOrders: 1,
    neighbours: Infinity,
    // No walk: its rows are not read with a zero share.
    walkNeighbours: 1,
    rp3Blend: [],
  };
}

/**
 * RP3beta (Paudel et al. 2017): W[i][j] = deg_i^-α · Σ_u |u|^-α x_ui x_uj · deg_j^-β, whole rows,
 * for every cart size.
 */
export function rp3BaselineOptions(
  alpha: number,
  beta: number,
  train: readonly OrderInput[],
): Partial<CartModelOptions> {
  let longest = 1;
  for (const o of train) longest = Math.max(longest, new Set(o.items).size);
  return {
    ...TEXTBOOK,
    // No linear model: nothing to invert.
    easeMinItemOrders: Infinity,
    walkNeighbours: Infinity,
    rp3Alpha: alpha,
    rp3Beta: beta,
    rp3Blend: new Array<number>(longest).fill(1),
  };
}

/**
 * Hyper-parameters chosen on the validation split (train before 2011-08-09, Protocol A HR@10),
 * never on test: `npm run engine -- evaluate --split validation --tune-baselines` prints the grid
 * (docs/decisions/023-personal-recommendations.md).
 */
export const EASE_BASELINE_LAMBDAS = [10, 25, 50, 100, 200] as const;
export const RP3_BASELINE_GRID = [0.5, 0.75, 1].flatMap((alpha) =>
  [0.2, 0.35, 0.5].map((beta) => ({ alpha, beta })),
);
export const EASE_BASELINE_LAMBDA = 50;
export const RP3_BASELINE = { alpha: 0.75, beta: 0.5 };
