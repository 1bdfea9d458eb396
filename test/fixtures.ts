import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import type { EngineOrder } from "~/engine/types";
import type { ExperimentInput } from "~/services/experiments/experiments.server";

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
