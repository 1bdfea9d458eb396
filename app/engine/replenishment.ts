import { compareIds, orderTime } from "./copurchase";
import type { EngineOrder } from "./types";

// Re-order intervals for consumables, learnt from the same customer buying the same product again.
// The typical interval is the median gap (robust to the odd stock-up), with the interquartile range
// as its spread. A product only gets an interval with enough evidence — several customers and
// several gaps — because one loyal customer's habit is not a product property. Purchases closer
// together than `minGapDays` are one shopping trip (a forgotten item), not a re-order.
//
// Counting repeat customers alone is not evidence that a product is re-bought: a popular tent
// bought by two hundred customers is bought twice by a dozen of them by chance (a gift, a
// replacement, a second tent for the kids), and those dozen gaps have a median like any other.
// What separates a consumable is the share of its buyers who come back for it, so a product must
// also show that share: at least `minRepeatShare` at the lower bound of a one-sided confidence
// interval, so that three repeaters out of five buyers do not pass where three out of two hundred
// would not. Rule, thresholds and measurements: docs/decisions/011-replenishment-reminders.md.

export interface ReplenishmentConfig {
  /** Customers who bought the product again on a later order. */
  minCustomers: number;
  minIntervals: number;
  minGapDays: number;
  /** Lowest share of the product's buyers who re-buy it, taken at its lower confidence bound. */
  minRepeatShare: number;
  /** Normal quantile of that bound: 1.645 is a one-sided 95% bound. */
  confidenceZ: number;
}

export const DEFAULT_REPLENISHMENT_CONFIG: ReplenishmentConfig = {
  minCustomers: 3,
  minIntervals: 5,
  minGapDays: 1,
  minRepeatShare: 0.2,
  confidenceZ: 1.645,
};

export interface ReplenishmentInterval {
  productId: string;
  medianDays: number;
  q1Days: number;
  q3Days: number;
  iqrDays: number;
  intervals: number;
  /** Customers who bought it again (the ones the interval is learnt from). */
  customers: number;
  /**
   * Buyers who had the chance to buy again: those who did, and those whose first purchase lies at
   * least one typical interval before the latest order seen.
   */
  buyers: number;
  /** customers / buyers. */
  repeatShare: number;
  /** Wilson lower bound of the repeat share, compared with `minRepeatShare`. */
  repeatShareLower: number;
}

export interface ReplenishmentModel {
  config: ReplenishmentConfig;
  /** By product id; plain object so the model serialises with JSON.stringify as is. */
  products: Record<string, ReplenishmentInterval>;
}

const DAY_MS = 86_400_000;

export function buildReplenishment(
  orders: readonly EngineOrder[],
  config: Partial<ReplenishmentConfig> = {},
): ReplenishmentModel {
  const full = { ...DEFAULT_REPLENISHMENT_CONFIG, ...config };
  const purchases = new Map<string, Map<string, number[]>>();
  let latest = -Infinity;
  for (const order of orders) {
    if (!order.customerKey) continue;
    const t = orderTime(order);
    latest = Math.max(latest, t);
    for (const line of order.lines) {
      if (line.quantity <= 0) continue;
      let byCustomer = purchases.get(line.productId);
      if (!byCustomer) purchases.set(line.productId, (byCustomer = new Map()));
      let times = byCustomer.get(order.customerKey);
      if (!times) byCustomer.set(order.customerKey, (times = []));
      times.push(t);
    }
  }
  const products: Record<string, ReplenishmentInterval> = {};
  for (const productId of [...purchases.keys()].sort(compareIds)) {
    const intervals: number[] = [];
    const firstOfOneTimeBuyers: number[] = [];
    let customers = 0;
    for (const times of purchases.get(productId)!.values()) {
      times.sort((a, b) => a - b);
      let last = times[0];
      let contributed = false;
      for (const t of times.slice(1)) {
        const gap = (t - last) / DAY_MS;
        if (gap < full.minGapDays) continue;
        intervals.push(gap);
        contributed = true;
        last = t;
      }
      if (contributed) customers += 1;
      else firstOfOneTimeBuyers.push(times[0]);
    }
    if (customers < full.minCustomers || intervals.length < full.minIntervals)
      continue;
    intervals.sort((a, b) => a - b);
    const median = quantile(intervals, 0.5);
    // A buyer whose first purchase is more recent than the typical interval has not had the time
    // to come back yet; counting them would hold a new or fast-growing consumable back.
    const waited = firstOfOneTimeBuyers.filter(
      (t) => (latest - t) / DAY_MS >= median,
    ).length;
    const buyers = customers + waited;
    const repeatShareLower = wilsonLower(customers, buyers, full.confidenceZ);
    if (repeatShareLower < full.minRepeatShare) continue;
    const q1 = quantile(intervals, 0.25);
    const q3 = quantile(intervals, 0.75);
    products[productId] = {
      productId,
      medianDays: median,
      q1Days: q1,
      q3Days: q3,
      iqrDays: q3 - q1,
      intervals: intervals.length,
      customers,
      buyers,
      repeatShare: customers / buyers,
      repeatShareLower,
    };
  }
  return { config: full, products };
}

