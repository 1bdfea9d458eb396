import { type Estimate, aovEstimate, rpvEstimate } from "./experiment-stats";
import {
  type Exposure,
  type VisitorOrder,
  armTotals,
} from "./experiment-totals";

// Each arm's average order value and revenue per visitor over time, for the experiment page's
// charts (docs/decisions/026-next-offer-sequence.md, "Charts"). Every point is the estimate with
// its 95% interval as it stood at that moment (everything from the start up to then), the same
// figures the results table shows today; a point is not that one day's orders alone, whose
// handful of orders would swing far more than the arms differ.

export type SeriesStep = "day" | "hour" | "moment";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Points of a young experiment, evenly spaced between its start and now. */
const MOMENTS = 12;
/** A long experiment shows its most recent days. */
const MAX_DAYS = 90;

/**
 * The instants the series is read at, ascending, the last one `until`: the end of each UTC day
 * once the experiment has run two days, of each hour once it has run two hours, otherwise
 * `MOMENTS` evenly spaced instants, so a fresh experiment already shows its course.
 */
export function seriesInstants(
  start: Date,
  until: Date,
): { step: SeriesStep; instants: Date[] } {
  const from = start.getTime();
  const to = until.getTime();
  if (!(to > from)) return { step: "moment", instants: [new Date(to)] };
  const span = to - from;
  const grid = (size: number) => {
    const out: Date[] = [];
    for (let t = Math.floor(from / size) * size + size; t < to; t += size)
      out.push(new Date(t));
    out.push(new Date(to));
    return out;
  };
  if (span >= 2 * DAY_MS)
    return { step: "day", instants: grid(DAY_MS).slice(-MAX_DAYS) };
  if (span >= 2 * HOUR_MS) return { step: "hour", instants: grid(HOUR_MS) };
  return {
    step: "moment",
    instants: Array.from(
      { length: MOMENTS },
      (_, i) => new Date(from + (span * (i + 1)) / MOMENTS),
    ),
  };
}

export interface ArmSeries {
  armId: string;
  /** One per instant; null before the arm has the data for an estimate. */
  aov: (Estimate | null)[];
  rpv: (Estimate | null)[];
}

/** Each arm's AOV and RPV estimates, with intervals, as of each instant. */
export function armSeries(
  armIds: readonly string[],
  exposures: readonly Exposure[],
  orders: readonly VisitorOrder[],
  instants: readonly Date[],
): ArmSeries[] {
  const series = armIds.map((armId) => ({
    armId,
    aov: [] as (Estimate | null)[],
    rpv: [] as (Estimate | null)[],
  }));
  for (const at of instants) {
    const totals = armTotals(armIds, exposures, orders, at);
    for (const s of series) {
      const t = totals.get(s.armId)!;
      s.aov.push(aovEstimate(t));
      s.rpv.push(rpvEstimate(t));
    }
  }
  return series;
}
