import prisma from "~/db.server";
import { parseStringList } from "~/services/platform/string-list";
import { type BundleSuggestion, suggestBundles } from "~/engine/bundles";
import {
  type CoPurchaseStats,
  compareIds,
  partnersOf,
  popularity,
  productActivity,
} from "~/engine/copurchase";
import { boughtTogetherReason } from "~/engine/reasons";
import { buildTierTable, defaultVariant, unitMargin } from "~/engine/tiers";
import type { CatalogProduct, EngineOrder, Money } from "~/engine/types";
import { ratioToBasisPoints } from "~/engine/money";
import { recommenderFor } from "~/services/model/model.server";
import { loadOrders } from "~/services/catalog/shop-data.server";
import { forgetServingState } from "~/services/storefront/serving-cache.server";

// Suggestions the merchant reviews: the engine's bundles, cross-sells and upgrades, each with its
// evidence. Computed from the serving model (so what the merchant sees is what shoppers would
// get), minus what the merchant already decided or already has as a bundle or rule.

export type SuggestionKind = "bundle" | "cross_sell" | "upgrade";

export interface SuggestionEvidence {
  /** Orders containing the products together (for upgrades: orders of the product). */
  orders: number;
  /** Share of all orders (decayed), 0..1; null where it does not apply (upgrades). */
  support: number | null;
  /** Shrunk P(rest | anchor), 0..1. */
  confidence: number | null;
  lift: number | null;
}

export interface Suggestion {
  key: string;
  kind: SuggestionKind;
  productIds: string[];
  titles: string[];
  /** The products' pictures, in the same order (null for a product without one). */
  imageUrls: (string | null)[];
  reason: string;
  evidence: SuggestionEvidence;
  /** Suggested discount in basis points (bundles; 0 otherwise). */
  discountBps: number;
  /** Price of the offer to the shopper after the discount (bundles) or the offered product. */
  price: Money;
  /** Margin of one sale of the offer, after the discount. */
  margin: Money;
  /**
   * Per 100 of the shop's orders, minor units (rounded): for a bundle, the margin its discount is
   * expected to add; for a cross-sell, the margin the pair brings in today (decision 008, "What a
   * suggestion is worth"). Null for upgrades, which have no such evidence.
   */
  marginPer100Orders: number | null;
  /** True when some margin is from the assumed margin rather than recorded costs. */
  costAssumed: boolean;
}

const MAX_CROSS_SELLS = 30;
const MAX_UPGRADES = 20;
const CROSS_SELL_ANCHORS = 40;
const CROSS_SELL_MIN_ORDERS = 5;
const CROSS_SELL_MIN_LIFT = 1.2;

export const suggestionKey = {
  bundle: (ids: readonly string[]) =>
    `bundle:${[...ids].sort(compareIds).join(",")}`,
  cross_sell: (anchor: string, partner: string) =>
    `cross_sell:${anchor}>${partner}`,
  upgrade: (from: string, to: string) => `upgrade:${from}>${to}`,
};

function offeredUnit(product: CatalogProduct): {
  price: Money;
  margin: Money;
  assumed: boolean;
} | null {
  const v = defaultVariant(product);
  return v ? { price: v.price, ...unitMargin(v) } : null;
}

export interface SuggestionInput {
  products: readonly CatalogProduct[];
  stats: CoPurchaseStats | undefined;
  orders: readonly EngineOrder[];
  marginFloorBps: number;
}

