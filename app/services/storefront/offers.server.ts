import prisma from "~/db.server";
import { parseStringList } from "~/services/platform/string-list";
import { cachedForShop } from "./serving-cache.server";
import type {
  MerchantBundle,
  Placement,
  Reason,
  TierDifference,
} from "~/engine/types";
import {
  type LazyVisitorKey,
  type OfferAttribution,
  offerTokenFields,
  signTokenFields,
} from "~/services/measurement/attribution.server";
import { recommenderFor } from "~/services/model/model.server";
import {
  type RecommendationResult,
  type ShownOffer,
  answerView,
  recommend,
} from "./recommendations.server";
import { offersLiquid } from "./liquid";
import { costFloorPrice } from "../../../extensions/cartlift-bundle-discount/src/unit-discount";

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
  /** Shopper-facing reason with no money in it; null when reasons are hidden. */
  reason: Reason | null;
  token: string;
}

export interface StorefrontUpgrade {
  item: StorefrontItem;
  fromVariantId: string;
  /**
   * "+$20 for double the storage", null when reasons are hidden: the Liquid replaces its
   * shop-currency amount with the presentment one.
   */
  reason: Reason | null;
  /** Option rows that differ; the price row is rendered from presentment prices instead. */
  differences: TierDifference[];
}

/** A merchant bundle with what the storefront needs to say what checkout will take off. */
export interface StorefrontBundle extends MerchantBundle {
  marginFloorBps: number;
  /**
   * The lowest price the margin floor allows for each variant with a recorded cost, in minor
   * units of the shop currency, by product id then variant id: the discount Function's own floor.
   */
  minimumPrices: Record<string, Record<string, number>>;
}

export interface StorefrontOffers {
  placement: StorefrontPlacement;
  /**
   * The product page's product, for product placements, and the variant the shopper has chosen
   * (null when the request named none of the product's variants: the Liquid then takes the
   * first available one).
   */
  anchor: {
    productId: string;
    handle: string;
    variantId: string | null;
  } | null;
  items: StorefrontItem[];
  upgrade: StorefrontUpgrade | null;
  bundle: StorefrontBundle | null;
}

export interface StorefrontRequest {
  placement: StorefrontPlacement;
  productId?: string;
  variantId?: string;
  cart: string[];
  limit?: number;
  showReasons: boolean;
  /**
   * Pseudonymous visitor key (attribution.server visitorKey), or how to compute it: experiments
   * and learned counts, which compute it only when they read it.
   */
  visitorKey?: LazyVisitorKey;
  /** The signed-in customer's pseudonymous key: their own orders shape the offers. */
  customerKey?: string;
  /**
   * The language of the storefront's locale as the Liquid would choose it (liquid.ts
   * liquidLanguage): the answer's words in it alone. Absent: in every language, the Liquid
   * choosing.
   */
  language?: string;
}

export interface StorefrontAnswer {
  /** The placement's Liquid fragment (liquid.ts), empty when there is nothing to show. */
  liquid: string;
  /** Whether the ranking came from the answer memo (answer-memo.server.ts). */
  memo: RecommendationResult["memo"];
  /** The visitor is in a running experiment on this placement (hold-out included). */
  experiment: boolean;
}

/** What an offer's token says but the visitor's arm and the time (attribution.server.ts). */
type TokenFields = Omit<OfferAttribution, "arm" | "issuedAt">;

/**
 * A placement's Liquid cut where the offers' tokens go: `parts` around the holes, and for each
 * hole the offer whose token fills it, as an index in `offers` (each offer's token fields,
 * `offerTokenFields`, checked and written once).
 */
interface AnswerTemplate {
  parts: string[];
  holes: number[];
  offers: string[];
}

/**
 * One placement's answer as Liquid. Of all it shows, only the offers' tokens depend on the
 * visitor (their experiment arm) and the time: the rest is rendered once for a ranking the answer
 * memo keeps, and kept beside it with holes for the tokens, which each request signs afresh.
 */
export async function storefrontAnswer(
  shop: string,
  request: StorefrontRequest,
  now = new Date(),
): Promise<StorefrontAnswer> {
  const ranked = await rankedOffers(shop, request, now);
  const { result } = ranked;
  const sign = (fields: string) =>
    signTokenFields(shop, fields, result.policy.tokenArm, now);
  // The Liquid also depends on whether reasons show (the placement's setting and the block's)
  // and on its language ("*": every language).
  const name = `liquid ${result.settings.showReasons} ${request.showReasons} ${request.language ?? "*"}`;
  const template = answerView(result, name, () => {
    const signed: { fields: string; token: string }[] = [];
    const offers = storefrontOffers(ranked, request, (offer) => {
      const fields = offerTokenFields(offer);
      const token = sign(fields);
      signed.push({ fields, token });
      return token;
    });
    return withHoles(offersLiquid(offers, request.language ?? null), signed);
  });
  const tokens = template.offers.map(sign);
  let liquid = template.parts[0];
  for (let i = 0; i < template.holes.length; i++)
    liquid += tokens[template.holes[i]] + template.parts[i + 1];
  return {
    liquid,
    memo: result.memo,
    experiment: result.policy.armId !== null,
  };
}

/**
 * Cuts rendered Liquid at each of the tokens written into it. A token is made of
 * `[A-Za-z0-9_:~.-]`, which the Liquid writes as it is (escapeText changes none of them), and ends
 * with its own 128-bit MAC: it occurs only where it was written, and no token is part of another.
 */
