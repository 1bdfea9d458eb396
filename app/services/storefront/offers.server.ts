import prisma from "~/db.server";
import { parseStringList } from "~/services/platform/string-list";
import { cachedForShop } from "./serving-cache.server";
import { bundleReason } from "~/engine/reasons";
import { defaultVariant, upgradeOptions } from "~/engine/tiers";
import type { Placement } from "~/engine/types";
import { signOfferToken } from "~/services/measurement/attribution.server";
import { recommenderFor } from "~/services/model/model.server";
import { placementSettings, recommend } from "./recommendations.server";

// What a storefront block needs, in shop terms: which products and variants to show, why, and
// the signed token of each offer. Prices are deliberately absent: the block's Liquid reads them
// from Shopify's variant objects, in the shopper's presentment currency (decision 007).

export type StorefrontPlacement = Extract<
  Placement,
  "product_fbt" | "product_upgrade" | "cart" | "drawer"
>;

export interface StorefrontItem {
  productId: string;
  variantId: string;
  handle: string;
  /** Shopper-facing reason with no money in it; empty when reasons are hidden. */
  reason: string;
  token: string;
}

export interface StorefrontUpgrade {
  item: StorefrontItem;
  fromVariantId: string;
  /** "double the storage": the engine's price-free half of the upgrade reason. */
  benefit: string;
  /** Option rows that differ; the price row is rendered from presentment prices instead. */
  differences: { attribute: string; from: string; to: string }[];
}

export interface StorefrontBundle {
  discountType: "percentage" | "fixed_amount";
  /** Basis points for percentage, minor units of `currency` for fixed_amount. */
  discountValue: number;
  currency: string;
}

export interface StorefrontOffers {
  placement: StorefrontPlacement;
  /** The product page's product, for product placements. */
  anchor: { productId: string; handle: string } | null;
  items: StorefrontItem[];
  upgrade: StorefrontUpgrade | null;
  bundle: StorefrontBundle | null;
  /** The visitor is in a running experiment on this placement (hold-out included). */
  experiment: boolean;
}

export interface StorefrontRequest {
  placement: StorefrontPlacement;
  productId?: string;
  variantId?: string;
  cart: string[];
  limit?: number;
  showReasons: boolean;
  /** Pseudonymous visitor key (attribution.server visitorKey): experiments and learned counts. */
  visitorKey?: string;
}

const HANDLE = /^[a-z0-9][a-z0-9-]{0,254}$/;

