import { randomUUID } from "node:crypto";
import { z } from "zod";
import prisma from "~/db.server";
import { env } from "~/env.server";
import {
  type OfferTerms,
  checkRequestedChanges,
  changeDiscount,
  discountedPriceMinor,
  offeredChanges,
  postPurchaseDiscountBps,
  postPurchaseQuantityBounds,
} from "~/engine/post-purchase";
import type {
  AddVariantChange,
  PostPurchaseOfferPayload,
} from "../../../extensions/cartlift-post-purchase/src/contract";
import type { OrderLineRef } from "~/engine/types";
import { recommend } from "~/services/storefront/recommendations.server";
import { checkoutKey } from "~/services/measurement/attribution.server";
import { signJwt } from "~/services/platform/jwt.server";
import {
  reasonIn,
  shopperLanguage,
} from "~/services/platform/shopper-messages";

/** How long after the offer was made the buyer can still accept it. */
export const OFFER_TTL_MS = 60 * 60 * 1000;

export type PostPurchaseErrorCode =
  | "token_mismatch"
  | "unknown_offer"
  | "already_accepted"
  | "offer_expired"
  | "changes_not_offered";

const STATUS: Record<PostPurchaseErrorCode, number> = {
  token_mismatch: 403,
  unknown_offer: 404,
  already_accepted: 409,
  offer_expired: 410,
  changes_not_offered: 422,
};

/** A refusal the endpoint turns into a 4xx; nothing has been signed when it is thrown. */
export class PostPurchaseError extends Error {
  readonly status: number;
  constructor(
    readonly code: PostPurchaseErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "PostPurchaseError";
    this.status = STATUS[code];
  }
}

/**
 * What the verified checkout token says about the order. Shopify's post-purchase token carries the
 * extension's input under `input_data` (shop and initial purchase); when present it is the truth,
 * and the request body may not contradict it.
 */
const CheckoutTokenPayload = z.object({
  aud: z.union([z.string(), z.array(z.string())]).optional(),
  dest: z.string().optional(),
  input_data: z
    .object({
      shop: z.object({ domain: z.string().min(1) }).optional(),
      initialPurchase: z
        .object({
          referenceId: z.string().min(1),
          lineItems: z
            .array(
              z.object({
                product: z.object({
                  id: z.union([z.number(), z.string()]),
                  variant: z
                    .object({ id: z.union([z.number(), z.string()]) })
                    .optional(),
                }),
                quantity: z.number().int().positive().optional(),
              }),
            )
            .optional(),
        })
        .optional(),
    })
    .optional(),
});

export interface CheckoutTokenContext {
  shop: string;
  referenceId: string | null;
  productIds: string[] | null;
  /** The order's lines (variant and quantity) when the token has them: they set its value. */
  lines: OrderLineRef[] | null;
}

