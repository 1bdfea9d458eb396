import { z } from "zod";
import prisma from "~/db.server";
import {
  type DueCustomer,
  type ReplenishmentInterval,
  buildReplenishment,
  dueCustomers,
  lastPurchases,
} from "~/engine/replenishment";
import type { EngineOrder } from "~/engine/types";
import {
  type AdminGraphql,
  UserErrors,
  adminQuery,
} from "~/services/platform/admin-graphql.server";
import { setMetafields } from "~/services/platform/metafields.server";
import { customerKey } from "~/services/privacy/pseudonym.server";

// Replenishment reminders (docs/decisions/011-replenishment-reminders.md). Orders only hold a
// pseudonymous customer key, so the due list is computed and shown by key. Publishing it for a
// Flow or email tool needs the Shopify customer: the sync walks the Admin API's recent orders,
// recomputes each customer's key, and keeps that id-to-key mapping only in memory for the one
// request. Only customers who agreed to email or SMS marketing get the metafield; for anyone else
// (or anyone no longer due) an existing one is removed.

export const METAFIELD_NAMESPACE = "cartlift";
export const METAFIELD_KEY = "replenishment_due";
/** Orders older than this never make anyone due (the Tukey fences are well below it). */
const MAX_LOOKBACK_DAYS = 730;
const DAY_MS = 86_400_000;

export interface DueItem extends DueCustomer {
  productTitle: string;
  productHandle: string;
}

export interface ReplenishmentOverview {
  intervals: (ReplenishmentInterval & { productTitle: string })[];
  due: DueItem[];
  /** How far back a purchase can still make a customer due (the largest upper fence). */
  lookbackDays: number;
}

/** Fetch, then compute: orders with a customer key -> intervals -> who is due now. */
export async function replenishmentOverview(
  shop: string,
  now = new Date(),
): Promise<ReplenishmentOverview> {
  const since = new Date(now.getTime() - MAX_LOOKBACK_DAYS * DAY_MS);
  const [orders, products] = await Promise.all([
    prisma.order.findMany({
      where: {
        shop,
        customerKey: { not: null },
        cancelledAt: null,
        createdAt: { gte: since, lte: now },
      },
      select: ORDER_ROW_SELECT,
    }),
    prisma.product.findMany({
      where: { shop },
      select: { id: true, title: true, handle: true },
    }),
  ]);
  return computeOverview(orders, products, now);
}

/** What the replenishment, next-offer and privacy reads select of a stored order: an `OrderRow`. */
export const ORDER_ROW_SELECT = {
  id: true,
  createdAt: true,
  customerKey: true,
  currency: true,
  lines: {
    select: {
      productId: true,
      quantity: true,
      priceMinor: true,
      discountMinor: true,
    },
  },
} as const;

/** A stored order as the replenishment and next-offer reads select it. */
export type OrderRow = {
  id: string;
  createdAt: Date;
  customerKey: string | null;
  currency: string;
  lines: {
    productId: string | null;
    quantity: number;
    priceMinor: number;
    discountMinor: number | null;
  }[];
};

/** The engine's view of a stored order: lines without a product (deleted since) left out. */
export const toEngineOrder = (o: OrderRow): EngineOrder => ({
  id: o.id,
  createdAt: o.createdAt,
  customerKey: o.customerKey ?? undefined,
  lines: o.lines
    .filter((l) => l.productId !== null)
    .map((l) => ({
      productId: l.productId!,
      quantity: l.quantity,
      price: { amount: l.priceMinor, currency: o.currency },
      discounted: l.discountMinor === null ? undefined : l.discountMinor > 0,
    })),
});

/** The compute half, pure. */
export function computeOverview(
  orders: readonly OrderRow[],
  products: readonly { id: string; title: string; handle: string }[],
  now: Date,
): ReplenishmentOverview {
  const engineOrders = orders.map(toEngineOrder);
  const model = buildReplenishment(engineOrders);
  const byId = new Map(products.map((p) => [p.id, p]));
  const due = dueCustomers(model, lastPurchases(engineOrders), now).map(
    (d) => ({
      ...d,
      productTitle: byId.get(d.productId)?.title ?? `Product ${d.productId}`,
      productHandle: byId.get(d.productId)?.handle ?? "",
    }),
  );
  const intervals = Object.values(model.products).map((i) => ({
    ...i,
    productTitle: byId.get(i.productId)?.title ?? `Product ${i.productId}`,
  }));
  const lookbackDays = Math.ceil(
    Math.max(0, ...intervals.map((i) => i.q3Days + 1.5 * i.iqrDays)),
  );
  return { intervals, due, lookbackDays };
}

