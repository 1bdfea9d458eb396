import {
  buildContentIndex,
  contentSimilarity,
  popularProducts,
  removeContentProduct,
  setContentProduct,
  similarProducts,
  updatePopular,
  type ContentIndex,
  type Popular,
} from "./content";
import {
  addOrders,
  compareIds,
  confidenceFrom,
  pairEvidence,
  partnersOf,
  productActivity,
  type CoPurchaseStats,
  type PairEvidence,
} from "./copurchase";
import { applyBasisPoints, ratioToBasisPoints } from "./money";
import {
  ownership,
  tierInBand,
  type Ownership,
  type Shopper,
} from "./personal";
import {
  boughtTogetherReason,
  bundleReason,
  cartCompanionReason,
  oftenBoughtWithReason,
  orderCompanionReason,
  popularReason,
  boughtBeforeReason,
  similarToReason,
  storePickReason,
  upgradeReason,
} from "./reasons";
import {
  addToTierIndex,
  buildTierIndex,
  DEFAULT_MAX_INCREASE_BPS,
  defaultVariant,
  removeFromTierIndex,
  upgradeOptions,
  type TierIndex,
} from "./tiers";
import type {
  CartCompletionScorer,
  CatalogProduct,
  EngineOrder,
  MerchantBundle,
  MerchantRule,
  Offer,
  OrderLineRef,
  Placement,
  Reason,
  RecommendationContext,
  RuleTarget,
  RuleTrigger,
} from "./types";

// Ranking: model + context + merchant rules -> offers in display order.
//
// Signals, each in [0, 1], blended with DEFAULT_WEIGHTS (weights of absent signals are dropped
// and the rest rescaled to sum to 1, so the blend stays in [0, 1]):
// - completion (0.80): the injected cart-completion model (EASE^R for carts, the product-page lists
//   on product pages), divided by its best score among eligible candidates — its scale is
//   arbitrary, its order is what was validated offline.
// - copurchase (0.10): 1 − Π(1 − conf(c | a)) over context products a with pair evidence, where conf
//   is the shrunk, decayed confidence: an absolute probability, so weak evidence stays weak. It
//   takes in new orders between trainings (`withNewOrders`).
// - content (0.08): best content similarity to a context product, damped for anchors with order
//   history (factor 0.25 + 0.75·coldness, coldness = 1 − min(1, orders / coldStartOrders)): it is
//   the cold-start fallback, not a rival to real evidence.
// - popularity (0.02): decayed orders relative to the best seller; the tie-breaker, and the reason
//   the list never goes empty while anything is in stock.
// The weights were chosen on the validation split through this ranking itself (`npm run engine --
// evaluate --storefront`; docs/decisions/004): the earlier 0.55/0.30/0.10/0.05 lost 0.025 HR@10
// against the cart model alone, mostly on big carts, where co-purchase confidence saturates.
// Pinned products come first (by rule priority). The rest are diversified greedily, MMR-style:
// at most one product per productType+vendor cluster until the list would otherwise run short, and
// each pick maximises relevance − DIVERSITY·(similarity to what is already picked).
// Offers a shopper would take (docs/decisions/015): no second product of a kind already in the
// context (a second tent beside a tent) unless the shop's orders show the two bought together
// (SAME_KIND_MIN_ORDERS joint orders and shrunk lift SAME_KIND_MIN_LIFT); after checkout, nothing
// dearer than a share of the order just placed (the placement's price band).
// A merchant bundle with the viewed product replaces all of this: its discount applies only when
// exactly its products are bought together, so it is offered whole or not at all.

export interface BlendWeights {
  completion: number;
  copurchase: number;
  content: number;
  popularity: number;
}

export const DEFAULT_WEIGHTS: BlendWeights = {
  completion: 0.8,
  copurchase: 0.1,
  content: 0.08,
  popularity: 0.02,
};

/** Few offers per placement: more choices convert worse (decision fatigue). */
export const DEFAULT_PLACEMENT_CAPS: Readonly<Record<Placement, number>> = {
  product_fbt: 2,
  product_upgrade: 1,
  cart: 4,
  drawer: 3,
  post_purchase: 1,
};

