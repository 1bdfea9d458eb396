// Experiment statistics from per-arm sufficient statistics (sums, never per-visitor arrays), so a
// results page over millions of visitors is a handful of numbers. The randomisation unit is the
// visitor: every metric, including AOV (a ratio of two per-visitor sums), gets its variance at the
// visitor level. The sequential test and its mixing parameter are explained in
// docs/decisions/005-sequential-testing.md.

/** Per-arm sums over visitors v, each with orders m_v and revenue r_v (minor units). */
export interface ArmTotals {
  visitors: number;
  /** Visitors with at least one order. */
  converters: number;
  /** Σ m_v */
  orders: number;
  /** Σ m_v² */
  ordersSq: number;
  /** Σ r_v */
  revenue: number;
  /** Σ r_v² */
  revenueSq: number;
  /** Σ r_v × m_v */
  revenueOrders: number;
}

export type Metric = "conversion" | "aov" | "rpv";

export interface Estimate {
  estimate: number;
  standardError: number;
  lower: number;
  upper: number;
}

export interface ArmSummary {
  visitors: number;
  orders: number;
  conversion: Estimate | null;
  /** Average order value in minor units; null before the first order. */
  aov: Estimate | null;
  /** Revenue per visitor in minor units. */
  rpv: Estimate | null;
}

// ---------------------------------------------------------------------------------------------
// Special functions

/** Complementary error function, Chebyshev fit with fractional error below 1.2e-7 everywhere. */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t *
                                  (1.48851587 +
                                    t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export function normalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** Inverse of the standard normal CDF (Acklam's rational approximation, relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1))
    throw new RangeError(`normalQuantile needs 0 < p < 1, got ${p}`);
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269,
    -30.66479806614716, 2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866,
    66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838,
    -2.549732539343734, 4.374664141464968, 2.938163982698783,
  ];
  const d = [
    0.007784695709041462, 0.3224671290700398, 2.445134137142996,
    3.754408661907416,
  ];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    );
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) *
      q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

function logGamma(x: number): number {
  // Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0.
  const g = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028,
    771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5)
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const y = x - 1;
  let sum = g[0];
  for (let i = 1; i < 9; i += 1) sum += g[i] / (y + i);
  const t = y + 7.5;
  return (
    0.5 * Math.log(2 * Math.PI) + (y + 0.5) * Math.log(t) - t + Math.log(sum)
  );
}

/** Regularised upper incomplete gamma Q(a, x), by series below a + 1 and continued fraction above. */
export function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  const logPrefix = -x + a * Math.log(x) - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < 1_000; n += 1) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(logPrefix);
  }
  // Modified Lentz for the continued fraction of Q.
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1_000; i += 1) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(logPrefix) * h;
}

// ---------------------------------------------------------------------------------------------
// Per-arm estimates

function interval(
  estimate: number,
  standardError: number,
  z: number,
): Estimate {
  return {
    estimate,
    standardError,
    lower: estimate - z * standardError,
    upper: estimate + z * standardError,
  };
}

/** Sample (n − 1) covariance from Σx, Σy, Σxy over n units. */
function covariance(
  n: number,
  sumX: number,
  sumY: number,
  sumXY: number,
): number {
  if (n < 2) return 0;
  return (sumXY - (sumX * sumY) / n) / (n - 1);
}

export function conversionEstimate(
  totals: ArmTotals,
  confidence = 0.95,
): Estimate | null {
  const n = totals.visitors;
  if (n === 0) return null;
  const z = normalQuantile(0.5 + confidence / 2);
  const p = totals.converters / n;
  // Wilson's interval: the Wald interval collapses to [0, 0] at zero conversions.
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half =
    (z / (1 + (z * z) / n)) *
    Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return {
    estimate: p,
    standardError: Math.sqrt((p * (1 - p)) / n),
    lower: centre - half,
    upper: centre + half,
  };
}

