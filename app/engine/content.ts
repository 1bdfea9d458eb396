import { compareIds, popularity, type CoPurchaseStats } from "./copurchase";
import type { CatalogProduct } from "./types";

// Content similarity is the cold-start fallback: a product nobody has bought yet still resembles
// products that people have. Each product becomes a sparse TF-IDF vector of weighted features
//   product type ×3, vendor ×1.5, each tag ×1, each title token ×1
// (type says most about what a thing is; vendor and tags refine; titles are noisy), scaled by
// idf = ln(1 + N/df) so features every product shares count for little. Similarity is the cosine
// times a price-proximity factor 0.8 + 0.2·p, where p falls linearly from 1 at equal prices to 0
// at a 4× price gap: a $5 and a $500 item of the same type are less interchangeable.

const FEATURE_WEIGHTS = { type: 3, vendor: 1.5, tag: 1, title: 1 } as const;
const PRICE_GAP_AT_ZERO = Math.log(4);
const STOPWORDS = new Set([
  "and",
  "the",
  "for",
  "with",
  "of",
  "in",
  "on",
  "to",
  "a",
  "an",
  "by",
  "set",
  "pack",
  "new",
]);

export interface ContentIndex {
  /** Each product's unit vector; products with the same features share one (their profile's). */
  readonly vectors: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Products carrying each feature. */
  readonly frequency: ReadonlyMap<string, number>;
  /**
   * Distinct feature sets ("profiles") with their members, ids sorted: a big catalog repeats a
   * few hundred of them (same type, vendor, tags and title words), so a similarity query computes
   * one cosine per profile, not per product.
   */
  readonly profiles: readonly ContentProfile[];
  readonly profileOf: ReadonlyMap<string, number>;
  /** Profiles carrying each feature. */
  readonly profilesWith: ReadonlyMap<string, readonly number[]>;
  /**
   * Each profile's similar profiles, filled on first use: they depend only on the index, so
   * caching them changes no output, and every member of a profile shares the work.
   */
  readonly similarProfiles: Map<
    number,
    readonly { profile: number; cosine: number }[]
  >;
  /** Cheapest variant price in minor units; undefined when a product has no variants. */
  readonly prices: ReadonlyMap<string, number | undefined>;
}

export interface ContentProfile {
  readonly vector: ReadonlyMap<string, number>;
  readonly members: readonly string[];
}

export interface Similar {
  productId: string;
  similarity: number;
}

export function buildContentIndex(
  products: readonly CatalogProduct[],
): ContentIndex {
  const raw = new Map<string, Map<string, number>>();
  const frequency = new Map<string, number>();
  const prices = new Map<string, number | undefined>();
  for (const p of products) {
    const features = productFeatures(p);
    raw.set(p.id, features);
    for (const f of features.keys())
      frequency.set(f, (frequency.get(f) ?? 0) + 1);
    const amounts = p.variants.map((v) => v.price.amount);
    prices.set(p.id, amounts.length > 0 ? Math.min(...amounts) : undefined);
  }
  const n = products.length;
  const vectors = new Map<string, Map<string, number>>();
  const profiles: { vector: Map<string, number>; members: string[] }[] = [];
  const profileOf = new Map<string, number>();
  const profileKeys = new Map<string, number>();
  const profilesWith = new Map<string, number[]>();
  for (const [id, features] of raw) {
    // Same features and weights give the same vector: the key is the features in a fixed order.
    const key = [...features]
      .map(([f, w]) => `${f}\u0000${w}`)
      .sort()
      .join("\u0001");
    let profile = profileKeys.get(key);
    if (profile === undefined) {
      profile = profiles.length;
      profileKeys.set(key, profile);
      profiles.push({
        vector: unitVector(features, n, frequency),
        members: [],
      });
      for (const f of features.keys()) {
        let list = profilesWith.get(f);
        if (!list) profilesWith.set(f, (list = []));
        list.push(profile);
      }
    }
    profiles[profile].members.push(id);
    profileOf.set(id, profile);
    vectors.set(id, profiles[profile].vector);
  }
  for (const profile of profiles) profile.members.sort(compareIds);
  return {
    vectors,
    frequency,
    profiles,
    profileOf,
    profilesWith,
    similarProfiles: new Map(),
    prices,
  };
}

function unitVector(
  features: ReadonlyMap<string, number>,
  n: number,
  frequency: ReadonlyMap<string, number>,
): Map<string, number> {
  const vector = new Map<string, number>();
  let norm = 0;
  for (const [f, w] of features) {
    const v = w * Math.log(1 + n / frequency.get(f)!);
    vector.set(f, v);
    norm += v * v;
  }
  norm = Math.sqrt(norm);
  for (const [f, v] of vector) vector.set(f, norm > 0 ? v / norm : 0);
  return vector;
}

export function contentSimilarity(
  index: ContentIndex,
  a: string,
  b: string,
): number {
  const va = index.vectors.get(a);
  const vb = index.vectors.get(b);
  if (!va || !vb || a === b) return 0;
  return (
    cosine(va, vb) *
    (0.8 + 0.2 * priceProximity(index.prices.get(a), index.prices.get(b)))
  );
}

function cosine(
  va: ReadonlyMap<string, number>,
  vb: ReadonlyMap<string, number>,
): number {
  let dot = 0;
  const [small, large] = va.size <= vb.size ? [va, vb] : [vb, va];
  for (const [f, v] of small) dot += v * (large.get(f) ?? 0);
  return dot;
}

