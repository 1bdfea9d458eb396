import { z } from "zod";
import prisma from "~/db.server";
import {
  type NextOffer,
  buildCoPurchaseLags,
  pickNextOffer,
} from "~/engine/next-offer";
import { buildReplenishment } from "~/engine/replenishment";
import {
  ORDER_ROW_SELECT,
  type OrderRow,
  toEngineOrder,
} from "~/services/replenishment/replenishment.server";
import {
  type AdminGraphql,
  type QueryOptions,
  UserErrors,
  adminQuery,
} from "~/services/platform/admin-graphql.server";
import { setMetafields } from "~/services/platform/metafields.server";

// The post-purchase sequence (docs/decisions/026-next-offer-sequence.md). After an order the
// engine picks the next offer and its due date; the pick is written at once as an app-owned order
// metafield (for the merchant's email or SMS tool) and kept as a scheduled send, which a job hands
// to Shopify Flow through the `cartlift-next-offer` trigger once it is due.

/** The trigger extension's handle (extensions/cartlift-next-offer/shopify.extension.toml). */
export const FLOW_TRIGGER_HANDLE = "cartlift-next-offer";
/** App-owned: only Cartlift writes it; Flow, Liquid and the merchant's tools read it. */
export const ORDER_METAFIELD = {
  namespace: "$app:cartlift",
  key: "next_offer",
} as const;
/** Orders this far back teach the intervals and lags. */
const HISTORY_DAYS = 730;
/** Sends handed to Flow per run; the rest wait for the next run. */
const BATCH = 50;
/** A send that failed this often is given up. */
const MAX_ATTEMPTS = 5;
/**
 * A claim this old without a result is a job that died between the claim and Flow's answer (a
 * crash, a deploy): the send may be claimed again. Far longer than one Flow call takes, so a slow
 * job is not overtaken; its late result then finds its claim gone and writes nothing.
 */
export const CLAIM_TIMEOUT_MS = 10 * 60_000;
const DAY_MS = 86_400_000;

export type SendStatus =
  | "pending"
  | "sending"
  | "sent"
  | "failed"
  | "cancelled"
  | "no_consent"
  | "uninstalled";

const orderSelect = {
  ...ORDER_ROW_SELECT,
  cancelledAt: true,
  acceptsMarketing: true,
} as const;

/** What the shop's history teaches the pick: re-order intervals and co-purchase lags. */
export interface SequenceModels {
  replenishment: ReturnType<typeof buildReplenishment>;
  lags: ReturnType<typeof buildCoPurchaseLags>;
}

export function buildSequenceModels(
  history: readonly OrderRow[],
): SequenceModels {
  const orders = history.map(toEngineOrder);
  return {
    replenishment: buildReplenishment(orders),
    lags: buildCoPurchaseLags(orders),
  };
}

/** The compute half, pure: the pick for one order, from the shop's models and the customer's past. */
export function planNextOffer(
  order: OrderRow,
  models: SequenceModels,
  customerHistory: readonly OrderRow[],
  offerable: ReadonlySet<string>,
): NextOffer | null {
  if (!order.customerKey) return null;
  const previouslyBought = new Set(
    customerHistory
      .filter((o) => o.customerKey === order.customerKey && o.id !== order.id)
      .flatMap((o) => toEngineOrder(o).lines.map((l) => l.productId)),
  );
  return pickNextOffer({
    order: toEngineOrder(order),
    previouslyBought,
    replenishment: models.replenishment,
    lags: models.lags,
    offerable: (id) => offerable.has(id),
  });
}

/**
 * Intervals and lags are long-run figures of the whole history: rebuilt at most this often per
 * shop, not at every order (an order webhook reading two years of orders would make a busy shop's
 * webhooks cost O(orders) each).
 */
const MODELS_TTL_MS = 6 * 60 * 60 * 1000;
const sequenceModelsByShop = new Map<
  string,
  { builtAt: number; models: Promise<SequenceModels> }
>();

function sequenceModels(shop: string, now: Date): Promise<SequenceModels> {
  const cached = sequenceModelsByShop.get(shop);
  if (cached && now.getTime() - cached.builtAt < MODELS_TTL_MS)
    return cached.models;
  const since = new Date(now.getTime() - HISTORY_DAYS * DAY_MS);
  const models = prisma.order
    .findMany({
      where: {
        shop,
        customerKey: { not: null },
        cancelledAt: null,
        createdAt: { gte: since, lte: now },
      },
      select: orderSelect,
    })
    .then(buildSequenceModels);
  sequenceModelsByShop.set(shop, { builtAt: now.getTime(), models });
  models.catch(() => sequenceModelsByShop.delete(shop));
  return models;
}

