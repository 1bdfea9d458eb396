import { decodeArray, encodeArray } from "./base64-arrays";
import type { EngineOrder } from "./types";

// Co-purchase evidence between products, learnt incrementally from orders.
//
// Decay: an order at time t carries weight 2^((t − R) / halfLife) where R is a reference time stored
// with the counts. Relative to any later "as of" time every weight shrinks by the same factor, so new
// orders are simply added with their own weight and nothing old has to be revisited. When the newest
// order drifts far past R, all weights are rescaled once and R moves forward (keeps numbers finite).
//
// Shrinkage: counts are treated as evidence added to a prior worth `priorStrength` pseudo-orders.
//   confidence(b | a) = (w_ab + k·p_b) / (w_a + k)          prior: b's base rate p_b = w_b / N
//   lift(a, b)        = (w_ab + k) / (w_a·w_b/N + k)          prior: independence (lift 1)
// so a pair seen once, or an anchor bought once, cannot outrank steady evidence.
//
// Large baskets: pairs grow quadratically with basket size, and wholesale baskets of hundreds of
// lines say little about complementarity. Only the `maxProductsPerOrder` highest-value products of an
// order form pairs (items are still counted), and pairs in baskets bigger than
// `fullWeightBasketSize` are down-weighted by (fullWeightBasketSize − 1) / (n − 1), so each product
// spreads at most that much pair weight per order.

export interface CoPurchaseConfig {
  halfLifeDays: number;
  priorStrength: number;
  maxProductsPerOrder: number;
  fullWeightBasketSize: number;
}

export const DEFAULT_COPURCHASE_CONFIG: CoPurchaseConfig = {
  halfLifeDays: 180,
  priorStrength: 10,
  maxProductsPerOrder: 40,
  fullWeightBasketSize: 10,
};

interface Counts {
  /** Decayed weight relative to the reference time. */
  weight: number;
  /** Plain number of orders, for factual reasons ("31% of buyers") and minimum-support checks. */
  orders: number;
}

export interface CoPurchaseStats {
  readonly config: CoPurchaseConfig;
  readonly referenceTime: number | null;
  readonly latestTime: number | null;
  readonly orderWeight: number;
  readonly orderCount: number;
  readonly items: ReadonlyMap<string, Readonly<Counts>>;
  /** Symmetric adjacency: pairs.get(a).get(b) and pairs.get(b).get(a) are the same counts. */
  readonly pairs: ReadonlyMap<string, ReadonlyMap<string, Readonly<Counts>>>;
}

export interface PairEvidence {
  /** The partner product (the one that would be offered). */
  productId: string;
  /** Orders containing both products. */
  orders: number;
  /** Decayed share of all orders containing both. */
  support: number;
  /** Shrunk, decayed estimate of P(partner | anchor). */
  confidence: number;
  /** Undecayed orders(both) / orders(anchor): a plain fact for shopper-facing text. */
  rawConfidence: number;
  /** Shrunk lift; 1 means independent. */
  lift: number;
}

const DAY_MS = 86_400_000;
// 2^40 ≈ 1e12 keeps every weight far inside double precision before a rebase.
const REBASE_EXPONENT = 40;

export function emptyCoPurchase(
  config: Partial<CoPurchaseConfig> = {},
): CoPurchaseStats {
  const full = { ...DEFAULT_COPURCHASE_CONFIG, ...config };
  if (!(full.halfLifeDays > 0))
    throw new RangeError("halfLifeDays must be positive");
  if (!(full.priorStrength >= 0))
    throw new RangeError("priorStrength must be non-negative");
  if (!(full.maxProductsPerOrder >= 2))
    throw new RangeError("maxProductsPerOrder must be >= 2");
  if (!(full.fullWeightBasketSize >= 2))
    throw new RangeError("fullWeightBasketSize must be >= 2");
  return {
    config: full,
    referenceTime: null,
    latestTime: null,
    orderWeight: 0,
    orderCount: 0,
    items: new Map(),
    pairs: new Map(),
  };
}

export function buildCoPurchase(
  orders: Iterable<EngineOrder>,
  config: Partial<CoPurchaseConfig> = {},
): CoPurchaseStats {
  return addOrders(emptyCoPurchase(config), orders);
}

export function orderTime(order: EngineOrder): number {
  const t =
    order.createdAt instanceof Date
      ? order.createdAt.getTime()
      : Date.parse(order.createdAt);
  if (!Number.isFinite(t)) {
    throw new RangeError(
      `Order ${order.id} has an invalid createdAt: ${String(order.createdAt)}`,
    );
  }
  return t;
}

