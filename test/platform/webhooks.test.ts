import { describe, expect, it } from "vitest";
import { API_SECRET_KEY, getHmac } from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import { recommenderFor } from "~/services/model/model.server";
import { action as ordersWebhook } from "~/routes/webhooks.orders";
import { action as complianceWebhook } from "~/routes/webhooks.compliance";
import { action as productsWebhook } from "~/routes/webhooks.products";
import { action as refundsWebhook } from "~/routes/webhooks.refunds";
import { action as bulkFinishWebhook } from "~/routes/webhooks.bulk_operations.finish";
import { action as scopesUpdateWebhook } from "~/routes/webhooks.app.scopes_update";
import { awaitBulkOperation } from "~/services/platform/bulk-operations.server";

const SHOP = "webhook-shop.myshopify.com";

function webhookRequest(
  path: string,
  topic: string,
  payload: unknown,
  {
    hmac,
    webhookId = crypto.randomUUID(),
  }: { hmac?: string; webhookId?: string } = {},
) {
  const body = JSON.stringify(payload);
  return new Request(`https://app.example${path}`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Hmac-Sha256": hmac ?? getHmac(body, API_SECRET_KEY),
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": SHOP,
      "X-Shopify-API-Version": "2025-10",
      "X-Shopify-Webhook-Id": webhookId,
    },
  });
}

const call = (action: typeof ordersWebhook, request: Request) =>
  action({ request, params: {}, context: {} }).catch((thrown: unknown) => {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  });

function orderPayload(id: number, updatedAt: string, quantity = 1) {
  return {
    id,
    name: `#${id}`,
    created_at: "2026-11-01T10:00:00Z",
    updated_at: updatedAt,
    currency: "USD",
    subtotal_price: "29.98",
    total_price: "29.98",
    customer: { id: 777 },
    line_items: [
      {
        id: id * 10,
        product_id: 11,
        variant_id: 21,
        quantity,
        price: "14.99",
        properties: [],
      },
      {
        id: id * 10 + 1,
        product_id: 12,
        variant_id: 22,
        quantity: 1,
        price: "14.99",
        properties: [{ name: "_cartlift", value: "tok123" }],
      },
    ],
  };
}