/** The metafield's JSON, which a Flow or email tool reads. Versioned; no personal data in it. */
export const ReplenishmentMetafield = z.object({
  version: z.literal(1),
  updatedAt: z.string(),
  items: z.array(
    z.object({
      productId: z.string(),
      productTitle: z.string(),
      productHandle: z.string(),
      lastPurchasedAt: z.string(),
      dueAt: z.string(),
      status: z.enum(["due_soon", "due", "overdue"]),
    }),
  ),
});
export type ReplenishmentMetafield = z.infer<typeof ReplenishmentMetafield>;

const CUSTOMERS = `#graphql
  query CartliftReplenishmentCustomers($cursor: String, $query: String!) {
    orders(first: 100, after: $cursor, query: $query, sortKey: CREATED_AT) {
      nodes {
        customer {
          id
          emailMarketingConsent {
            marketingState
          }
          smsMarketingConsent {
            marketingState
          }
          metafield(namespace: "cartlift", key: "replenishment_due") {
            id
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }`;

const Consent = z.object({ marketingState: z.string() }).nullish();
const CustomersPage = z.object({
  orders: z.object({
    nodes: z.array(
      z.object({
        customer: z
          .object({
            id: z.string().regex(/^gid:\/\/shopify\/Customer\/\d+$/),
            emailMarketingConsent: Consent,
            smsMarketingConsent: Consent,
            metafield: z.object({ id: z.string() }).nullish(),
          })
          .nullable(),
      }),
    ),
    pageInfo: z.object({
      hasNextPage: z.boolean(),
      endCursor: z.string().nullable(),
    }),
  }),
});

const DELETE = `#graphql
  mutation CartliftReplenishmentDelete($metafields: [MetafieldIdentifierInput!]!) {
    metafieldsDelete(metafields: $metafields) {
      deletedMetafields {
        ownerId
      }
      userErrors {
        field
        message
      }
    }
  }`;
const DeleteResult = z.object({
  metafieldsDelete: z.object({ userErrors: UserErrors }),
});

export class ReplenishmentSyncError extends Error {
  override name = "ReplenishmentSyncError";
}

export interface SyncSummary {
  /** Distinct customers seen in the Admin API's recent orders. */
  customers: number;
  /** Customers due with marketing consent: metafield written. */
  written: number;
  /** Due, but without consent: nothing written. */
  withoutConsent: number;
  /** Metafields removed (no longer due, or consent withdrawn). */
  cleared: number;
}

/** Marketing consent Shopify records as given (SUBSCRIBED); pending or unknown is not consent. */
const consented = (c: z.infer<typeof Consent>) =>
  c?.marketingState === "SUBSCRIBED";

const MAX_PAGES = 100;
const BATCH = 25;

/** What a sync would write and remove, with its counts. */
export interface SyncPlan {
  summary: SyncSummary;
  writes: { ownerId: string; value: string }[];
  removals: string[];
}

/**
 * Publishes who is due as the customer metafield `cartlift.replenishment_due` (JSON), for
 * customers with email or SMS marketing consent, and removes it where it no longer applies.
 * For a caller with nobody to ask (a scheduled job); the admin page plans first, shows the
 * merchant the counts and applies only what they confirmed.
 */
