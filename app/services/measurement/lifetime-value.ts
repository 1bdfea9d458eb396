// Lifetime value and pull-forward: do shoppers who took an offer come back as often, and spend as
// much afterwards, as the experiment's hold-out, who never saw one? An offer that only pulls a
// later purchase forward shows up here as lower repeat revenue than the hold-out's.
//
// Pure: fetched by lifetime-value.server.ts. For each exposed unit with an order (a storefront
// visitor's first order placed after their first exposure; a checkout's own order, placed moments
// before its post-purchase page assigned it), that first order opens a window of 30, 60 and 90
// days; the shopper's later orders in it (same customer, or the same storefront visitor when the
// order has no customer) give a repeat (0/1) and a repeat revenue (order subtotals, minor units of
// the shop's currency). Only shoppers whose window has fully passed count for that horizon. Cohorts:
// - hold-out: buyers assigned to the hold-out arm;
// - accepted: buyers in an offer arm whose first order carries an offer's unit (kept, not returned);
// - offered: every buyer in an offer arm, whether or not they took an offer (the randomised
//   comparison; "accepted" is self-selected and says what takers do, not what offers cause).
// Each cohort is compared with the hold-out: the difference of the per-customer means with a 95%
// interval from the normal approximation (Welch's standard error, sample variances).

import type { ExperimentUnit } from "~/engine/types";

export const HORIZONS = [30, 60, 90] as const;
export type Horizon = (typeof HORIZONS)[number];
export type Cohort = "holdout" | "accepted" | "offered";

const DAY_MS = 86_400_000;
const Z_95 = 1.959964;

export interface LtvExposure {
  /** The exposed unit's key: a visitor's, or a checkout's for a post-purchase experiment. */
  visitorKey: string;
  holdout: boolean;
  firstSeenAt: Date;
}

export interface LtvOrder {
  id: string;
  /** The experiment unit the order belongs to: its visitor's key, or its checkout's. */
  unitKey: string | null;
  visitorKey: string | null;
  customerKey: string | null;
  createdAt: Date;
  currency: string;
  subtotalMinor: number;
  /** A unit bought through an offer and not returned. */
  attributed: boolean;
}

export interface Estimate {
  /** Per-customer mean (a rate, or minor units). */
  mean: number;
  n: number;
}

export interface Difference {
  value: number;
  /** 95% normal-approximation interval; null with fewer than two shoppers in either cohort. */
  interval: [number, number] | null;
}

export interface HorizonResult {
  days: Horizon;
  cohorts: Record<Cohort, { repeatRate: Estimate; revenue: Estimate }>;
  /** Cohort minus hold-out. */
  versusHoldout: Record<
    Exclude<Cohort, "holdout">,
    { repeatRate: Difference; revenue: Difference }
  >;
}

export interface LifetimeValue {
  currency: string;
  /** Buyers per cohort, whatever their window. */
  buyers: Record<Cohort, number>;
  horizons: HorizonResult[];
}

interface Shopper {
  cohorts: Cohort[];
  values: Map<Horizon, { repeat: number; revenue: number }>;
}

function summary(values: number[]): {
  mean: number;
  variance: number;
  n: number;
} {
  const n = values.length;
  const mean = n > 0 ? values.reduce((a, b) => a + b, 0) / n : 0;
  const variance =
    n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, variance, n };
}

function difference(a: number[], b: number[]): Difference {
  const x = summary(a);
  const y = summary(b);
  const value = x.mean - y.mean;
  if (x.n < 2 || y.n < 2) return { value, interval: null };
  const se = Math.sqrt(x.variance / x.n + y.variance / y.n);
  return { value, interval: [value - Z_95 * se, value + Z_95 * se] };
}

