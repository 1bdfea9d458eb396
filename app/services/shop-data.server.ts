import prisma from "~/db.server";
import type { CatalogProduct, EngineOrder } from "~/engine/types";

const parseList = (json: string): string[] => JSON.parse(json) as string[];

/** The shop's active catalog in the engine's shape. */
export async function loadCatalog(shop: string): Promise<CatalogProduct[]> {
  const rows = await prisma.product.findMany({
    where: { shop, status: "ACTIVE" },
    select: {
      id: true,
      title: true,
      handle: true,
      productType: true,
      vendor: true,
      tags: true,
      collections: true,
      imageUrl: true,
      variants: {
        orderBy: { position: "asc" },
        select: {
          id: true,
          title: true,
          sku: true,
          options: true,
          priceMinor: true,
          compareAtMinor: true,
          costMinor: true,
          currency: true,
          inventoryQuantity: true,
          availableForSale: true,
        },
      },
    },
    orderBy: { id: "asc" },
  });
  return rows.map((p) => ({
    id: p.id,
    title: p.title,
    handle: p.handle,
    productType: p.productType,
    vendor: p.vendor,
    tags: parseList(p.tags),
    collections: parseList(p.collections),
    imageUrl: p.imageUrl ?? undefined,
    variants: p.variants.map((v) => ({
      id: v.id,
      productId: p.id,
      title: v.title,
      sku: v.sku,
      options: JSON.parse(v.options) as { name: string; value: string }[],
      price: { amount: v.priceMinor, currency: v.currency },
      compareAtPrice:
        v.compareAtMinor === null
          ? undefined
          : { amount: v.compareAtMinor, currency: v.currency },
      cost:
        v.costMinor === null
          ? undefined
          : { amount: v.costMinor, currency: v.currency },
      inventoryQuantity: v.inventoryQuantity,
      availableForSale: v.availableForSale,
    })),
  }));
}

/** The shop's orders (not cancelled), oldest first, in the engine's shape. */
export async function loadOrders(shop: string): Promise<EngineOrder[]> {
  const rows = await prisma.order.findMany({
    where: { shop, cancelledAt: null },
    select: {
      id: true,
      createdAt: true,
      customerKey: true,
      currency: true,
      lines: {
        select: {
          productId: true,
          variantId: true,
          quantity: true,
          priceMinor: true,
        },
      },
    },
    orderBy: [{ createdAt: "asc" }, { id: "asc" }],
  });
  return rows.map((o) => ({
    id: o.id,
    createdAt: o.createdAt,
    customerKey: o.customerKey ?? undefined,
    lines: o.lines.flatMap((l) =>
      l.productId
        ? [
            {
              productId: l.productId,
              variantId: l.variantId ?? undefined,
              quantity: l.quantity,
              price: { amount: l.priceMinor, currency: o.currency },
            },
          ]
        : [],
    ),
  }));
}
