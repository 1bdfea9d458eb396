import { beforeAll, describe, expect, it } from "vitest";
import { HttpResponse, graphql } from "msw";
import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { mswServer } from "../../../test/msw";
import prisma from "~/db.server";
import { sessionStorage, unauthenticated } from "~/shopify.server";
import { DEMO_SHOP, generateDemoShop } from "../../../demo/shop";
import { demoAdminHandlers, demoConsent } from "../../../demo/admin-api";
import {
  MAX_QUERY_COST,
  requestedQueryCost,
} from "~/services/platform/query-cost";
import { applyBulkResult, importShop, progressOf } from "./import.server";
import { runBulkQuery } from "~/services/platform/bulk-operations.server";
import { saveProducts } from "./products.server";
import { redactShop } from "~/services/privacy/privacy.server";
import { ShopGoneError } from "~/services/model/model.server";

const SCOPES = "read_products,read_orders,read_customers,write_discounts";
const NOW = new Date("2026-11-25T00:00:00Z");
const demo = generateDemoShop({ orders: 700, now: NOW });
const admin = graphql.link(
  new RegExp(`^https://${DEMO_SHOP.replaceAll(".", "\\.")}/admin/api/`),
);
const noWait = { sleep: async () => {}, pollMs: 0 };

/** One raw request to the stand-in's Admin GraphQL endpoint, as the library would send it. */
async function postAdmin(query: string, variables: object = {}) {
  const response = await fetch(
    `https://${DEMO_SHOP}/admin/api/2025-10/graphql.json`,
    {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ query, variables }),
    },
  );
  return (await response.json()) as {
    data?: unknown;
    errors?: {
      message: string;
      extensions: { code: string; cost?: number };
    }[];
  };
}

async function client() {
  return (await unauthenticated.admin(DEMO_SHOP)).admin.graphql;
}

/** Every Admin GraphQL request the import sends, with its requested cost. */
function recordQueries() {
  const sent: { name: string; cost: number }[] = [];
  mswServer.use(
    admin.operation(({ operationName, query, variables }) => {
      sent.push({
        name: operationName ?? "",
        cost: requestedQueryCost(query, variables),
      });
      return undefined;
    }),
  );
  return sent;
}

/** Whether the import recorded read_all_orders as granted. */
async function recordedAccess() {
  const row = await prisma.shop.findUniqueOrThrow({
    where: { shop: DEMO_SHOP },
    select: { allOrdersAccess: true },
  });
  return row.allOrdersAccess;
}

/** The stored lines with refunded units (or a discount), as [line id, units (minor units)], by id. */
async function storedLines(field: "refundedQuantity" | "discountMinor") {
  const rows = await prisma.orderLine.findMany({
    where: { shop: DEMO_SHOP, [field]: { gt: 0 } },
    select: { id: true, refundedQuantity: true, discountMinor: true },
    orderBy: { id: "asc" },
  });
  return rows.map((r) => [r.id, r[field]]);
}

