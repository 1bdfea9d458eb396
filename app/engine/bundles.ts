import {
  compareIds,
  decayedWeight,
  orderTime,
  pairEvidence,
  productActivity,
  totalOrderWeight,
  type CoPurchaseStats,
} from "./copurchase";
import { applyBasisPoints } from "./money";
import { bundleReason } from "./reasons";
import { ASSUMED_MARGIN_BPS, defaultVariant } from "./tiers";
import type { CatalogProduct, EngineOrder, Money, Reason } from "./types";

// Bundle suggestions: 2–3 products bought together more than chance, each priced to maximise the
// expected margin of showing the bundle, never below the merchant's margin floor.
//
// Uptake model. Among orders that hold a bundle's anchor (the member bought most: the bundle is
// offered on its page and in carts that hold it), the share that take all of it without a discount
// is the baseline r0 = shrunk P(rest | anchor) from the co-purchase evidence. The unit is an order
// of the anchor, not a view of its page: r0 is measured on orders, and most page views buy nothing.
// A discount d (a fraction of the bundle price) moves the log-odds linearly:
//     uptake(d) = σ(logit(r0) + elasticity · d)
// so the model is calibrated to the observed rate at d = 0 and saturates instead of promising more
// than everyone. The default elasticity 8 means a 10% discount multiplies the odds by e^0.8 ≈ 2.2,
// in the range reported for bundle promotions; merchants' experiments should replace it.
// Margin. margin(d) = price·(1 − d) − cost, in minor units, cost from the variant when known, else
// price·(1 − assumedMargin). The suggested discount maximises uptake(d) · margin(d) over a grid of
// whole basis points, subject to margin(d) ≥ floor · price·(1 − d); ties go to the smaller discount.
// What the bundle adds. The orders that take all of it today get the discount too, so the extra
// margin per anchor order is uptake(d) · margin(d) − r0 · margin(0); maximising the first term is
// maximising this, since the second does not depend on d. Spread over every order of the shop (the
// anchor is in a share s of them), it is 100 · s · that per 100 orders: the figure bundles are
// ranked by, so a bundle on a best seller outranks the same gain on a product that rarely sells.
// Evidence. Left alone, that optimum grows as r0 falls, and r0 is lowest where the orders are
// fewest (shrinkage pulls it down): the thinnest evidence would earn the deepest discount. So the
// discount is capped by the evidence: at most maxDiscount · n / (n + EVIDENCE_HALF_ORDERS) for n
// orders of the whole bundle (half the maximum at 50 orders, rounded down to the grid), and never
// more than the optimum. A bundle with more orders never gets a smaller cap.

export interface BundleConfig {
  minOrders: number;
  minLift: number;
  maxBundles: number;
  marginFloorBps: number;
  assumedMarginBps: number;
  maxDiscountBps: number;
  discountStepBps: number;
  elasticity: number;
}

export const DEFAULT_BUNDLE_CONFIG: BundleConfig = {
  minOrders: 5,
  minLift: 1.2,
  maxBundles: 20,
  marginFloorBps: 2_000,
  assumedMarginBps: ASSUMED_MARGIN_BPS,
  maxDiscountBps: 3_000,
  discountStepBps: 25,
  elasticity: 8,
};

/** Orders of the whole bundle at which its discount may reach half the maximum. */
export const EVIDENCE_HALF_ORDERS = 50;

/** The largest discount `orders` of evidence can earn, in basis points on the discount grid. */
export function evidenceDiscountCapBps(
  orders: number,
  config: Pick<
    BundleConfig,
    "maxDiscountBps" | "discountStepBps"
  > = DEFAULT_BUNDLE_CONFIG,
): number {
  const n = Math.max(0, orders);
  const step = Math.max(1, Math.round(config.discountStepBps));
  const cap = (config.maxDiscountBps * n) / (n + EVIDENCE_HALF_ORDERS);
  return Math.floor(cap / step) * step;
}

export interface BundleItem {
  productId: string;
  variantId: string;
  price: Money;
  unitCost: Money;
  /** True when the cost is the assumed margin, not a recorded cost. */
  costAssumed: boolean;
}

export interface BundleEvidence {
  /** Orders containing every product of the bundle. */
  orders: number;
  support: number;
  /** Shrunk P(rest of the bundle | anchor). */
  confidence: number;
  lift: number;
  anchorProductId: string;
}

/** The evidence of a suggested bundle, with the share of all orders (decayed) that hold its anchor. */
export interface SuggestedBundleEvidence extends BundleEvidence {
  anchorShare: number;
}

export interface BundlePricing {
  discountBps: number;
  price: Money;
  bundlePrice: Money;
  margin: Money;
  /** Margin as a share of the bundle price, in basis points. */
  marginBps: number;
  baselineUptake: number;
  expectedUptake: number;
  /** uptake × margin, in minor units per order of the anchor. */
  marginPerAnchorOrder: number;
  /** What the bundle adds to that: less the margin of the orders that take all of it today. */
  extraMarginPerAnchorOrder: number;
}

