import { HttpResponse, graphql, http } from "msw";
import type { DemoOrder, DemoProduct, DemoShop } from "./shop";

/**
 * MSW handlers that answer the Admin API for the synthetic shop: the OAuth token exchange
 * and the GraphQL operations Cartlift sends, shaped exactly like Shopify's responses, so
 * demo mode runs the real services against them.
 */

const gid = (type: string, id: string) => `gid://shopify/${type}/${id}`;
const money = (minor: number) => (minor / 100).toFixed(2);

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

function productNode(p: DemoProduct, updatedAt: string) {
  return {
    id: gid("Product", p.id),
    title: p.title,
    handle: p.handle,
    productType: p.productType,
    vendor: p.vendor,
    tags: p.tags,
    status: "ACTIVE",
    updatedAt,
    featuredImage: null,
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
        selectedOptions:
          v.options.length > 0
            ? v.options
            : [{ name: "Title", value: "Default Title" }],
      })),
    },
  };
}

function orderNode(o: DemoOrder, currency: string) {
  const subtotal = o.lines.reduce((sum, l) => sum + l.price * l.quantity, 0);
  const shopMoney = (minor: number) => ({
    shopMoney: { amount: money(minor), currencyCode: currency },
  });
  return {
    id: gid("Order", o.id),
    name: o.name,
    createdAt: o.createdAt,
    updatedAt: o.createdAt,
    cancelledAt: null,
    currencyCode: currency,
    subtotalPriceSet: shopMoney(subtotal),
    totalPriceSet: shopMoney(subtotal),
    customer: o.customerId ? { id: gid("Customer", o.customerId) } : null,
    lineItems: {
      nodes: o.lines.map((l) => ({
        id: gid("LineItem", l.id),
        quantity: l.quantity,
        product: { id: gid("Product", l.productId) },
        variant: { id: gid("ProductVariant", l.variantId) },
        originalUnitPriceSet: shopMoney(l.price),
        customAttributes: [],
      })),
    },
  };
}

export function demoAdminHandlers(
  demo: DemoShop,
  { scopes }: { scopes: string },
) {
  // Any API version: importing the app's constant would load the Shopify library (which
  // keeps the fetch it sees first) before MSW has patched fetch.
  const host = demo.shop.replaceAll(".", "\\.");
  const admin = graphql.link(
    new RegExp(`^https://${host}/admin/api/[^/]+/graphql\\.json$`),
  );
  const updatedAt = demo.orders.at(-1)?.createdAt ?? new Date(0).toISOString();
  const cost = {
    requestedQueryCost: 10,
    throttleStatus: {
      maximumAvailable: 2000,
      currentlyAvailable: 1990,
      restoreRate: 100,
    },
  };
  // Replenishment reminders (app/services/replenishment/replenishment.server.ts): customers' marketing consent
  // (deterministic: two in three subscribed to email) and the cartlift.replenishment_due
  // metafields written so far, kept in memory for this demo run.
  const reminders = new Map<string, string>();
  const consent = (customerId: string) => ({
    emailMarketingConsent: {
      marketingState:
        Number(customerId) % 3 === 0 ? "NOT_SUBSCRIBED" : "SUBSCRIBED",
    },
    smsMarketingConsent: null,
  });
  const byDate = [...demo.orders].sort((a, b) =>
    a.createdAt.localeCompare(b.createdAt),
  );
  return [
    admin.query("CartliftReplenishmentCustomers", ({ variables }) => {
      const since = /created_at:>='([^']+)'/.exec(String(variables.query))?.[1];
      const recent = since
        ? byDate.filter((o) => o.createdAt >= new Date(since).toISOString())
        : byDate;
      const { nodes, pageInfo } = page(recent, variables.cursor, 100);
      return HttpResponse.json({
        data: {
          orders: {
            pageInfo,
            nodes: nodes.map((o) => ({
              customer: o.customerId
                ? {
                    id: gid("Customer", o.customerId),
                    ...consent(o.customerId),
                    metafield: reminders.has(gid("Customer", o.customerId))
                      ? { id: gid("Metafield", o.customerId) }
                      : null,
                  }
                : null,
            })),
          },
        },
        extensions: { cost },
      });
    }),
    // Metafield writes: customers' replenishment reminders are kept (the next customer query
    // reports them); the bundle discount's configuration is accepted and forgotten.
    admin.mutation("CartliftMetafieldsSet", ({ variables }) => {
      const metafields = variables.metafields as {
        ownerId: string;
        value: string;
      }[];
      for (const m of metafields)
        if (m.ownerId.startsWith(gid("Customer", "")))
          reminders.set(m.ownerId, m.value);
      return HttpResponse.json({
        data: { metafieldsSet: { userErrors: [] } },
        extensions: { cost },
      });
    }),
    admin.mutation("CartliftReplenishmentDelete", ({ variables }) => {
      const metafields = variables.metafields as { ownerId: string }[];
      for (const m of metafields) reminders.delete(m.ownerId);
      return HttpResponse.json({
        data: {
          metafieldsDelete: {
            deletedMetafields: metafields.map((m) => ({ ownerId: m.ownerId })),
            userErrors: [],
          },
        },
        extensions: { cost },
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
    admin.query("CartliftShop", () =>
      HttpResponse.json({
        data: { shop: { currencyCode: demo.currency } },
        extensions: { cost },
      }),
    ),
    admin.query("CartliftProducts", ({ variables }) => {
      const { nodes, pageInfo } = page(demo.products, variables.cursor, 50);
      return HttpResponse.json({
        data: {
          products: {
            pageInfo,
            nodes: nodes.map((p) => productNode(p, updatedAt)),
          },
        },
        extensions: { cost },
      });
    }),
    admin.query("CartliftOrders", ({ variables }) => {
      const { nodes, pageInfo } = page(demo.orders, variables.cursor, 50);
      return HttpResponse.json({
        data: {
          orders: {
            pageInfo,
            nodes: nodes.map((o) => orderNode(o, demo.currency)),
          },
        },
        extensions: { cost },
      });
    }),
    // The bundle discount lifecycle (app/services/merchandising/bundle-discount.server.ts): one automatic
    // discount per shop, then configuration writes (CartliftMetafieldsSet above). The demo keeps no
    // discount state: the app remembers the id in its own database, as it does against Shopify.
    admin.mutation("CartliftBundleDiscountCreate", () =>
      HttpResponse.json({
        data: {
          discountAutomaticAppCreate: {
            automaticAppDiscount: {
              discountId: gid("DiscountAutomaticNode", "1"),
            },
            userErrors: [],
          },
        },
        extensions: { cost },
      }),
    ),
  ];
}