/** What the demo shop refunded (or discounted) of these orders, in the same shape. */
function demoLines(orders: typeof demo.orders, field: "refunded" | "discount") {
  return orders
    .flatMap((o) => o.lines)
    .filter((l) => l[field] > 0)
    .map((l) => [l.id, l[field]])
    .sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** The stored orders whose buyer accepts marketing, by id. */
async function consentingOrders() {
  const rows = await prisma.order.findMany({
    where: { shop: DEMO_SHOP, acceptsMarketing: true },
    select: { id: true },
    orderBy: { id: "asc" },
  });
  return rows.map((r) => r.id);
}

/** The demo's orders by customers subscribed to email (demoConsent), by id. */
function demoConsenting(orders: typeof demo.orders) {
  return orders
    .filter(
      (o) =>
        o.customerId &&
        demoConsent(o.customerId).emailMarketingConsent.marketingState ===
          "SUBSCRIBED",
    )
    .map((o) => o.id)
    .sort();
}

async function resetShop() {
  await prisma.order.deleteMany({ where: { shop: DEMO_SHOP } });
  await prisma.product.deleteMany({ where: { shop: DEMO_SHOP } });
  await prisma.shop.deleteMany({ where: { shop: DEMO_SHOP } });
}

describe("import through bulk operations", () => {
  beforeAll(async () => {
    await sessionStorage.storeSession(
      setUpValidSession({ shop: DEMO_SHOP, isOnline: false, scope: SCOPES }),
    );
  });

  it("imports the catalog with unit costs and every order with its nested line items, within the query cost limit", async () => {
    await resetShop();
    mswServer.use(
      ...demoAdminHandlers(demo, {
        scopes: `${SCOPES},read_all_orders,read_inventory`,
        now: NOW,
      }),
    );
    const sent = recordQueries();
    const result = await importShop(DEMO_SHOP, await client(), noWait);

    expect(result).toMatchObject({
      status: "done",
      products: demo.products.length,
      orders: demo.orders.length,
    });
    expect(sent.map((s) => s.name)).toEqual([
      "CartliftShop",
      "CartliftBulkRun",
      "CartliftBulkStatus",
      "CartliftBulkRun",
      "CartliftBulkStatus",
      "CartliftOrdersSince",
    ]);
    expect(Math.max(...sent.map((s) => s.cost))).toBeLessThanOrEqual(
      MAX_QUERY_COST,
    );
    const lines = demo.orders.reduce((n, o) => n + o.lines.length, 0);
    expect(await prisma.orderLine.count({ where: { shop: DEMO_SHOP } })).toBe(
      lines,
    );
    expect(await storedLines("refundedQuantity")).toEqual(
      demoLines(demo.orders, "refunded"),
    );
    // Every discount allocated to a line, and each order's marketing consent, as Shopify lists them.
    expect(demoLines(demo.orders, "discount").length).toBeGreaterThan(0);
    expect(await storedLines("discountMinor")).toEqual(
      demoLines(demo.orders, "discount"),
    );
    expect(await consentingOrders()).toEqual(demoConsenting(demo.orders));
    const variant = demo.products[3].variants[0];
    const stored = () =>
      prisma.variant.findUniqueOrThrow({
        where: { shop_id: { shop: DEMO_SHOP, id: variant.id } },
        select: { costMinor: true, priceMinor: true },
      });
    const cost = variant.unitCost;
    expect(await stored()).toMatchObject({
      costMinor: cost,
      priceMinor: variant.price,
    });
    // A products/update webhook carries no unit cost: the imported one stays.
    const product = demo.products[3];
    await saveProducts(
      DEMO_SHOP,
      [
        {
          id: product.id,
          title: product.title,
          handle: product.handle,
          productType: product.productType,
          vendor: product.vendor,
          tags: product.tags,
          status: "ACTIVE",
          imageUrl: null,
          updatedAt: new Date("2030-01-01T00:00:00Z"),
          variants: product.variants.map((v) => ({
            id: v.id,
            title: v.title,
            sku: v.sku,
            options: v.options,
            priceMinor: v.price + 100,
            compareAtMinor: null,
            inventoryQuantity: v.inventoryQuantity,
            availableForSale: true,
            position: v.position,
          })),
        },
      ],
      demo.currency,
    );
    expect(await stored()).toMatchObject({
      costMinor: cost,
      priceMinor: variant.price + 100,
    });
    const collections = await prisma.product.findUnique({
      where: { shop_id: { shop: DEMO_SHOP, id: demo.products[3].id } },
      select: { collections: true },
    });
    expect(JSON.parse(collections!.collections)).toEqual(
      demo.products[3].collections,
    );
    expect(await recordedAccess()).toBe(true);
  });

  it("sees only the last 60 days of orders without read_all_orders, and records that", async () => {
    await resetShop();
    mswServer.use(...demoAdminHandlers(demo, { scopes: SCOPES, now: NOW }));
    const result = await importShop(DEMO_SHOP, await client(), noWait);
    const cutoff = new Date(NOW.getTime() - 60 * 86_400_000).toISOString();
    const recent = demo.orders.filter((o) => o.createdAt >= cutoff).length;
    expect(recent).toBeLessThan(demo.orders.length);
    expect(result.orders).toBe(recent);
    expect(await prisma.order.count({ where: { shop: DEMO_SHOP } })).toBe(
      recent,
    );
    expect(await recordedAccess()).toBe(false);
  });

  it("resumes after a crash in the middle of a result from its checkpoint, without duplicates", async () => {
    await resetShop();
    const scopes = `${SCOPES},read_all_orders`;
    mswServer.use(...demoAdminHandlers(demo, { scopes, now: NOW }));
    const sent = recordQueries();
    // The process dies once the first batch of orders is saved and checkpointed.
    await expect(
      importShop(DEMO_SHOP, await client(), {
        ...noWait,
        onProgress: (p) => {
          if (p.status === "orders" && p.orders > 0)
            throw new Error("process killed");
        },
      }),
    ).rejects.toThrow("process killed");
    const stopped = await prisma.shop.findUniqueOrThrow({
      where: { shop: DEMO_SHOP },
    });
    expect(stopped.importStatus).toBe("orders");
    expect(stopped.importOperationId).toBe("gid://shopify/BulkOperation/2");
    // One batch of 500 orders was applied and checkpointed before the break.
    expect(stopped.importedOrders).toBe(500);
    expect(stopped.importOperationLines).toBeGreaterThan(500);
    expect(stopped.importOperationLines).toBe(
      demo.orders.slice(0, 500).reduce((n, o) => n + 1 + o.lines.length, 0),
    );

    const result = await importShop(DEMO_SHOP, await client(), noWait);
    // The same operation's result was read again from the checkpoint: no new bulk query, and
    // the counter (incremented per batch) shows no order was applied twice.
    expect(sent.filter((s) => s.name === "CartliftBulkRun")).toHaveLength(2);
    expect(result.orders).toBe(demo.orders.length);
    expect(await prisma.order.count({ where: { shop: DEMO_SHOP } })).toBe(
      demo.orders.length,
    );
    expect(await prisma.orderLine.count({ where: { shop: DEMO_SHOP } })).toBe(
      demo.orders.reduce((n, o) => n + o.lines.length, 0),
    );
  });

  it("starts a new bulk operation after one failed", async () => {
    await resetShop();
    mswServer.use(
      ...demoAdminHandlers(demo, {
        scopes: `${SCOPES},read_all_orders`,
        now: NOW,
      }),
    );
    const sent = recordQueries();
    let statuses = 0;
    mswServer.use(
      admin.query("CartliftBulkStatus", ({ variables }) =>
        statuses++ > 0
          ? undefined
          : HttpResponse.json({
              data: {
                node: {
                  id: variables.id,
                  status: "FAILED",
                  errorCode: "INTERNAL_SERVER_ERROR",
                  objectCount: "0",
                  url: null,
                  createdAt: NOW.toISOString(),
                },
              },
            }),
      ),
    );
    await expect(importShop(DEMO_SHOP, await client(), noWait)).rejects.toThrow(
      "Bulk products import failed (INTERNAL_SERVER_ERROR)",
    );
    const result = await importShop(DEMO_SHOP, await client(), noWait);
    expect(result).toMatchObject({
      status: "done",
      products: demo.products.length,
      orders: demo.orders.length,
    });
    expect(sent.filter((s) => s.name === "CartliftBulkRun")).toHaveLength(3);
  });

  it("brings refunds with the orders read by page queries", async () => {
    await resetShop();
    mswServer.use(
      ...demoAdminHandlers(demo, {
        scopes: `${SCOPES},read_all_orders,read_inventory`,
        now: NOW,
      }),
    );
    // An import that stopped in its catch-up: only page queries are left.
    const since = new Date(NOW.getTime() - 40 * 86_400_000);
    await prisma.shop.create({
      data: {
        shop: DEMO_SHOP,
        currency: demo.currency,
        importStatus: "catchup",
        importSince: since,
      },
    });
    const sent = recordQueries();
    await importShop(DEMO_SHOP, await client(), noWait);
    const caughtUp = demo.orders.filter(
      (o) => o.createdAt >= since.toISOString(),
    );
    expect(
      sent.filter((s) => s.name === "CartliftOrdersSince").length,
    ).toBeGreaterThan(1);
    expect(await prisma.order.count({ where: { shop: DEMO_SHOP } })).toBe(
      caughtUp.length,
    );
    const refunds = demoLines(caughtUp, "refunded");
    expect(refunds.length).toBeGreaterThan(0);
    expect(await storedLines("refundedQuantity")).toEqual(refunds);
    const discounts = demoLines(caughtUp, "discount");
    expect(discounts.length).toBeGreaterThan(0);
    expect(await storedLines("discountMinor")).toEqual(discounts);
    expect(await consentingOrders()).toEqual(demoConsenting(caughtUp));
  });

  it("refuses a page query above 1,000 points as Shopify does", async () => {
    mswServer.use(...demoAdminHandlers(demo, { scopes: SCOPES, now: NOW }));
    // The page size the import used before bulk operations: 50 orders of 100 lines.
    const query = `#graphql
      query CartliftOldOrders {
        orders(first: 50) { nodes { id lineItems(first: 100) { nodes { id product { id } } } } }
      }`;
    const body = await postAdmin(query);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0].extensions).toMatchObject({
      code: "MAX_COST_EXCEEDED",
      cost: 2 + 50 * (1 + 2 + 100 * 2),
    });
  });

  it("refuses a page of more than 250 items and an input array of more than 250, as Shopify does", async () => {
    mswServer.use(...demoAdminHandlers(demo, { scopes: SCOPES, now: NOW }));
    // 2 + 251 points: within the cost limit, past the page size.
    const page = (size: number) =>
      postAdmin(
        `query CartliftOrdersSince($query: String!) { orders(first: ${size}, query: $query) { nodes { id } } }`,
        { query: "updated_at:>='2000-01-01T00:00:00Z'" },
      );
    expect((await page(250)).errors).toBeUndefined();
    expect(await page(251)).toMatchObject({
      errors: [{ extensions: { code: "BAD_REQUEST" } }],
    });
    expect((await page(251)).data).toBeUndefined();
    const metafields = Array.from({ length: 251 }, (_, i) => ({
      ownerId: `gid://shopify/Customer/${i + 1}`,
      namespace: "cartlift",
      key: "replenishment_due",
    }));
    expect(
      await postAdmin(
        `mutation CartliftReplenishmentDelete($metafields: [MetafieldIdentifierInput!]!) { metafieldsDelete(metafields: $metafields) { userErrors { field message } } }`,
        { metafields },
      ),
    ).toMatchObject({
      errors: [{ extensions: { code: "MAX_INPUT_SIZE_EXCEEDED" } }],
    });
  });

  it("refuses a field the granted scopes do not cover, as Shopify does", async () => {
    // The merchant granted orders but not customers: an order's customer is out of reach.
    mswServer.use(
      ...demoAdminHandlers(demo, {
        scopes: "read_products,read_orders",
        now: NOW,
      }),
    );
    const withCustomer = await postAdmin(
      `query CartliftReplenishmentCustomers { orders(first: 5) { nodes { customer { id } } } }`,
    );
    expect(withCustomer.data).toBeUndefined();
    expect(withCustomer.errors?.[0]).toMatchObject({
      message: expect.stringContaining("`read_customers`"),
      extensions: { code: "ACCESS_DENIED" },
    });
  });

  it("refuses a bulk query outside Shopify's restrictions, starting nothing", async () => {
    mswServer.use(
      ...demoAdminHandlers(demo, {
        scopes: `${SCOPES},read_inventory`,
        now: NOW,
      }),
    );
    // Inventory levels per variant per product: connections three levels deep.
    const query = `{ products { edges { node { id
      variants { edges { node { id
        inventoryItem { inventoryLevels { edges { node { id } } } } } } } } } } }`;
    await expect(runBulkQuery(await client(), query, noWait)).rejects.toThrow(
      "Shopify refused the bulk query: Bulk queries cannot contain connections nested more than 2 levels deep.",
    );
  });

  it("refuses a customer's email, a level 2 field the app does not declare", async () => {
    mswServer.use(
      ...demoAdminHandlers(demo, {
        scopes: `${SCOPES},write_customers`,
        now: NOW,
      }),
    );
    const body = await postAdmin(
      `query CartliftReplenishmentCustomers($query: String!) { orders(first: 5, query: $query) { nodes { customer { id email } } } }`,
      { query: "created_at:>='2000-01-01T00:00:00Z'" },
    );
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]).toMatchObject({
      message: expect.stringContaining("protected customer data (level 2)"),
      extensions: { code: "ACCESS_DENIED" },
    });
  });

  it("fails the bulk read of orders when their customers are not granted", async () => {
    await resetShop();
    mswServer.use(
      ...demoAdminHandlers(demo, {
        scopes: "read_products,read_orders,read_all_orders",
        now: NOW,
      }),
    );
    await expect(importShop(DEMO_SHOP, await client(), noWait)).rejects.toThrow(
      "Bulk orders import failed (ACCESS_DENIED)",
    );
    expect(await prisma.order.count({ where: { shop: DEMO_SHOP } })).toBe(0);
    // A write scope grants its read: write_customers is enough.
    mswServer.use(
      ...demoAdminHandlers(demo, {
        scopes: "read_products,read_orders,read_all_orders,write_customers",
        now: NOW,
      }),
    );
    const result = await importShop(DEMO_SHOP, await client(), noWait);
    expect(result.orders).toBe(demo.orders.length);
  });
});