const MAX_OFFERS = 12;
const DIVERSITY = 0.3;
const DIVERSIFY_DEPTH = 60;
const COMPLETION_CANDIDATES = 100;
const PARTNERS_PER_ANCHOR = 60;
const SIMILAR_PER_ANCHOR = 30;
// A big cart shares these among its products (each keeps at least its best few): every candidate is
// scored against every cart product, so the pool is what a big cart's request costs.
const PARTNERS_PER_CART = 300;
const SIMILAR_PER_CART = 150;
const PER_ANCHOR_FLOOR = 5;
const MIN_ORDERS_FOR_SHARE = 3;
// Evidence that two products of one kind are bought together, not instead of each other. Shrunk
// lift (prior: 10 orders of independence) is relative to chance, so it holds on a shop of any size;
// measured in docs/decisions/015.
const SAME_KIND_MIN_ORDERS = 3;
const SAME_KIND_MIN_LIFT = 1.5;
// What a signed-in customer's consumable in its re-order window adds to its blend (decision 023).
// The personal cart scores weigh owned products by their cart's share instead, and add nothing.
const DUE_WEIGHT = 0.25;

/**
 * The catalog and the co-purchase evidence, indexed for ranking. The catalog parts belong to one
 * serving state: `applyCatalogChanges` updates them in place.
 */
export interface RankingModel {
  readonly products: Map<string, CatalogProduct>;
  readonly copurchase?: CoPurchaseStats;
  readonly content: ContentIndex;
  readonly tiers: TierIndex;
  /** All products, best sellers first: the never-empty fallback order. */
  readonly popular: Popular[];
  /**
   * Per-anchor neighbour lists, filled on first use. They depend only on the model, so caching
   * them changes no output; it keeps a warm storefront request to map lookups.
   */
  readonly neighbours: {
    readonly partners: Map<string, readonly PairEvidence[]>;
    readonly similar: Map<string, ReadonlyMap<string, number>>;
  };
}

export function buildRankingModel(input: {
  products: readonly CatalogProduct[];
  copurchase?: CoPurchaseStats;
}): RankingModel {
  return {
    products: new Map(input.products.map((p) => [p.id, p])),
    copurchase: input.copurchase,
    content: buildContentIndex(input.products),
    tiers: buildTierIndex(input.products),
    popular: popularProducts(input.products, input.copurchase),
    neighbours: { partners: new Map(), similar: new Map() },
  };
}

/**
 * The model with orders that arrived after it was built: their pair evidence and their weight in
 * the best sellers count at once, without a retraining (the cart model waits for the next one).
 * Pass each order once. The catalog's indexes and the similarity lists are shared; the co-purchase
 * partner lists are recomputed on use.
 */
export function withNewOrders(
  model: RankingModel,
  orders: readonly EngineOrder[],
): RankingModel {
  if (orders.length === 0 || !model.copurchase) return model;
  const copurchase = addOrders(model.copurchase, orders);
  return {
    ...model,
    copurchase,
    popular: popularProducts([...model.products.values()], copurchase),
    neighbours: { partners: new Map(), similar: model.neighbours.similar },
  };
}

/** What changed in the shop's active catalog since a model was built or last changed. */
export interface CatalogChanges {
  /** Products now in the active catalog that are new or changed, whole (variants included). */
  readonly upserted: readonly CatalogProduct[];
  /** Products no longer in it: deleted, archived or drafted. */
  readonly removed: readonly string[];
}

/**
 * Applies catalog changes to the model in place: afterwards it ranks exactly as `buildRankingModel`
 * would on the new catalog with the same co-purchase evidence. The work is per changed product
 * (its content profile's members and its product type's list; a binary search in the best
 * sellers), never per catalog product. A change of features or prices empties the similarity
 * caches, which refill on use as after a rebuild; a change of stock or variants alone keeps them.
 * Whoever still holds the model sees the new catalog.
 */
