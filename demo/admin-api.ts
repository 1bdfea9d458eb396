import { HttpResponse, graphql, http } from "msw";
import { DemoWebPixels } from "./web-pixel";
import { DemoBundleDiscount } from "./bundle-discount";
import { DEMO_IMAGES, productImageFile } from "./product-image";
import type { DemoOrder, DemoProduct, DemoShop } from "./shop";
import {
  type Checked,
  type MetafieldsSetInput,
  type TriggerDefinition,
  checkFlowTrigger,
  checkMetafieldsDelete,
  checkMetafieldsSet,
  readTriggerDefinition,
} from "./flow";
import {
  MAX_QUERY_COST,
  operationCost,
  parseOperation,
  requestedQueryCost,
} from "../app/services/platform/query-cost";
import { accessDeniedMessage, deniedField } from "./access-scopes";
import { bulkQueryRefusal } from "./bulk-query";
import { requestLimitRefusal } from "./request-limits";

/**
 * MSW handlers that answer the Admin API for the synthetic shop: the OAuth token exchange
 * and the GraphQL operations Cartlift sends, shaped exactly like Shopify's responses, so
 * demo mode runs the real services against them.
 */

const gid = (type: string, id: string) => `gid://shopify/${type}/${id}`;
const money = (minor: number) => (minor / 100).toFixed(2);
const DAY_MS = 86_400_000;

/** Where the demo's bulk operation results are served unless the demo server serves them. */
export const DEMO_BULK_RESULTS =
  "https://demo-bulk-results.cartlift.test/results";
/** Where product pictures are served unless the demo server serves them (as Shopify's CDN would). */
const DEMO_IMAGES_URL = `https://demo-images.cartlift.test${DEMO_IMAGES}`;

/** `cost` as Shopify reports it in `extensions`, priced the way Shopify documents. */
function costOf(query: string, variables: Record<string, unknown>) {
  const requested = requestedQueryCost(query, variables);
  return {
    cost: {
      requestedQueryCost: requested,
      actualQueryCost: requested,
      throttleStatus: {
        maximumAvailable: 2000,
        currentlyAvailable: 2000 - requested,
        restoreRate: 100,
      },
    },
  };
}

/** A top-level GraphQL error (access denied, input too large): nothing runs. */
function refused(error: { message: string; code: string }) {
  return HttpResponse.json<{
    errors: { message: string; extensions: Record<string, unknown> }[];
  }>({
    errors: [{ message: error.message, extensions: { code: error.code } }],
  });
}

/** Shopify's answer to a query above the single-query limit: nothing runs. */
function maxCostExceeded(cost: number) {
  return HttpResponse.json<{
    errors: { message: string; extensions: Record<string, unknown> }[];
  }>({
    errors: [
      {
        message: `Query cost is ${cost}, which exceeds the single query max cost limit (${MAX_QUERY_COST}).`,
        extensions: {
          code: "MAX_COST_EXCEEDED",
          cost,
          maxCost: MAX_QUERY_COST,
        },
      },
    ],
  });
}

/** A nested object flattened the way bulk results are: the parent, then each child with `__parentId`. */
function* jsonlRecord(
  node: Record<string, unknown>,
  connections: string[],
): Generator<string> {
  const parent = { ...node };
  for (const c of connections) delete parent[c];
  yield JSON.stringify(parent);
  for (const c of connections)
    for (const child of (node[c] as { nodes: object[] }).nodes)
      yield JSON.stringify({ ...child, __parentId: node.id });
}

/**
 * The demo's bulk operations and their JSONL results, kept for the run: an operation completes
 * as soon as it is asked about, and its file is served over HTTP (by MSW at DEMO_BULK_RESULTS,
 * or by the demo server at /demo/bulk).
 */
export class DemoBulkResults {
  private readonly files = new Map<string, string[]>();
  add(lines: Iterable<string>): string {
    const id = String(this.files.size + 1);
    this.files.set(id, [...lines]);
    return id;
  }
  lines(id: string): string[] | undefined {
    return this.files.get(id);
  }
}