/**
 * Returns new stats with the orders added; the input is not modified. Pass each order once: the
 * stats keep no order ids (services already store orders idempotently and hand over the new ones).
 */
export function addOrders(
  stats: CoPurchaseStats,
  newOrders: Iterable<EngineOrder>,
): CoPurchaseStats {
  const m = cloneMutable(stats);
  const halfLifeMs = m.config.halfLifeDays * DAY_MS;
  for (const order of newOrders) {
    const t = orderTime(order);
    if (m.referenceTime === null) m.referenceTime = t;
    if ((t - m.referenceTime) / halfLifeMs > REBASE_EXPONENT)
      rebase(m, t, halfLifeMs);
    m.latestTime = m.latestTime === null ? t : Math.max(m.latestTime, t);
    const w = 2 ** ((t - m.referenceTime) / halfLifeMs);
    const products = basketProducts(order);
    if (products.length === 0) continue;
    m.orderWeight += w;
    m.orderCount += 1;
    for (const id of products) bump(m.items, id, w);

    const kept =
      products.length > m.config.maxProductsPerOrder
        ? topByValue(order, products, m.config.maxProductsPerOrder)
        : products;
    const n = kept.length;
    if (n < 2) continue;
    const pairW =
      w * Math.min(1, (m.config.fullWeightBasketSize - 1) / (n - 1));
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++)
        bumpPair(m.pairs, kept[i], kept[j], pairW);
    }
  }
  return m;
}

/** Scale turning stored weights into weights as of `asOf` (defaults to the newest order). */
function asOfScale(stats: CoPurchaseStats, asOf?: number): number {
  if (stats.referenceTime === null) return 1;
  const at = asOf ?? stats.latestTime ?? stats.referenceTime;
  return (
    2 ** ((stats.referenceTime - at) / (stats.config.halfLifeDays * DAY_MS))
  );
}

export function pairEvidence(
  stats: CoPurchaseStats,
  anchorId: string,
  partnerId: string,
  asOf?: number,
): PairEvidence | undefined {
  const pair = stats.pairs.get(anchorId)?.get(partnerId);
  if (!pair) return undefined;
  return evidenceFor(stats, anchorId, partnerId, pair, asOfScale(stats, asOf));
}

/**
 * Partners of a product with evidence, best first: by shrunk confidence, then lift, then id, so the
 * order never depends on insertion history.
 */
export function partnersOf(
  stats: CoPurchaseStats,
  anchorId: string,
  options: { minOrders?: number; limit?: number; asOf?: number } = {},
): PairEvidence[] {
  const adjacency = stats.pairs.get(anchorId);
  if (!adjacency) return [];
  const scale = asOfScale(stats, options.asOf);
  const minOrders = options.minOrders ?? 1;
  // Hubs have thousands of partners: find the confidence cut-off for `limit` on a typed array
  // first, and build evidence objects only for partners that can make the list.
  if (options.limit === 0) return [];
  let confidences: Float64Array | undefined;
  let threshold = -Infinity;
  if (options.limit !== undefined && adjacency.size > options.limit * 2) {
    const k = stats.config.priorStrength;
    const n = stats.orderWeight;
    const wa = stats.items.get(anchorId)!.weight;
    confidences = new Float64Array(adjacency.size).fill(-Infinity);
    let i = 0;
    for (const [partnerId, pair] of adjacency) {
      if (pair.orders >= minOrders) {
        const base = stats.items.get(partnerId)!.weight / n;
        confidences[i] = (pair.weight * scale + k * base) / (wa * scale + k);
      }
      i++;
    }
    const sorted = Float64Array.from(confidences).sort();
    threshold = sorted[sorted.length - options.limit];
  }
  const out: PairEvidence[] = [];
  let i = 0;
  for (const [partnerId, pair] of adjacency) {
    const skip =
      pair.orders < minOrders ||
      (confidences !== undefined && confidences[i] < threshold);
    i++;
    if (!skip) out.push(evidenceFor(stats, anchorId, partnerId, pair, scale));
  }
  out.sort(compareEvidence);
  return options.limit === undefined ? out : out.slice(0, options.limit);
}

/**
 * Shrunk P(candidate | anchor) for any candidate, including ones never bought with the anchor
 * (they get the prior k·p_c / (w_a + k)). Used by ranking to score a whole cart at once.
 */
export function shrunkConfidence(
  stats: CoPurchaseStats,
  anchorId: string,
  candidateId: string,
  asOf?: number,
): number {
  return confidenceFrom(stats, anchorId, asOf)(candidateId);
}