export function applyCatalogChanges(
  model: RankingModel,
  changes: CatalogChanges,
): void {
  const titleOf = (id: string) => model.products.get(id)!.title;
  const drop = (id: string) => {
    if (!model.products.has(id)) return;
    updatePopular(model.popular, id, model.copurchase, titleOf, "remove");
    removeFromTierIndex(model.tiers, id);
    model.products.delete(id);
  };
  let similarity = false;
  for (const id of changes.removed) {
    drop(id);
    similarity = removeContentProduct(model.content, id) || similarity;
  }
  for (const product of changes.upserted) {
    drop(product.id);
    model.products.set(product.id, product);
    addToTierIndex(model.tiers, product);
    updatePopular(model.popular, product.id, model.copurchase, titleOf, "add");
    similarity = setContentProduct(model.content, product) || similarity;
  }
  if (similarity) model.neighbours.similar.clear();
}

export interface RankRequest {
  placement: Placement;
  context: RecommendationContext;
  rules?: readonly MerchantRule[];
  /** Offers wanted; defaults to the placement's cap. */
  limit?: number;
  completion?: CartCompletionScorer;
  weights?: Partial<BlendWeights>;
  /** Products carrying any of these tags are never offered unless pinned (e.g. "gift-card"). */
  excludeTags?: readonly string[];
  /**
   * Price band in basis points (default 50%): an upgrade's largest step up from the viewed variant;
   * after checkout, the largest offer price as a share of the order's value.
   */
  maxIncreaseBps?: number;
  /** Orders after which a product's own evidence outweighs content similarity. */
  coldStartOrders?: number;
  /**
   * A signed-in customer with a profile: what they own is not offered again unless it is a
   * consumable, a consumable in its re-order window comes forward, and the upsell tier inside
   * their price band for the product's type comes first. Absent, nothing changes.
   */
  shopper?: Shopper;
  /**
   * The merchant's bundle with the viewed product. When every other product in it can be sold,
   * the answer is those products (kind "bundle"), whatever the rules and the limit.
   */
  bundle?: MerchantBundle;
}

export function rankOffers(model: RankingModel, request: RankRequest): Offer[] {
  const bundled =
    request.bundle && bundleOffers(model, request.context, request.bundle);
  if (bundled) return bundled;
  const limit = Math.max(
    0,
    Math.min(
      MAX_OFFERS,
      request.limit ?? DEFAULT_PLACEMENT_CAPS[request.placement],
    ),
  );
  if (limit === 0) return [];
  const anchors = contextProducts(request.context);
  const rules = applicableRules(model, request, anchors);
  if (request.placement === "product_upgrade") {
    return request.context.type === "product"
      ? rankUpgrades(model, request, rules, limit)
      : [];
  }
  return rankCrossSells(model, request, rules, anchors, limit);
}

/** The bundle's other products at their default variants; undefined if one cannot be sold. */
function bundleOffers(
  model: RankingModel,
  context: RecommendationContext,
  bundle: MerchantBundle,
): Offer[] | undefined {
  if (context.type !== "product") return undefined;
  const reason = bundleReason(
    bundle.discountType === "percentage" ? bundle.discountValue : 0,
    bundle.productIds.length,
  );
  const offers: Offer[] = [];
  for (const productId of bundle.productIds) {
    if (productId === context.productId) continue;
    const product = model.products.get(productId);
    const variant = product && defaultVariant(product);
    if (!variant) return undefined;
    offers.push({
      productId,
      variantId: variant.id,
      price: variant.price,
      kind: "bundle",
      reason,
      score: 0,
      breakdown: {},
    });
  }
  return offers.length > 0 ? offers : undefined;
}

interface ApplicableRules {
  pins: { productId: string; priority: number }[];
  excludes: { target: RuleTarget; priority: number }[];
  onlyFrom?: string;
}

