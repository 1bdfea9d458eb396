import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { API_SECRET_KEY, getHmac } from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import { minorToDecimal } from "~/engine/money";
import { rankOffers } from "~/engine/ranking";
import { trainModels } from "~/engine/shop-model";
import { recommenderFor, storeModel } from "~/services/model/model.server";
import { engineOrder as order, seedSmallShop } from "../fixtures";
import { action as ordersWebhook } from "~/routes/webhooks.orders";
import { action as complianceWebhook } from "~/routes/webhooks.compliance";
import { action as productsWebhook } from "~/routes/webhooks.products";
import { action as inventoryWebhook } from "~/routes/webhooks.inventory_items";
import { action as refundsWebhook } from "~/routes/webhooks.refunds";
import { action as bulkFinishWebhook } from "~/routes/webhooks.bulk_operations.finish";
import { action as scopesUpdateWebhook } from "~/routes/webhooks.app.scopes_update";
import { action as uninstalledWebhook } from "~/routes/webhooks.app.uninstalled";
import { awaitBulkOperation } from "~/services/platform/bulk-operations.server";

const SHOP = "webhook-shop.myshopify.com";

function webhookRequest(
  path: string,
  topic: string,
  payload: unknown,
  {
    hmac,
    webhookId = crypto.randomUUID(),
    eventId,
    shop = SHOP,
    rawBody,
  }: {
    hmac?: string;
    webhookId?: string;
    eventId?: string;
    shop?: string;
    rawBody?: string;
  } = {},
) {
  const body = rawBody ?? JSON.stringify(payload);
  return new Request(`https://app.example${path}`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Hmac-Sha256": hmac ?? getHmac(body, API_SECRET_KEY),
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": shop,
      "X-Shopify-API-Version": "2025-10",
      "X-Shopify-Webhook-Id": webhookId,
      ...(eventId ? { "X-Shopify-Event-Id": eventId } : {}),
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

  it("rejects a signed but malformed payload with 400 and stores no order", async () => {
    const response = await call(
      ordersWebhook,
      webhookRequest("/webhooks/orders", "orders/create", {
        id: "not-a-number",
        line_items: "nope",
      }),
    );
    expect(response.status).toBe(400);
    expect(
      await prisma.order.count({ where: { shop: SHOP, name: "not-a-number" } }),
    ).toBe(0);
  });

  it("answers 400 with the reason to signed bodies that are not JSON or hold malformed values, and writes nothing", async () => {
    const order = orderPayload(7, "2026-11-01T10:00:00Z");
    const line = order.line_items[0];
    const malformed: [string, Request][] = [
      [
        "not JSON",
        webhookRequest("/webhooks/orders", "orders/create", null, {
          rawBody: "id=7&name=%237",
        }),
      ],
      ...["abc", "1e5", "9".repeat(30), "-1.00", "12,50"].map(
        (price): [string, Request] => [
          `price ${price}`,
          webhookRequest("/webhooks/orders", "orders/create", {
            ...order,
            line_items: [{ ...line, price }],
          }),
        ],
      ),
      [
        "30-digit total",
        webhookRequest("/webhooks/orders", "orders/create", {
          ...order,
          total_price: `${"9".repeat(28)}.00`,
        }),
      ],
      [
        "duplicate line ids",
        webhookRequest("/webhooks/orders", "orders/create", {
          ...order,
          line_items: [line, { ...line, quantity: 3 }],
        }),
      ],
      [
        "shop header not a shop domain",
        webhookRequest("/webhooks/orders", "orders/create", order, {
          shop: "evil.example.com",
        }),
      ],
    ];
    const deliveries = await prisma.webhookDelivery.count();
    for (const [what, request] of malformed) {
      const response = await call(ordersWebhook, request);
      expect([what, response.status]).toEqual([what, 400]);
      expect((await response.json()).error).toEqual(expect.any(String));
    }
    const refund = await call(
      refundsWebhook,
      webhookRequest("/webhooks/refunds", "refunds/create", {
        order_id: 7,
        created_at: "2026-11-02T10:00:00Z",
        refund_line_items: [
          { line_item_id: 70, quantity: 1 },
          { line_item_id: 70, quantity: 1 },
        ],
      }),
    );
    expect(refund.status).toBe(400);
    expect(await prisma.order.count({ where: { id: "7" } })).toBe(0);
    expect(await prisma.webhookDelivery.count()).toBe(deliveries);
  });

  it("handles one event once even when it arrives under two webhook ids", async () => {
    const eventId = "event-8";
    const first = webhookRequest(
      "/webhooks/orders",
      "orders/updated",
      orderPayload(8, "2026-11-02T10:00:00Z", 2),
      { eventId },
    );
    expect((await call(ordersWebhook, first)).status).toBe(200);
    await prisma.order.deleteMany({ where: { shop: SHOP, id: "8" } });
    const again = webhookRequest(
      "/webhooks/orders",
      "orders/updated",
      orderPayload(8, "2026-11-02T10:00:00Z", 2),
      { eventId },
    );
    expect((await call(ordersWebhook, again)).status).toBe(200);
    // The second delivery was recognised by its event id and did not run.
    expect(await prisma.order.count({ where: { shop: SHOP, id: "8" } })).toBe(
      0,
    );
  });

  it("never records more refunded than the line sold", async () => {
    await call(
      ordersWebhook,
      webhookRequest(
        "/webhooks/orders",
        "orders/create",
        orderPayload(9, "2026-11-01T10:00:00Z", 2),
      ),
    );
    for (const quantity of [1, 5])
      expect(
        (
          await call(
            refundsWebhook,
            webhookRequest("/webhooks/refunds", "refunds/create", {
              order_id: 9,
              created_at: "2026-11-02T10:00:00Z",
              refund_line_items: [{ line_item_id: 90, quantity }],
            }),
          )
        ).status,
      ).toBe(200);
    const refunded = async () =>
      (
        await prisma.orderLine.findUniqueOrThrow({
          where: { shop_id: { shop: SHOP, id: "90" } },
        })
      ).refundedQuantity;
    expect(await refunded()).toBe(2);
    // An edit that lowers the quantity lowers what can have been refunded with it.
    await call(
      ordersWebhook,
      webhookRequest(
        "/webhooks/orders",
        "orders/updated",
        orderPayload(9, "2026-11-03T10:00:00Z", 1),
      ),
    );
    expect(await refunded()).toBe(1);
  });

  it("stores and reads back exactly any amount up to 2^53 minor units, in every currency digit count", async () => {
    let id = 100;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("USD", "IDR", "JPY", "KWD", "CLF"),
        fc.oneof(
          fc.constant(Number.MAX_SAFE_INTEGER),
          fc.constant(2_500_000_000),
          fc.integer({ min: 2 ** 31, max: Number.MAX_SAFE_INTEGER }),
        ),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        async (currency, minor, quantity) => {
          id += 1;
          const price = minorToDecimal(minor, currency);
          const response = await call(
            ordersWebhook,
            webhookRequest("/webhooks/orders", "orders/create", {
              ...orderPayload(id, "2026-11-01T10:00:00Z"),
              currency,
              subtotal_price: price,
              total_price: price,
              line_items: [
                {
                  id: id * 10,
                  quantity,
                  price,
                  product_id: 11,
                  variant_id: 21,
                },
              ],
            }),
          );
          expect(response.status).toBe(200);
          const stored = await prisma.order.findUniqueOrThrow({
            where: { shop_id: { shop: SHOP, id: String(id) } },
            select: {
              totalMinor: true,
              lines: { select: { priceMinor: true, quantity: true } },
            },
          });
          expect(stored.totalMinor).toBe(minor);
          expect(stored.lines[0].priceMinor).toBe(minor);
          expect(stored.lines[0].quantity).toBe(quantity);
        },
      ),
      { numRuns: 25 },
    );
  });

  it("stores an order of 25,000,000.00 IDR, which a 32-bit column cannot hold", async () => {
    const response = await call(
      ordersWebhook,
      webhookRequest("/webhooks/orders", "orders/create", {
        ...orderPayload(10, "2026-11-01T10:00:00Z"),
        currency: "IDR",
        total_price: "25000000.00",
      }),
    );
    expect(response.status).toBe(200);
    expect(
      (
        await prisma.order.findUniqueOrThrow({
          where: { shop_id: { shop: SHOP, id: "10" } },
        })
      ).totalMinor,
    ).toBe(2_500_000_000);
  });

  /** An order payload whose first line has `current` units left after refunds. */
  const refundedPayload = (id: number, updatedAt: string, current: number) => {
    const payload = orderPayload(id, updatedAt, 2);
    const [first, ...rest] = payload.line_items;
    return {
      ...payload,
      line_items: [{ ...first, current_quantity: current }, ...rest],
    };
  };
  const refundedOf = async (lineId: number) =>
    (
      await prisma.orderLine.findUniqueOrThrow({
        where: { shop_id: { shop: SHOP, id: String(lineId) } },
      })
    ).refundedQuantity;
  const refundCreated = (orderId: number, createdAt: string) =>
    call(
      refundsWebhook,
      webhookRequest("/webhooks/refunds", "refunds/create", {
        order_id: orderId,
        created_at: createdAt,
        refund_line_items: [{ line_item_id: orderId * 10, quantity: 1 }],
      }),
    );

  it("takes refunds made before the app was installed from the order's current quantities", async () => {
    const response = await call(
      ordersWebhook,
      webhookRequest(
        "/webhooks/orders",
        "orders/updated",
        refundedPayload(21, "2026-11-05T10:00:00Z", 0),
      ),
    );
    expect(response.status).toBe(200);
    expect(await refundedOf(210)).toBe(2);
    expect(await refundedOf(211)).toBe(0);
  });

  it("counts a refund once, whether refunds/create comes before or after the order that reports it", async () => {
    // refunds/create first, then the order updated by that refund.
    await call(
      ordersWebhook,
      webhookRequest(
        "/webhooks/orders",
        "orders/create",
        orderPayload(22, "2026-11-01T10:00:00Z", 2),
      ),
    );
    expect((await refundCreated(22, "2026-11-02T10:00:00Z")).status).toBe(200);
    expect(await refundedOf(220)).toBe(1);
    await call(
      ordersWebhook,
      webhookRequest(
        "/webhooks/orders",
        "orders/updated",
        refundedPayload(22, "2026-11-02T10:00:01Z", 1),
      ),
    );
    expect(await refundedOf(220)).toBe(1);

    // The order updated by the refund first, then refunds/create.
    await call(
      ordersWebhook,
      webhookRequest(
        "/webhooks/orders",
        "orders/updated",
        refundedPayload(23, "2026-11-02T10:00:01Z", 1),
      ),
    );
    expect(await refundedOf(230)).toBe(1);
    expect((await refundCreated(23, "2026-11-02T10:00:00Z")).status).toBe(200);
    expect(await refundedOf(230)).toBe(1);
    // A later refund, which the stored order does not report yet, adds up.
    expect((await refundCreated(23, "2026-11-04T10:00:00Z")).status).toBe(200);
    expect(await refundedOf(230)).toBe(2);
    // An older copy of the order, delivered late, takes nothing back.
    await call(
      ordersWebhook,
      webhookRequest(
        "/webhooks/orders",
        "orders/updated",
        refundedPayload(23, "2026-11-03T10:00:00Z", 1),
      ),
    );
    expect(await refundedOf(230)).toBe(2);
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
        created_at: "2026-11-02T10:00:00Z",
        refund_line_items: [{ line_item_id: 40, quantity: 1 }],
      }),
    );
    expect(response.status).toBe(200);
    const line = await prisma.orderLine.findUniqueOrThrow({
      where: { shop_id: { shop: SHOP, id: "40" } },
    });
    expect(line.refundedQuantity).toBe(1);
  });

  it("mirrors product creations, updates and deletes", async () => {
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
          webhookRequest("/webhooks/products", "products/create", product),
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
    const updated = {
      ...product,
      updated_at: "2026-11-02T10:00:00Z",
      variants: [{ ...product.variants[0], price: "13.00" }],
    };
    expect(
      (
        await call(
          productsWebhook,
          webhookRequest("/webhooks/products", "products/update", updated),
        )
      ).status,
    ).toBe(200);
    expect(
      await prisma.variant.findUniqueOrThrow({
        where: { shop_id: { shop: SHOP, id: "551" } },
      }),
    ).toMatchObject({ priceMinor: 1300 });
    const deleted = webhookRequest("/webhooks/products", "products/delete", {
      id: 55,
    });
    expect((await call(productsWebhook, deleted)).status).toBe(200);
    expect(
      await prisma.variant.count({ where: { shop: SHOP, productId: "55" } }),
    ).toBe(0);
  });
});

