import type { CatalogProduct, EngineOrder } from "~/engine/types";
import type { DemoShop } from "./shop";

/**
 * A generated shop in the engine's terms, as the app reads it back from its database: for the
 * engine's tests, benchmarks and figure scripts, which train on the demo shop without a database.
 */

/** The orders; with `discounts`, a line is marked discounted when a discount was allocated to it. */
export function demoEngineOrders(
  shop: DemoShop,
  { discounts = false } = {},
): EngineOrder[] {
  return shop.orders.map((o) => ({
    id: o.id,
    createdAt: o.createdAt,
    customerKey: o.customerId ?? undefined,
    lines: o.lines.map((l) => ({
      productId: l.productId,
      variantId: l.variantId,
      quantity: l.quantity,
      price: { amount: l.price, currency: shop.currency },
      ...(discounts ? { discounted: l.discount > 0 } : {}),
    })),
  }));
}

/** The catalog, every variant for sale. */
export function demoCatalog(shop: DemoShop): CatalogProduct[] {
  return shop.products.map((p) => ({
    ...p,
    variants: p.variants.map((v) => ({
      id: v.id,
      productId: p.id,
      title: v.title,
      sku: v.sku,
      options: v.options,
      price: { amount: v.price, currency: shop.currency },
      inventoryQuantity: v.inventoryQuantity,
      availableForSale: true,
    })),
  }));
}