function rankCrossSells(
  model: RankingModel,
  request: RankRequest,
  rules: ApplicableRules,
  anchors: readonly string[],
  limit: number,
): Offer[] {
  const inContext = new Set(anchors);
  const excludeTags = new Set((request.excludeTags ?? []).map(normalise));
  const stats = model.copurchase;
  const coldStartOrders = request.coldStartOrders ?? 10;
  const knownAnchors = anchors.filter((id) => model.products.has(id));

  const kinds = anchorsByKind(model, anchors);
  const ceiling = postPurchaseCeiling(model, request);
  const owned: Ownership | undefined =
    request.shopper && ownership(request.shopper);

  const eligible = (id: string, pinned: boolean): boolean => {
    const p = model.products.get(id);
    const variant = p && defaultVariant(p);
    if (!p || !variant || inContext.has(id)) return false;
    if (ceiling !== undefined && variant.price.amount > ceiling) return false;
    if (isExcluded(p, rules, pinned ? pinPriority(rules, id) : -Infinity))
      return false;
    if (pinned) return true;
    if (owned?.held.has(id)) return false;
    if (p.tags.some((t) => excludeTags.has(normalise(t)))) return false;
    if (secondOfAKind(stats, kinds, p)) return false;
    return (
      rules.onlyFrom === undefined || p.collections.includes(rules.onlyFrom)
    );
  };

  // Candidate pool: what a signal speaks for most strongly, then best sellers until the pool is
  // comfortable. Bounded whatever the catalog and the cart: the cart model's best few, each
  // anchor's best partners and nearest neighbours (fewer each in a big cart). Deeper down each
  // signal a candidate could not reach the top DIVERSIFY_DEPTH without another signal speaking for
  // it, and then it is in the pool.
  const completion = request.completion?.(anchors, request.context.type);
  const personal = completion?.personal === true;
  const pool = new Set<string>();
  for (const { productId } of completion?.top(COMPLETION_CANDIDATES) ?? [])
    if (eligible(productId, false)) pool.add(productId);
  const share = (perCart: number, perAnchor: number, count: number) =>
    Math.min(perAnchor, Math.max(PER_ANCHOR_FLOOR, Math.ceil(perCart / count)));
  if (stats) {
    const partnersEach = share(
      PARTNERS_PER_CART,
      PARTNERS_PER_ANCHOR,
      anchors.length,
    );
    for (const a of anchors) {
      const partners = cachedPartners(model, stats, a);
      for (let k = 0; k < Math.min(partnersEach, partners.length); k++)
        if (eligible(partners[k].productId, false))
          pool.add(partners[k].productId);
    }
  }
  const similarEach = share(
    SIMILAR_PER_CART,
    SIMILAR_PER_ANCHOR,
    knownAnchors.length,
  );
  for (const a of knownAnchors) {
    let k = 0;
    for (const id of cachedSimilar(model, a).keys()) {
      if (k++ === similarEach) break;
      if (eligible(id, false)) pool.add(id);
    }
  }
  for (const id of owned?.due.keys() ?? [])
    if (eligible(id, false)) pool.add(id);
  const target = Math.max(limit * 5, 20);
  for (const p of model.popular) {
    if (pool.size >= target) break;
    if (eligible(p.productId, false)) pool.add(p.productId);
  }

  const weights = effectiveWeights(
    request.weights,
    request.completion !== undefined,
  );
  const completionRaw = new Map(
    [...pool].map((id) => [id, completion?.score(id) ?? 0]),
  );
  let bestCompletion = 0;
  for (const raw of completionRaw.values())
    bestCompletion = Math.max(bestCompletion, raw);
  const topSeller = model.popular[0]?.weight ?? 0;
  // Per anchor, once: its co-purchase partners, and its nearest neighbours with the weight
  // content gets for it (more as the anchor has fewer orders).
  const anchorPairs = stats
    ? anchors.flatMap((a) => {
        const pairs = stats.pairs.get(a);
        return pairs ? [{ pairs, confidence: confidenceFrom(stats, a) }] : [];
      })
    : [];
  const anchorSimilar = knownAnchors.map((a) => {
    const orders = stats ? productActivity(stats, a).orders : 0;
    const coldness = 1 - Math.min(1, orders / coldStartOrders);
    return {
      anchor: a,
      similar: cachedSimilar(model, a),
      weight: 0.25 + 0.75 * coldness,
    };
  });

  const scored: Scored[] = [];
  for (const id of pool) {
    const completion =
      bestCompletion > 0
        ? Math.max(0, completionRaw.get(id)!) / bestCompletion
        : 0;
    // Against every anchor, not only those whose top list brought the candidate in.
    let miss = 1;
    for (const { pairs, confidence } of anchorPairs)
      if (pairs.has(id)) miss *= 1 - confidence(id);
    const copurchase = 1 - miss;
    let content = 0;
    let similarAnchor: string | undefined;
    for (const { anchor, similar, weight } of anchorSimilar) {
      // Beyond an anchor's nearest neighbours similarity is too weak to matter as a fallback.
      const s = (similar.get(id) ?? 0) * weight;
      if (s > content) [content, similarAnchor] = [s, anchor];
    }
    const popularity =
      topSeller > 0 && stats
        ? productActivity(stats, id).weight / topSeller
        : 0;
    const breakdown: Record<string, number> = {
      completion: weights.completion * completion,
      copurchase: weights.copurchase * copurchase,
      content: weights.content * content,
      popularity: weights.popularity * popularity,
    };
    // An owned product keeps the share of its score that re-buying it earns; a personal
    // completion has weighed that into its own part already.
    const share = owned?.keep.get(id);
    if (share !== undefined)
      for (const k of Object.keys(breakdown))
        if (!(k === "completion" && personal)) breakdown[k] *= share;
    if (owned?.due.has(id)) breakdown.due = DUE_WEIGHT;
    scored.push({
      productId: id,
      score: Object.values(breakdown).reduce((sum, v) => sum + v, 0),
      breakdown,
      similarAnchor,
    });
  }
  scored.sort(
    (a, b) => b.score - a.score || compareIds(a.productId, b.productId),
  );

  const pins = rules.pins
    .filter((p) => eligible(p.productId, true))
    .slice(0, limit);
  const pinnedIds = new Set(pins.map((p) => p.productId));
  const picked = diversify(
    model,
    scored.filter((s) => !pinnedIds.has(s.productId)).slice(0, DIVERSIFY_DEPTH),
    pins.map((p) => p.productId),
    limit - pins.length,
  );

  const offers: Offer[] = pins.map((pin, i) => {
    const natural = scored.find((s) => s.productId === pin.productId);
    const base = natural ?? {
      productId: pin.productId,
      score: 0,
      breakdown: {},
      evidence: [],
    };
    // Pins outrank every blended score (those are at most 1), in priority order.
    const bonus = 2 + (pins.length - i);
    return makeOffer(
      model,
      request,
      anchors,
      base,
      { ...base.breakdown, pin: bonus },
      true,
    );
  });
  for (const s of picked)
    offers.push(makeOffer(model, request, anchors, s, s.breakdown, false));
  return offers;
}