function page<T>(items: T[], cursor: unknown, size: number) {
  const start =
    typeof cursor === "string"
      ? Number(Buffer.from(cursor, "base64url").toString())
      : 0;
  const end = Math.min(items.length, start + size);
  return {
    nodes: items.slice(start, end),
    pageInfo: {
      hasNextPage: end < items.length,
      endCursor:
        end > start ? Buffer.from(String(end)).toString("base64url") : null,
    },
  };
}

function productNode(
  p: DemoProduct,
  updatedAt: string,
  currencyCode: string,
  imagesUrl: string,
) {
  return {
    id: gid("Product", p.id),
    title: p.title,
    handle: p.handle,
    productType: p.productType,
    vendor: p.vendor,
    tags: p.tags,
    status: "ACTIVE",
    updatedAt,
    featuredImage: { url: `${imagesUrl}/${productImageFile(p)}` },
    collections: {
      nodes: p.collections.map((c) => ({ id: gid("Collection", c) })),
    },
    variants: {
      nodes: p.variants.map((v) => ({
        id: gid("ProductVariant", v.id),
        title: v.title,
        sku: v.sku,
        price: money(v.price),
        compareAtPrice:
          v.compareAtPrice === null ? null : money(v.compareAtPrice),
        inventoryQuantity: v.inventoryQuantity,
        availableForSale: v.inventoryQuantity > 0,
        position: v.position,
        inventoryItem: {
          id: gid("InventoryItem", v.id),
          unitCost: { amount: money(v.unitCost), currencyCode },
        },
        selectedOptions:
          v.options.length > 0
            ? v.options
            : [{ name: "Title", value: "Default Title" }],
      })),
    },
  };
}

/**
 * A customer's marketing consent, deterministic: two in three subscribed to email, none to SMS.
 * Read with the customer by the replenishment reminders and the order import (read_customers).
 */
export function demoConsent(customerId: string) {
  return {
    emailMarketingConsent: {
      marketingState:
        Number(customerId) % 3 === 0 ? "NOT_SUBSCRIBED" : "SUBSCRIBED",
    },
    smsMarketingConsent: null,
  };
}

function orderNode(o: DemoOrder, currency: string) {
  // Shopify's subtotal is after the line items' discounts, before shipping and taxes.
  const subtotal = o.lines.reduce(
    (sum, l) => sum + l.price * l.quantity - l.discount,
    0,
  );
  const shopMoney = (minor: number) => ({
    shopMoney: { amount: money(minor), currencyCode: currency },
  });
  const consent = o.customerId ? demoConsent(o.customerId) : null;
  return {
    id: gid("Order", o.id),
    name: o.name,
    createdAt: o.createdAt,
    updatedAt: o.createdAt,
    cancelledAt: null,
    currencyCode: currency,
    // The checkout's box: ticked by the customers subscribed to email, never by guests.
    customerAcceptsMarketing:
      consent?.emailMarketingConsent.marketingState === "SUBSCRIBED",
    subtotalPriceSet: shopMoney(subtotal),
    totalPriceSet: shopMoney(subtotal),
    customer:
      o.customerId && consent
        ? { id: gid("Customer", o.customerId), ...consent }
        : null,
    lineItems: {
      nodes: o.lines.map((l) => ({
        id: gid("LineItem", l.id),
        quantity: l.quantity,
        currentQuantity: l.quantity - l.refunded,
        product: { id: gid("Product", l.productId) },
        variant: { id: gid("ProductVariant", l.variantId) },
        originalUnitPriceSet: shopMoney(l.price),
        // The order's discount code, allocated to the line as Shopify lists it (all units).
        discountAllocations:
          l.discount > 0 ? [{ allocatedAmountSet: shopMoney(l.discount) }] : [],
        customAttributes: [],
      })),
    },
  };
}

const userErrorsOf = (checked: Checked) =>
  !checked.ok && "userErrors" in checked ? checked.userErrors : [];