describe("unit costs", () => {
  it("records an inventory item's cost on its variant and keeps it through product updates", async () => {
    const shop = "unit-costs.myshopify.com";
    await prisma.shop.create({ data: { shop, currency: "JPY" } });
    const product = (updatedAt: string, price: string) => ({
      id: 70,
      title: "Camp Stove",
      handle: "camp-stove",
      status: "active",
      updated_at: updatedAt,
      variants: [{ id: 701, title: "Default", price, inventory_item_id: 7001 }],
    });
    const send = (path: string, topic: string, payload: unknown) =>
      call(
        path === "/webhooks/products" ? productsWebhook : inventoryWebhook,
        webhookRequest(path, topic, payload, { shop }),
      );
    const stove = () =>
      prisma.variant.findUniqueOrThrow({
        where: { shop_id: { shop, id: "701" } },
      });

    expect(
      (
        await send(
          "/webhooks/products",
          "products/create",
          product("2026-11-01T10:00:00Z", "9800"),
        )
      ).status,
    ).toBe(200);
    expect(await stove()).toMatchObject({
      inventoryItemId: "7001",
      costMinor: null,
    });

    const cost = { id: 7001, sku: "STOVE", cost: "5200.00", tracked: true };
    expect(
      (await send("/webhooks/inventory_items", "inventory_items/update", cost))
        .status,
    ).toBe(200);
    // Yen have no minor unit: 5200.00 is 5200.
    expect((await stove()).costMinor).toBe(5200);

    await send(
      "/webhooks/products",
      "products/update",
      product("2026-11-02T10:00:00Z", "9900"),
    );
    expect(await stove()).toMatchObject({ priceMinor: 9900, costMinor: 5200 });

    // A cost removed in Shopify is removed here; bad input changes nothing.
    await send("/webhooks/inventory_items", "inventory_items/update", {
      ...cost,
      cost: null,
    });
    expect((await stove()).costMinor).toBeNull();
    const bad = await send(
      "/webhooks/inventory_items",
      "inventory_items/update",
      { id: 7001, cost: "abc" },
    );
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    expect((await stove()).costMinor).toBeNull();
  });
});