/** Context products by their normalised product type; products without one have no kind. */
function anchorsByKind(
  model: RankingModel,
  anchors: readonly string[],
): Map<string, string[]> {
  const kinds = new Map<string, string[]>();
  for (const id of anchors) {
    const kind = normalise(model.products.get(id)?.productType ?? "");
    if (kind) kinds.set(kind, [...(kinds.get(kind) ?? []), id]);
  }
  return kinds;
}

/**
 * A candidate of the same kind as a context product is a substitute (a second tent), unless the
 * shop's own orders show it bought with one of them beyond chance.
 */
function secondOfAKind(
  stats: CoPurchaseStats | undefined,
  kinds: ReadonlyMap<string, readonly string[]>,
  candidate: CatalogProduct,
): boolean {
  const sameKind = kinds.get(normalise(candidate.productType));
  if (!sameKind) return false;
  return !sameKind.some((anchor) => {
    const e = stats && pairEvidence(stats, anchor, candidate.id);
    return (
      e !== undefined &&
      e.orders >= SAME_KIND_MIN_ORDERS &&
      e.lift >= SAME_KIND_MIN_LIFT
    );
  });
}

/**
 * After checkout the order just placed sets what an offer may cost: at most the price band's share
 * of the order's value (lines at their variants' prices, or one of each product).
 */
