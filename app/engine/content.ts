import {
  compareIds,
  popularity,
  productActivity,
  type CoPurchaseStats,
} from "./copurchase";
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
  /** Products indexed: the N of the idf. */
  size: number;
  /** Products carrying each feature. */
  readonly frequency: Map<string, number>;
  /**
   * Distinct feature sets ("profiles") with their members, ids sorted: a big catalog repeats a
   * few hundred of them (same type, vendor, tags and title words), so a similarity query computes
   * one cosine per profile, not per product. A profile goes when its last member does.
   */
  readonly profiles: Map<number, ContentProfile>;
  readonly profileOf: Map<string, number>;
  /** Profiles carrying each feature. */
  readonly profilesWith: Map<string, Set<number>>;
  /** Cheapest variant price in minor units; undefined when a product has no variants. */
  readonly prices: Map<string, number | undefined>;
  /**
   * Each profile's unit vector and its similar profiles, filled on first use. Both depend on the
   * whole catalog (the idf), so a change of any product's features empties them; they hold
   * nothing the index above does not determine, so caching them changes no output.
   */
  readonly vectors: Map<number, ReadonlyMap<string, number>>;
  readonly similarProfiles: Map<
    number,
    readonly { profile: number; cosine: number }[]
  >;
  /** Profile ids are never reused, so a cached list never names a different profile. */
  nextProfile: number;
  readonly profileKeys: Map<string, number>;
}

export interface ContentProfile {
  /** Features and weights, by feature: the one order every vector is summed in. */
  readonly features: readonly (readonly [string, number])[];
  readonly key: string;
  readonly members: string[];
}

export interface Similar {
  productId: string;
  similarity: number;
}

export function buildContentIndex(
  products: readonly CatalogProduct[],
): ContentIndex {
  const index: ContentIndex = {
    size: 0,
    frequency: new Map(),
    profiles: new Map(),
    profileOf: new Map(),
    profilesWith: new Map(),
    prices: new Map(),
    vectors: new Map(),
    similarProfiles: new Map(),
    nextProfile: 0,
    profileKeys: new Map(),
  };
  for (const p of products) setContentProduct(index, p);
  return index;
}

/**
 * Adds or replaces one product in the index, in time proportional to its features and its
 * profile's members; the result is the index `buildContentIndex` gives for the new catalog.
 * Returns whether any similarity may have changed (its features or its price did).
 */
export function setContentProduct(
  index: ContentIndex,
  product: CatalogProduct,
): boolean {
  const amounts = product.variants.map((v) => v.price.amount);
  const price = amounts.length > 0 ? Math.min(...amounts) : undefined;
  const features = [...productFeatures(product)].sort(([a], [b]) =>
    compareIds(a, b),
  );
  const key = features.map(([f, w]) => `${f}\u0000${w}`).join("\u0001");
  const own = index.profileOf.get(product.id);
  if (own !== undefined && index.profiles.get(own)!.key === key) {
    if (index.prices.get(product.id) === price) return false;
    index.prices.set(product.id, price);
    return true;
  }
  if (own !== undefined) removeContentProduct(index, product.id);
  index.size++;
  for (const [f] of features)
    index.frequency.set(f, (index.frequency.get(f) ?? 0) + 1);
  let profile = index.profileKeys.get(key);
  if (profile === undefined) {
    profile = index.nextProfile++;
    index.profileKeys.set(key, profile);
    index.profiles.set(profile, { features, key, members: [] });
    for (const [f] of features) {
      let set = index.profilesWith.get(f);
      if (!set) index.profilesWith.set(f, (set = new Set()));
      set.add(profile);
    }
  }
  const members = index.profiles.get(profile)!.members;
  members.splice(sortedIndex(members, product.id), 0, product.id);
  index.profileOf.set(product.id, profile);
  index.prices.set(product.id, price);
  forgetVectors(index);
  return true;
}

/** Removes one product from the index; returns whether it was there. */
export function removeContentProduct(
  index: ContentIndex,
  productId: string,
): boolean {
  const own = index.profileOf.get(productId);
  if (own === undefined) return false;
  const profile = index.profiles.get(own)!;
  profile.members.splice(sortedIndex(profile.members, productId), 1);
  for (const [f] of profile.features) {
    const left = index.frequency.get(f)! - 1;
    if (left > 0) index.frequency.set(f, left);
    else index.frequency.delete(f);
  }
  if (profile.members.length === 0) {
    index.profiles.delete(own);
    index.profileKeys.delete(profile.key);
    for (const [f] of profile.features) {
      const set = index.profilesWith.get(f)!;
      set.delete(own);
      if (set.size === 0) index.profilesWith.delete(f);
    }
  }
  index.profileOf.delete(productId);
  index.prices.delete(productId);
  index.size--;
  forgetVectors(index);
  return true;
}

/** N and the frequencies moved: every idf did, so every vector and cosine may have. */
function forgetVectors(index: ContentIndex): void {
  index.vectors.clear();
  index.similarProfiles.clear();
}

/** Where `id` is, or would go, in ids sorted by `compareIds`. */
function sortedIndex(ids: readonly string[], id: string): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (compareIds(ids[mid], id) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function vectorOf(
  index: ContentIndex,
  profile: number,
): ReadonlyMap<string, number> {
  let vector = index.vectors.get(profile);
  if (!vector) {
    vector = unitVector(
      index.profiles.get(profile)!.features,
      index.size,
      index.frequency,
    );
    index.vectors.set(profile, vector);
  }
  return vector;
}

function unitVector(
  features: readonly (readonly [string, number])[],
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
  const pa = index.profileOf.get(a);
  const pb = index.profileOf.get(b);
  if (pa === undefined || pb === undefined || a === b) return 0;
  return (
    cosine(vectorOf(index, pa), vectorOf(index, pb)) *
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
    for (const id of index.profiles.get(profile)!.members) {
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
  const vector = vectorOf(index, own);
  // Features shared by a large share of the catalog have a low idf and cannot lift a product into
  // the top on their own; walking their postings would make every query scan the catalog.
  const broad = Math.max(200, index.size / 5);
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
      cosine: cosine(vector, vectorOf(index, profile)),
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
    .sort(popularOrder((id) => byId.get(id)!.title));
}

/** The best sellers' order: decayed weight, then title, then id. */
function popularOrder(
  titleOf: (productId: string) => string,
): (x: Popular, y: Popular) => number {
  return (x, y) =>
    y.weight - x.weight ||
    compareIds(titleOf(x.productId), titleOf(y.productId)) ||
    compareIds(x.productId, y.productId);
}

/**
 * Adds a product to, or removes it from, a list in `popularProducts`' order (unscoped), finding
 * its place by binary search. `titleOf` gives the titles the list is sorted by, the product's
 * own included: on removal its title before the change.
 */
export function updatePopular(
  list: Popular[],
  productId: string,
  stats: CoPurchaseStats | undefined,
  titleOf: (productId: string) => string,
  action: "add" | "remove",
): void {
  const activity = stats?.items.has(productId)
    ? productActivity(stats, productId)
    : { weight: 0, orders: 0 };
  const entry = { productId, weight: activity.weight, orders: activity.orders };
  const order = popularOrder(titleOf);
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (order(list[mid], entry) < 0) lo = mid + 1;
    else hi = mid;
  }
  if (action === "add") list.splice(lo, 0, entry);
  else if (list[lo]?.productId === productId) list.splice(lo, 1);
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