/** Pure: every suggestion the engine makes for the shop, best first within each kind. */
export function computeSuggestions(input: SuggestionInput): Suggestion[] {
  const byId = new Map(input.products.map((p) => [p.id, p]));
  // The products a suggestion is about, each named and pictured.
  const products = (productIds: string[]) => ({
    productIds,
    titles: productIds.map((id) => byId.get(id)?.title ?? `Product ${id}`),
    imageUrls: productIds.map((id) => byId.get(id)?.imageUrl ?? null),
  });
  const out: Suggestion[] = [];
  const { stats } = input;
  if (!stats) return out;

  const bundles: BundleSuggestion[] = suggestBundles(
    { products: input.products, stats, orders: input.orders },
    { marginFloorBps: input.marginFloorBps },
  );
  for (const b of bundles) {
    out.push({
      key: suggestionKey.bundle(b.productIds),
      kind: "bundle",
      ...products(b.productIds),
      reason: b.reason.text,
      evidence: {
        orders: b.evidence.orders,
        support: b.evidence.support,
        confidence: b.evidence.confidence,
        lift: b.evidence.lift,
      },
      discountBps: b.discountBps,
      price: b.bundlePrice,
      margin: b.margin,
      marginPer100Orders: Math.round(b.extraMarginPer100Orders),
      costAssumed: b.items.some((i) => i.costAssumed),
    });
  }

  // Cross-sells: the strongest partner of each best seller, where the pair beats chance.
  const crossSells: Suggestion[] = [];
  for (const { productId: anchor } of popularity(stats).slice(
    0,
    CROSS_SELL_ANCHORS,
  )) {
    if (!byId.has(anchor)) continue;
    for (const e of partnersOf(stats, anchor, {
      minOrders: CROSS_SELL_MIN_ORDERS,
      limit: 3,
    })) {
      const partner = byId.get(e.productId);
      const unit = partner && offeredUnit(partner);
      if (!unit || e.lift < CROSS_SELL_MIN_LIFT) continue;
      crossSells.push({
        key: suggestionKey.cross_sell(anchor, e.productId),
        kind: "cross_sell",
        ...products([anchor, e.productId]),
        reason: boughtTogetherReason(ratioToBasisPoints(e.rawConfidence)).text,
        evidence: {
          orders: e.orders,
          support: e.support,
          confidence: e.confidence,
          lift: e.lift,
        },
        discountBps: 0,
        price: unit.price,
        margin: unit.margin,
        marginPer100Orders: Math.round(100 * e.support * unit.margin.amount),
        costAssumed: unit.assumed,
      });
    }
  }
  crossSells.sort(
    (a, b) =>
      (b.marginPer100Orders ?? 0) - (a.marginPer100Orders ?? 0) ||
      compareIds(a.key, b.key),
  );
  out.push(...crossSells.slice(0, MAX_CROSS_SELLS));

  // Upgrades: the next tier up of the products that sell, by how often the base sells.
  const tiers = buildTierTable(input.products);
  const upgrades: Suggestion[] = [];
  // Margins of the variants an upgrade compares, not of the products' first variants.
  const variantOf = (productId: string, variantId: string) =>
    byId.get(productId)?.variants.find((v) => v.id === variantId);
  for (const [fromId, upgrade] of tiers) {
    const orders = productActivity(stats, fromId).orders;
    const to = variantOf(upgrade.toProductId, upgrade.toVariantId);
    const from = variantOf(fromId, upgrade.fromVariantId);
    if (orders === 0 || !to || !from) continue;
    const toUnit = unitMargin(to);
    const fromUnit = unitMargin(from);
    // Only different products: a variant upgrade is always shown by the upgrade block already.
    if (upgrade.kind !== "sibling") continue;
    upgrades.push({
      key: suggestionKey.upgrade(fromId, upgrade.toProductId),
      kind: "upgrade",
      ...products([fromId, upgrade.toProductId]),
      reason: upgrade.reason.text,
      evidence: { orders, support: null, confidence: null, lift: null },
      discountBps: 0,
      price: upgrade.price,
      // What the upgrade adds per sale: the difference in unit margin.
      margin: {
        amount: toUnit.margin.amount - fromUnit.margin.amount,
        currency: toUnit.margin.currency,
      },
      marginPer100Orders: null,
      costAssumed: toUnit.assumed || fromUnit.assumed,
    });
  }
  upgrades.sort(
    (a, b) => b.evidence.orders - a.evidence.orders || compareIds(a.key, b.key),
  );
  out.push(...upgrades.slice(0, MAX_UPGRADES));
  return out;
}

/** Pure: drops suggestions already decided, or already present as a bundle or a rule. */
export function openSuggestions(
  all: readonly Suggestion[],
  decided: ReadonlySet<string>,
): Suggestion[] {
  return all.filter((s) => !decided.has(s.key));
}

// The engine's half depends only on the serving model: cache it per model, so the page and
// accept/dismiss actions do not recompute bundles on every request.
const cache = new Map<string, { modelId: string; all: Suggestion[] }>();

async function allSuggestions(shop: string): Promise<{
  all: Suggestion[];
  modelId: string | null;
}> {
  const [recommender, shopRow] = await Promise.all([
    recommenderFor(shop),
    prisma.shop.findUnique({
      where: { shop },
      select: { marginFloorBps: true },
    }),
  ]);
  const { modelId } = recommender;
  if (!modelId) return { all: [], modelId };
  const hit = cache.get(shop);
  if (hit?.modelId === modelId) return hit;
  const orders = await loadOrders(shop);
  const all = computeSuggestions({
    products: [...recommender.ranking.products.values()],
    stats: recommender.ranking.copurchase,
    orders,
    marginFloorBps: shopRow?.marginFloorBps ?? 2_000,
  });
  cache.set(shop, { modelId, all });
  return { all, modelId };
}

