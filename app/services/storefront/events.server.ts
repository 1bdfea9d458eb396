import { z } from "zod";
import prisma from "~/db.server";
import {
  SharedRateLimiter,
  allowClient,
} from "~/services/platform/rate-limit.server";
import {
  VISITOR_ID,
  verifyOfferToken,
  visitorKey,
} from "~/services/measurement/attribution.server";

// Storefront events (impression, click, add) arrive in small batches from navigator.sendBeacon,
// which posts text/plain. Everything about an offer (placement, offered product) is taken from
// its signed token, so a shopper can send events only about offers Cartlift really showed them.

export const MAX_EVENT_BODY_BYTES = 16 * 1024;
export const MAX_EVENTS_PER_BATCH = 50;

const ProductId = z.string().regex(/^\d{1,20}$/, "must be a numeric id");

export const EventBatch = z.strictObject({
  visitor: z.string().regex(VISITOR_ID, "must be a pseudonymous visitor id"),
  events: z
    .array(
      z.strictObject({
        type: z.enum(["impression", "click", "add"]),
        token: z.string().min(1).max(512),
        /** The page's product (product placements), for context. */
        product_id: ProductId.optional(),
      }),
    )
    .min(1)
    .max(MAX_EVENTS_PER_BATCH),
});
export type EventBatch = z.infer<typeof EventBatch>;

export class InvalidEventsError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid events: ${issues.join("; ")}`);
  }
}

/**
 * Validates a whole batch and stores it, or stores nothing: one bad event (malformed, or a token
 * not signed for this shop) rejects the batch, so a client bug is visible rather than half-counted.
 */
export async function recordEvents(
  shop: string,
  body: unknown,
  now = new Date(),
): Promise<number> {
  const parsed = EventBatch.safeParse(body);
  if (!parsed.success)
    throw new InvalidEventsError(
      parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`),
    );
  const { visitor, events } = parsed.data;
  const rows = events.map((event, i) => {
    const offer = verifyOfferToken(shop, event.token);
    if (!offer)
      throw new InvalidEventsError([`events.${i}.token: invalid offer token`]);
    return {
      shop,
      type: event.type,
      placement: offer.placement,
      productId: event.product_id ?? null,
      offerProductId: offer.productId,
      visitorKey: visitorKey(shop, visitor),
      offerToken: event.token,
      createdAt: now,
    };
  });
  await prisma.event.createMany({ data: rows });
  return rows.length;
}

/** A visitor sends a batch every few seconds at most; 10 in 20 s covers page changes. */
const perVisitor = new SharedRateLimiter(10, 20_000);
/** Per shop: room for the busiest storefront (1,000 batches a second), not for a flood. */
const perShop = new SharedRateLimiter(10_000, 10_000);

/**
 * Whether a batch may be stored: per visitor id, per client address (a client rotating visitor
 * ids still has one address), and per shop.
 */
export function allowEventBatch(
  shop: string,
  visitor: string,
  address: string | null,
  now = Date.now(),
): boolean {
  return (
    perVisitor.take(shop, `visitor:${visitor}`, now) &&
    allowClient(shop, address, now) &&
    perShop.take(shop, "events", now)
  );
}
