import { z } from "zod";
import prisma from "~/db.server";
import { decimalToMinor } from "~/engine/money";
import { isOlder } from "./ordering";
import { customerKey } from "~/services/privacy/pseudonym.server";
import {
  type LineAttribution,
  VISITOR_ID,
  attributeLines,
  checkoutKey,
  visitorKey,
} from "~/services/measurement/attribution.server";
import { checkoutVisitorKeys } from "~/services/measurement/checkout-visitors.server";
import { type Transaction, insertRows } from "./insert-rows.server";

const Id = z
  .union([z.number().int(), z.string().regex(/^\d+$/)])
  .transform(String);

/** Shopify's decimal strings ("29.98"); too large to hold exactly is refused on conversion. */
const Amount = z.string().regex(/^\d+(\.\d+)?$/, "not a decimal amount");

/** Lines keyed by id: the same id twice is a malformed payload, not two lines. */
function uniqueIds<T>(key: (item: T) => string) {
  return (items: T[], context: z.RefinementCtx) => {
    const seen = new Set<string>();
    for (const item of items) {
      if (seen.has(key(item)))
        context.addIssue({
          code: "custom",
          message: `duplicate line id ${key(item)}`,
        });
      seen.add(key(item));
    }
  };
}

/** The REST-shaped order that orders/create and orders/updated webhooks deliver. */
export const OrderWebhookPayload = z.object({
  id: Id,
  name: z.string(),
  created_at: z.iso.datetime({ offset: true }),
  updated_at: z.iso.datetime({ offset: true }),
  cancelled_at: z.iso.datetime({ offset: true }).nullish(),
  currency: z.string().regex(/^[A-Z]{3}$/, "not a currency code"),
  subtotal_price: Amount,
  total_price: Amount,
  customer: z
    .object({
      id: Id,
      /** The customer's marketing consent by email and by SMS: only "subscribed" is consent. */
      email_marketing_consent: z.object({ state: z.string() }).nullish(),
      sms_marketing_consent: z.object({ state: z.string() }).nullish(),
    })
    .nullish(),
  /** Whether the buyer accepted marketing at checkout (orders without a customer record). */
  buyer_accepts_marketing: z.boolean().nullish(),
  /** The checkout's token: the post-purchase extension's reference id for the order. */
  checkout_token: z.string().max(128).nullish(),
  note_attributes: z
    .array(z.object({ name: z.string(), value: z.unknown() }))
    .nullish(),
  line_items: z
    .array(
      z.object({
        id: Id,
        product_id: Id.nullish(),
        variant_id: Id.nullish(),
        quantity: z.number().int().nonnegative(),
        /** Units still in the order, after refunds and removals (API 2024-01 on). */
        current_quantity: z.number().int().nonnegative().nullish(),
        price: Amount,
        /** Each discount's share of the line (all its units), in the shop's currency. */
        discount_allocations: z.array(z.object({ amount: Amount })).nullish(),
        properties: z
          .array(z.object({ name: z.string(), value: z.unknown() }))
          .nullish(),
      }),
    )
    .superRefine(uniqueIds((line) => line.id)),
});
export type OrderWebhookPayload = z.infer<typeof OrderWebhookPayload>;

/** Line-item property the storefront script adds to carts it fills, for attribution. */
export const ATTRIBUTION_PROPERTY = "_cartlift";
/** Cart attribute carrying the storefront's pseudonymous visitor id, for clicked-then-bought. */
export const VISITOR_ATTRIBUTE = "_cartlift_visitor";

export interface OrderInput {
  id: string;
  name: string;
  createdAt: Date;
  sourceUpdatedAt: Date;
  cancelledAt: Date | null;
  currency: string;
  subtotalMinor: number;
  totalMinor: number;
  customerId: string | null;
  /** Pseudonymous storefront visitor id from the cart attribute, when the storefront set one. */
  visitorId?: string | null;
  /** The checkout's token, which the post-purchase offer for this order was made under. */
  checkoutToken?: string | null;
  /** The order says the buyer accepts marketing (`marketingConsent`); absent is no consent. */
  acceptsMarketing?: boolean;
  lines: {
    id: string;
    productId: string | null;
    variantId: string | null;
    quantity: number;
    priceMinor: number;
    /** The discounts allocated to the line (all units); null or absent when the source does not say. */
    discountMinor?: number | null;
    offerToken: string | null;
    /**
     * Units no longer in the order as of `sourceUpdatedAt` (refunded, or removed by an edit), as
     * the source reports them; none when it does not say.
     */
    refundedQuantity?: number;
  }[];
}