function withHoles(
  liquid: string,
  signed: { fields: string; token: string }[],
): AnswerTemplate {
  const index = new Map(signed.map(({ token }, i) => [token, i]));
  if (index.size === 0) return { parts: [liquid], holes: [], offers: [] };
  const pattern = [...index.keys()]
    .map((t) => t.replaceAll(".", "\\."))
    .join("|");
  const pieces = liquid.split(new RegExp(`(${pattern})`));
  return {
    parts: pieces.filter((_, i) => i % 2 === 0),
    holes: pieces.filter((_, i) => i % 2 === 1).map((t) => index.get(t)!),
    offers: signed.map(({ fields }) => fields),
  };
}

// The Liquid looks products up as all_products['handle']: a product with any other handle is
// never shown.
const HANDLE = /^[a-z0-9][a-z0-9-]{0,254}$/;

/** One placement's ranking (from the answer memo when it has it) and what its offers show. */
async function rankedOffers(
  shop: string,
  request: StorefrontRequest,
  now: Date,
) {
  const { placement, productId } = request;
  const [recommender, bundle] = await Promise.all([
    recommenderFor(shop),
    placement === "product_fbt" && productId
      ? activeBundle(shop, productId, now)
      : null,
  ]);
  const products = recommender.ranking.products;
  const linkable = (id: string) => HANDLE.test(products.get(id)?.handle ?? "");
  const result = await recommend(shop, {
    placement,
    context: productId
      ? { type: "product", productId, variantId: request.variantId }
      : { type: "cart", productIds: request.cart },
    limit: request.limit,
    visitorKey: request.visitorKey,
    customerKey: request.customerKey,
    // A bundle the block cannot show whole would be sold as less than it is.
    bundle: bundle?.productIds.every(linkable) ? bundle : undefined,
  });
  return { result, products, bundle, linkable };
}

/** The ranked offers as the storefront block shows them, each with its token from `sign`. */
function storefrontOffers(
  {
    result,
    products,
    bundle,
    linkable,
  }: Awaited<ReturnType<typeof rankedOffers>>,
  request: StorefrontRequest,
  sign: (offer: TokenFields) => string,
): StorefrontOffers {
  const { placement, productId } = request;
  const offered = result.offers.filter((o) => linkable(o.productId));
  const bundled = offered[0]?.kind === "bundle" ? bundle : null;
  const item = (offer: ShownOffer): StorefrontItem => ({
    productId: offer.productId,
    variantId: offer.variantId,
    handle: products.get(offer.productId)!.handle,
    // An upsell's reason has a base-currency price in it: the Liquid rebuilds it (decision 007).
    reason:
      request.showReasons && offer.kind !== "upsell" ? offer.reason : null,
    token: sign({
      placement,
      strategy: bundled ? "bundle" : result.settings.strategy,
      kind: offer.kind,
      productId: offer.productId,
      modelId: result.modelId ?? "",
    }),
  });
  const anchorProduct =
    productId && linkable(productId) ? products.get(productId)! : null;
  const anchor = anchorProduct && {
    productId: anchorProduct.id,
    handle: anchorProduct.handle,
    variantId:
      anchorProduct.variants.find((v) => v.id === request.variantId)?.id ??
      null,
  };
  const empty: StorefrontOffers = {
    placement,
    anchor,
    items: [],
    upgrade: null,
    bundle: null,
  };
  if (placement !== "product_upgrade")
    return { ...empty, items: offered.map(item), bundle: bundled };

  const [first] = offered;
  if (!first?.upgrade) return empty;
  const shown = item(first);
  return {
    ...empty,
    items: [shown],
    upgrade: {
      item: shown,
      fromVariantId: first.upgrade.fromVariantId,
      reason: request.showReasons ? first.reason : null,
      differences: first.upgrade.differences.filter(
        (d) => d.attribute !== "Price",
      ),
    },
  };
}

/** The newest active merchant bundle containing the product, if any. */
async function activeBundle(
  shop: string,
  productId: string,
  now: Date,
): Promise<StorefrontBundle | null> {
  const { bundles, currency, costs } = await activeBundles(shop);
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
        marginFloorBps: bundle.marginFloorBps,
        minimumPrices: minimumPrices(ids, costs, bundle.marginFloorBps),
      };
  }
  return null;
}

/** StorefrontBundle.minimumPrices from the variants' recorded costs. */
export function minimumPrices(
  productIds: readonly string[],
  costs: readonly { id: string; productId: string; costMinor: number | null }[],
  marginFloorBps: number,
): StorefrontBundle["minimumPrices"] {
  return Object.fromEntries(
    productIds.map((id) => [
      id,
      Object.fromEntries(
        costs
          .filter((c) => c.productId === id && c.costMinor !== null)
          .map((c) => [c.id, costFloorPrice(c.costMinor!, marginFloorBps)]),
      ),
    ]),
  );
}

/**
 * The shop's active bundles, newest first, with their schedules (filtered per request, so a
 * bundle starts and ends on time), the shop currency and the recorded costs of the bundles'
 * variants: cached per shop for a few seconds.
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
          marginFloorBps: true,
          startsAt: true,
          endsAt: true,
        },
      }),
      prisma.shop.findUnique({ where: { shop }, select: { currency: true } }),
    ]);
    const parsed = bundles.map((b) => ({
      ...b,
      productIds: parseStringList(b.productIds),
    }));
    const costs = await prisma.variant.findMany({
      where: {
        shop,
        productId: { in: [...new Set(parsed.flatMap((b) => b.productIds))] },
        costMinor: { not: null },
      },
      select: { id: true, productId: true, costMinor: true },
    });
    return {
      bundles: parsed,
      currency: shopRow?.currency ?? "USD",
      costs,
    };
  });
}