/**
 * Products most like `productId`, best first (ties by id); only those sharing a feature. Work is
 * per profile: profiles are visited by cosine, and since the price factor is at most 1, the walk
 * stops once a profile's cosine is below the `limit`-th similarity found.
 */
export function similarProducts(
  index: ContentIndex,
  productId: string,
  options: { limit?: number; minSimilarity?: number } = {},
): Similar[] {
  const own = index.profileOf.get(productId);
  if (own === undefined) return [];
  const minSimilarity = options.minSimilarity ?? 0.05;
  const limit = options.limit ?? Infinity;
  const price = index.prices.get(productId);
  const best = (x: Similar, y: Similar) =>
    y.similarity - x.similarity || compareIds(x.productId, y.productId);
  let out: Similar[] = [];
  let floor = -Infinity;
  for (const { profile, cosine: c } of similarProfiles(index, own)) {
    if (c < floor || c < minSimilarity) break;
    for (const id of index.profiles[profile].members) {
      if (id === productId) continue;
      const similarity =
        c * (0.8 + 0.2 * priceProximity(price, index.prices.get(id)));
      if (similarity >= minSimilarity) out.push({ productId: id, similarity });
    }
    if (out.length >= 2 * limit) {
      out = out.sort(best).slice(0, limit);
      floor = out[limit - 1].similarity;
    }
  }
  out.sort(best);
  return out.slice(0, limit);
}

/**
 * Profiles sharing a feature with profile `own` (itself included), by cosine, best first. The
 * same for every member of `own`, so computed once per profile and kept in the index.
 */
function similarProfiles(
  index: ContentIndex,
  own: number,
): readonly { profile: number; cosine: number }[] {
  let list = index.similarProfiles.get(own);
  if (list) return list;
  const vector = index.profiles[own].vector;
  // Features shared by a large share of the catalog have a low idf and cannot lift a product into
  // the top on their own; walking their postings would make every query scan the catalog.
  const broad = Math.max(200, index.vectors.size / 5);
  const features = [...vector.keys()];
  const narrow = features.filter((f) => (index.frequency.get(f) ?? 0) <= broad);
  const candidates = new Set<number>();
  for (const f of narrow.length > 0 ? narrow : features) {
    for (const profile of index.profilesWith.get(f) ?? [])
      candidates.add(profile);
  }
  list = [...candidates]
    .map((profile) => ({
      profile,
      cosine: cosine(vector, index.profiles[profile].vector),
    }))
    .sort((x, y) => y.cosine - x.cosine);
  index.similarProfiles.set(own, list);
  return list;
}

export interface Popular {
  productId: string;
  /** Decayed order weight; 0 for products without orders. */
  weight: number;
  orders: number;
}

/**
 * Every catalog product (optionally within a product type or collection), best-selling first by
 * decayed orders. Products without orders follow, by title then id, so a shop with no order
 * history still gets a full, stable list: this fallback never goes empty while the scope has
 * products.
 */
export function popularProducts(
  products: readonly CatalogProduct[],
  stats: CoPurchaseStats | undefined,
  scope: { productType?: string; collection?: string } = {},
): Popular[] {
  const inScope = products.filter(
    (p) =>
      (scope.productType === undefined ||
        sameText(p.productType, scope.productType)) &&
      (scope.collection === undefined ||
        p.collections.includes(scope.collection)),
  );
  const activity = new Map<string, { weight: number; orders: number }>();
  if (stats) for (const a of popularity(stats)) activity.set(a.productId, a);
  const byId = new Map(inScope.map((p) => [p.id, p]));
  return inScope
    .map((p) => ({
      productId: p.id,
      weight: activity.get(p.id)?.weight ?? 0,
      orders: activity.get(p.id)?.orders ?? 0,
    }))
    .sort(
      (x, y) =>
        y.weight - x.weight ||
        compareIds(
          byId.get(x.productId)!.title,
          byId.get(y.productId)!.title,
        ) ||
        compareIds(x.productId, y.productId),
    );
}

export function titleTokens(title: string): string[] {
  return title
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length >= 2 && !STOPWORDS.has(t) && !/^\d+$/.test(t))
    .map(singular);
}

// Just enough English plural folding that "mugs" matches "mug"; not a stemmer.
function singular(token: string): string {
  if (token.length <= 3) return token;
  if (token.endsWith("ies")) return `${token.slice(0, -3)}y`;
  if (/(ss|sh|ch|x)es$/.test(token)) return token.slice(0, -2);
  if (token.endsWith("s") && !token.endsWith("ss")) return token.slice(0, -1);
  return token;
}

function productFeatures(p: CatalogProduct): Map<string, number> {
  const features = new Map<string, number>();
  const add = (key: string, weight: number) =>
    features.set(key, Math.max(features.get(key) ?? 0, weight));
  if (p.productType.trim())
    add(`type:${norm(p.productType)}`, FEATURE_WEIGHTS.type);
  if (p.vendor.trim()) add(`vendor:${norm(p.vendor)}`, FEATURE_WEIGHTS.vendor);
  for (const tag of p.tags)
    if (tag.trim()) add(`tag:${norm(tag)}`, FEATURE_WEIGHTS.tag);
  for (const token of titleTokens(p.title))
    add(`title:${token}`, FEATURE_WEIGHTS.title);
  return features;
}

function priceProximity(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined || a <= 0 || b <= 0) return 0.5;
  return Math.max(0, 1 - Math.abs(Math.log(a / b)) / PRICE_GAP_AT_ZERO);
}

function norm(text: string): string {
  return text.trim().toLowerCase();
}

function sameText(a: string, b: string): boolean {
  return norm(a) === norm(b);
}