export function orderFromWebhook(payload: OrderWebhookPayload): OrderInput {
  const { currency } = payload;
  return {
    id: payload.id,
    name: payload.name,
    createdAt: new Date(payload.created_at),
    sourceUpdatedAt: new Date(payload.updated_at),
    cancelledAt: payload.cancelled_at ? new Date(payload.cancelled_at) : null,
    currency,
    subtotalMinor: decimalToMinor(payload.subtotal_price, currency),
    totalMinor: decimalToMinor(payload.total_price, currency),
    customerId: payload.customer?.id ?? null,
    visitorId: stringAttribute(payload.note_attributes, VISITOR_ATTRIBUTE),
    checkoutToken: payload.checkout_token ?? null,
    acceptsMarketing: marketingConsent({
      email: payload.customer?.email_marketing_consent?.state,
      sms: payload.customer?.sms_marketing_consent?.state,
      acceptsMarketing: payload.buyer_accepts_marketing,
    }),
    lines: payload.line_items.map((line) => {
      const token = line.properties?.find(
        (p) => p.name === ATTRIBUTION_PROPERTY,
      )?.value;
      return {
        id: line.id,
        productId: line.product_id ?? null,
        variantId: line.variant_id ?? null,
        quantity: line.quantity,
        priceMinor: decimalToMinor(line.price, currency),
        discountMinor: line.discount_allocations
          ? sumMinor(
              line.discount_allocations.map((d) => d.amount),
              currency,
            )
          : null,
        offerToken:
          typeof token === "string" && token.length <= 512 ? token : null,
        refundedQuantity:
          line.quantity - (line.current_quantity ?? line.quantity),
      };
    }),
  };
}

/** Decimal amounts of `currency` added up in minor units (never in floating point). */
export function sumMinor(amounts: readonly string[], currency: string): number {
  return amounts.reduce((sum, a) => sum + decimalToMinor(a, currency), 0);
}

/**
 * Whether an order says its buyer accepts marketing, the same for webhooks and imported history:
 * the customer's consent by email or by SMS when the order carries either (their current state;
 * only "subscribed" is consent, whatever the letter case: pending, unsubscribed and the rest are
 * not); otherwise the checkout's "accepts marketing" box (REST `buyer_accepts_marketing`, GraphQL
 * `customerAcceptsMarketing`). Absent is not consent.
 */
export function marketingConsent(order: {
  email?: string | null;
  sms?: string | null;
  acceptsMarketing?: boolean | null;
}): boolean {
  const states = [order.email, order.sms].filter((s) => s != null);
  if (states.length > 0)
    return states.some((s) => s.toLowerCase() === "subscribed");
  return order.acceptsMarketing === true;
}

function stringAttribute(
  attributes: { name: string; value: unknown }[] | null | undefined,
  name: string,
): string | null {
  const value = attributes?.find((a) => a.name === name)?.value;
  return typeof value === "string" && value.length <= 64 ? value : null;
}

/** An order with its visitor's key and its lines' attribution, ready to be written. */
export interface AttributedOrder extends OrderInput {
  /** From the cart's `_cartlift_visitor`, else from the pixel's `checkout_completed`. */
  visitorKey: string | null;
  attribution: LineAttribution[];
}

/** The key of the visitor id the order's cart carried, when it carried a valid one. */
function cartVisitorKey(shop: string, order: OrderInput): string | null {
  return order.visitorId && VISITOR_ID.test(order.visitorId)
    ? visitorKey(shop, order.visitorId)
    : null;
}

/**
 * Which offer each line of each order came from. Attribution is derived from the order itself
 * and events before it, so recomputing it on every delivery gives the same answer: replacing the
 * lines never counts a sale twice. It reads other tables, so it runs before the write's
 * transaction, which must not wait on other queries.
 */
export async function attributeOrders(
  shop: string,
  orders: OrderInput[],
): Promise<AttributedOrder[]> {
  // Orders without the cart attribute: the web pixel's checkout may have named their visitor.
  // Imported history has no pixel events; it is looked up all the same, in one query.
  const fromPixel = await checkoutVisitorKeys(
    shop,
    orders.filter((o) => !cartVisitorKey(shop, o)).map((o) => o.id),
  );
  return Promise.all(
    orders.map(async (order) => {
      const key =
        cartVisitorKey(shop, order) ?? fromPixel.get(order.id) ?? null;
      return {
        ...order,
        visitorKey: key,
        attribution: await attributeLines(
          shop,
          {
            createdAt: order.createdAt,
            visitorKey: key,
            checkoutToken: order.checkoutToken ?? null,
          },
          order.lines,
        ),
      };
    }),
  );
}

const ORDER_COLUMNS = [
  "shop",
  "id",
  "name",
  "createdAt",
  "sourceUpdatedAt",
  "cancelledAt",
  "currency",
  "subtotalMinor",
  "totalMinor",
  "customerKey",
  "visitorKey",
  "checkoutKey",
  "acceptsMarketing",
] as const;

const LINE_COLUMNS = [
  "shop",
  "id",
  "orderId",
  "productId",
  "variantId",
  "quantity",
  "priceMinor",
  "discountMinor",
  "offerToken",
  "placement",
  "strategy",
  "refundedQuantity",
] as const;

/**
 * Inserts or replaces orders inside the caller's transaction: the one write of orders, for an
 * import batch and for a webhook. Deliveries can arrive out of order (orders/updated before
 * orders/create, or a late retry), so a state older than the stored one is ignored; an order
 * written again replaces its stored copy, so a batch applied twice leaves no duplicate. A line's
 * refunded quantity is the larger of the one recorded (refunds/create may have counted a refund
 * newer than this copy) and the one this copy reports (it counts every refund made before it,
 * including those made before the app was installed); never more than the line's quantity.
 * Returns how many orders changed.
 */