function postPurchaseCeiling(
  model: RankingModel,
  request: RankRequest,
): number | undefined {
  const { context } = request;
  if (context.type !== "order") return undefined;
  const lines =
    context.lines ??
    context.productIds.map((productId): OrderLineRef => ({
      productId,
      quantity: 1,
    }));
  let value = 0;
  for (const line of lines) {
    const product = model.products.get(line.productId);
    const variant =
      product?.variants.find((v) => v.id === line.variantId) ??
      (product && defaultVariant(product));
    if (variant) value += variant.price.amount * Math.max(1, line.quantity);
  }
  // An order of products the model does not know says nothing about a fitting price.
  if (value === 0) return undefined;
  return applyBasisPoints(
    value,
    request.maxIncreaseBps ?? DEFAULT_MAX_INCREASE_BPS,
  );
}

interface Scored {
  productId: string;
  score: number;
  breakdown: Record<string, number>;
  similarAnchor?: string;
}

/**
 * Greedy diversification of `ranked` (best score first): each pick maximises its score less
 * DIVERSITY times its highest similarity to anything already shown, and a first pass takes one per
 * cluster. A candidate's similarities are computed only when it could still win the pick (its
 * score alone bounds its value), so the work stays near `slots` candidates instead of all of them.
 */
function diversify(
  model: RankingModel,
  ranked: readonly Scored[],
  alreadyShown: readonly string[],
  slots: number,
): Scored[] {
  const picked: Scored[] = [];
  if (slots <= 0 || ranked.length === 0) return picked;
  const shown = [...alreadyShown];
  const clusters = new Set(
    shown.map((id) => clusterOf(model.products.get(id)!)),
  );
  const top = ranked[0].score > 0 ? ranked[0].score : 1;
  const remaining = ranked.map((c) => ({
    c,
    cluster: clusterOf(model.products.get(c.productId)!),
    // Highest similarity to shown[0 .. seen), brought up to date when needed.
    redundancy: 0,
    seen: 0,
  }));
  for (const strict of [true, false]) {
    while (picked.length < slots) {
      let best = -1;
      let bestValue = -Infinity;
      for (let i = 0; i < remaining.length; i++) {
        const r = remaining[i];
        if (strict && clusters.has(r.cluster)) continue;
        const bound = r.c.score / top;
        // Neither this candidate nor any after it can beat the best value found.
        if (bound <= bestValue) break;
        for (; r.seen < shown.length; r.seen++)
          r.redundancy = Math.max(
            r.redundancy,
            contentSimilarity(model.content, shown[r.seen], r.c.productId),
          );
        const value = bound - DIVERSITY * r.redundancy;
        if (value > bestValue) [best, bestValue] = [i, value];
      }
      if (best < 0) break;
      const [choice] = remaining.splice(best, 1);
      picked.push(choice.c);
      clusters.add(choice.cluster);
      shown.push(choice.c.productId);
    }
  }
  return picked;
}

function cachedPartners(
  model: RankingModel,
  stats: CoPurchaseStats,
  anchor: string,
) {
  let list = model.neighbours.partners.get(anchor);
  if (!list) {
    list = partnersOf(stats, anchor, { limit: PARTNERS_PER_ANCHOR });
    model.neighbours.partners.set(anchor, list);
  }
  return list;
}

function cachedSimilar(
  model: RankingModel,
  anchor: string,
): ReadonlyMap<string, number> {
  let similar = model.neighbours.similar.get(anchor);
  if (!similar) {
    similar = new Map(
      similarProducts(model.content, anchor, { limit: SIMILAR_PER_ANCHOR }).map(
        (s) => [s.productId, s.similarity],
      ),
    );
    model.neighbours.similar.set(anchor, similar);
  }
  return similar;
}

function makeOffer(
  model: RankingModel,
  request: RankRequest,
  anchors: readonly string[],
  s: Omit<Scored, "breakdown">,
  breakdown: Record<string, number>,
  pinned: boolean,
): Offer {
  const product = model.products.get(s.productId)!;
  const variant = defaultVariant(product)!;
  return {
    productId: product.id,
    variantId: variant.id,
    price: variant.price,
    kind: "cross_sell",
    reason: crossSellReason(
      model,
      request,
      anchors,
      product,
      s,
      breakdown,
      pinned,
    ),
    score: Object.values(breakdown).reduce((sum, v) => sum + v, 0),
    breakdown,
  };
}

