import { createHmac, timingSafeEqual } from "node:crypto";
import type { Prisma } from "@prisma/client";
import { z } from "zod";
import prisma, { isUniqueViolation } from "~/db.server";
import { env } from "~/env.server";
import { InvalidAmountError, decimalToMinor } from "~/engine/money";
import {
  SharedRateLimiter,
  allowClient,
} from "~/services/platform/rate-limit.server";
import {
  VISITOR_ID,
  verifyOfferToken,
  visitorKey,
} from "~/services/measurement/attribution.server";
import { attributeCheckoutVisitors } from "~/services/measurement/checkout-visitors.server";

// Customer events from the web pixel (extensions/cartlift-pixel). The pixel runs in Shopify's
// strict sandbox and posts straight to the app, not through the signed app proxy, so a request
// proves its shop with the pixel key the app wrote into the pixel's settings on install
// (webPixelCreate): an HMAC of the shop with the app secret, which no other shop's pixel holds.
// Pixel events are evidence for attribution, never a sale of their own (decision 025).

export const MAX_PIXEL_BODY_BYTES = 32 * 1024;
export const MAX_PIXEL_EVENTS = 20;
export const MAX_PIXEL_LINES = 100;

export const PIXEL_EVENT_TYPES = [
  "product_viewed",
  "product_added_to_cart",
  "cart_viewed",
  "checkout_completed",
] as const;

/** The key the shop's pixel sends with its events (128 bits of HMAC, base64url). */
export function pixelKey(shop: string): string {
  return createHmac("sha256", env.SHOPIFY_API_SECRET)
    .update(`${shop}\npixel`)
    .digest()
    .subarray(0, 16)
    .toString("base64url");
}

function validKey(shop: string, key: string): boolean {
  const given = Buffer.from(key);
  const expected = Buffer.from(pixelKey(shop));
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const NumericId = z.string().regex(/^\d{1,20}$/, "must be a numeric id");
/** Shopify's amounts as the pixel read them (MoneyV2.amount), stored in minor units here. */
const Amount = z
  .string()
  .regex(/^\d{1,15}(\.\d{1,6})?$/, "must be a non-negative decimal amount");

export const PixelBatch = z.strictObject({
  shop: z
    .string()
    .regex(
      /^[a-z0-9][a-z0-9-]{0,60}\.myshopify\.com$/,
      "must be a shop domain",
    ),
  key: z.string().min(1).max(64),
  /** Shopify's client id of the browser (event.clientId). */
  client: z.string().regex(VISITOR_ID, "must be Shopify's client id"),
  /** The storefront script's visitor id, when the shopper's browser has one (decision 016). */
  visitor: z.string().regex(VISITOR_ID, "must be a visitor id").optional(),
  events: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[A-Za-z0-9_:.-]{1,100}$/, "must be an event id"),
        name: z.enum(PIXEL_EVENT_TYPES),
        currency: z.string().regex(/^[A-Z]{3}$/, "must be an ISO currency"),
        order: NumericId.optional(),
        lines: z
          .array(
            z.strictObject({
              product: NumericId.optional(),
              variant: NumericId.optional(),
              quantity: z.number().int().min(0).max(1_000_000),
              amount: Amount,
              token: z.string().min(1).max(512).optional(),
            }),
          )
          .max(MAX_PIXEL_LINES),
      }),
    )
    .min(1)
    .max(MAX_PIXEL_EVENTS),
});
export type PixelBatch = z.infer<typeof PixelBatch>;