export async function syncReplenishmentMetafields(
  shop: string,
  graphql: AdminGraphql,
  now = new Date(),
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<SyncSummary> {
  const plan = await planReplenishmentSync(shop, graphql, now, options);
  await applyReplenishmentSync(graphql, plan, options);
  return plan.summary;
}

/**
 * Who would get a reminder and whose would be removed. Reads the recent orders' customers, their
 * consent and existing reminders through the Admin API; writes nothing.
 */
export async function planReplenishmentSync(
  shop: string,
  graphql: AdminGraphql,
  now = new Date(),
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<SyncPlan> {
  const overview = await replenishmentOverview(shop, now);
  const dueByKey = new Map<string, DueItem[]>();
  for (const item of overview.due)
    dueByKey.set(item.customerKey, [
      ...(dueByKey.get(item.customerKey) ?? []),
      item,
    ]);
  const since = new Date(
    now.getTime() -
      Math.min(MAX_LOOKBACK_DAYS, overview.lookbackDays + 1) * DAY_MS,
  );
  // Customer id -> what to do. Lives only for this request: ids are never stored.
  const customers = new Map<
    string,
    { key: string; consent: boolean; hasMetafield: boolean }
  >();
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const result: z.infer<typeof CustomersPage> = await adminQuery(
      graphql,
      CUSTOMERS,
      { cursor, query: `created_at:>='${since.toISOString()}'` },
      CustomersPage,
      options,
    );
    for (const { customer } of result.orders.nodes) {
      if (!customer || customers.has(customer.id)) continue;
      const numeric = customer.id.slice(customer.id.lastIndexOf("/") + 1);
      customers.set(customer.id, {
        key: customerKey(shop, numeric),
        consent:
          consented(customer.emailMarketingConsent) ||
          consented(customer.smsMarketingConsent),
        hasMetafield: Boolean(customer.metafield),
      });
    }
    if (!result.orders.pageInfo.hasNextPage) break;
    cursor = result.orders.pageInfo.endCursor;
  }

  const updatedAt = now.toISOString();
  const writes: { ownerId: string; value: string }[] = [];
  const removals: string[] = [];
  let withoutConsent = 0;
  for (const [ownerId, customer] of customers) {
    const items = dueByKey.get(customer.key);
    if (items && customer.consent) {
      const value: ReplenishmentMetafield = {
        version: 1,
        updatedAt,
        items: items.map((i) => ({
          productId: i.productId,
          productTitle: i.productTitle,
          productHandle: i.productHandle,
          lastPurchasedAt: i.lastPurchasedAt,
          dueAt: i.dueAt,
          status: i.status,
        })),
      };
      writes.push({ ownerId, value: JSON.stringify(value) });
    } else {
      if (items) withoutConsent += 1;
      if (customer.hasMetafield) removals.push(ownerId);
    }
  }
  return {
    summary: {
      customers: customers.size,
      written: writes.length,
      withoutConsent,
      cleared: removals.length,
    },
    writes,
    removals,
  };
}

/** Writes and removes what a plan lists, in batches; the first user error stops it. */
export async function applyReplenishmentSync(
  graphql: AdminGraphql,
  { writes, removals }: SyncPlan,
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<void> {
  for (let i = 0; i < writes.length; i += BATCH) {
    const userErrors = await setMetafields(
      graphql,
      writes.slice(i, i + BATCH).map((w) => ({
        ownerId: w.ownerId,
        namespace: METAFIELD_NAMESPACE,
        key: METAFIELD_KEY,
        type: "json",
        value: w.value,
      })),
      options,
    );
    if (userErrors.length > 0)
      throw new ReplenishmentSyncError(
        userErrors.map((e) => e.message).join("; "),
      );
  }
  for (let i = 0; i < removals.length; i += BATCH) {
    const result = await adminQuery(
      graphql,
      DELETE,
      {
        metafields: removals.slice(i, i + BATCH).map((ownerId) => ({
          ownerId,
          namespace: METAFIELD_NAMESPACE,
          key: METAFIELD_KEY,
        })),
      },
      DeleteResult,
      options,
    );
    if (result.metafieldsDelete.userErrors.length > 0)
      throw new ReplenishmentSyncError(
        result.metafieldsDelete.userErrors.map((e) => e.message).join("; "),
      );
  }
}

export type ConfirmedPublish =
  | { status: "published"; summary: SyncSummary }
  | { status: "changed"; summary: SyncSummary };

/**
 * Publishes only what the merchant confirmed: the plan is made again, and if the number of
 * customers to write or reminders to remove differs from the confirmed counts (orders arrived,
 * consent changed), nothing is written and the new counts go back for a fresh confirmation.
 */
export async function publishConfirmedReminders(
  shop: string,
  graphql: AdminGraphql,
  confirmed: { written: number; cleared: number },
  now = new Date(),
  options: { sleep?: (ms: number) => Promise<void> } = {},
): Promise<ConfirmedPublish> {
  const plan = await planReplenishmentSync(shop, graphql, now, options);
  if (
    plan.summary.written !== confirmed.written ||
    plan.summary.cleared !== confirmed.cleared
  )
    return { status: "changed", summary: plan.summary };
  await applyReplenishmentSync(graphql, plan, options);
  return { status: "published", summary: plan.summary };
}