function crossSellReason(
  model: RankingModel,
  request: RankRequest,
  anchors: readonly string[],
  product: CatalogProduct,
  s: Omit<Scored, "breakdown">,
  breakdown: Record<string, number>,
  pinned: boolean,
): Reason {
  // Offered again to a customer who bought it: their own purchase is the evidence.
  const bought = request.shopper?.profile.products.get(product.id);
  if (!pinned && bought)
    return boughtBeforeReason(
      product.title,
      bought.lastAt,
      request.shopper!.now,
    );
  const strongest = (
    ["completion", "copurchase", "content", "popularity"] as const
  ).reduce(
    (best, key) =>
      (breakdown[key] ?? 0) > (breakdown[best] ?? 0) ? key : best,
    "popularity" as "completion" | "copurchase" | "content" | "popularity",
  );
  const stats = model.copurchase;
  const evidenced = stats
    ? anchors
        .map((a) => ({ anchor: a, e: pairEvidence(stats, a, product.id) }))
        .filter(
          (x): x is { anchor: string; e: PairEvidence } => x.e !== undefined,
        )
        .sort(
          (x, y) => y.e.orders - x.e.orders || compareIds(x.anchor, y.anchor),
        )
    : [];
  // After checkout there is no cart: the companion is the order just placed.
  const companionReason =
    request.context.type === "order"
      ? orderCompanionReason
      : cartCompanionReason;
  const fromEvidence = (): Reason | undefined => {
    if (evidenced.length === 0) return undefined;
    if (evidenced.length >= 2) return companionReason();
    const { anchor, e } = evidenced[0];
    if (
      request.context.type === "product" &&
      e.orders >= MIN_ORDERS_FOR_SHARE
    ) {
      return boughtTogetherReason(ratioToBasisPoints(e.rawConfidence));
    }
    const title = model.products.get(anchor)?.title;
    return title ? oftenBoughtWithReason(title) : companionReason();
  };
  if (pinned && (breakdown[strongest] ?? 0) === 0)
    return fromEvidence() ?? storePickReason();
  if (strongest === "copurchase" || strongest === "completion") {
    const reason = fromEvidence();
    if (reason) return reason;
    if (request.context.type !== "product") return companionReason();
    const title = model.products.get(anchors[0])?.title;
    return title ? oftenBoughtWithReason(title) : companionReason();
  }
  if (strongest === "content" && s.similarAnchor) {
    return similarToReason(model.products.get(s.similarAnchor)!.title);
  }
  return pinned ? storePickReason() : popularReason(product.productType);
}

function rankUpgrades(
  model: RankingModel,
  request: RankRequest,
  rules: ApplicableRules,
  limit: number,
): Offer[] {
  if (request.context.type !== "product") return [];
  const excludeTags = new Set((request.excludeTags ?? []).map(normalise));
  const maxIncreaseBps = request.maxIncreaseBps ?? DEFAULT_MAX_INCREASE_BPS;
  const upgrades = upgradeOptions(
    model.tiers,
    request.context.productId,
    request.context.variantId,
    {
      maxIncreaseBps,
    },
  ).filter((u) => {
    if (u.kind === "variant") return true;
    const p = model.products.get(u.toProductId)!;
    if (isExcluded(p, rules, -Infinity)) return false;
    if (p.tags.some((t) => excludeTags.has(normalise(t)))) return false;
    return (
      rules.onlyFrom === undefined || p.collections.includes(rules.onlyFrom)
    );
  });
  // A signed-in customer's tier: the one inside what they usually pay for the kind, first (the
  // storefront shows the first upsell as its "Upgrade" column); the rest keep today's order.
  const anchor = model.products.get(request.context.productId);
  const inBand =
    request.shopper &&
    anchor &&
    tierInBand(
      request.shopper.profile,
      anchor.productType,
      upgrades.map((u) => u.price.amount),
    );
  const ordered =
    inBand === undefined
      ? upgrades
      : [upgrades[inBand], ...upgrades.filter((_, i) => i !== inBand)];
  return ordered.slice(0, limit).map((u, i) => {
    const personal = inBand !== undefined && i === 0;
    // Smaller steps rank higher: closeness to the current price within the band.
    const step = maxIncreaseBps > 0 ? 1 - u.increaseBps / maxIncreaseBps : 0;
    const breakdown: Record<string, number> = {
      tier: u.kind === "variant" ? 1 : 0.5,
      step,
    };
    if (personal) breakdown.band = 1;
    return {
      productId: u.toProductId,
      variantId: u.toVariantId,
      price: u.price,
      kind: "upsell" as const,
      reason: personal
        ? upgradeReason(u.priceDelta, u.benefit, true)
        : u.reason,
      score: Object.values(breakdown).reduce((sum, v) => sum + v, 0),
      breakdown,
      upgrade: {
        fromVariantId: u.fromVariantId,
        differences: u.differences,
        benefit: u.benefit,
      },
    };
  });
}