export function rpvEstimate(
  totals: ArmTotals,
  confidence = 0.95,
): Estimate | null {
  const n = totals.visitors;
  if (n === 0) return null;
  const z = normalQuantile(0.5 + confidence / 2);
  const variance = Math.max(
    0,
    covariance(n, totals.revenue, totals.revenue, totals.revenueSq),
  );
  return interval(totals.revenue / n, Math.sqrt(variance / n), z);
}

/**
 * AOV = Σr / Σm, a ratio of two visitor-level means. Delta method (Deng, Knoblich & Lu 2018):
 * Var(r̄/m̄) ≈ (1/n)(σ_r²/μ_m² − 2 μ_r σ_rm/μ_m³ + μ_r² σ_m²/μ_m⁴). Treating orders as independent
 * units would understate the variance whenever a visitor orders more than once.
 */
export function aovEstimate(
  totals: ArmTotals,
  confidence = 0.95,
): Estimate | null {
  const n = totals.visitors;
  if (n === 0 || totals.orders === 0) return null;
  const z = normalQuantile(0.5 + confidence / 2);
  const muR = totals.revenue / n;
  const muM = totals.orders / n;
  const varR = covariance(n, totals.revenue, totals.revenue, totals.revenueSq);
  const varM = covariance(n, totals.orders, totals.orders, totals.ordersSq);
  const covRM = covariance(
    n,
    totals.revenue,
    totals.orders,
    totals.revenueOrders,
  );
  const variance =
    (varR / (muM * muM) -
      (2 * muR * covRM) / muM ** 3 +
      (muR * muR * varM) / muM ** 4) /
    n;
  return interval(muR / muM, Math.sqrt(Math.max(0, variance)), z);
}

export function metricEstimate(
  metric: Metric,
  totals: ArmTotals,
  confidence = 0.95,
): Estimate | null {
  if (metric === "conversion") return conversionEstimate(totals, confidence);
  if (metric === "aov") return aovEstimate(totals, confidence);
  return rpvEstimate(totals, confidence);
}

export function summariseArm(totals: ArmTotals, confidence = 0.95): ArmSummary {
  return {
    visitors: totals.visitors,
    orders: totals.orders,
    conversion: conversionEstimate(totals, confidence),
    aov: aovEstimate(totals, confidence),
    rpv: rpvEstimate(totals, confidence),
  };
}

/**
 * Relative lift t/c − 1 with a delta-method interval for independent arms:
 * Var(t̂/ĉ) ≈ Var(t̂)/c² + t² Var(ĉ)/c⁴. Null when the reference mean is zero.
 */
export function relativeLift(
  treatment: Estimate,
  reference: Estimate,
  confidence = 0.95,
): Estimate | null {
  const t = treatment.estimate;
  const c = reference.estimate;
  if (c === 0) return null;
  const z = normalQuantile(0.5 + confidence / 2);
  const variance =
    treatment.standardError ** 2 / (c * c) +
    (t * t * reference.standardError ** 2) / c ** 4;
  return interval(t / c - 1, Math.sqrt(variance), z);
}

// ---------------------------------------------------------------------------------------------
// Always-valid sequential test

export interface SequentialResult {
  /** Mixture likelihood ratio Λ_n of the normal-mixture SPRT. */
  likelihoodRatio: number;
  /** Always-valid p-value: min over this and all earlier looks of 1/Λ. */
  pValue: number;
  /**
   * Confidence sequence for the difference, intersected with those of all earlier looks (an
   * intersection of confidence sequences still covers the difference at every look). It excludes
   * zero exactly when the verdict is reached, and keeps excluding it afterwards.
   */
  alwaysValidInterval: { lower: number; upper: number };
  /** The interval excludes zero: lower > 0 (better) or upper < 0 (worse). */
  significant: boolean;
}

export interface Interval {
  lower: number;
  upper: number;
}

const excludesZero = (i: Interval) => i.lower > 0 || i.upper < 0;

