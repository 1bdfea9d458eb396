import prisma from "~/db.server";
import { parseStringList } from "~/services/platform/string-list";
import type { CatalogProduct, EngineOrder } from "~/engine/types";

/**
 * The shop's active catalog in the engine's shape. Products and variants are read in two queries
 * scoped by shop and joined here: Prisma would load the relation with one IN list of every
 * product id, which overflows PostgreSQL's 65,535 bind parameters on a 50,000-product shop.
 */
export async function loadCatalog(shop: string): Promise<CatalogProduct[]> {
  const [products, variants] = await Promise.all([
    prisma.product.findMany({
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
      },
      orderBy: { id: "asc" },
    }),
    prisma.variant.findMany({
      where: { shop },
      orderBy: [{ productId: "asc" }, { position: "asc" }, { id: "asc" }],
      select: {
        id: true,
        productId: true,
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
    }),
  ]);
  const variantsOf = new Map<string, typeof variants>();
  for (const v of variants) {
    const list = variantsOf.get(v.productId);
    if (list) list.push(v);
    else variantsOf.set(v.productId, [v]);
  }
  const rows = products.map((p) => ({
    ...p,
    variants: variantsOf.get(p.id) ?? [],
  }));
  return rows.map((p) => ({
    id: p.id,
    title: p.title,
    handle: p.handle,
    productType: p.productType,
    vendor: p.vendor,
    tags: parseStringList(p.tags),
    collections: parseStringList(p.collections),
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

/**
 * The shop's orders (not cancelled), oldest first, in the engine's shape; with `after`, only those
 * created after that moment.
 */
export async function loadOrders(
  shop: string,
  { after }: { after?: Date } = {},
): Promise<EngineOrder[]> {
  // Two shop-scoped queries joined here, for the same reason as loadCatalog (no IN list of every
  // order id). Lines of cancelled orders are read too and dropped with their order.
  const createdAt = after && { gt: after };
  const [orders, lines] = await Promise.all([
    prisma.order.findMany({
      where: { shop, cancelledAt: null, createdAt },
      select: { id: true, createdAt: true, customerKey: true, currency: true },
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    }),
    prisma.orderLine.findMany({
      where: {
        shop,
        productId: { not: null },
        ...(createdAt && { order: { createdAt } }),
      },
      select: {
        orderId: true,
        productId: true,
        variantId: true,
        quantity: true,
        priceMinor: true,
      },
      orderBy: [{ orderId: "asc" }, { id: "asc" }],
    }),
  ]);
  const linesOf = new Map<string, typeof lines>();
  for (const line of lines) {
    const list = linesOf.get(line.orderId);
    if (list) list.push(line);
    else linesOf.set(line.orderId, [line]);
  }
  return orders.map((o) => ({
    id: o.id,
    createdAt: o.createdAt,
    customerKey: o.customerKey ?? undefined,
    lines: (linesOf.get(o.id) ?? []).map((l) => ({
      productId: l.productId as string,
      variantId: l.variantId ?? undefined,
      quantity: l.quantity,
      price: { amount: l.priceMinor, currency: o.currency },
    })),
  }));
}