describe("webhooks", () => {
  it("refuses a wrong HMAC with 401 and writes nothing", async () => {
    const response = await call(
      ordersWebhook,
      webhookRequest(
        "/webhooks/orders",
        "orders/create",
        orderPayload(1, "2026-11-01T10:00:00Z"),
        {
          hmac: getHmac("something else", API_SECRET_KEY),
        },
      ),
    );
    expect(response.status).toBe(401);
    expect(await prisma.order.count({ where: { shop: SHOP } })).toBe(0);
    expect(await prisma.webhookDelivery.count({ where: { shop: SHOP } })).toBe(
      0,
    );
  });

  it("stores a correctly signed order with pseudonymous customer and attribution", async () => {
    const response = await call(
      ordersWebhook,
      webhookRequest(
        "/webhooks/orders",
        "orders/create",
        orderPayload(2, "2026-11-01T10:00:00Z"),
      ),
    );
    expect(response.status).toBe(200);
    const order = await prisma.order.findUniqueOrThrow({
      where: { shop_id: { shop: SHOP, id: "2" } },
      include: { lines: { orderBy: { id: "asc" } } },
    });
    expect(order.subtotalMinor).toBe(2998);
    expect(order.customerKey).toMatch(/^[0-9a-f]{32}$/);
    expect(order.customerKey).not.toContain("777");
    expect(
      order.lines.map((l) => [l.productId, l.priceMinor, l.offerToken]),
    ).toEqual([
      ["11", 1499, null],
      ["12", 1499, "tok123"],
    ]);
  });

  it("handles a redelivered webhook once and lets a late older update lose", async () => {
    const webhookId = "same-delivery";
    const first = webhookRequest(
      "/webhooks/orders",
      "orders/updated",
      orderPayload(3, "2026-11-02T10:00:00Z", 5),
      {
        webhookId,
      },
    );
    expect((await call(ordersWebhook, first)).status).toBe(200);
    // The same delivery again, now claiming another quantity: ignored as a duplicate.
    const again = webhookRequest(
      "/webhooks/orders",
      "orders/updated",
      orderPayload(3, "2026-11-03T10:00:00Z", 9),
      {
        webhookId,
      },
    );
    expect((await call(ordersWebhook, again)).status).toBe(200);
    // orders/create arriving after orders/updated carries an older state: it must not win.
    const lateCreate = webhookRequest(
      "/webhooks/orders",
      "orders/create",
      orderPayload(3, "2026-11-01T10:00:00Z", 1),
    );
    expect((await call(ordersWebhook, lateCreate)).status).toBe(200);
    const line = await prisma.orderLine.findUniqueOrThrow({
      where: { shop_id: { shop: SHOP, id: "30" } },
    });
    expect(line.quantity).toBe(5);
  });

  it("rejects a signed but malformed payload with 422 and stores no order", async () => {
    const response = await call(
      ordersWebhook,
      webhookRequest("/webhooks/orders", "orders/create", {
        id: "not-a-number",
        line_items: "nope",
      }),
    );
    expect(response.status).toBe(422);
    expect(
      await prisma.order.count({ where: { shop: SHOP, name: "not-a-number" } }),
    ).toBe(0);
  });

  it("records refunds against the order lines", async () => {
    await call(
      ordersWebhook,
      webhookRequest(
        "/webhooks/orders",
        "orders/create",
        orderPayload(4, "2026-11-01T10:00:00Z", 2),
      ),
    );
    const response = await call(
      refundsWebhook,
      webhookRequest("/webhooks/refunds", "refunds/create", {
        id: 1,
        order_id: 4,
        refund_line_items: [{ line_item_id: 40, quantity: 1 }],
      }),
    );
    expect(response.status).toBe(200);
    const line = await prisma.orderLine.findUniqueOrThrow({
      where: { shop_id: { shop: SHOP, id: "40" } },
    });
    expect(line.refundedQuantity).toBe(1);
  });

  it("mirrors product updates and deletes", async () => {
    await prisma.shop.create({ data: { shop: SHOP, currency: "EUR" } });
    const product = {
      id: 55,
      title: "Trail Mug",
      handle: "trail-mug",
      product_type: "Cookware",
      vendor: "Northpeak",
      tags: "camp, kitchen",
      status: "active",
      updated_at: "2026-11-01T10:00:00Z",
      options: [{ name: "Size", position: 1 }],
      variants: [
        {
          id: 551,
          title: "Large",
          sku: "MUG-L",
          price: "12.50",
          inventory_quantity: 0,
          option1: "Large",
        },
      ],
    };
    expect(
      (
        await call(
          productsWebhook,
          webhookRequest("/webhooks/products", "products/update", product),
        )
      ).status,
    ).toBe(200);
    const variant = await prisma.variant.findUniqueOrThrow({
      where: { shop_id: { shop: SHOP, id: "551" } },
    });
    expect(variant).toMatchObject({
      priceMinor: 1250,
      currency: "EUR",
      availableForSale: false,
    });
    expect(JSON.parse(variant.options)).toEqual([
      { name: "Size", value: "Large" },
    ]);
    const deleted = webhookRequest("/webhooks/products", "products/delete", {
      id: 55,
    });
    expect((await call(productsWebhook, deleted)).status).toBe(200);
    expect(
      await prisma.variant.count({ where: { shop: SHOP, productId: "55" } }),
    ).toBe(0);
  });
});

describe("compliance webhooks", () => {
  it("exports, then redacts a customer's data", async () => {
    await call(
      ordersWebhook,
      webhookRequest(
        "/webhooks/orders",
        "orders/create",
        orderPayload(6, "2026-11-01T10:00:00Z"),
      ),
    );
    const customer = {
      shop_id: 1,
      shop_domain: SHOP,
      customer: { id: 777, email: "a@b.c" },
    };
    const request = webhookRequest(
      "/webhooks/compliance",
      "customers/data_request",
      {
        ...customer,
        orders_requested: [6],
        data_request: { id: 99 },
      },
    );
    expect((await call(complianceWebhook, request)).status).toBe(200);
    const exported = await prisma.dataRequest.findFirstOrThrow({
      where: { shop: SHOP, requestId: "99" },
    });
    expect(
      JSON.parse(exported.export).orders.map((o: { id: string }) => o.id),
    ).toContain("6");

    const redact = webhookRequest("/webhooks/compliance", "customers/redact", {
      ...customer,
      orders_to_redact: [6],
    });
    expect((await call(complianceWebhook, redact)).status).toBe(200);
    expect(
      await prisma.order.count({
        where: { shop: SHOP, customerKey: { not: null } },
      }),
    ).toBe(0);
    expect(await prisma.dataRequest.count({ where: { shop: SHOP } })).toBe(0);
  });

  it("removes every row of the shop on shop/redact and nothing of another shop", async () => {
    await prisma.shop.upsert({
      where: { shop: SHOP },
      create: { shop: SHOP },
      update: {},
    });
    await prisma.shop.create({ data: { shop: "other-shop.myshopify.com" } });
    await prisma.event.create({
      data: { shop: SHOP, type: "click", placement: "cart", visitorKey: "v1" },
    });
    await prisma.product.create({
      data: {
        shop: SHOP,
        id: "770001",
        title: "Cached",
        handle: "cached",
        updatedAt: new Date(),
      },
    });
    // The instance's in-memory serving state holds the catalog too.
    expect((await recommenderFor(SHOP)).ranking.products.has("770001")).toBe(
      true,
    );
    const request = webhookRequest("/webhooks/compliance", "shop/redact", {
      shop_id: 1,
      shop_domain: SHOP,
    });
    expect((await call(complianceWebhook, request)).status).toBe(200);
    for (const count of [
      prisma.shop.count({ where: { shop: SHOP } }),
      prisma.order.count({ where: { shop: SHOP } }),
      prisma.orderLine.count({ where: { shop: SHOP } }),
      prisma.product.count({ where: { shop: SHOP } }),
      prisma.event.count({ where: { shop: SHOP } }),
      prisma.webhookDelivery.count({ where: { shop: SHOP } }),
    ]) {
      expect(await count).toBe(0);
    }
    expect(
      await prisma.shop.count({ where: { shop: "other-shop.myshopify.com" } }),
    ).toBe(1);
    expect((await recommenderFor(SHOP)).ranking.products.size).toBe(0);
  });

  it("refuses a compliance webhook with a wrong HMAC", async () => {
    const request = webhookRequest(
      "/webhooks/compliance",
      "shop/redact",
      { shop_id: 1, shop_domain: SHOP },
      { hmac: "bm90IGEgc2lnbmF0dXJl" },
    );
    expect((await call(complianceWebhook, request)).status).toBe(401);
  });
});