/**
 * The running intersection of confidence sequences. Disjoint intervals (a miss, which the
 * guarantee allows with probability α) keep the one that excludes zero: one of them must, since
 * both cannot contain zero, so the verdict still agrees with the interval shown.
 */
export function intersectIntervals(
  previous: Interval | undefined,
  current: Interval,
): Interval {
  if (!previous) return current;
  const lower = Math.max(previous.lower, current.lower);
  const upper = Math.min(previous.upper, current.upper);
  if (lower <= upper) return { lower, upper };
  return excludesZero(current) ? current : previous;
}

/**
 * The z-score the estimate must reach for Λ_n ≥ 1/α at variance V with mixing scale τ:
 * z² = ((V + τ²)/τ²) × (2 ln(1/α) + ln((V + τ²)/V)).
 */
export function msprtBoundaryZ(
  variance: number,
  tau: number,
  alpha: number,
): number {
  const tau2 = tau * tau;
  return Math.sqrt(
    ((variance + tau2) / tau2) *
      (2 * Math.log(1 / alpha) + Math.log1p(tau2 / variance)),
  );
}

/**
 * mSPRT with a N(0, τ²) mixing distribution over the true difference θ (Johari, Pekelis & Walsh,
 * "Always valid inference", 2017), on an asymptotically normal estimate θ̂ with variance V:
 * Λ = sqrt(V / (V + τ²)) × exp(τ² θ̂² / (2 V (V + τ²))). Ville's inequality bounds the chance that
 * Λ ever exceeds 1/α under θ = 0 by α, however often it is looked at.
 */
export function mixtureSequentialTest(input: {
  difference: number;
  variance: number;
  tau: number;
  alpha: number;
  previousPValue?: number;
  /** The interval of the previous look, to intersect with this one's. */
  previousInterval?: Interval;
}): SequentialResult {
  const { difference, variance, tau, alpha } = input;
  const previous = input.previousPValue ?? 1;
  if (!(variance > 0) || !(tau > 0)) {
    const interval = input.previousInterval ?? {
      lower: Number.NEGATIVE_INFINITY,
      upper: Number.POSITIVE_INFINITY,
    };
    return {
      likelihoodRatio: 1,
      pValue: previous,
      alwaysValidInterval: interval,
      significant: excludesZero(interval),
    };
  }
  const tau2 = tau * tau;
  const logLambda =
    0.5 * Math.log(variance / (variance + tau2)) +
    (tau2 * difference * difference) / (2 * variance * (variance + tau2));
  const pValue = Math.min(previous, 1, Math.exp(-logLambda));
  const half = msprtBoundaryZ(variance, tau, alpha) * Math.sqrt(variance);
  const interval = intersectIntervals(input.previousInterval, {
    lower: difference - half,
    upper: difference + half,
  });
  return {
    likelihoodRatio: Math.exp(logLambda),
    pValue,
    alwaysValidInterval: interval,
    significant: excludesZero(interval),
  };
}

/**
 * Visitors per arm at which the mSPRT reaches `power` against `difference`, counting only the
 * final look (early stops only add power, so this is conservative). Normal approximation.
 */
export function msprtSampleSizePerArm(input: {
  difference: number;
  sdTreatment: number;
  sdControl: number;
  tau: number;
  alpha: number;
  power: number;
}): number {
  const { difference, sdTreatment, sdControl, tau, alpha, power } = input;
  const powerAt = (n: number) => {
    const variance = (sdTreatment ** 2 + sdControl ** 2) / n;
    return normalCdf(
      Math.abs(difference) / Math.sqrt(variance) -
        msprtBoundaryZ(variance, tau, alpha),
    );
  };
  let high = 2;
  while (powerAt(high) < power) {
    high *= 2;
    if (high > 2 ** 50)
      throw new RangeError("Effect too small for any reachable sample size");
  }
  let low = high / 2;
  while (high - low > 1) {
    const mid = Math.floor((low + high) / 2);
    if (powerAt(mid) >= power) high = mid;
    else low = mid;
  }
  return high;
}