export class InvalidPixelEventsError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid pixel events: ${issues.join("; ")}`);
  }
}

/** The request's key does not belong to its shop, or the shop is not installed. */
export class UnknownPixelError extends Error {}

/** Validated and authenticated, not yet stored. */
export interface VerifiedPixelBatch {
  batch: PixelBatch;
  rows: Prisma.PixelEventCreateManyInput[];
}

/**
 * Checks a batch completely before anything is written: its shape (zod), its amounts, and its
 * key. Offer tokens that do not verify for the shop and the line's product are dropped, not
 * refused: shoppers can edit line properties, and their purchase is still an event.
 */
export async function verifyPixelBatch(
  body: unknown,
  now = new Date(),
): Promise<VerifiedPixelBatch> {
  const parsed = PixelBatch.safeParse(body);
  if (!parsed.success)
    throw new InvalidPixelEventsError(
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
    );
  const batch = parsed.data;
  const { shop } = batch;
  if (!validKey(shop, batch.key)) throw new UnknownPixelError();
  const rows: Prisma.PixelEventCreateManyInput[] = [];
  const seen = new Set<string>();
  const clientKey = visitorKey(shop, `pixel:${batch.client}`);
  const visitor = batch.visitor ? visitorKey(shop, batch.visitor) : null;
  batch.events.forEach((event, e) => {
    if (seen.has(event.id)) return;
    seen.add(event.id);
    event.lines.forEach((line, i) => {
      let amountMinor: number;
      try {
        amountMinor = decimalToMinor(line.amount, event.currency);
      } catch (error) {
        if (!(error instanceof InvalidAmountError)) throw error;
        throw new InvalidPixelEventsError([
          `events.${e}.lines.${i}.amount: ${error.message}`,
        ]);
      }
      const offer = line.token ? verifyOfferToken(shop, line.token) : null;
      rows.push({
        shop,
        eventId: event.id,
        line: i,
        type: event.name,
        visitorKey: visitor,
        clientKey,
        productId: line.product ?? null,
        variantId: line.variant ?? null,
        quantity: line.quantity,
        amountMinor,
        currency: event.currency,
        offerToken:
          offer && offer.productId === line.product ? line.token : null,
        orderId: event.order ?? null,
        createdAt: now,
      });
    });
  });
  const installed = await prisma.shop.findUnique({
    where: { shop },
    select: { shop: true },
  });
  if (!installed) throw new UnknownPixelError();
  return { batch, rows };
}

/**
 * Stores the lines of events not stored before (Shopify may deliver an event twice; the pixel
 * resends after a network error), then lets a new `checkout_completed` name the visitor of its
 * order if the order is already stored without one. Returns how many events were new.
 */
export async function storePixelEvents(
  shop: string,
  rows: readonly Prisma.PixelEventCreateManyInput[],
): Promise<number> {
  const ids = [...new Set(rows.map((r) => r.eventId))];
  for (let attempt = 0; ; attempt++) {
    const stored = await prisma.pixelEvent.findMany({
      where: { shop, eventId: { in: ids } },
      select: { eventId: true },
      distinct: ["eventId"],
    });
    const known = new Set(stored.map((s) => s.eventId));
    const fresh = rows.filter((r) => !known.has(r.eventId));
    if (fresh.length === 0) return 0;
    try {
      await prisma.pixelEvent.createMany({ data: fresh });
      await attributeCheckoutVisitors(shop, [
        ...new Set(
          fresh.flatMap((r) =>
            r.type === "checkout_completed" && r.orderId && r.visitorKey
              ? [r.orderId]
              : [],
          ),
        ),
      ]);
      return new Set(fresh.map((r) => r.eventId)).size;
    } catch (error) {
      // The same event stored by a concurrent request: read again and skip it.
      if (!isUniqueViolation(error) || attempt > 0) throw error;
    }
  }
}

/** A pixel sends an event per page or cart change: 30 batches in 20 s per browser. */
const perBrowser = new SharedRateLimiter(30, 20_000);
/** Per shop: room for the busiest storefront (1,000 batches a second), not for a flood. */
const perShop = new SharedRateLimiter(10_000, 10_000);

/** Per Shopify client id, per client address, and per shop. */
export function allowPixelBatch(
  shop: string,
  client: string,
  address: string | null,
  now = Date.now(),
): boolean {
  return (
    perBrowser.take(shop, `pixel:${client}`, now) &&
    allowClient(shop, address, now) &&
    perShop.take(shop, "pixel", now)
  );
}
