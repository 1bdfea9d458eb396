// Thompson sampling over how many offers a placement shows. Showing more offers is not free (choice
// overload, slower pages), so the best count is learnt per placement from reward per impression:
// a click or add-to-cart (Bernoulli model) or attributed revenue in minor units (Normal model).
// Pure and deterministic given the Rng: the caller seeds it, so a decision can be replayed.

import type { Rng } from "./random";
import { sampleBeta, sampleNormal } from "./random";

export const OFFER_COUNTS = [2, 3, 4, 5, 6] as const;

/** Beta(alpha, beta) posterior on the probability that an impression earns the reward. */
export interface BernoulliArm {
  count: number;
  impressions: number;
  alpha: number;
  beta: number;
}

/** Sufficient statistics of rewards per impression, for a Normal posterior on their mean. */
export interface NormalArm {
  count: number;
  impressions: number;
  sum: number;
  sumSq: number;
}

export type BanditState =
  | { model: "bernoulli"; warmup: number; arms: BernoulliArm[] }
  | {
      model: "normal";
      warmup: number;
      priorStrength: number;
      arms: NormalArm[];
    };

export interface ArmBelief {
  count: number;
  impressions: number;
  /** Posterior mean reward per impression. */
  mean: number;
  /** Posterior probability that this count has the highest mean reward, estimated by sampling. */
  probabilityBest: number;
}

export class BanditError extends Error {
  override name = "BanditError";
}

export function createBandit(
  model: "bernoulli" | "normal",
  options: {
    counts?: readonly number[];
    warmup?: number;
    priorStrength?: number;
  } = {},
): BanditState {
  const counts = [...(options.counts ?? OFFER_COUNTS)];
  if (counts.length === 0 || new Set(counts).size !== counts.length)
    throw new BanditError("Offer counts must be distinct and non-empty");
  if (model === "bernoulli") {
    return {
      model,
      warmup: options.warmup ?? 0,
      arms: counts.map((count) => ({
        count,
        impressions: 0,
        alpha: 1,
        beta: 1,
      })),
    };
  }
  // Showing each count a few times first gives the pooled variance below something to stand on.
  return {
    model,
    warmup: options.warmup ?? 10,
    priorStrength: options.priorStrength ?? 1,
    arms: counts.map((count) => ({ count, impressions: 0, sum: 0, sumSq: 0 })),
  };
}

/**
 * Posterior of each count's mean reward: a Normal centred on its sample mean, shrunk towards the
 * mean of all counts by `priorStrength` pseudo-impressions, with the variance pooled across counts.
 * Pooling is deliberate: revenue per impression is mostly zeros, and a count whose first impressions
 * all earned nothing would otherwise get a zero variance and never be tried again (a per-count
 * Normal–Gamma posterior with a weak prior starved exactly like that in simulation).
 */
function normalPosteriors(state: Extract<BanditState, { model: "normal" }>) {
  let n = 0;
  let sum = 0;
  let within = 0;
  for (const arm of state.arms) {
    n += arm.impressions;
    sum += arm.sum;
    if (arm.impressions > 0)
      within += Math.max(0, arm.sumSq - (arm.sum * arm.sum) / arm.impressions);
  }
  const pooledMean = n > 0 ? sum / n : 0;
  const observedArms = state.arms.filter((arm) => arm.impressions > 0).length;
  const pooledVariance = n > observedArms ? within / (n - observedArms) : 0;
  return state.arms.map((arm) => {
    const weight = state.priorStrength + arm.impressions;
    return {
      mean: (state.priorStrength * pooledMean + arm.sum) / weight,
      variance: pooledVariance / weight,
    };
  });
}

function posteriorMeans(state: BanditState): number[] {
  if (state.model === "bernoulli")
    return state.arms.map((arm) => arm.alpha / (arm.alpha + arm.beta));
  return normalPosteriors(state).map((posterior) => posterior.mean);
}