// ---------------------------------------------------------------------------------------------
// Sample ratio mismatch

export interface SampleRatioCheck {
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
  /** p < threshold: assignment or logging is broken and no metric of this experiment can be trusted. */
  mismatch: boolean;
}

/** Pearson chi-square goodness of fit of observed visitors per arm against the configured shares. */
export function sampleRatioMismatch(
  observed: readonly number[],
  expectedShares: readonly number[],
  threshold = 0.001,
): SampleRatioCheck {
  const total = observed.reduce((sum, x) => sum + x, 0);
  const shareTotal = expectedShares.reduce((sum, x) => sum + x, 0);
  let chiSquare = 0;
  let cells = 0;
  observed.forEach((count, i) => {
    const expected = (total * expectedShares[i]) / shareTotal;
    if (expected > 0) {
      chiSquare += (count - expected) ** 2 / expected;
      cells += 1;
    } else if (count > 0) chiSquare = Number.POSITIVE_INFINITY;
  });
  const degreesOfFreedom = Math.max(1, cells - 1);
  const pValue =
    total === 0
      ? 1
      : chiSquare === Number.POSITIVE_INFINITY
        ? 0
        : gammaQ(degreesOfFreedom / 2, chiSquare / 2);
  return { chiSquare, degreesOfFreedom, pValue, mismatch: pValue < threshold };
}

// ---------------------------------------------------------------------------------------------
// Report

export interface ExperimentArmInput {
  id: string;
  holdout?: boolean;
  /** Configured traffic weight (any scale). */
  weight: number;
  totals: ArmTotals;
}

/** "invalid": the sample ratio mismatch check failed, so no comparison can be trusted. */
export type Verdict =
  "better" | "worse" | "inconclusive" | "insufficient_data" | "invalid";

export type ExperimentWarning =
  | { kind: "minimum_sample"; armId: string; visitors: number; orders: number }
  | { kind: "sample_ratio_mismatch"; pValue: number };

export interface ArmComparison {
  armId: string;
  referenceId: string;
  lift: {
    conversion: Estimate | null;
    aov: Estimate | null;
    rpv: Estimate | null;
  };
  /** Difference in the primary metric (treatment − reference) and its sequential test. */
  difference: number | null;
  sequential: SequentialResult | null;
  verdict: Verdict;
}

export interface ExperimentReport {
  arms: (ArmSummary & { id: string; holdout: boolean })[];
  comparisons: ArmComparison[];
  sampleRatio: SampleRatioCheck;
  warnings: ExperimentWarning[];
}

export interface ExperimentReportOptions {
  primaryMetric: Metric;
  /**
   * The primary metric's pre-experiment level (e.g. last 30 days' RPV), fixed when the experiment
   * starts: τ = minimumDetectableLift × baseline. Without it the reference arm's current estimate is
   * used, which makes τ data-dependent and the guarantee only approximate.
   */
  baselineMean?: number;
  /** The smallest relative lift worth detecting; sets the mixing scale τ. Default 0.05. */
  minimumDetectableLift?: number;
  /** Family-wise error rate over all comparisons (Bonferroni-split). Default 0.05. */
  alpha?: number;
  confidence?: number;
  minVisitorsPerArm?: number;
  minOrdersPerArm?: number;
  /** Always-valid p-values from the previous look, by arm id, so a verdict cannot flip back. */
  previousPValues?: Readonly<Record<string, number>>;
  /** Always-valid intervals from the previous look, by arm id, intersected with this look's. */
  previousIntervals?: Readonly<Record<string, Interval>>;
}

function metricVariance(
  metric: Metric,
  totals: ArmTotals,
): { mean: number; variance: number } | null {
  const estimate = metricEstimate(metric, totals);
  if (!estimate) return null;
  return { mean: estimate.estimate, variance: estimate.standardError ** 2 };
}