export async function storefrontOffers(
  shop: string,
  request: StorefrontRequest,
  now = new Date(),
): Promise<StorefrontOffers> {
  const { placement, productId } = request;
  const [result, recommender, bundle] = await Promise.all([
    recommend(shop, {
      placement,
      context: productId
        ? { type: "product", productId, variantId: request.variantId }
        : { type: "cart", productIds: request.cart },
      limit: request.limit,
      visitorKey: request.visitorKey,
    }),
    recommenderFor(shop),
    placement === "product_fbt" && productId
      ? activeBundle(shop, productId, now)
      : null,
  ]);
  const products = recommender.ranking.products;
  const modelId = result.modelId ?? "";
  const strategy = result.settings.strategy;
  const token = (productId: string, kind: string, strategyName = strategy) =>
    signOfferToken(
      shop,
      {
        placement,
        strategy: strategyName,
        kind,
        productId,
        modelId,
        arm: result.policy.tokenArm,
      },
      now,
    );
  const anchorProduct = productId ? products.get(productId) : undefined;
  const anchor =
    anchorProduct && HANDLE.test(anchorProduct.handle)
      ? { productId: anchorProduct.id, handle: anchorProduct.handle }
      : null;
  const empty: StorefrontOffers = {
    placement,
    anchor,
    items: [],
    upgrade: null,
    bundle: null,
    experiment: result.policy.armId !== null,
  };
  // The hold-out sees no widget at all, merchant bundles included (issue 7).
  if (!result.settings.enabled || result.policy.holdout) return empty;
  const reason = (text: string) => (request.showReasons ? text : "");

  if (bundle && anchor) {
    // A merchant bundle with this product replaces the engine's picks: its discount only
    // applies when exactly these products are bought together.
    const items = bundle.productIds
      .filter((id) => id !== anchor.productId)
      .map((id) => {
        const product = products.get(id);
        const variant = product && defaultVariant(product);
        return product && variant && HANDLE.test(product.handle)
          ? {
              productId: id,
              variantId: variant.id,
              handle: product.handle,
              reason: reason(
                bundleReason(
                  bundle.discountType === "percentage"
                    ? bundle.discountValue
                    : 0,
                  bundle.productIds.length,
                ),
              ),
              token: token(id, "bundle", "bundle"),
            }
          : null;
      });
    if (items.length > 0 && items.every((i) => i !== null))
      return {
        ...empty,
        items: items as StorefrontItem[],
        bundle: {
          discountType: bundle.discountType,
          discountValue: bundle.discountValue,
          currency: bundle.currency,
        },
      };
  }

  const items = result.offers
    .filter((o) => HANDLE.test(o.handle))
    .map((o) => ({
      productId: o.productId,
      variantId: o.variantId,
      handle: o.handle,
      reason: o.kind === "upsell" ? "" : reason(o.reason),
      token: token(o.productId, o.kind),
    }));

  if (placement === "product_upgrade" && productId && items[0]) {
    const settings = await placementSettings(shop, placement);
    const upgrade = upgradeOptions(
      recommender.ranking.tiers,
      productId,
      request.variantId,
      { maxIncreaseBps: settings.priceBandPct * 100 },
    ).find((u) => u.toVariantId === items[0].variantId);
    if (!upgrade) return empty;
    return {
      ...empty,
      items: [items[0]],
      upgrade: {
        item: items[0],
        fromVariantId: upgrade.fromVariantId,
        benefit: request.showReasons ? upgrade.benefit : "",
        differences: upgrade.differences.filter((d) => d.attribute !== "Price"),
      },
    };
  }
  return { ...empty, items };
}

interface ActiveBundle {
  productIds: string[];
  discountType: "percentage" | "fixed_amount";
  discountValue: number;
  currency: string;
}

/** The newest active merchant bundle containing the product, if any. */
async function activeBundle(
  shop: string,
  productId: string,
  now: Date,
): Promise<ActiveBundle | null> {
  const { bundles, currency } = await activeBundles(shop);
  for (const bundle of bundles) {
    const ids = bundle.productIds;
    if (
      (bundle.startsAt === null || bundle.startsAt <= now) &&
      (bundle.endsAt === null || bundle.endsAt > now) &&
      ids.includes(productId) &&
      (bundle.discountType === "percentage" ||
        bundle.discountType === "fixed_amount")
    )
      return {
        productIds: ids,
        discountType: bundle.discountType,
        discountValue: bundle.discountValue,
        currency,
      };
  }
  return null;
}

/**
 * The shop's active bundles, newest first, with their schedules (filtered per request, so a
 * bundle starts and ends on time), and the shop currency: cached per shop for a few seconds.
 */
function activeBundles(shop: string) {
  return cachedForShop(shop, "bundles", async () => {
    const [bundles, shopRow] = await Promise.all([
      prisma.bundle.findMany({
        where: { shop, status: "active" },
        orderBy: { updatedAt: "desc" },
        select: {
          productIds: true,
          discountType: true,
          discountValue: true,
          startsAt: true,
          endsAt: true,
        },
      }),
      prisma.shop.findUnique({ where: { shop }, select: { currency: true } }),
    ]);
    return {
      bundles: bundles.map((b) => ({
        ...b,
        productIds: parseStringList(b.productIds),
      })),
      currency: shopRow?.currency ?? "USD",
    };
  });
}