export async function writeOrders(
  tx: Transaction,
  shop: string,
  orders: AttributedOrder[],
): Promise<number> {
  if (orders.length === 0) return 0;
  const existing = await tx.order.findMany({
    where: { shop, id: { in: orders.map((o) => o.id) } },
    select: { id: true, sourceUpdatedAt: true },
  });
  const storedAt = new Map(existing.map((o) => [o.id, o.sourceUpdatedAt]));
  const fresh = orders.filter(
    (o) => !isOlder(o.sourceUpdatedAt, storedAt.get(o.id)),
  );
  const replaced = fresh.filter((o) => storedAt.has(o.id)).map((o) => o.id);
  const refunded =
    replaced.length === 0
      ? []
      : await tx.orderLine.findMany({
          where: {
            shop,
            orderId: { in: replaced },
            refundedQuantity: { gt: 0 },
          },
          select: { id: true, refundedQuantity: true },
        });
  const refundedById = new Map(refunded.map((r) => [r.id, r.refundedQuantity]));
  // Lines go with their order (cascade).
  if (replaced.length > 0)
    await tx.order.deleteMany({ where: { shop, id: { in: replaced } } });
  await insertRows(
    tx,
    "Order",
    ORDER_COLUMNS,
    fresh.map((order) => ({
      shop,
      id: order.id,
      name: order.name,
      createdAt: order.createdAt,
      sourceUpdatedAt: order.sourceUpdatedAt,
      cancelledAt: order.cancelledAt,
      currency: order.currency,
      subtotalMinor: order.subtotalMinor,
      totalMinor: order.totalMinor,
      customerKey: order.customerId
        ? customerKey(shop, order.customerId)
        : null,
      // The experiment exposure key of the visitor whose cart this was, for experiment results.
      visitorKey: order.visitorKey,
      // The checkout's key, for post-purchase experiments (their unit is the checkout).
      checkoutKey: order.checkoutToken
        ? checkoutKey(shop, order.checkoutToken)
        : null,
      acceptsMarketing: order.acceptsMarketing ?? false,
    })),
  );
  await insertRows(
    tx,
    "OrderLine",
    LINE_COLUMNS,
    fresh.flatMap((order) =>
      order.lines.map((line, i) => ({
        shop,
        orderId: order.id,
        ...line,
        discountMinor: line.discountMinor ?? null,
        ...order.attribution[i],
        // An edit may lower a line's quantity below what was refunded: never more refunded than sold.
        refundedQuantity: Math.min(
          Math.max(refundedById.get(line.id) ?? 0, line.refundedQuantity ?? 0),
          line.quantity,
        ),
      })),
    ),
  );
  return fresh.length;
}

/** Inserts or replaces orders in a transaction of their own (a webhook, a catch-up page). */
export async function saveOrders(
  shop: string,
  orders: OrderInput[],
): Promise<number> {
  if (orders.length === 0) return 0;
  const attributed = await attributeOrders(shop, orders);
  return prisma.$transaction((tx) => writeOrders(tx, shop, attributed));
}

export const RefundWebhookPayload = z.object({
  order_id: Id,
  created_at: z.iso.datetime({ offset: true }),
  refund_line_items: z
    .array(
      z.object({ line_item_id: Id, quantity: z.number().int().nonnegative() }),
    )
    .superRefine(uniqueIds((item) => item.line_item_id)),
});

/**
 * Adds refunded quantities to the order's lines (the caller guarantees each refund is applied
 * once), never beyond the line's quantity: a line cannot be refunded more than it sold. A stored
 * copy of the order updated at or after the refund's creation already counts it (every copy
 * reports its refunds, see `writeOrders`), so the refund is not added again; an order not stored
 * yet brings the refund with it when it arrives.
 */
export async function applyRefund(
  shop: string,
  refund: z.infer<typeof RefundWebhookPayload>,
): Promise<void> {
  const refunds = new Map(
    refund.refund_line_items.map((item) => [item.line_item_id, item.quantity]),
  );
  const lines = {
    shop,
    orderId: refund.order_id,
    id: { in: [...refunds.keys()] },
  };
  await prisma.$transaction(async (tx) => {
    const counted = await tx.order.count({
      where: {
        shop,
        id: refund.order_id,
        sourceUpdatedAt: { gte: new Date(refund.created_at) },
      },
    });
    if (counted > 0) return;
    // Increment first (atomic, and it holds the rows until commit), then clamp: concurrent
    // refunds of one line add up instead of overwriting each other.
    for (const [id, quantity] of refunds)
      await tx.orderLine.updateMany({
        where: { ...lines, id },
        data: { refundedQuantity: { increment: quantity } },
      });
    const over = await tx.orderLine.findMany({
      where: {
        ...lines,
        refundedQuantity: { gt: tx.orderLine.fields.quantity },
      },
      select: { id: true, quantity: true },
    });
    for (const line of over)
      await tx.orderLine.updateMany({
        where: { shop, id: line.id },
        data: { refundedQuantity: line.quantity },
      });
  });
}