function contextProducts(context: RecommendationContext): string[] {
  const ids =
    context.type === "product" ? [context.productId] : context.productIds;
  return [...new Set(ids)];
}

function applicableRules(
  model: RankingModel,
  request: RankRequest,
  anchors: readonly string[],
): ApplicableRules {
  const active = (request.rules ?? [])
    .filter((r) => !r.placements || r.placements.includes(request.placement))
    .filter((r) => triggered(model, r.when, anchors))
    .sort((a, b) => b.priority - a.priority || compareIds(a.id, b.id));
  const pins: ApplicableRules["pins"] = [];
  const seen = new Set<string>();
  for (const r of active) {
    if (r.action === "pin" && !seen.has(r.productId)) {
      seen.add(r.productId);
      pins.push({ productId: r.productId, priority: r.priority });
    }
  }
  return {
    pins,
    excludes: active.flatMap((r) =>
      r.action === "exclude"
        ? [{ target: r.target, priority: r.priority }]
        : [],
    ),
    // Conflicting restrictions cannot both hold; the highest-priority one wins.
    onlyFrom: active.find((r) => r.action === "only_from_collection")
      ?.collection,
  };
}

function triggered(
  model: RankingModel,
  when: RuleTrigger,
  anchors: readonly string[],
): boolean {
  if (when.type === "any") return true;
  return anchors.some((id) => {
    const p = model.products.get(id);
    if (when.type === "product") return id === when.productId;
    return p !== undefined && matches(p, when);
  });
}

function matches(p: CatalogProduct, target: RuleTarget): boolean {
  if (target.type === "product") return p.id === target.productId;
  if (target.type === "collection")
    return p.collections.includes(target.collection);
  return p.tags.some((t) => normalise(t) === normalise(target.tag));
}

/** Excluded unless the product is pinned by a rule of strictly higher priority than the exclusion. */
function isExcluded(
  p: CatalogProduct,
  rules: ApplicableRules,
  pinPriority: number,
): boolean {
  return rules.excludes.some(
    (x) => x.priority >= pinPriority && matches(p, x.target),
  );
}

function pinPriority(rules: ApplicableRules, productId: string): number {
  return (
    rules.pins.find((p) => p.productId === productId)?.priority ?? -Infinity
  );
}

function effectiveWeights(
  overrides: Partial<BlendWeights> | undefined,
  hasCompletion: boolean,
): BlendWeights {
  const w = { ...DEFAULT_WEIGHTS, ...overrides };
  if (!hasCompletion) w.completion = 0;
  const total = w.completion + w.copurchase + w.content + w.popularity;
  if (!(total > 0))
    throw new RangeError("Blend weights must have a positive sum");
  return {
    completion: w.completion / total,
    copurchase: w.copurchase / total,
    content: w.content / total,
    popularity: w.popularity / total,
  };
}

function clusterOf(p: CatalogProduct): string {
  const type = normalise(p.productType);
  const vendor = normalise(p.vendor);
  return type || vendor ? `${type}\u0000${vendor}` : `\u0001${p.id}`;
}

function normalise(text: string): string {
  return text.trim().toLowerCase();
}