/** Keys already covered by the merchant's own bundles and pin rules. */
async function decidedKeys(shop: string): Promise<Set<string>> {
  const [decisions, bundles, rules] = await Promise.all([
    prisma.suggestionDecision.findMany({
      where: { shop },
      select: { key: true },
    }),
    prisma.bundle.findMany({
      where: { shop, status: { not: "archived" } },
      select: { productIds: true },
    }),
    prisma.upsellRule.findMany({
      where: { shop, triggerType: "product", action: "pin" },
      select: { triggerValue: true, targetProductIds: true },
    }),
  ]);
  const keys = new Set(decisions.map((d) => d.key));
  for (const b of bundles)
    keys.add(suggestionKey.bundle(parseStringList(b.productIds)));
  for (const r of rules) {
    for (const target of parseStringList(r.targetProductIds)) {
      keys.add(suggestionKey.cross_sell(r.triggerValue, target));
      keys.add(suggestionKey.upgrade(r.triggerValue, target));
    }
  }
  return keys;
}

export interface SuggestionList {
  trained: boolean;
  suggestions: Suggestion[];
  dismissed: number;
}

export async function listSuggestions(shop: string): Promise<SuggestionList> {
  const [{ all, modelId }, decided, dismissed] = await Promise.all([
    allSuggestions(shop),
    decidedKeys(shop),
    prisma.suggestionDecision.count({
      where: { shop, decision: "dismissed" },
    }),
  ]);
  return {
    trained: modelId !== null,
    suggestions: openSuggestions(all, decided),
    dismissed,
  };
}

/**
 * Looks an open suggestion up, for the edit form to prefill from. Null when the engine does not
 * make it (any more): accepted, dismissed, or never made.
 */
export async function getSuggestion(
  shop: string,
  key: string,
): Promise<Suggestion | null> {
  const { suggestions } = await listSuggestions(shop);
  return suggestions.find((s) => s.key === key) ?? null;
}

/**
 * One-click accept: a bundle becomes an active bundle at the suggested discount; a cross-sell or
 * upgrade becomes a pin rule on its product. Only suggestions the engine currently makes can be
 * accepted, so the client cannot smuggle in prices or products: null for any other key.
 */
export async function acceptSuggestion(
  shop: string,
  key: string,
): Promise<{ kind: SuggestionKind; id: string } | null> {
  const s = await getSuggestion(shop, key);
  if (!s) return null;
  const shopRow = await prisma.shop.findUnique({
    where: { shop },
    select: { marginFloorBps: true },
  });
  const accepted = await prisma.$transaction(async (tx) => {
    await tx.suggestionDecision.upsert({
      where: { shop_key: { shop, key } },
      create: { shop, key, kind: s.kind, decision: "accepted" },
      update: { decision: "accepted" },
    });
    if (s.kind === "bundle") {
      const bundle = await tx.bundle.create({
        data: {
          shop,
          title: s.titles.join(" + "),
          productIds: JSON.stringify(s.productIds),
          discountType: "percentage",
          discountValue: s.discountBps,
          marginFloorBps: shopRow?.marginFloorBps ?? 2_000,
          status: "active",
          source: "suggested",
        },
        select: { id: true },
      });
      return { kind: s.kind, id: bundle.id };
    }
    const [anchor, target] = s.productIds;
    const rule = await tx.upsellRule.create({
      data: {
        shop,
        name:
          s.kind === "upgrade"
            ? `Upgrade ${s.titles[0]} to ${s.titles[1]}`
            : `Show ${s.titles[1]} with ${s.titles[0]}`,
        triggerType: "product",
        triggerValue: anchor,
        action: "pin",
        targetProductIds: JSON.stringify([target]),
      },
      select: { id: true },
    });
    return { kind: s.kind, id: rule.id };
  });
  // The new bundle or rule serves from the next storefront request on.
  forgetServingState(shop);
  return accepted;
}

/** Accepting through the edit form: the merchant's own bundle replaces the suggestion. */
export async function markAccepted(
  shop: string,
  key: string,
  kind: SuggestionKind,
): Promise<void> {
  await prisma.suggestionDecision.upsert({
    where: { shop_key: { shop, key } },
    create: { shop, key, kind, decision: "accepted" },
    update: { decision: "accepted" },
  });
}

/** False when the suggestion is not open. */
export async function dismissSuggestion(
  shop: string,
  key: string,
): Promise<boolean> {
  const s = await getSuggestion(shop, key);
  if (!s) return false;
  await prisma.suggestionDecision.upsert({
    where: { shop_key: { shop, key } },
    create: { shop, key, kind: s.kind, decision: "dismissed" },
    update: { decision: "dismissed" },
  });
  return true;
}

/** Brings every dismissed suggestion back. */
export async function restoreDismissed(shop: string): Promise<number> {
  const { count } = await prisma.suggestionDecision.deleteMany({
    where: { shop, decision: "dismissed" },
  });
  return count;
}