/** A redaction: nothing learnt from the shop's orders outlives them in this instance. */
export function forgetSequenceModels(shop: string): void {
  sequenceModelsByShop.delete(shop);
}

/** The order metafield's JSON, versioned; no personal data in it. */
export const NextOfferMetafield = z.object({
  version: z.literal(1),
  productId: z.string(),
  productTitle: z.string(),
  productHandle: z.string(),
  reason: z.enum(["replenish", "bought_next"]),
  dueAt: z.string(),
});
export type NextOfferMetafield = z.infer<typeof NextOfferMetafield>;

export interface ScheduleResult {
  status:
    "scheduled" | "no_consent" | "already_scheduled" | "cancelled" | "none";
  offer?: NextOffer;
}

/**
 * After an order is saved (orders/create or orders/updated): picks the next offer, keeps it as a
 * scheduled send and writes the order metafield. Once per order: a redelivered or updated order
 * keeps the send it has; a cancelled order's pending send is cancelled. An order that does not say
 * its buyer accepts marketing gets its pick listed as "no_consent": never sent, no metafield.
 */
export async function scheduleNextOffer(
  shop: string,
  orderId: string,
  graphql: AdminGraphql | undefined,
  now = new Date(),
  options: QueryOptions = {},
): Promise<ScheduleResult> {
  const [order, existing] = await Promise.all([
    prisma.order.findUnique({
      where: { shop_id: { shop, id: orderId } },
      select: orderSelect,
    }),
    prisma.nextOfferSend.findUnique({
      where: { shop_orderId: { shop, orderId } },
      select: { status: true },
    }),
  ]);
  if (!order?.customerKey) return { status: "none" };
  if (order.cancelledAt) {
    await prisma.nextOfferSend.updateMany({
      where: { shop, orderId, status: "pending" },
      data: { status: "cancelled" },
    });
    return { status: existing ? "cancelled" : "none" };
  }
  if (existing) return { status: "already_scheduled" };

  const [models, customerHistory] = await Promise.all([
    sequenceModels(shop, now),
    prisma.order.findMany({
      where: {
        shop,
        customerKey: order.customerKey,
        cancelledAt: null,
        createdAt: { lte: now },
      },
      select: orderSelect,
    }),
  ]);
  // Only the order's products and what follows them can be offered: those are looked up, not
  // the whole catalog.
  const candidates = new Set<string>();
  for (const { productId } of order.lines)
    if (productId !== null) {
      candidates.add(productId);
      for (const lag of models.lags[productId] ?? [])
        candidates.add(lag.productId);
    }
  const products = await prisma.product.findMany({
    where: { shop, status: "ACTIVE", id: { in: [...candidates] } },
    select: { id: true, title: true, handle: true },
  });
  const offer = planNextOffer(
    order,
    models,
    customerHistory,
    new Set(products.map((p) => p.id)),
  );
  if (!offer) return { status: "none" };

  await prisma.nextOfferSend.upsert({
    where: { shop_orderId: { shop, orderId } },
    create: {
      shop,
      orderId,
      customerKey: order.customerKey,
      productId: offer.productId,
      anchorProductId: offer.anchorProductId,
      reason: offer.reason,
      dueAt: new Date(offer.dueAt),
      status: order.acceptsMarketing ? "pending" : "no_consent",
    },
    // A concurrent delivery created it first: theirs stands.
    update: {},
  });
  if (!order.acceptsMarketing) return { status: "no_consent", offer };
  if (graphql) {
    const product = products.find((p) => p.id === offer.productId)!;
    const value: NextOfferMetafield = {
      version: 1,
      productId: `gid://shopify/Product/${offer.productId}`,
      productTitle: product.title,
      productHandle: product.handle,
      reason: offer.reason,
      dueAt: offer.dueAt,
    };
    const error = await writeOrderMetafield(graphql, orderId, value, options);
    await prisma.nextOfferSend.updateMany({
      where: { shop, orderId },
      data: error ? { lastError: error } : { metafieldWritten: true },
    });
  }
  return { status: "scheduled", offer };
}