/** `shrunkConfidence` of one anchor for many candidates: the anchor's part is looked up once. */
export function confidenceFrom(
  stats: CoPurchaseStats,
  anchorId: string,
  asOf?: number,
): (candidateId: string) => number {
  const scale = asOfScale(stats, asOf);
  const k = stats.config.priorStrength;
  const wa = (stats.items.get(anchorId)?.weight ?? 0) * scale;
  if (stats.orderWeight === 0 || wa + k === 0) return () => 0;
  const pairs = stats.pairs.get(anchorId);
  return (candidateId) => {
    const c = stats.items.get(candidateId);
    if (!c) return 0;
    const base = c.weight / stats.orderWeight;
    const wac = (pairs?.get(candidateId)?.weight ?? 0) * scale;
    return (wac + k * base) / (wa + k);
  };
}

export interface ProductActivity {
  productId: string;
  orders: number;
  /** Decayed order weight as of the newest order. */
  weight: number;
}

export function productActivity(
  stats: CoPurchaseStats,
  productId: string,
): ProductActivity {
  const item = stats.items.get(productId);
  return {
    productId,
    orders: item?.orders ?? 0,
    weight: (item?.weight ?? 0) * asOfScale(stats),
  };
}

/** Products by decayed order weight, best first; ties by id. */
export function popularity(stats: CoPurchaseStats): ProductActivity[] {
  const scale = asOfScale(stats);
  const out = [...stats.items].map(([productId, c]) => ({
    productId,
    orders: c.orders,
    weight: c.weight * scale,
  }));
  out.sort(
    (x, y) => y.weight - x.weight || compareIds(x.productId, y.productId),
  );
  return out;
}

/** Decayed weight of an event at `time`, on the same scale as the stats as of the newest order. */
export function decayedWeight(stats: CoPurchaseStats, time: number): number {
  const at = stats.latestTime ?? time;
  return 2 ** ((time - at) / (stats.config.halfLifeDays * DAY_MS));
}

/** Decayed number of orders as of the newest order. */
export function totalOrderWeight(stats: CoPurchaseStats): number {
  return stats.orderWeight * asOfScale(stats);
}

/**
 * The stored form. Products are listed once, sorted by id; the counts are typed arrays indexed by
 * them (base64-arrays.ts). A million orders' statistics hold hundreds of thousands of pairs: as
 * `[a, b, weight, orders]` lists each pair was an array of its own while being serialised, and
 * 45 bytes of JSON with Shopify's numeric ids; here 27 bytes of base64 (decision 018, "Measured").
 */
export interface CoPurchaseJSON {
  version: 2;
  config: CoPurchaseConfig;
  referenceTime: number | null;
  latestTime: number | null;
  orderWeight: number;
  orderCount: number;
  /** Product ids, sorted by id. */
  items: string[];
  /** Per product: decayed weight (float64) and orders (uint32). */
  itemWeights: string;
  itemOrders: string;
  /** Per pair, sorted by a then b, with a < b: the products' indices (uint32), weight (float64), orders (uint32). */
  pairA: string;
  pairB: string;
  pairWeights: string;
  pairOrders: string;
}

/** The first stored form, still read: models stored before version 2 serve until the next training. */
interface CoPurchaseJSONv1 {
  version: 1;
  config: CoPurchaseConfig;
  referenceTime: number | null;
  latestTime: number | null;
  orderWeight: number;
  orderCount: number;
  /** [productId, weight, orders], sorted by id. */
  items: [string, number, number][];
  /** [a, b, weight, orders] with a < b, sorted. */
  pairs: [string, string, number, number][];
}