/**
 * Per-arm figures, lift of every arm against the hold-out (or the first arm when there is none),
 * an always-valid verdict on the primary metric, and the health checks that gate trust in it.
 */
export function experimentReport(
  arms: readonly ExperimentArmInput[],
  options: ExperimentReportOptions,
): ExperimentReport {
  const confidence = options.confidence ?? 0.95;
  const alpha = options.alpha ?? 0.05;
  const mde = options.minimumDetectableLift ?? 0.05;
  const minVisitors = options.minVisitorsPerArm ?? 1_000;
  const minOrders = options.minOrdersPerArm ?? 100;
  if (arms.length === 0)
    throw new RangeError("An experiment report needs at least one arm");
  const reference = arms.find((arm) => arm.holdout) ?? arms[0];
  const treatments = arms.filter((arm) => arm !== reference);
  const comparisonAlpha = alpha / Math.max(1, treatments.length);

  const summaries = arms.map((arm) => ({
    id: arm.id,
    holdout: arm.holdout === true,
    ...summariseArm(arm.totals, confidence),
  }));
  const sampleRatio = sampleRatioMismatch(
    arms.map((arm) => arm.totals.visitors),
    arms.map((arm) => arm.weight),
  );
  const warnings: ExperimentWarning[] = [];
  const underpowered = new Set<string>();
  for (const arm of arms) {
    if (arm.totals.visitors < minVisitors || arm.totals.orders < minOrders) {
      underpowered.add(arm.id);
      warnings.push({
        kind: "minimum_sample",
        armId: arm.id,
        visitors: arm.totals.visitors,
        orders: arm.totals.orders,
      });
    }
  }
  if (sampleRatio.mismatch)
    warnings.push({
      kind: "sample_ratio_mismatch",
      pValue: sampleRatio.pValue,
    });

  const referenceSummary = summariseArm(reference.totals, confidence);
  const referencePrimary = metricVariance(
    options.primaryMetric,
    reference.totals,
  );
  const baseline = options.baselineMean ?? referencePrimary?.mean ?? 0;
  const tau = Math.abs(baseline) * mde;

  const comparisons = treatments.map((arm): ArmComparison => {
    const summary = summariseArm(arm.totals, confidence);
    const lift = {
      conversion:
        summary.conversion && referenceSummary.conversion
          ? relativeLift(
              summary.conversion,
              referenceSummary.conversion,
              confidence,
            )
          : null,
      aov:
        summary.aov && referenceSummary.aov
          ? relativeLift(summary.aov, referenceSummary.aov, confidence)
          : null,
      rpv:
        summary.rpv && referenceSummary.rpv
          ? relativeLift(summary.rpv, referenceSummary.rpv, confidence)
          : null,
    };
    const primary = metricVariance(options.primaryMetric, arm.totals);
    if (!primary || !referencePrimary) {
      return {
        armId: arm.id,
        referenceId: reference.id,
        lift,
        difference: null,
        sequential: null,
        verdict: "insufficient_data",
      };
    }
    const difference = primary.mean - referencePrimary.mean;
    const sequential = mixtureSequentialTest({
      difference,
      variance: primary.variance + referencePrimary.variance,
      tau,
      alpha: comparisonAlpha,
      previousPValue: options.previousPValues?.[arm.id],
      previousInterval: options.previousIntervals?.[arm.id],
    });
    let verdict: Verdict = "inconclusive";
    if (sampleRatio.mismatch) verdict = "invalid";
    else if (underpowered.has(arm.id) || underpowered.has(reference.id))
      verdict = "insufficient_data";
    else if (sequential.significant)
      verdict = sequential.alwaysValidInterval.lower > 0 ? "better" : "worse";
    return {
      armId: arm.id,
      referenceId: reference.id,
      lift,
      difference,
      sequential,
      verdict,
    };
  });

  return { arms: summaries, comparisons, sampleRatio, warnings };
}