/** Writes the order metafield; Shopify's refusal comes back as text for the admin to show. */
async function writeOrderMetafield(
  graphql: AdminGraphql,
  orderId: string,
  value: NextOfferMetafield,
  options: QueryOptions,
): Promise<string | null> {
  try {
    const userErrors = await setMetafields(
      graphql,
      [
        {
          ownerId: `gid://shopify/Order/${orderId}`,
          ...ORDER_METAFIELD,
          type: "json",
          value: JSON.stringify(value),
        },
      ],
      options,
    );
    return userErrors.length > 0
      ? `Order metafield: ${userErrors.map((e) => e.message).join("; ")}`
      : null;
  } catch (error) {
    return `Order metafield: ${error instanceof Error ? error.message : String(error)}`;
  }
}

const TRIGGER = `#graphql
  mutation CartliftFlowTrigger($handle: String!, $payload: JSON!) {
    flowTriggerReceive(handle: $handle, payload: $payload) {
      userErrors {
        field
        message
      }
    }
  }`;
const TriggerResult = z.object({
  flowTriggerReceive: z.object({ userErrors: UserErrors }),
});

/**
 * The trigger's payload as the extension declares it: reference fields by Flow's `<type>_id`
 * keys (numeric ids), custom fields by their `key`. A date field takes YYYY-MM-DD.
 */
export function triggerPayload(send: {
  orderId: string;
  productId: string;
  reason: string;
  dueAt: Date;
}) {
  return {
    order_id: Number(send.orderId),
    product_id: Number(send.productId),
    "Offer reason": send.reason,
    "Due date": send.dueAt.toISOString().slice(0, 10),
  };
}

/** Sends a run at `now` may claim: pending, or claimed by a job that is gone. */
function claimableAt(now: Date) {
  return [
    { status: "pending" },
    // Claimed before claims were timed (claimedAt null), or too long ago: the job is gone.
    {
      status: "sending",
      OR: [
        { claimedAt: null },
        { claimedAt: { lt: new Date(now.getTime() - CLAIM_TIMEOUT_MS) } },
      ],
    },
  ];
}

/**
 * The shops with a send a run at `now` would claim and an offline session to send it with, for
 * the scheduled runner. The queries that span shops: they read shop domains only, and each shop's
 * sends are then read by its own `sendDueNextOffers`. A shop without an offline session has
 * uninstalled the app (its sends were stopped then, `stopNextOffers`) or never finished
 * installing it: nothing could reach Flow for it, so it is not tried.
 */
export async function shopsWithDueSends(now = new Date()): Promise<string[]> {
  const due = await prisma.nextOfferSend.findMany({
    where: { dueAt: { lte: now }, OR: claimableAt(now) },
    distinct: ["shop"],
    orderBy: { shop: "asc" },
    select: { shop: true },
  });
  if (due.length === 0) return [];
  const installed = new Set(
    (
      await prisma.session.findMany({
        where: { shop: { in: due.map((r) => r.shop) }, isOnline: false },
        select: { shop: true },
      })
    ).map((r) => r.shop),
  );
  return due.map((r) => r.shop).filter((shop) => installed.has(shop));
}

/**
 * app/uninstalled: the shop's sends not yet sent are stopped ("uninstalled"), so no run tries
 * them until shop/redact deletes them, and the admin lists them as stopped should the merchant
 * come back. A send claimed by a run at this moment is stopped too; that run's result, written
 * only under its own claim, then writes nothing. Returns how many were stopped.
 */
export async function stopNextOffers(shop: string): Promise<number> {
  const { count } = await prisma.nextOfferSend.updateMany({
    where: { shop, status: { in: ["pending", "sending"] } },
    data: { status: "uninstalled", claimedAt: null },
  });
  return count;
}

export interface SendSummary {
  sent: number;
  failed: number;
  /** Failed this time, to be tried again at the next run. */
  retrying: number;
}

/**
 * Hands the shop's due sends to Flow. Each send is claimed first (pending -> sending with the claim
 * time, a conditional update), so two runs at once never send the same one twice. A claim older
 * than CLAIM_TIMEOUT_MS with no result (the job died between the claim and Flow's answer) may be
 * claimed again, so no send stays stuck in "sending". Consent is read again from the order: a
 * buyer who withdrew it since the order (orders/updated) is listed as "no_consent", not sent.
 */