export function coPurchaseToJSON(stats: CoPurchaseStats): CoPurchaseJSON {
  const items = [...stats.items.keys()].sort(compareIds);
  const index = new Map(items.map((id, i) => [id, i]));
  let pairCount = 0;
  for (const adjacency of stats.pairs.values()) pairCount += adjacency.size;
  pairCount /= 2;
  const pairA = new Uint32Array(pairCount);
  const pairB = new Uint32Array(pairCount);
  const pairWeights = new Float64Array(pairCount);
  const pairOrders = new Uint32Array(pairCount);
  let p = 0;
  items.forEach((a, i) => {
    const adjacency = stats.pairs.get(a);
    if (!adjacency) return;
    const partners = Uint32Array.from(adjacency.keys(), (b) => index.get(b)!)
      .filter((j) => j > i)
      .sort();
    for (const j of partners) {
      const c = adjacency.get(items[j])!;
      pairA[p] = i;
      pairB[p] = j;
      pairWeights[p] = c.weight;
      pairOrders[p] = c.orders;
      p++;
    }
  });
  return {
    version: 2,
    config: { ...stats.config },
    referenceTime: stats.referenceTime,
    latestTime: stats.latestTime,
    orderWeight: stats.orderWeight,
    orderCount: stats.orderCount,
    items,
    itemWeights: encodeArray(
      Float64Array.from(items, (id) => stats.items.get(id)!.weight),
    ),
    itemOrders: encodeArray(
      Uint32Array.from(items, (id) => stats.items.get(id)!.orders),
    ),
    pairA: encodeArray(pairA),
    pairB: encodeArray(pairB),
    pairWeights: encodeArray(pairWeights),
    pairOrders: encodeArray(pairOrders),
  };
}

export class CoPurchaseFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CoPurchaseFormatError";
  }
}

/** Reads either stored form into the same statistics: products and pairs in the same order. */
export function coPurchaseFromJSON(json: unknown): CoPurchaseStats {
  const j = json as Partial<CoPurchaseJSON> | Partial<CoPurchaseJSONv1> | null;
  if (!j || typeof j !== "object" || (j.version !== 1 && j.version !== 2)) {
    throw new CoPurchaseFormatError(
      "Unsupported co-purchase model (expected version 1 or 2)",
    );
  }
  if (!Array.isArray(j.items) || !j.config) {
    throw new CoPurchaseFormatError(
      "Co-purchase model is missing items, pairs or config",
    );
  }
  const base = emptyCoPurchase(j.config);
  const { items, pairs } =
    j.version === 1
      ? countsFromV1(j as Partial<CoPurchaseJSONv1>)
      : countsFromV2(j as Partial<CoPurchaseJSON>);
  return {
    config: base.config,
    referenceTime: j.referenceTime ?? null,
    latestTime: j.latestTime ?? null,
    orderWeight: j.orderWeight ?? 0,
    orderCount: j.orderCount ?? 0,
    items,
    pairs,
  };
}

type CountMaps = Pick<MutableStats, "items" | "pairs">;

function countsFromV1(j: Partial<CoPurchaseJSONv1>): CountMaps {
  if (!Array.isArray(j.pairs)) {
    throw new CoPurchaseFormatError(
      "Co-purchase model is missing items, pairs or config",
    );
  }
  const items = new Map<string, Counts>();
  for (const [id, weight, orders] of j.items!)
    items.set(id, { weight, orders });
  const pairs = new Map<string, Map<string, Counts>>();
  for (const [a, b, weight, orders] of j.pairs) {
    if (!items.has(a) || !items.has(b)) {
      throw new CoPurchaseFormatError(
        `Pair ${a}/${b} refers to an unknown product`,
      );
    }
    link(pairs, a, b, { weight, orders });
  }
  return { items, pairs };
}

function decodeCounts(j: Partial<CoPurchaseJSON>) {
  try {
    return {
      itemWeights: decodeArray(j.itemWeights!, Float64Array),
      itemOrders: decodeArray(j.itemOrders!, Uint32Array),
      pairA: decodeArray(j.pairA!, Uint32Array),
      pairB: decodeArray(j.pairB!, Uint32Array),
      pairWeights: decodeArray(j.pairWeights!, Float64Array),
      pairOrders: decodeArray(j.pairOrders!, Uint32Array),
    };
  } catch (error) {
    throw new CoPurchaseFormatError(
      `Co-purchase model has corrupt counts: ${String(error)}`,
    );
  }
}

function countsFromV2(j: Partial<CoPurchaseJSON>): CountMaps {
  const ids = j.items!.map(String);
  const { itemWeights, itemOrders, pairA, pairB, pairWeights, pairOrders } =
    decodeCounts(j);
  const n = pairA.length;
  if (
    itemWeights.length !== ids.length ||
    itemOrders.length !== ids.length ||
    pairB.length !== n ||
    pairWeights.length !== n ||
    pairOrders.length !== n
  ) {
    throw new CoPurchaseFormatError(
      "Co-purchase model's counts do not match its products",
    );
  }
  const items = new Map<string, Counts>();
  ids.forEach((id, i) =>
    items.set(id, { weight: itemWeights[i], orders: itemOrders[i] }),
  );
  const pairs = new Map<string, Map<string, Counts>>();
  for (let p = 0; p < n; p++) {
    if (pairA[p] >= pairB[p] || pairB[p] >= ids.length) {
      throw new CoPurchaseFormatError(`Pair ${p} refers to an unknown product`);
    }
    link(pairs, ids[pairA[p]], ids[pairB[p]], {
      weight: pairWeights[p],
      orders: pairOrders[p],
    });
  }
  return { items, pairs };
}