export interface BundleSuggestion extends BundlePricing {
  /** extraMarginPerAnchorOrder over every order of the shop, per 100 orders (minor units). */
  extraMarginPer100Orders: number;
  productIds: string[];
  items: BundleItem[];
  evidence: SuggestedBundleEvidence;
  reason: Reason;
}

export function uptake(
  baseline: number,
  discountBps: number,
  elasticity: number,
): number {
  const r0 = Math.min(0.999, Math.max(0.001, baseline));
  const z = Math.log(r0 / (1 - r0)) + (elasticity * discountBps) / 10_000;
  return 1 / (1 + Math.exp(-z));
}

export function bundleItem(
  product: CatalogProduct,
  config: Pick<BundleConfig, "assumedMarginBps"> = DEFAULT_BUNDLE_CONFIG,
): BundleItem | undefined {
  const variant = defaultVariant(product);
  if (!variant) return undefined;
  const known =
    variant.cost && variant.cost.currency === variant.price.currency;
  const assumedCost =
    variant.price.amount -
    applyBasisPoints(variant.price.amount, config.assumedMarginBps);
  return {
    productId: product.id,
    variantId: variant.id,
    price: variant.price,
    unitCost: known
      ? variant.cost!
      : { amount: assumedCost, currency: variant.price.currency },
    costAssumed: !known,
  };
}

/** The discount that maximises expected margin under the uptake model, within the floor. */
export function priceBundle(
  items: readonly BundleItem[],
  baselineUptake: number,
  config: Partial<BundleConfig> = {},
): BundlePricing {
  const c = { ...DEFAULT_BUNDLE_CONFIG, ...config };
  if (items.length === 0)
    throw new RangeError("A bundle needs at least one item");
  const currency = items[0].price.currency;
  if (
    items.some(
      (i) => i.price.currency !== currency || i.unitCost.currency !== currency,
    )
  ) {
    throw new RangeError("Bundle items must share one currency");
  }
  const step = Math.max(1, Math.round(c.discountStepBps));
  let best: BundlePricing | undefined;
  for (let d = 0; d <= c.maxDiscountBps; d += step) {
    const p = evaluateDiscount(items, baselineUptake, d, c);
    if (!p) continue;
    if (!best || p.marginPerAnchorOrder > best.marginPerAnchorOrder) best = p;
  }
  // d = 0 is the shop's own prices: always allowed, even if already under the floor.
  return (
    best ??
    evaluateDiscount(items, baselineUptake, 0, {
      ...c,
      marginFloorBps: -Infinity,
    })!
  );
}

/** Pricing at one discount, or undefined when it would break the margin floor. */
export function evaluateDiscount(
  items: readonly BundleItem[],
  baselineUptake: number,
  discountBps: number,
  config: Partial<BundleConfig> = {},
): BundlePricing | undefined {
  const c = { ...DEFAULT_BUNDLE_CONFIG, ...config };
  const currency = items[0].price.currency;
  const price = items.reduce((s, i) => s + i.price.amount, 0);
  const cost = items.reduce((s, i) => s + i.unitCost.amount, 0);
  const bundlePrice = price - applyBasisPoints(price, discountBps);
  const margin = bundlePrice - cost;
  // margin / bundlePrice ≥ floor, compared in integers: margin·10 000 ≥ floor·bundlePrice.
  if (margin * 10_000 < c.marginFloorBps * bundlePrice) return undefined;
  const expectedUptake = uptake(baselineUptake, discountBps, c.elasticity);
  const marginPerAnchorOrder = expectedUptake * margin;
  return {
    discountBps,
    price: { amount: price, currency },
    bundlePrice: { amount: bundlePrice, currency },
    margin: { amount: margin, currency },
    marginBps:
      bundlePrice > 0 ? Math.round((margin * 10_000) / bundlePrice) : 0,
    baselineUptake,
    expectedUptake,
    marginPerAnchorOrder,
    extraMarginPerAnchorOrder:
      marginPerAnchorOrder -
      uptake(baselineUptake, 0, c.elasticity) * (price - cost),
  };
}

/**
 * Bundles from co-purchase evidence: pairs with at least `minOrders` joint orders and shrunk lift of
 * at least `minLift`; triples whose three pairs all qualify, counted exactly in `orders` when those
 * are given (pair counts alone cannot say how often all three met). Most extra margin per 100 orders
 * first.
 */