export async function sendDueNextOffers(
  shop: string,
  graphql: AdminGraphql,
  now = new Date(),
  options: QueryOptions = {},
): Promise<SendSummary> {
  const claimable = claimableAt(now);
  const due = await prisma.nextOfferSend.findMany({
    where: { shop, dueAt: { lte: now }, OR: claimable },
    orderBy: [{ dueAt: "asc" }, { orderId: "asc" }],
    take: BATCH,
    select: {
      orderId: true,
      productId: true,
      reason: true,
      dueAt: true,
      attempts: true,
    },
  });
  const consenting = new Set(
    (
      await prisma.order.findMany({
        where: {
          shop,
          id: { in: due.map((s) => s.orderId) },
          acceptsMarketing: true,
        },
        select: { id: true },
      })
    ).map((o) => o.id),
  );
  const summary: SendSummary = { sent: 0, failed: 0, retrying: 0 };
  for (const send of due) {
    if (!consenting.has(send.orderId)) {
      await prisma.nextOfferSend.updateMany({
        where: { shop, orderId: send.orderId, OR: claimable },
        data: { status: "no_consent", claimedAt: null },
      });
      continue;
    }
    const claimed = await prisma.nextOfferSend.updateMany({
      where: { shop, orderId: send.orderId, OR: claimable },
      data: {
        status: "sending",
        claimedAt: now,
        attempts: { increment: 1 },
      },
    });
    if (claimed.count === 0) continue;
    let error: string | null;
    let permanent = false;
    try {
      const result = await adminQuery(
        graphql,
        TRIGGER,
        { handle: FLOW_TRIGGER_HANDLE, payload: triggerPayload(send) },
        TriggerResult,
        options,
      );
      const userErrors = result.flowTriggerReceive.userErrors;
      // Flow refused the payload itself: sending it again would be refused again.
      permanent = userErrors.length > 0;
      error = permanent ? userErrors.map((e) => e.message).join("; ") : null;
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const giveUp = permanent || send.attempts + 1 >= MAX_ATTEMPTS;
    // Only under this run's claim: a run taken over after the timeout writes nothing late.
    await prisma.nextOfferSend.updateMany({
      where: {
        shop,
        orderId: send.orderId,
        status: "sending",
        claimedAt: now,
      },
      data:
        error === null
          ? { status: "sent", sentAt: now, lastError: null }
          : { status: giveUp ? "failed" : "pending", lastError: error },
    });
    if (error === null) summary.sent += 1;
    else if (giveUp) summary.failed += 1;
    else summary.retrying += 1;
  }
  return summary;
}

export interface SendRow {
  orderId: string;
  productTitle: string;
  reason: string;
  dueAt: string;
  status: SendStatus;
  sentAt: string | null;
  lastError: string | null;
  metafieldWritten: boolean;
}

/** Upcoming sends (soonest first) and the latest results, for the admin. */
export async function nextOfferSends(
  shop: string,
  limit = 50,
): Promise<{
  upcoming: SendRow[];
  recent: SendRow[];
  counts: Record<SendStatus, number>;
}> {
  const select = {
    orderId: true,
    productId: true,
    reason: true,
    dueAt: true,
    status: true,
    sentAt: true,
    lastError: true,
    metafieldWritten: true,
  } as const;
  const [upcoming, recent, grouped] = await Promise.all([
    prisma.nextOfferSend.findMany({
      where: { shop, status: { in: ["pending", "sending"] } },
      orderBy: [{ dueAt: "asc" }, { orderId: "asc" }],
      take: limit,
      select,
    }),
    prisma.nextOfferSend.findMany({
      where: {
        shop,
        status: {
          in: ["sent", "failed", "cancelled", "no_consent", "uninstalled"],
        },
      },
      orderBy: [{ dueAt: "desc" }, { orderId: "asc" }],
      take: limit,
      select,
    }),
    prisma.nextOfferSend.groupBy({
      by: ["status"],
      where: { shop },
      _count: { _all: true },
    }),
  ]);
  const ids = [...new Set([...upcoming, ...recent].map((s) => s.productId))];
  const titles = new Map(
    (
      await prisma.product.findMany({
        where: { shop, id: { in: ids } },
        select: { id: true, title: true },
      })
    ).map((p) => [p.id, p.title]),
  );
  const row = (s: (typeof upcoming)[number]): SendRow => ({
    orderId: s.orderId,
    productTitle: titles.get(s.productId) ?? `Product ${s.productId}`,
    reason: s.reason,
    dueAt: s.dueAt.toISOString(),
    status: s.status as SendStatus,
    sentAt: s.sentAt?.toISOString() ?? null,
    lastError: s.lastError,
    metafieldWritten: s.metafieldWritten,
  });
  const counts: Record<SendStatus, number> = {
    pending: 0,
    sending: 0,
    sent: 0,
    failed: 0,
    cancelled: 0,
    no_consent: 0,
    uninstalled: 0,
  };
  for (const g of grouped) counts[g.status as SendStatus] = g._count._all;
  return { upcoming: upcoming.map(row), recent: recent.map(row), counts };
}