export interface DemoAdminOptions {
  /** The scopes the merchant granted; without read_all_orders only 60 days of orders are visible. */
  scopes: string;
  /** "Now" for the 60-day limit. */
  now?: Date;
  /** Bulk results: where they are kept, and the address their URLs start with. */
  bulk?: DemoBulkResults;
  bulkResultsUrl?: string;
  /** The address product pictures are served under (`featuredImage.url`). */
  imagesUrl?: string;
  /** The app's Flow triggers; by default read from the extensions' TOML. */
  triggers?: TriggerDefinition[];
  /** Every trigger run Flow accepted, in order, for the demo run (and tests) to inspect. */
  flowRuns?: { handle: string; payload: Record<string, unknown> }[];
  /** The shop's web pixel, created by the app on install and read by the demo storefront. */
  pixels?: DemoWebPixels;
  /** The bundle discount's configuration, as the app last wrote it, for the demo's cart. */
  bundleDiscount?: DemoBundleDiscount;
}

export function demoAdminHandlers(
  demo: DemoShop,
  {
    scopes,
    now = new Date(),
    bulk = new DemoBulkResults(),
    bulkResultsUrl = DEMO_BULK_RESULTS,
    imagesUrl = DEMO_IMAGES_URL,
    triggers = [readTriggerDefinition("cartlift-next-offer")],
    flowRuns = [],
    pixels = new DemoWebPixels(),
    bundleDiscount = new DemoBundleDiscount(),
  }: DemoAdminOptions,
) {
  // Any API version: importing the app's constant would load the Shopify library (which
  // keeps the fetch it sees first) before MSW has patched fetch.
  const host = demo.shop.replaceAll(".", "\\.");
  const admin = graphql.link(
    new RegExp(`^https://${host}/admin/api/[^/]+/graphql\\.json$`),
  );
  const granted = scopes.split(",").map((s) => s.trim());
  const updatedAt = demo.orders.at(-1)?.createdAt ?? new Date(0).toISOString();
  // Orders older than 60 days exist for Shopify's API only with read_all_orders.
  const oldest = granted.includes("read_all_orders")
    ? ""
    : new Date(now.getTime() - 60 * DAY_MS).toISOString();
  const byDate = [...demo.orders]
    .filter((o) => o.createdAt >= oldest)
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const ordersById = new Map(byDate.map((o) => [gid("Order", o.id), o]));
  const operations = new Map<
    string,
    { file: string; objects: number; errorCode: string | null }
  >();
  // Replenishment reminders (app/services/replenishment/replenishment.server.ts): the
  // cartlift.replenishment_due metafields written so far, kept in memory for this demo run.
  const reminders = new Map<string, string>();
  const since = (search: unknown, field: string) => {
    const match = new RegExp(`${field}:>='([^']+)'`).exec(String(search));
    return match ? new Date(match[1]).toISOString() : "";
  };
  return [
    // Every query is sized, priced and checked against the granted scopes first; one with a page
    // or an input array over 250, over the cost limit, or selecting a field the scopes do not
    // cover, is refused as Shopify refuses it.
    admin.operation(({ query, variables }) => {
      const operation = parseOperation(query, variables);
      const tooLarge = requestLimitRefusal(query, variables, operation);
      if (tooLarge) return refused(tooLarge);
      const cost = operationCost(operation);
      if (cost > MAX_QUERY_COST) return maxCostExceeded(cost);
      const denied = deniedField(operation, granted);
      return denied
        ? refused({
            message: accessDeniedMessage(denied),
            code: "ACCESS_DENIED",
          })
        : undefined;
    }),
    http.get(`${DEMO_BULK_RESULTS}/:file`, ({ params }) => {
      const lines = bulk.lines(String(params.file).replace(/\.jsonl$/, ""));
      if (!lines) return new HttpResponse(null, { status: 404 });
      return new HttpResponse(lines.map((l) => `${l}\n`).join(""), {
        headers: { "Content-Type": "application/jsonl" },
      });
    }),
    // The app's web pixel: one per app and shop, its settings kept for the storefront's pixel.
    admin.mutation("CartliftWebPixelCreate", ({ variables }) => {
      const taken = pixels.settings !== null;
      if (!taken)
        pixels.settings = JSON.parse(
          (variables.webPixel as { settings: string }).settings,
        );
      return HttpResponse.json({
        data: {
          webPixelCreate: {
            webPixel: taken ? null : { id: pixels.id },
            userErrors: taken
              ? [
                  {
                    field: ["webPixel"],
                    message: "Web pixel already exists",
                    code: "TAKEN",
                  },
                ]
              : [],
          },
        },
      });
    }),
    admin.query("CartliftWebPixel", () =>
      HttpResponse.json({ data: { webPixel: { id: pixels.id } } }),
    ),
    admin.mutation("CartliftWebPixelUpdate", ({ variables }) => {
      pixels.settings = JSON.parse(
        (variables.webPixel as { settings: string }).settings,
      );
      return HttpResponse.json({
        data: {
          webPixelUpdate: { webPixel: { id: pixels.id }, userErrors: [] },
        },
      });
    }),
    admin.query("CartliftReplenishmentCustomers", ({ query, variables }) => {
      const from = since(variables.query, "created_at");
      const recent = byDate.filter((o) => o.createdAt >= from);
      const { nodes, pageInfo } = page(recent, variables.cursor, 100);
      return HttpResponse.json({
        data: {
          orders: {
            pageInfo,
            nodes: nodes.map((o) => ({
              customer: o.customerId
                ? {
                    id: gid("Customer", o.customerId),
                    ...demoConsent(o.customerId),
                    metafield: reminders.has(gid("Customer", o.customerId))
                      ? { id: gid("Metafield", o.customerId) }
                      : null,
                  }
                : null,
            })),
          },
        },
        extensions: costOf(query, variables),
      });
    }),
    // Metafield writes, validated as Shopify validates them (owner scope, limits, atomic):
    // customers' replenishment reminders are kept (the next customer query reports them); other
    // owners' values (the bundle discount's configuration, orders' next offers) are accepted.
    admin.mutation("CartliftMetafieldsSet", ({ query, variables }) => {
      const metafields = variables.metafields as MetafieldsSetInput[];
      const checked = checkMetafieldsSet(granted, metafields);
      if (!checked.ok && "error" in checked) return refused(checked.error);
      if (checked.ok)
        for (const m of metafields)
          if (m.ownerId.startsWith(gid("Customer", "")))
            reminders.set(m.ownerId, m.value);
          else bundleDiscount.remember([m]);
      return HttpResponse.json({
        data: { metafieldsSet: { userErrors: userErrorsOf(checked) } },
        extensions: costOf(query, variables),
      });
    }),
    // Shopify Flow: a trigger run is accepted only for a declared trigger and a valid payload.
    admin.mutation("CartliftFlowTrigger", ({ query, variables }) => {
      const checked = checkFlowTrigger(
        triggers,
        granted,
        variables.handle,
        variables.payload,
      );
      if (!checked.ok && "error" in checked) return refused(checked.error);
      if (checked.ok)
        flowRuns.push({
          handle: String(variables.handle),
          payload: variables.payload as Record<string, unknown>,
        });
      return HttpResponse.json({
        data: { flowTriggerReceive: { userErrors: userErrorsOf(checked) } },
        extensions: costOf(query, variables),
      });
    }),
    // Deleting a reminder takes the owner's write scope, as writing it does.
    admin.mutation("CartliftReplenishmentDelete", ({ query, variables }) => {
      const metafields = variables.metafields as { ownerId: string }[];
      const checked = checkMetafieldsDelete(granted, metafields);
      if (checked.ok) for (const m of metafields) reminders.delete(m.ownerId);
      return HttpResponse.json({
        data: {
          metafieldsDelete: {
            deletedMetafields: checked.ok
              ? metafields.map((m) => ({ ownerId: m.ownerId }))
              : null,
            userErrors: userErrorsOf(checked),
          },
        },
        extensions: costOf(query, variables),
      });
    }),
    http.post(`https://${demo.shop}/admin/oauth/access_token`, () =>
      HttpResponse.json({
        access_token: "demo-offline-token",
        scope: scopes,
        expires_in: 3600,
        refresh_token: "demo-refresh-token",
        refresh_token_expires_in: 7_776_000,
      }),
    ),
    admin.query("CartliftShop", ({ query, variables }) =>
      HttpResponse.json({
        data: {
          shop: { currencyCode: demo.currency },
          currentAppInstallation: {
            accessScopes: granted.map((handle) => ({ handle })),
          },
        },
        extensions: costOf(query, variables),
      }),
    ),
    // Bulk queries: the catalog (products, collections, variants) or the visible order history
    // (orders, line items), as the JSONL file Shopify would write. A query outside the bulk
    // restrictions is refused; one selecting a field the scopes do not cover starts, then fails
    // with ACCESS_DENIED and no result, as Shopify's do.
    admin.mutation("CartliftBulkRun", ({ query, variables }) => {
      const bulkQuery = String(variables.query);
      const operation = parseOperation(bulkQuery);
      const refusal = bulkQueryRefusal(operation);
      if (refusal)
        return HttpResponse.json({
          data: {
            bulkOperationRunQuery: {
              bulkOperation: null,
              userErrors: [
                { field: ["query"], message: refusal, code: "INVALID" },
              ],
            },
          },
          extensions: costOf(query, variables),
        });
      const denied = deniedField(operation, granted);
      const lines = denied
        ? []
        : /^\s*\{\s*products\b/.test(bulkQuery)
          ? demo.products.flatMap((p) => [
              ...jsonlRecord(
                productNode(p, updatedAt, demo.currency, imagesUrl),
                ["collections", "variants"],
              ),
            ])
          : byDate.flatMap((o) => [
              ...jsonlRecord(orderNode(o, demo.currency), ["lineItems"]),
            ]);
      const file = bulk.add(lines);
      const id = gid("BulkOperation", file);
      operations.set(id, {
        file,
        objects: lines.length,
        errorCode: denied ? "ACCESS_DENIED" : null,
      });
      return HttpResponse.json({
        data: {
          bulkOperationRunQuery: {
            bulkOperation: { id, status: "CREATED" },
            userErrors: [],
          },
        },
        extensions: costOf(query, variables),
      });
    }),
    admin.query("CartliftBulkStatus", ({ query, variables }) => {
      const op = operations.get(String(variables.id));
      return HttpResponse.json({
        data: {
          node: op
            ? {
                id: variables.id,
                status: op.errorCode ? "FAILED" : "COMPLETED",
                errorCode: op.errorCode,
                objectCount: String(op.objects),
                url:
                  op.objects > 0 ? `${bulkResultsUrl}/${op.file}.jsonl` : null,
                createdAt: now.toISOString(),
              }
            : null,
        },
        extensions: costOf(query, variables),
      });
    }),
    // The catch-up after the bulk read: orders updated since (the demo's orders never change
    // after they are placed), then any order's further lines.
    admin.query("CartliftOrdersSince", ({ query, variables }) => {
      const from = since(variables.query, "updated_at");
      const first = Number(/orders\(first: (\d+)/.exec(query)?.[1]);
      const lineCount = Number(/lineItems\(first: (\d+)/.exec(query)?.[1]);
      const { nodes, pageInfo } = page(
        byDate.filter((o) => o.createdAt >= from),
        variables.cursor,
        first,
      );
      return HttpResponse.json({
        data: {
          orders: {
            pageInfo,
            nodes: nodes.map((o) => {
              const node = orderNode(o, demo.currency);
              return {
                ...node,
                lineItems: page(node.lineItems.nodes, null, lineCount),
              };
            }),
          },
        },
        extensions: costOf(query, variables),
      });
    }),
    admin.query("CartliftOrderLines", ({ query, variables }) => {
      const order = ordersById.get(String(variables.id));
      return HttpResponse.json({
        data: {
          order: order
            ? {
                lineItems: page(
                  orderNode(order, demo.currency).lineItems.nodes,
                  variables.cursor,
                  100,
                ),
              }
            : null,
        },
        extensions: costOf(query, variables),
      });
    }),
    // The bundle discount lifecycle (app/services/merchandising/bundle-discount.server.ts): one automatic
    // discount per shop, then configuration writes (CartliftMetafieldsSet above). The demo keeps only
    // the configuration, for its cart: the app remembers the id in its own database, as it does
    // against Shopify.
    admin.mutation("CartliftBundleDiscountCreate", ({ query, variables }) => {
      const created = variables.discount as {
        metafields?: MetafieldsSetInput[];
      };
      bundleDiscount.remember(created.metafields ?? []);
      return HttpResponse.json({
        data: {
          discountAutomaticAppCreate: {
            automaticAppDiscount: {
              discountId: gid("DiscountAutomaticNode", "1"),
            },
            userErrors: [],
          },
        },
        extensions: costOf(query, variables),
      });
    }),
  ];
}