/**
 * Wilson score lower bound of a proportion `successes / trials` for normal quantile `z`. Unlike
 * the plain share it stays low while trials are few, so small samples need a clearer majority.
 */
export function wilsonLower(
  successes: number,
  trials: number,
  z: number,
): number {
  if (trials <= 0) return 0;
  const p = successes / trials;
  const z2 = z * z;
  const centre = p + z2 / (2 * trials);
  const margin = z * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials ** 2));
  return Math.max(0, (centre - margin) / (1 + z2 / trials));
}

export interface LastPurchase {
  customerKey: string;
  productId: string;
  purchasedAt: Date | string | number;
}

/** Each customer's latest purchase of each product (guest orders have no customer and are skipped). */
export function lastPurchases(orders: readonly EngineOrder[]): LastPurchase[] {
  const latest = new Map<string, LastPurchase & { purchasedAt: number }>();
  for (const order of orders) {
    if (!order.customerKey) continue;
    const t = orderTime(order);
    for (const line of order.lines) {
      const key = `${order.customerKey}\u0000${line.productId}`;
      const seen = latest.get(key);
      if (!seen || seen.purchasedAt < t) {
        latest.set(key, {
          customerKey: order.customerKey,
          productId: line.productId,
          purchasedAt: t,
        });
      }
    }
  }
  return [...latest.values()].sort(
    (a, b) =>
      compareIds(a.customerKey, b.customerKey) ||
      compareIds(a.productId, b.productId),
  );
}

export type DueStatus = "due_soon" | "due" | "overdue";

export interface DueCustomer {
  customerKey: string;
  productId: string;
  lastPurchasedAt: string;
  dueAt: string;
  daysSinceLast: number;
  status: DueStatus;
}

/**
 * Customers whose typical re-order moment has come. The window opens at the first quartile (many
 * customers re-order by then) and closes at the upper Tukey fence q3 + 1.5·IQR: later than that
 * the customer has probably switched or stocked up, and reminding them reads as nagging.
 * Status: before the median "due_soon", up to q3 "due", after that "overdue"; "due" all through
 * the median's day (UTC), so that customers due on one date share one status.
 * Sorted by due date, then customer and product, for stable output.
 */
export function dueCustomers(
  model: ReplenishmentModel,
  purchases: readonly LastPurchase[],
  now: Date | string | number,
): DueCustomer[] {
  const nowMs = toMs(now);
  const out: (DueCustomer & { dueMs: number })[] = [];
  for (const p of purchases) {
    const interval = model.products[p.productId];
    if (!interval) continue;
    const lastMs = toMs(p.purchasedAt);
    const days = (nowMs - lastMs) / DAY_MS;
    const status = dueStatus(interval, days);
    if (!status) continue;
    const dueMs = lastMs + interval.medianDays * DAY_MS;
    out.push({
      customerKey: p.customerKey,
      productId: p.productId,
      lastPurchasedAt: new Date(lastMs).toISOString(),
      dueAt: new Date(dueMs).toISOString(),
      daysSinceLast: days,
      // A due date is read as a day (UTC), not a moment: from its first hour the customer is due,
      // as every other customer due that day already is.
      status:
        status === "due_soon" &&
        Math.floor(dueMs / DAY_MS) <= Math.floor(nowMs / DAY_MS)
          ? "due"
          : status,
      dueMs,
    });
  }
  out.sort(
    (a, b) =>
      a.dueMs - b.dueMs ||
      compareIds(a.customerKey, b.customerKey) ||
      compareIds(a.productId, b.productId),
  );
  return out.map(({ dueMs: _dueMs, ...rest }) => rest);
}

/**
 * Where `daysSinceLast` falls in a product's re-order window (see `dueCustomers`); undefined
 * before the window opens and after it closes.
 */
export function dueStatus(
  interval: ReplenishmentInterval,
  daysSinceLast: number,
): DueStatus | undefined {
  const fence = interval.q3Days + 1.5 * interval.iqrDays;
  if (daysSinceLast < interval.q1Days || daysSinceLast > fence)
    return undefined;
  return daysSinceLast < interval.medianDays
    ? "due_soon"
    : daysSinceLast <= interval.q3Days
      ? "due"
      : "overdue";
}

/** Linear interpolation between closest ranks (the common "type 7" quantile) on sorted data. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) throw new RangeError("quantile of an empty list");
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function toMs(value: Date | string | number): number {
  const t =
    value instanceof Date
      ? value.getTime()
      : typeof value === "number"
        ? value
        : Date.parse(value);
  if (!Number.isFinite(t))
    throw new RangeError(`Invalid date: ${String(value)}`);
  return t;
}
