import { compareIds, orderTime } from "./copurchase";
import { type ReplenishmentModel, quantile } from "./replenishment";
import type { EngineOrder } from "./types";

// The offer to make a customer after an order, and when (docs/decisions/026-next-offer-sequence.md).
//
// Two kinds of evidence, each learnt from the same customer key buying again:
// - a consumable in the order (one with a re-order interval in the replenishment model) is offered
//   again at its typical interval;
// - otherwise the co-purchase lag: how many days after first buying A customers first bought B.
//   A product the customer already bought is never offered through a lag, so a durable item
//   (a tent) is never offered as a re-buy; only the replenishment model, which demands that a
//   clear share of buyers come back, can make a product a re-buy.
// Of the candidates the earliest due one is the next offer: a later one can follow the next order.

export interface CoPurchaseLagConfig {
  /** Customers who bought A and later B, for the lag to count as evidence. */
  minCustomers: number;
  /** Purchases closer than this are one shopping trip, not a follow-up. */
  minGapDays: number;
  /** A later purchase further away than this is not a follow-up of A. */
  maxLagDays: number;
}

export const DEFAULT_LAG_CONFIG: CoPurchaseLagConfig = {
  minCustomers: 3,
  minGapDays: 1,
  maxLagDays: 365,
};

export interface CoPurchaseLag {
  productId: string;
  /** Median days from first buying the anchor to first buying this product. */
  medianDays: number;
  /** Customers the lag is learnt from. */
  customers: number;
}

/** Follow-up products by anchor product id, strongest evidence first. */
export type CoPurchaseLags = Record<string, CoPurchaseLag[]>;

const DAY_MS = 86_400_000;

/** Each customer's first purchase of each product (guest orders are skipped). */
function firstPurchases(
  orders: readonly EngineOrder[],
): Map<string, Map<string, number>> {
  const byCustomer = new Map<string, Map<string, number>>();
  for (const order of orders) {
    if (!order.customerKey) continue;
    const t = orderTime(order);
    let firsts = byCustomer.get(order.customerKey);
    if (!firsts) byCustomer.set(order.customerKey, (firsts = new Map()));
    for (const line of order.lines) {
      if (line.quantity <= 0) continue;
      const seen = firsts.get(line.productId);
      if (seen === undefined || t < seen) firsts.set(line.productId, t);
    }
  }
  return byCustomer;
}

/**
 * For every pair (A, B) the days between a customer's first purchase of A and their first purchase
 * of B, when B came later. Each customer counts once per pair; a pair needs `minCustomers`.
 */
export function buildCoPurchaseLags(
  orders: readonly EngineOrder[],
  config: Partial<CoPurchaseLagConfig> = {},
): CoPurchaseLags {
  const full = { ...DEFAULT_LAG_CONFIG, ...config };
  const gaps = new Map<string, Map<string, number[]>>();
  for (const firsts of firstPurchases(orders).values()) {
    const bought = [...firsts];
    for (const [a, ta] of bought)
      for (const [b, tb] of bought) {
        const days = (tb - ta) / DAY_MS;
        if (days < full.minGapDays || days > full.maxLagDays) continue;
        let byPartner = gaps.get(a);
        if (!byPartner) gaps.set(a, (byPartner = new Map()));
        byPartner.set(b, [...(byPartner.get(b) ?? []), days]);
      }
  }
  const lags: CoPurchaseLags = {};
  for (const a of [...gaps.keys()].sort(compareIds)) {
    const follow: CoPurchaseLag[] = [];
    for (const [b, days] of gaps.get(a)!) {
      if (days.length < full.minCustomers) continue;
      days.sort((x, y) => x - y);
      follow.push({
        productId: b,
        medianDays: quantile(days, 0.5),
        customers: days.length,
      });
    }
    follow.sort(
      (x, y) =>
        y.customers - x.customers || compareIds(x.productId, y.productId),
    );
    if (follow.length > 0) lags[a] = follow;
  }
  return lags;
}

export type NextOfferReason = "replenish" | "bought_next";

export interface NextOffer {
  productId: string;
  reason: NextOfferReason;
  /** The product in the order the offer follows from. */
  anchorProductId: string;
  dueAt: string;
  /** Customers the timing is learnt from. */
  customers: number;
}

export interface NextOfferInput {
  /** The order just placed, with its customer key. */
  order: EngineOrder;
  /** Every product the customer bought before, this order included or not. */
  previouslyBought: ReadonlySet<string>;
  replenishment: ReplenishmentModel;
  lags: CoPurchaseLags;
  /** Products that can be offered (active, in stock); by default all. */
  offerable?: (productId: string) => boolean;
}

/** The next offer after an order and its due date, or null when nothing has the evidence. */
export function pickNextOffer({
  order,
  previouslyBought,
  replenishment,
  lags,
  offerable = () => true,
}: NextOfferInput): NextOffer | null {
  const placed = orderTime(order);
  const inOrder = new Set(
    order.lines.filter((l) => l.quantity > 0).map((l) => l.productId),
  );
  const due = (days: number) => new Date(placed + days * DAY_MS).toISOString();
  const candidates: (NextOffer & { dueMs: number })[] = [];
  for (const anchor of [...inOrder].sort(compareIds)) {
    const interval = replenishment.products[anchor];
    if (interval && offerable(anchor))
      candidates.push({
        productId: anchor,
        reason: "replenish",
        anchorProductId: anchor,
        dueAt: due(interval.medianDays),
        customers: interval.customers,
        dueMs: placed + interval.medianDays * DAY_MS,
      });
    for (const lag of lags[anchor] ?? []) {
      // Anything the customer already has is not a follow-up: a durable item is never re-offered.
      if (inOrder.has(lag.productId) || previouslyBought.has(lag.productId))
        continue;
      if (!offerable(lag.productId)) continue;
      candidates.push({
        productId: lag.productId,
        reason: "bought_next",
        anchorProductId: anchor,
        dueAt: due(lag.medianDays),
        customers: lag.customers,
        dueMs: placed + lag.medianDays * DAY_MS,
      });
    }
  }
  candidates.sort(
    (x, y) =>
      x.dueMs - y.dueMs ||
      y.customers - x.customers ||
      compareIds(x.productId, y.productId),
  );
  const best = candidates[0];
  if (!best) return null;
  const { dueMs: _dueMs, ...offer } = best;
  return offer;
}