describe("bulk_operations/finish", () => {
  const operation = (status: string) => ({
    data: {
      node: {
        id: "gid://shopify/BulkOperation/77",
        status,
        errorCode: null,
        objectCount: status === "COMPLETED" ? "1200" : "300",
        url: status === "COMPLETED" ? "https://storage.example/77.jsonl" : null,
        createdAt: "2026-11-25T00:00:00Z",
      },
    },
  });

  it("wakes the import waiting for that operation instead of the next poll", async () => {
    const answers = [operation("RUNNING"), operation("COMPLETED")];
    const graphql = async () => Response.json(answers.shift());
    const finished = awaitBulkOperation(
      graphql,
      "gid://shopify/BulkOperation/77",
      // The next poll would never come: only the webhook can end the wait.
      { sleep: () => new Promise<void>(() => {}), pollMs: 3_600_000 },
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(answers).toHaveLength(1);

    const response = await call(
      bulkFinishWebhook,
      webhookRequest(
        "/webhooks/bulk_operations/finish",
        "bulk_operations/finish",
        {
          admin_graphql_api_id: "gid://shopify/BulkOperation/77",
          completed_at: "2026-11-25T00:05:00Z",
          created_at: "2026-11-25T00:00:00Z",
          error_code: null,
          status: "completed",
        },
      ),
    );
    expect(response.status).toBe(200);
    expect(await finished).toMatchObject({
      status: "COMPLETED",
      objectCount: 1200,
    });
  });

  it("leaves an operation that is not the import's alone, and refuses a payload without one", async () => {
    const unknown = await call(
      bulkFinishWebhook,
      webhookRequest(
        "/webhooks/bulk_operations/finish",
        "bulk_operations/finish",
        {
          admin_graphql_api_id: "gid://shopify/BulkOperation/5",
          status: "completed",
        },
      ),
    );
    expect(unknown.status).toBe(200);
    const invalid = await call(
      bulkFinishWebhook,
      webhookRequest(
        "/webhooks/bulk_operations/finish",
        "bulk_operations/finish",
        {
          status: "completed",
        },
      ),
    );
    expect(invalid.status).toBe(422);
  });
});

describe("app/scopes_update", () => {
  it("records read_all_orders when it is granted, and imports again for the older orders", async () => {
    await prisma.shop.upsert({
      where: { shop: SHOP },
      create: { shop: SHOP, allOrdersAccess: false, importStatus: "done" },
      update: { allOrdersAccess: false, importStatus: "done" },
    });
    const scopesUpdate = (current: string[]) =>
      call(
        scopesUpdateWebhook,
        webhookRequest("/webhooks/app/scopes_update", "app/scopes_update", {
          previous: ["read_orders"],
          current,
        }),
      );
    const state = () =>
      prisma.shop.findUniqueOrThrow({
        where: { shop: SHOP },
        select: { allOrdersAccess: true, importStatus: true },
      });

    expect((await scopesUpdate(["read_orders", "read_products"])).status).toBe(
      200,
    );
    expect(await state()).toEqual({
      allOrdersAccess: false,
      importStatus: "done",
    });
    expect(
      (await scopesUpdate(["read_orders", "read_all_orders"])).status,
    ).toBe(200);
    expect(await state()).toEqual({
      allOrdersAccess: true,
      importStatus: "pending",
    });
  });
});