export function checkoutTokenContext(payload: unknown): CheckoutTokenContext {
  const parsed = CheckoutTokenPayload.safeParse(payload);
  const data = parsed.success ? parsed.data : {};
  // The library checks the signature of checkout tokens but skips their audience; Shopify issues
  // them to the app's API key, so a token for any other audience is refused here.
  const audience = [data.aud ?? []].flat();
  if (audience.length !== 1 || audience[0] !== env.SHOPIFY_API_KEY)
    throw new PostPurchaseError(
      "token_mismatch",
      "The checkout token is not for this app",
    );
  const shop =
    data.input_data?.shop?.domain ??
    (data.dest
      ? data.dest.replace(/^https?:\/\//, "").replace(/\/.*$/, "")
      : "");
  if (!/^[a-z0-9][a-z0-9-]*\.myshopify\.com$/.test(shop))
    throw new PostPurchaseError(
      "token_mismatch",
      "The checkout token names no shop",
    );
  const purchase = data.input_data?.initialPurchase;
  const lines =
    purchase?.lineItems?.map(({ product, quantity }): OrderLineRef => ({
      productId: String(product.id),
      ...(product.variant ? { variantId: String(product.variant.id) } : {}),
      quantity: quantity ?? 1,
    })) ?? null;
  return {
    shop,
    referenceId: purchase?.referenceId ?? null,
    productIds: lines?.map((line) => line.productId) ?? null,
    lines,
  };
}

function assertSameReference(token: CheckoutTokenContext, referenceId: string) {
  if (token.referenceId !== null && token.referenceId !== referenceId)
    throw new PostPurchaseError(
      "token_mismatch",
      "The reference id is not the one in the checkout token",
    );
}

type OfferRow = {
  referenceId: string;
  productId: string;
  variantId: string;
  minQuantity: number;
  maxQuantity: number;
  priceMinor: number;
  currency: string;
  discountBps: number;
  reason: string;
  createdAt: Date;
  signedAt: Date | null;
};

const OFFER_SELECT = {
  referenceId: true,
  productId: true,
  variantId: true,
  minQuantity: true,
  maxQuantity: true,
  priceMinor: true,
  currency: true,
  discountBps: true,
  reason: true,
  createdAt: true,
  signedAt: true,
} as const;

async function payload(
  shop: string,
  row: OfferRow,
  language: string,
): Promise<PostPurchaseOfferPayload> {
  const variant = await prisma.variant.findUnique({
    where: { shop_id: { shop, id: row.variantId } },
    select: {
      title: true,
      product: { select: { title: true, imageUrl: true } },
    },
  });
  return {
    referenceId: row.referenceId,
    productId: row.productId,
    variantId: row.variantId,
    title: variant?.product.title ?? "",
    variantTitle: variant?.title ?? "",
    imageUrl: variant?.product.imageUrl ?? null,
    reason: row.reason,
    currency: row.currency,
    priceMinor: row.priceMinor,
    discountedPriceMinor: discountedPriceMinor(row.priceMinor, row.discountBps),
    discount: changeDiscount(row.discountBps, language) ?? null,
    minQuantity: row.minQuantity,
    maxQuantity: row.maxQuantity,
  };
}

/**
 * The offer for the order `referenceId`: the engine's best post-purchase offer for the order's
 * products (placement settings, rules, exclusions and stock applied by `recommend`), with a
 * discount capped by the margin floor, stored so that only it can be signed. Asking again for the
 * same order returns the same offer (the extension may reload); after acceptance it is refused.
 */
export async function makePostPurchaseOffer(
  token: CheckoutTokenContext,
  body: { referenceId: string; productIds: string[]; locale?: string },
): Promise<PostPurchaseOfferPayload | null> {
  assertSameReference(token, body.referenceId);
  const { shop } = token;
  const language = shopperLanguage(body.locale);
  const existing = await prisma.postPurchaseOffer.findUnique({
    where: { shop_referenceId: { shop, referenceId: body.referenceId } },
    select: OFFER_SELECT,
  });
  if (existing?.signedAt)
    throw new PostPurchaseError(
      "already_accepted",
      "The offer for this order was already accepted",
    );
  if (existing) return payload(shop, existing, language);

  // The token's line items, when it has them, are what the buyer actually bought.
  const productIds = token.productIds ?? body.productIds;
  const [{ offers, settings }, shopRow] = await Promise.all([
    recommend(shop, {
      placement: "post_purchase",
      context: {
        type: "order",
        productIds,
        ...(token.lines ? { lines: token.lines } : {}),
      },
      limit: 1,
      // The experiment unit after checkout is the checkout: a running experiment on this
      // placement assigns it (and logs the exposure); a hold-out checkout gets no offer.
      visitorKey: checkoutKey(shop, body.referenceId),
    }),
    prisma.shop.findUnique({
      where: { shop },
      select: { marginFloorBps: true, postPurchaseDiscountBps: true },
    }),
  ]);
  const offer = offers[0];
  if (!offer) return null;
  const variant = await prisma.variant.findUnique({
    where: { shop_id: { shop, id: offer.variantId } },
    select: {
      priceMinor: true,
      currency: true,
      costMinor: true,
      inventoryQuantity: true,
      availableForSale: true,
    },
  });
  if (!variant) return null;
  const bounds = postPurchaseQuantityBounds(variant);
  if (!bounds) return null;
  const discountBps = postPurchaseDiscountBps({
    priceMinor: variant.priceMinor,
    costMinor: variant.costMinor,
    requestedBps: shopRow?.postPurchaseDiscountBps ?? 1000,
    marginFloorBps: shopRow?.marginFloorBps ?? 2000,
  });
  const row = await prisma.postPurchaseOffer.create({
    data: {
      shop,
      referenceId: body.referenceId,
      productId: offer.productId,
      variantId: offer.variantId,
      minQuantity: bounds.min,
      maxQuantity: bounds.max,
      priceMinor: variant.priceMinor,
      currency: variant.currency,
      discountBps,
      // Stored as the buyer reads it: the offer is made once, for one checkout in one language.
      reason: offer.reason ? reasonIn(offer.reason, language) : "",
      // The placement's strategy, as a storefront offer's token carries it, so the dashboard
      // counts the accepted offer with the others of that strategy.
      strategy: settings.strategy,
    },
    select: OFFER_SELECT,
  });
  return payload(shop, row, language);
}

export interface ChangesetClaims {
  iss: string;
  jti: string;
  iat: number;
  sub: string;
  changes: AddVariantChange[];
}

/**
 * Signs the changeset for the offer this app made for `referenceId` in the token's shop, once.
 * The changes must be that offer (variant, discount) at a quantity inside its bounds; the signed
 * changes are rebuilt from the stored offer, never copied from the request. The buyer's locale
 * (sent again, as with the offer) writes the signed discount's title in their language, which is
 * not the one the offer showed if they switched language since.
 */
export async function signPostPurchaseChangeset(
  token: CheckoutTokenContext,
  body: {
    referenceId: string;
    locale?: string;
    changes: {
      type: string;
      variantID?: number;
      quantity?: number;
      discount?: unknown;
    }[];
  },
  { now = new Date() }: { now?: Date } = {},
): Promise<{ token: string; claims: ChangesetClaims }> {
  assertSameReference(token, body.referenceId);
  const { shop } = token;
  const offer = await prisma.postPurchaseOffer.findUnique({
    where: { shop_referenceId: { shop, referenceId: body.referenceId } },
    select: OFFER_SELECT,
  });
  // Another shop's reference id finds nothing here: every lookup is scoped by the token's shop.
  if (!offer)
    throw new PostPurchaseError(
      "unknown_offer",
      "No offer was made for this order",
    );
  if (offer.signedAt)
    throw new PostPurchaseError(
      "already_accepted",
      "The offer for this order was already accepted",
    );
  if (now.getTime() - offer.createdAt.getTime() > OFFER_TTL_MS)
    throw new PostPurchaseError("offer_expired", "The offer has expired");
  const terms: OfferTerms = {
    ...offer,
    locale: shopperLanguage(body.locale),
  };
  const check = checkRequestedChanges(terms, body.changes);
  if (!check.ok)
    throw new PostPurchaseError(
      "changes_not_offered",
      `The changes are not the offer made for this order (${check.reason})`,
    );

  const claims: ChangesetClaims = {
    iss: env.SHOPIFY_API_KEY,
    jti: randomUUID(),
    iat: Math.floor(now.getTime() / 1000),
    sub: body.referenceId,
    changes: offeredChanges(terms, check.quantity),
  };
  // Claim the offer before signing: of two concurrent requests only one updates the row.
  const claimed = await prisma.postPurchaseOffer.updateMany({
    where: { shop, referenceId: body.referenceId, signedAt: null },
    data: {
      signedAt: now,
      signedJti: claims.jti,
      signedQuantity: check.quantity,
    },
  });
  if (claimed.count !== 1)
    throw new PostPurchaseError(
      "already_accepted",
      "The offer for this order was already accepted",
    );
  return { token: signJwt(claims, env.SHOPIFY_API_SECRET), claims };
}