/** Plain code-unit comparison: locale-independent, so every machine orders ids the same way. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareEvidence(x: PairEvidence, y: PairEvidence): number {
  return (
    y.confidence - x.confidence ||
    y.lift - x.lift ||
    compareIds(x.productId, y.productId)
  );
}

function evidenceFor(
  stats: CoPurchaseStats,
  anchorId: string,
  partnerId: string,
  pair: Counts,
  scale: number,
): PairEvidence {
  const k = stats.config.priorStrength;
  const n = stats.orderWeight * scale;
  const a = stats.items.get(anchorId)!;
  const b = stats.items.get(partnerId)!;
  const wa = a.weight * scale;
  const wb = b.weight * scale;
  const wab = pair.weight * scale;
  const base = n > 0 ? wb / n : 0;
  const expected = n > 0 ? (wa * wb) / n : 0;
  return {
    productId: partnerId,
    orders: pair.orders,
    support: n > 0 ? wab / n : 0,
    confidence: (wab + k * base) / (wa + k),
    rawConfidence: a.orders > 0 ? pair.orders / a.orders : 0,
    lift: (wab + k) / (expected + k),
  };
}

interface MutableStats {
  config: CoPurchaseConfig;
  referenceTime: number | null;
  latestTime: number | null;
  orderWeight: number;
  orderCount: number;
  items: Map<string, Counts>;
  pairs: Map<string, Map<string, Counts>>;
}

function cloneMutable(stats: CoPurchaseStats): MutableStats {
  const items = new Map<string, Counts>();
  for (const [id, c] of stats.items) items.set(id, { ...c });
  const pairs = new Map<string, Map<string, Counts>>();
  for (const [a, adjacency] of stats.pairs) {
    for (const [b, c] of adjacency) {
      if (compareIds(a, b) < 0) link(pairs, a, b, { ...c });
    }
  }
  return {
    config: stats.config,
    referenceTime: stats.referenceTime,
    latestTime: stats.latestTime,
    orderWeight: stats.orderWeight,
    orderCount: stats.orderCount,
    items,
    pairs,
  };
}

function rebase(
  m: MutableStats,
  newReference: number,
  halfLifeMs: number,
): void {
  const factor = 2 ** ((m.referenceTime! - newReference) / halfLifeMs);
  m.orderWeight *= factor;
  for (const c of m.items.values()) c.weight *= factor;
  for (const [a, adjacency] of m.pairs) {
    for (const [b, c] of adjacency)
      if (compareIds(a, b) < 0) c.weight *= factor;
  }
  m.referenceTime = newReference;
}

function basketProducts(order: EngineOrder): string[] {
  const ids = new Set<string>();
  for (const line of order.lines)
    if (line.quantity > 0) ids.add(line.productId);
  return [...ids].sort(compareIds);
}

function topByValue(
  order: EngineOrder,
  products: string[],
  limit: number,
): string[] {
  const value = new Map<string, number>();
  for (const line of order.lines) {
    if (line.quantity <= 0) continue;
    value.set(
      line.productId,
      (value.get(line.productId) ?? 0) + line.quantity * line.price.amount,
    );
  }
  return [...products]
    .sort((a, b) => value.get(b)! - value.get(a)! || compareIds(a, b))
    .slice(0, limit)
    .sort(compareIds);
}

function bump(items: Map<string, Counts>, id: string, w: number): void {
  const c = items.get(id);
  if (c) {
    c.weight += w;
    c.orders += 1;
  } else items.set(id, { weight: w, orders: 1 });
}

function bumpPair(
  pairs: Map<string, Map<string, Counts>>,
  a: string,
  b: string,
  w: number,
): void {
  const existing = pairs.get(a)?.get(b);
  if (existing) {
    existing.weight += w;
    existing.orders += 1;
  } else link(pairs, a, b, { weight: w, orders: 1 });
}

function link(
  pairs: Map<string, Map<string, Counts>>,
  a: string,
  b: string,
  c: Counts,
): void {
  let fromA = pairs.get(a);
  if (!fromA) pairs.set(a, (fromA = new Map()));
  let fromB = pairs.get(b);
  if (!fromB) pairs.set(b, (fromB = new Map()));
  fromA.set(b, c);
  fromB.set(a, c);
}