export function computeLifetimeValue(
  exposures: readonly LtvExposure[],
  orders: readonly LtvOrder[],
  currency: string,
  asOf: Date,
  unit: ExperimentUnit = "visitor",
): LifetimeValue {
  const own = orders
    .filter((o) => o.currency === currency)
    .sort(
      (a, b) =>
        a.createdAt.getTime() - b.createdAt.getTime() ||
        a.id.localeCompare(b.id),
    );
  const byUnit = new Map<string, LtvOrder[]>();
  const byVisitor = new Map<string, LtvOrder[]>();
  const byCustomer = new Map<string, LtvOrder[]>();
  for (const o of own) {
    if (o.unitKey) byUnit.set(o.unitKey, [...(byUnit.get(o.unitKey) ?? []), o]);
    if (o.visitorKey)
      byVisitor.set(o.visitorKey, [...(byVisitor.get(o.visitorKey) ?? []), o]);
    if (o.customerKey)
      byCustomer.set(o.customerKey, [
        ...(byCustomer.get(o.customerKey) ?? []),
        o,
      ]);
  }

  const shoppers: Shopper[] = [];
  // A customer exposed under several visitor ids is one shopper, counted from the first.
  const counted = new Set<string>();
  const sorted = [...exposures].sort(
    (a, b) => a.firstSeenAt.getTime() - b.firstSeenAt.getTime(),
  );
  for (const exposure of sorted) {
    const unitOrders = byUnit.get(exposure.visitorKey) ?? [];
    // A checkout's order comes before its post-purchase page assigns it: it is the unit's order.
    const first =
      unit === "checkout"
        ? unitOrders[0]
        : unitOrders.find((o) => o.createdAt >= exposure.firstSeenAt);
    if (!first) continue;
    // Followed by customer; an order without one by its storefront visitor; else by nothing.
    const identity = first.customerKey
      ? `customer:${first.customerKey}`
      : first.visitorKey
        ? `visitor:${first.visitorKey}`
        : `${unit}:${exposure.visitorKey}`;
    if (counted.has(identity)) continue;
    counted.add(identity);
    const history = first.customerKey
      ? (byCustomer.get(first.customerKey) ?? [])
      : first.visitorKey
        ? (byVisitor.get(first.visitorKey) ?? [])
        : [first];
    const later = history.filter(
      (o) => o.id !== first.id && o.createdAt > first.createdAt,
    );
    const values = new Map<Horizon, { repeat: number; revenue: number }>();
    for (const days of HORIZONS) {
      const end = first.createdAt.getTime() + days * DAY_MS;
      if (end > asOf.getTime()) continue;
      const inWindow = later.filter((o) => o.createdAt.getTime() <= end);
      values.set(days, {
        repeat: inWindow.length > 0 ? 1 : 0,
        revenue: inWindow.reduce((sum, o) => sum + o.subtotalMinor, 0),
      });
    }
    const cohorts: Cohort[] = exposure.holdout
      ? ["holdout"]
      : first.attributed
        ? ["offered", "accepted"]
        : ["offered"];
    shoppers.push({ cohorts, values });
  }

  const buyers = { holdout: 0, accepted: 0, offered: 0 };
  for (const s of shoppers) for (const c of s.cohorts) buyers[c] += 1;

  const horizons = HORIZONS.map((days): HorizonResult => {
    const of = (cohort: Cohort, field: "repeat" | "revenue") =>
      shoppers.flatMap((s) => {
        const v = s.values.get(days);
        return v && s.cohorts.includes(cohort) ? [v[field]] : [];
      });
    const estimate = (values: number[]): Estimate => {
      const { mean, n } = summary(values);
      return { mean, n };
    };
    const cohortResult = (c: Cohort) => ({
      repeatRate: estimate(of(c, "repeat")),
      revenue: estimate(of(c, "revenue")),
    });
    const versus = (c: Exclude<Cohort, "holdout">) => ({
      repeatRate: difference(of(c, "repeat"), of("holdout", "repeat")),
      revenue: difference(of(c, "revenue"), of("holdout", "revenue")),
    });
    return {
      days,
      cohorts: {
        holdout: cohortResult("holdout"),
        accepted: cohortResult("accepted"),
        offered: cohortResult("offered"),
      },
      versusHoldout: {
        accepted: versus("accepted"),
        offered: versus("offered"),
      },
    };
  });
  return { currency, buyers, horizons };
}