describe("an order between trainings", () => {
  it("changes the next storefront answer without a retraining", async () => {
    const shop = "between-trainings.myshopify.com";
    await seedSmallShop(shop);
    // Trained when product 3 sold alone: nothing goes with it but best sellers.
    const model = await storeModel(
      shop,
      trainModels([
        order("a", ["1", "2"]),
        order("b", ["1", "2"]),
        order("c", ["3"]),
      ]),
      { orders: 3, products: 3, trainMs: 0 },
    );
    const productPage = async () => {
      const { ranking, modelId } = await recommenderFor(shop);
      const offers = rankOffers(ranking, {
        placement: "product_fbt",
        context: { type: "product", productId: "3" },
      });
      return { modelId, first: offers[0] };
    };
    const before = (await productPage()).first;
    expect(before.breakdown.copurchase ?? 0).toBe(0);

    for (const id of [901, 902, 903]) {
      const payload = {
        ...orderPayload(id, "2026-11-02T10:00:00Z"),
        created_at: "2026-11-02T10:00:00Z",
        line_items: ["2", "3"].map((productId, i) => ({
          id: id * 10 + i,
          product_id: Number(productId),
          variant_id: Number(`9${productId}`),
          quantity: 1,
          price: "10.00",
          properties: [],
        })),
      };
      const response = await call(
        ordersWebhook,
        webhookRequest("/webhooks/orders", "orders/create", payload, { shop }),
      );
      expect(response.status).toBe(200);
    }

    await vi.waitFor(async () => {
      const { first } = await productPage();
      expect(first.productId).toBe("2");
      expect(first.breakdown.copurchase).toBeGreaterThan(0);
    });
    expect((await productPage()).modelId).toBe(model.id);
    expect(await prisma.recommendationModel.count({ where: { shop } })).toBe(1);
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

  it("refuses a compliance request whose signed body names another shop than its header", async () => {
    await prisma.shop.upsert({
      where: { shop: SHOP },
      create: { shop: SHOP },
      update: {},
    });
    const other = { shop_id: 2, shop_domain: "other-shop.myshopify.com" };
    const customer = { ...other, customer: { id: 777 } };
    for (const [topic, payload] of [
      ["customers/data_request", { ...customer, data_request: { id: 5 } }],
      ["customers/redact", customer],
      ["shop/redact", other],
    ] as const) {
      const response = await call(
        complianceWebhook,
        webhookRequest("/webhooks/compliance", topic, payload),
      );
      expect([topic, response.status]).toEqual([topic, 400]);
    }
    expect(await prisma.shop.count({ where: { shop: SHOP } })).toBe(1);
    expect(await prisma.dataRequest.count()).toBe(0);
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
    expect(invalid.status).toBe(400);
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

describe("app/uninstalled", () => {
  it("forgets the shop's sessions and stops its unsent next offers, leaving the sent ones as they were", async () => {
    const shop = "uninstalling.myshopify.com";
    await prisma.session.create({
      data: {
        id: `offline_${shop}`,
        shop,
        state: "",
        isOnline: false,
        accessToken: "token",
      },
    });
    const send = (orderId: string, status: string) => ({
      shop,
      orderId,
      customerKey: "k",
      productId: "2",
      anchorProductId: "1",
      reason: "bought_next",
      dueAt: new Date("2026-11-01T00:00:00Z"),
      status,
    });
    await prisma.nextOfferSend.createMany({
      data: [
        send("1", "pending"),
        send("2", "sending"),
        send("3", "sent"),
        send("4", "no_consent"),
      ],
    });
    // Another shop's sends are not touched.
    await prisma.nextOfferSend.create({
      data: { ...send("1", "pending"), shop: SHOP },
    });

    const response = await call(
      uninstalledWebhook,
      webhookRequest(
        "/webhooks/app/uninstalled",
        "app/uninstalled",
        {},
        { shop },
      ),
    );
    expect(response.status).toBe(200);
    expect(await prisma.session.count({ where: { shop } })).toBe(0);
    const statuses = await prisma.nextOfferSend.findMany({
      where: { shop: { in: [shop, SHOP] } },
      select: { shop: true, orderId: true, status: true },
      orderBy: [{ shop: "asc" }, { orderId: "asc" }],
    });
    expect(statuses).toEqual([
      { shop, orderId: "1", status: "uninstalled" },
      { shop, orderId: "2", status: "uninstalled" },
      { shop, orderId: "3", status: "sent" },
      { shop, orderId: "4", status: "no_consent" },
      { shop: SHOP, orderId: "1", status: "pending" },
    ]);
  });
});