export function suggestBundles(
  input: {
    products: readonly CatalogProduct[];
    stats: CoPurchaseStats;
    orders?: readonly EngineOrder[];
  },
  config: Partial<BundleConfig> = {},
): BundleSuggestion[] {
  const c = { ...DEFAULT_BUNDLE_CONFIG, ...config };
  const { stats } = input;
  const items = new Map<string, BundleItem>();
  for (const p of input.products) {
    const item = bundleItem(p, c);
    if (item) items.set(p.id, item);
  }

  const qualifies = (a: string, b: string) => {
    const e = pairEvidence(stats, a, b);
    return e !== undefined && e.orders >= c.minOrders && e.lift >= c.minLift;
  };
  const pairs: [string, string][] = [];
  const strong = new Map<string, Set<string>>();
  for (const a of [...stats.pairs.keys()].sort(compareIds)) {
    if (!items.has(a)) continue;
    for (const b of [...stats.pairs.get(a)!.keys()].sort(compareIds)) {
      if (compareIds(a, b) >= 0 || !items.has(b) || !qualifies(a, b)) continue;
      pairs.push([a, b]);
      if (!strong.has(a)) strong.set(a, new Set());
      strong.get(a)!.add(b);
    }
  }

  const suggestions: BundleSuggestion[] = [];
  for (const [a, b] of pairs) {
    const anchor = anchorOf(stats, [a, b]);
    const other = anchor === a ? b : a;
    const e = pairEvidence(stats, anchor, other)!;
    suggestions.push(
      suggestion(stats, [a, b], items, { ...e, anchorProductId: anchor }, c),
    );
  }

  if (input.orders) {
    const triples: [string, string, string][] = [];
    for (const [a, b] of pairs) {
      for (const cId of strong.get(b) ?? []) {
        if (strong.get(a)?.has(cId)) triples.push([a, b, cId]);
      }
    }
    const counted = countTriples(stats, input.orders, triples);
    for (const [key, count] of counted) {
      if (count.orders < c.minOrders) continue;
      const ids = key.split("\u0000");
      const evidence = tripleEvidence(stats, ids, count);
      if (evidence.lift < c.minLift) continue;
      suggestions.push(suggestion(stats, ids, items, evidence, c));
    }
  }

  suggestions.sort(
    (x, y) =>
      y.extraMarginPer100Orders - x.extraMarginPer100Orders ||
      y.evidence.orders - x.evidence.orders ||
      compareIds(x.productIds.join(","), y.productIds.join(",")),
  );
  return suggestions.slice(0, c.maxBundles);
}

function suggestion(
  stats: CoPurchaseStats,
  productIds: string[],
  items: ReadonlyMap<string, BundleItem>,
  evidence: BundleEvidence,
  config: BundleConfig,
): BundleSuggestion {
  // The anchor first: the figures are per order of it, and the page calls it the first product.
  const anchor = evidence.anchorProductId;
  const ids = [anchor, ...productIds.filter((id) => id !== anchor)];
  const members = ids.map((id) => items.get(id)!);
  const pricing = priceBundle(members, evidence.confidence, {
    ...config,
    maxDiscountBps: evidenceDiscountCapBps(evidence.orders, config),
  });
  const n = totalOrderWeight(stats);
  const anchorShare = n > 0 ? productActivity(stats, anchor).weight / n : 0;
  return {
    extraMarginPer100Orders:
      100 * anchorShare * pricing.extraMarginPerAnchorOrder,
    productIds: ids,
    items: members,
    evidence: {
      orders: evidence.orders,
      support: evidence.support,
      confidence: evidence.confidence,
      lift: evidence.lift,
      anchorProductId: evidence.anchorProductId,
      anchorShare,
    },
    ...pricing,
    reason: bundleReason(pricing.discountBps, productIds.length),
  };
}

function anchorOf(stats: CoPurchaseStats, ids: readonly string[]): string {
  return [...ids].sort(
    (x, y) =>
      productActivity(stats, y).orders - productActivity(stats, x).orders ||
      compareIds(x, y),
  )[0];
}

function countTriples(
  stats: CoPurchaseStats,
  orders: readonly EngineOrder[],
  triples: readonly [string, string, string][],
): Map<string, { orders: number; weight: number }> {
  const byFirst = new Map<string, [string, string, string][]>();
  for (const t of triples) {
    if (!byFirst.has(t[0])) byFirst.set(t[0], []);
    byFirst.get(t[0])!.push(t);
  }
  const counts = new Map<string, { orders: number; weight: number }>();
  for (const t of triples)
    counts.set(t.join("\u0000"), { orders: 0, weight: 0 });
  if (triples.length === 0) return counts;
  for (const order of orders) {
    const inOrder = new Set(
      order.lines.filter((l) => l.quantity > 0).map((l) => l.productId),
    );
    let w: number | undefined;
    for (const id of inOrder) {
      for (const t of byFirst.get(id) ?? []) {
        if (!inOrder.has(t[1]) || !inOrder.has(t[2])) continue;
        w ??= decayedWeight(stats, orderTime(order));
        const count = counts.get(t.join("\u0000"))!;
        count.orders += 1;
        count.weight += w;
      }
    }
  }
  return counts;
}

function tripleEvidence(
  stats: CoPurchaseStats,
  ids: readonly string[],
  count: { orders: number; weight: number },
): BundleEvidence {
  const k = stats.config.priorStrength;
  const n = totalOrderWeight(stats);
  const anchor = anchorOf(stats, ids);
  const support = n > 0 ? count.weight / n : 0;
  const expected = ids.reduce(
    (e, id) => e * (n > 0 ? productActivity(stats, id).weight / n : 0),
    n,
  );
  return {
    orders: count.orders,
    support,
    confidence:
      (count.weight + k * support) /
      (productActivity(stats, anchor).weight + k),
    lift: (count.weight + k) / (expected + k),
    anchorProductId: anchor,
  };
}
