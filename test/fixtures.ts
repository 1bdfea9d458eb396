import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import type { EngineOrder } from "~/engine/types";
import type { DemoOrder } from "../demo/shop";
import type { ExperimentInput } from "~/services/experiments/experiments.server";
import { trainModels } from "~/engine/shop-model";
import { type OrderInput, saveOrders } from "~/services/catalog/orders.server";
import { loadOrders } from "~/services/catalog/shop-data.server";
import { storeModel } from "~/services/model/model.server";

/** A shop whose import is done, with three products (ids 1–3) of one in-stock variant each (91–93). */
export async function seedSmallShop(
  shop: string,
  updatedAt = new Date("2026-10-01T00:00:00Z"),
) {
  await prisma.shop.create({ data: { shop, importStatus: "done" } });
  await prisma.product.createMany({
    data: ["1", "2", "3"].map((id) => ({
      shop,
      id,
      title: `P${id}`,
      handle: `p${id}`,
      updatedAt,
    })),
  });
  await prisma.variant.createMany({
    data: ["1", "2", "3"].map((id) => ({
      shop,
      id: `9${id}`,
      productId: id,
      title: "Default",
      priceMinor: 1000,
      currency: "USD",
      inventoryQuantity: 3,
    })),
  });
}

/** An order of one unit of each product at 10.00 USD, for training a model in a test. */
export const engineOrder = (id: string, productIds: string[]): EngineOrder => ({
  id,
  createdAt: new Date("2026-10-01T00:00:00Z"),
  lines: productIds.map((productId) => ({
    productId,
    quantity: 1,
    price: { amount: 1000, currency: "USD" },
  })),
});

/** An experiment's hold-out arm: it sees no offers. */
export const holdoutArm = (
  weight: number,
): ExperimentInput["arms"][number] => ({
  name: "Hold-out",
  weight,
  holdout: true,
  strategy: null,
  offerCount: null,
});

/** An offline session for the shop with the app's configured scopes, valid for an hour. */
export async function storeOfflineSession(shop: string) {
  // Imported here, so the tests that only need data do not load the Shopify app.
  const { sessionStorage } = await import("~/shopify.server");
  await sessionStorage.storeSession(
    setUpValidSession({
      shop,
      isOnline: false,
      scope: "read_products,read_orders,read_customers,write_discounts",
      expires: new Date(Date.now() + 3_600_000),
    }),
  );
}

/** A stored order of one unit of each product at 10.00 USD, by a customer (a Shopify id) or a guest. */
export const orderInput = (
  id: string,
  customerId: string | null,
  productIds: string[],
  createdAt: Date,
): OrderInput => ({
  id,
  name: `#${id}`,
  createdAt,
  sourceUpdatedAt: createdAt,
  cancelledAt: null,
  currency: "USD",
  subtotalMinor: 1000 * productIds.length,
  totalMinor: 1000 * productIds.length,
  customerId,
  lines: productIds.map((productId, i) => ({
    id: `${id}-${i}`,
    productId,
    variantId: `9${productId}`,
    quantity: 1,
    priceMinor: 1000,
    offerToken: null,
  })),
});

/**
 * `seedSmallShop` with orders and a trained model: guests buy 1 with 2 or with 3, five returning
 * customers (ids 501–505) buy 3 twice each, customer 601 bought 2 in March 2026 and customer 602
 * bought 3 in May 2026.
 */
export async function seedCustomerShop(shop: string) {
  await seedSmallShop(shop);
  const day = (month: number, date: number) =>
    new Date(Date.UTC(2026, month - 1, date));
  await saveOrders(shop, [
    ...[0, 1, 2].map((k) => orderInput(`g${k}`, null, ["1", "2"], day(1, 2))),
    ...[3, 4].map((k) => orderInput(`g${k}`, null, ["1", "3"], day(1, 3))),
    ...[501, 502, 503, 504, 505].flatMap((c) => [
      orderInput(`r${c}a`, String(c), ["3"], day(2, 1)),
      orderInput(`r${c}b`, String(c), ["3"], day(4, 1)),
    ]),
    orderInput("alice", "601", ["2"], day(3, 10)),
    orderInput("bob", "602", ["3"], day(5, 20)),
  ]);
  const orders = await loadOrders(shop);
  await storeModel(shop, trainModels(orders), {
    orders: orders.length,
    products: 3,
    trainMs: 0,
  });
}

/** The demo's order #1001 (placed 2026-01-01, no customer) of one line, nothing refunded. */
export const demoOrder = (
  line: Pick<
    DemoOrder["lines"][number],
    "productId" | "variantId" | "quantity" | "price"
  >,
): DemoOrder => ({
  id: "1",
  name: "#1001",
  createdAt: "2026-01-01T00:00:00Z",
  customerId: null,
  lines: [{ id: "l1", ...line, refunded: 0, discount: 0 }],
});