/** One Thompson draw: the index of the count whose sampled mean reward is highest. */
function argmaxSample(state: BanditState, rng: Rng): number {
  let samples: number[];
  if (state.model === "bernoulli") {
    samples = state.arms.map((arm) => sampleBeta(rng, arm.alpha, arm.beta));
  } else {
    const posteriors = normalPosteriors(state);
    // No spread seen yet (every reward so far equal): nothing to learn from, explore uniformly.
    if (posteriors.every((posterior) => posterior.variance === 0))
      return Math.floor(rng() * state.arms.length);
    samples = posteriors.map(
      (posterior) =>
        posterior.mean + Math.sqrt(posterior.variance) * sampleNormal(rng),
    );
  }
  let best = 0;
  samples.forEach((value, index) => {
    if (value > samples[best]) best = index;
  });
  return best;
}

/** The number of offers to show on the next impression. */
export function chooseCount(state: BanditState, rng: Rng): number {
  // Warm-up: the least-shown count first (ties: the smaller count), until each has `warmup` views.
  let least = 0;
  state.arms.forEach((arm, index) => {
    if (arm.impressions < state.arms[least].impressions) least = index;
  });
  if (state.arms[least].impressions < state.warmup)
    return state.arms[least].count;
  return state.arms[argmaxSample(state, rng)].count;
}

/**
 * Adds observed impressions of one count: `rewardSum` over `impressions` (and, for the Normal
 * model, the sum of squared rewards). Bernoulli rewards must lie in [0, 1]; fractional rewards
 * update the Beta posterior fractionally.
 */
export function updateBatch(
  state: BanditState,
  count: number,
  batch: { impressions: number; rewardSum: number; rewardSumSq?: number },
): BanditState {
  const index = state.arms.findIndex((arm) => arm.count === count);
  if (index < 0) throw new BanditError(`Unknown offer count ${count}`);
  if (!Number.isSafeInteger(batch.impressions) || batch.impressions < 0)
    throw new BanditError("Impressions must be a non-negative integer");
  if (state.model === "bernoulli") {
    if (batch.rewardSum < 0 || batch.rewardSum > batch.impressions)
      throw new BanditError(
        "Bernoulli rewards must lie in [0, 1] per impression",
      );
    const arms = state.arms.map((arm, i) =>
      i === index
        ? {
            ...arm,
            impressions: arm.impressions + batch.impressions,
            alpha: arm.alpha + batch.rewardSum,
            beta: arm.beta + batch.impressions - batch.rewardSum,
          }
        : arm,
    );
    return { ...state, arms };
  }
  if (batch.rewardSumSq === undefined)
    throw new BanditError("The Normal model needs the sum of squared rewards");
  const sumSq = batch.rewardSumSq;
  const arms = state.arms.map((arm, i) =>
    i === index
      ? {
          ...arm,
          impressions: arm.impressions + batch.impressions,
          sum: arm.sum + batch.rewardSum,
          sumSq: arm.sumSq + sumSq,
        }
      : arm,
  );
  return { ...state, arms };
}

/** Records one impression of `count` that earned `reward`. */
export function update(
  state: BanditState,
  count: number,
  reward: number,
): BanditState {
  return updateBatch(state, count, {
    impressions: 1,
    rewardSum: reward,
    rewardSumSq: reward * reward,
  });
}

/** What the bandit currently believes, for the admin: posterior means and P(best) by sampling. */
export function belief(
  state: BanditState,
  rng: Rng,
  draws = 4_000,
): ArmBelief[] {
  const means = posteriorMeans(state);
  const wins = state.arms.map(() => 0);
  // Arms with one posterior (before any impression) are each best with the same chance, which
  // sampling would show as 19% beside 21%.
  const posterior = ({ count: _, ...rest }: BernoulliArm | NormalArm) =>
    JSON.stringify(rest);
  const alike = state.arms.every(
    (arm) => posterior(arm) === posterior(state.arms[0]),
  );
  if (!alike)
    for (let d = 0; d < draws; d += 1) wins[argmaxSample(state, rng)] += 1;
  return state.arms.map((arm, index) => ({
    count: arm.count,
    impressions: arm.impressions,
    mean: means[index],
    probabilityBest: alike ? 1 / state.arms.length : wins[index] / draws,
  }));
}