describe("bulk result applier", () => {
  const SHOP = "bulk-fixture.myshopify.com";
  // Two orders, their line items right after each (grouped objects), as Shopify writes them.
  const order = (
    id: number,
    createdAt: string,
    customer: {
      email: string | null;
      sms: string | null;
      accepts: boolean;
    } | null = null,
  ) => ({
    id: `gid://shopify/Order/${id}`,
    name: `#${id}`,
    createdAt,
    updatedAt: createdAt,
    cancelledAt: null,
    currencyCode: "EUR",
    customerAcceptsMarketing: customer?.accepts ?? false,
    subtotalPriceSet: { shopMoney: { amount: "30.00" } },
    totalPriceSet: { shopMoney: { amount: "30.00" } },
    customer: customer && {
      id: `gid://shopify/Customer/${id}00`,
      emailMarketingConsent: customer.email && {
        marketingState: customer.email,
      },
      smsMarketingConsent: customer.sms && { marketingState: customer.sms },
    },
  });
  const line = (
    id: number,
    parent: number,
    product: number,
    current = 1,
    discounts: string[] = [],
  ) => ({
    id: `gid://shopify/LineItem/${id}`,
    quantity: 1,
    currentQuantity: current,
    product: { id: `gid://shopify/Product/${product}` },
    variant: { id: `gid://shopify/ProductVariant/${product}0` },
    originalUnitPriceSet: { shopMoney: { amount: "15.00" } },
    discountAllocations: discounts.map((amount) => ({
      allocatedAmountSet: { shopMoney: { amount } },
    })),
    customAttributes: [],
    __parentId: `gid://shopify/Order/${parent}`,
  });
  const FIXTURE = [
    // A guest who did not tick the box; a line with two discounts (a code and an automatic one).
    order(1, "2025-01-01T10:00:00Z"),
    line(11, 1, 7),
    line(12, 1, 8, 1, ["2.50", "1.25"]),
    // Subscribed by SMS only; the box at checkout was not ticked.
    order(2, "2025-01-02T10:00:00Z", {
      email: "NOT_SUBSCRIBED",
      sms: "SUBSCRIBED",
      accepts: false,
    }),
    line(21, 2, 7),
    // Consent unknown on either channel: the checkout's box decides.
    order(3, "2025-01-03T10:00:00Z", { email: null, sms: null, accepts: true }),
    line(31, 3, 9, 0),
    line(32, 3, 7),
  ].map((o) => JSON.stringify(o));

  async function* linesOf(lines: string[], breakAfter = Infinity) {
    for (const [i, l] of lines.entries()) {
      if (i === breakAfter) throw new Error("process killed");
      yield l;
    }
  }

  it("applies nested line items to their orders and resumes from the checkpoint after a crash", async () => {
    await prisma.shop.create({ data: { shop: SHOP, currency: "EUR" } });
    let checkpoint = 0;
    const onCheckpoint = async ({ lines }: { lines: number }) => {
      checkpoint = lines;
    };
    // Batches of one order; the process dies while reading order 3's lines.
    await expect(
      applyBulkResult(SHOP, "orders", linesOf(FIXTURE, 6), {
        currency: "EUR",
        batchSize: 1,
        onCheckpoint,
      }),
    ).rejects.toThrow("process killed");
    expect(checkpoint).toBe(5);
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(2);

    const resumed = await applyBulkResult(
      SHOP,
      "orders",
      linesOf(FIXTURE.slice(checkpoint)),
      { currency: "EUR", firstLine: checkpoint, batchSize: 1, onCheckpoint },
    );
    expect(resumed).toBe(1);
    expect(checkpoint).toBe(FIXTURE.length);
    const lines = await prisma.orderLine.findMany({
      where: { shop: SHOP },
      select: {
        orderId: true,
        id: true,
        productId: true,
        priceMinor: true,
        discountMinor: true,
        refundedQuantity: true,
      },
      orderBy: { id: "asc" },
    });
    // Line 31 was refunded before the export: none of it is left in the order.
    expect(lines).toMatchObject([
      {
        orderId: "1",
        id: "11",
        productId: "7",
        priceMinor: 1500,
        discountMinor: 0,
        refundedQuantity: 0,
      },
      {
        orderId: "1",
        id: "12",
        productId: "8",
        priceMinor: 1500,
        discountMinor: 375,
        refundedQuantity: 0,
      },
      {
        orderId: "2",
        id: "21",
        productId: "7",
        priceMinor: 1500,
        refundedQuantity: 0,
      },
      {
        orderId: "3",
        id: "31",
        productId: "9",
        priceMinor: 1500,
        refundedQuantity: 1,
      },
      {
        orderId: "3",
        id: "32",
        productId: "7",
        priceMinor: 1500,
        refundedQuantity: 0,
      },
    ]);
    const consent = await prisma.order.findMany({
      where: { shop: SHOP },
      select: { id: true, acceptsMarketing: true },
      orderBy: { id: "asc" },
    });
    expect(consent).toEqual([
      { id: "1", acceptsMarketing: false },
      { id: "2", acceptsMarketing: true },
      { id: "3", acceptsMarketing: true },
    ]);
  });

  it("writes nothing twice when the same result is applied again", async () => {
    const shop = "bulk-again.myshopify.com";
    await prisma.shop.create({ data: { shop, currency: "EUR" } });
    for (let i = 0; i < 2; i++)
      expect(
        await applyBulkResult(shop, "orders", linesOf(FIXTURE), {
          currency: "EUR",
        }),
      ).toBe(3);
    expect(await prisma.order.count({ where: { shop } })).toBe(3);
    expect(await prisma.orderLine.count({ where: { shop } })).toBe(5);
    // The checkpoint is stored with each batch, in its transaction.
    const row = await prisma.shop.findUniqueOrThrow({ where: { shop } });
    expect(row.importOperationLines).toBe(FIXTURE.length);
    expect(row.importedOrders).toBe(6);
  });

  it("splits a batch with more values than one statement may bind", async () => {
    const shop = "bulk-large.myshopify.com";
    await prisma.shop.create({ data: { shop, currency: "EUR" } });
    // One batch of 500 orders of seven lines: 38,500 values for the lines, over the 32,766
    // bound parameters SQLite allows in a statement.
    const orders = 500;
    const big = Array.from({ length: orders }, (_, i) => {
      const id = 1_000 + i;
      return [
        order(id, "2025-02-01T10:00:00Z"),
        ...Array.from({ length: 7 }, (_, j) => line(id * 10 + j, id, 7 + j)),
      ].map((o) => JSON.stringify(o));
    }).flat();
    expect(
      await applyBulkResult(shop, "orders", linesOf(big), { currency: "EUR" }),
    ).toBe(orders);
    expect(await prisma.orderLine.count({ where: { shop } })).toBe(7 * orders);
  });

  it("keeps amounts beyond 32 bits exact", async () => {
    const shop = "bulk-wide.myshopify.com";
    await prisma.shop.create({ data: { shop, currency: "EUR" } });
    // 90 billion: 9,000,000,000,000 minor units, far beyond 2^31 (and 2^32).
    const amount = { shopMoney: { amount: "90000000000.00" } };
    const lines = [
      { ...order(1, "2025-01-01T10:00:00Z"), totalPriceSet: amount },
      {
        ...line(11, 1, 7),
        quantity: 3_000_000_000,
        originalUnitPriceSet: amount,
      },
    ].map((o) => JSON.stringify(o));
    await applyBulkResult(shop, "orders", linesOf(lines), { currency: "EUR" });
    expect(
      await prisma.order.findFirstOrThrow({
        where: { shop },
        select: { totalMinor: true, subtotalMinor: true },
      }),
    ).toMatchObject({ totalMinor: 9_000_000_000_000, subtotalMinor: 3000 });
    expect(
      await prisma.orderLine.findFirstOrThrow({
        where: { shop },
        select: { quantity: true, priceMinor: true },
      }),
    ).toMatchObject({ quantity: 3_000_000_000, priceMinor: 9_000_000_000_000 });
  });

  it("writes nothing for a shop redacted while its import ran", async () => {
    const shop = "bulk-redacted.myshopify.com";
    await prisma.shop.create({ data: { shop, currency: "EUR" } });
    await expect(
      applyBulkResult(shop, "orders", linesOf(FIXTURE), {
        currency: "EUR",
        batchSize: 1,
        onCheckpoint: async () => {
          // shop/redact arrives after the first batch.
          await redactShop(shop);
        },
      }),
    ).rejects.toThrow(ShopGoneError);
    expect(await prisma.order.count({ where: { shop } })).toBe(0);
    expect(await prisma.orderLine.count({ where: { shop } })).toBe(0);
  });

  it("refuses a line that is not grouped under its parent", async () => {
    const shuffled = [FIXTURE[0], FIXTURE[3], FIXTURE[1]];
    await expect(
      applyBulkResult(SHOP, "orders", linesOf(shuffled), { currency: "EUR" }),
    ).rejects.toThrow("not grouped under its parent");
  });
});

describe("import progress", () => {
  it("estimates the time left from the pace so far", () => {
    const row = {
      importStatus: "orders",
      importedProducts: 10,
      importedOrders: 400,
      importOperationLines: 1000,
      importObjectCount: 4000,
      importPhaseStartedAt: new Date("2026-01-01T00:00:00Z"),
    };
    expect(progressOf(row, new Date("2026-01-01T00:00:20Z"))).toEqual({
      status: "orders",
      products: 10,
      orders: 400,
      objects: 1000,
      objectsTotal: 4000,
      secondsLeft: 60,
    });
    expect(
      progressOf({ ...row, importOperationLines: 0 }).secondsLeft,
    ).toBeNull();
  });
});
