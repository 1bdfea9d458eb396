import { Prisma } from "@prisma/client";
import prisma, { exactNumber } from "~/db.server";
import { parseStringList } from "~/services/platform/string-list";
import { type OrderTable, OrderTableBuilder } from "~/engine/order-table";
import type { CatalogChanges } from "~/engine/ranking";
import type { CatalogProduct, EngineOrder } from "~/engine/types";

/**
 * The shop's active catalog in the engine's shape; with `since`, only the products written after
 * that catalog version. Products and variants are read in two queries scoped by shop and joined
 * here: Prisma would load the relation with one IN list of every product id, which overflows
 * PostgreSQL's 65,535 bind parameters on a 50,000-product shop.
 */
export async function loadCatalog(
  shop: string,
  { since }: { since?: number } = {},
): Promise<CatalogProduct[]> {
  const changed = since === undefined ? {} : { catalogVersion: { gt: since } };
  const [products, variants] = await Promise.all([
    prisma.product.findMany({
      where: { shop, status: "ACTIVE", ...changed },
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
      where: { shop, ...(since === undefined ? {} : { product: changed }) },
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
 * What changed in the shop's active catalog after catalog version `since`, or null when more than
 * `limit` products did (a rebuild is cheaper then). Read after the version itself, so a write
 * committed meanwhile is read now and again next time, which applying changes allows.
 */
export async function loadCatalogChanges(
  shop: string,
  since: number,
  limit: number,
): Promise<CatalogChanges | null> {
  const where = { shop, catalogVersion: { gt: since } };
  const [written, deleted] = await Promise.all([
    prisma.product.findMany({ where, select: { id: true }, take: limit + 1 }),
    prisma.deletedProduct.findMany({
      where,
      select: { id: true },
      take: limit + 1,
    }),
  ]);
  if (written.length + deleted.length > limit) return null;
  const upserted = await loadCatalog(shop, { since });
  const active = new Set(upserted.map((p) => p.id));
  // Written but not active (archived, drafted), or deleted: out of the catalog.
  const removed = [...written, ...deleted]
    .map((p) => p.id)
    .filter((id) => !active.has(id));
  return { upserted, removed };
}

/** Orders read per query: the lines of a page are joined to it in the same statement. */
const ORDER_PAGE = 5_000;

type OrderLineRow = {
  id: string;
  createdAt: Date;
  customerKey: string | null;
  currency: string;
  productId: string | null;
  variantId: string | null;
  quantity: bigint | null;
  priceMinor: bigint | null;
  discountMinor: bigint | null;
};

/**
 * The shop's orders (not cancelled), net of refunds, oldest first, in the engine's shape; with
 * `after`, only those created after that moment; with `withCustomer`, only those with a customer
 * key.
 */
export async function loadOrders(
  shop: string,
  options: OrderPages = {},
): Promise<EngineOrder[]> {
  const orders: EngineOrder[] = [];
  await eachOrder(shop, options, (order) => orders.push(order));
  return orders;
}

/**
 * The same orders as `loadOrders`, held in typed arrays for training: each order is built, added
 * to the table and dropped, so a million orders never sit in memory as objects.
 */
export async function loadOrderTable(
  shop: string,
  options: OrderPages = {},
): Promise<OrderTable> {
  const table = new OrderTableBuilder();
  await eachOrder(shop, options, (order) => table.push(order));
  return table.table();
}

interface OrderPages {
  after?: Date;
  pageSize?: number;
  /** Only orders with a customer key: those that make customer profiles. */
  withCustomer?: boolean;
}

/**
 * Hands over the shop's orders one at a time, oldest first. Reads a page of orders at a time with
 * their lines (keyset on creation time and id), so a million orders never sit in memory as
 * database rows; product and variant ids, which repeat across orders, are held once each.
 */
async function eachOrder(
  shop: string,
  { after, pageSize = ORDER_PAGE, withCustomer = false }: OrderPages,
  visit: (order: EngineOrder) => void,
): Promise<void> {
  const ids = new Map<string, string>();
  const intern = (id: string) => {
    const known = ids.get(id);
    if (known !== undefined) return known;
    ids.set(id, id);
    return id;
  };
  let from: { createdAt: Date; id: string | null } | null = after
    ? { createdAt: after, id: null }
    : null;
  for (;;) {
    // From the first order after `from` (by creation time, then id); lines without a product
    // are dropped, lines of cancelled orders never read. Refunded units were not kept: a line
    // counts what is left of it, and a line refunded whole is dropped.
    const keyset = !from
      ? Prisma.empty
      : from.id === null
        ? Prisma.sql`AND "createdAt" > ${from.createdAt}`
        : Prisma.sql`AND ("createdAt" > ${from.createdAt} OR ("createdAt" = ${from.createdAt} AND "id" > ${from.id}))`;
    const rows = await prisma.$queryRaw<OrderLineRow[]>(Prisma.sql`
      SELECT o."id", o."createdAt", o."customerKey", o."currency",
        l."productId", l."variantId", l."quantity" - l."refundedQuantity" AS "quantity",
        l."priceMinor", l."discountMinor"
      FROM (
        SELECT "id", "createdAt", "customerKey", "currency" FROM "Order"
        WHERE "shop" = ${shop} AND "cancelledAt" IS NULL ${keyset} ${withCustomer ? Prisma.sql`AND "customerKey" IS NOT NULL` : Prisma.empty}
        ORDER BY "createdAt", "id" LIMIT ${pageSize}
      ) o
      LEFT JOIN "OrderLine" l
        ON l."shop" = ${shop} AND l."orderId" = o."id" AND l."productId" IS NOT NULL
          AND l."quantity" > l."refundedQuantity"
      ORDER BY o."createdAt", o."id", l."id"`);
    let order: EngineOrder | undefined;
    let count = 0;
    for (const row of rows) {
      if (order?.id !== row.id) {
        if (order) visit(order);
        order = {
          id: row.id,
          createdAt: new Date(row.createdAt),
          customerKey: row.customerKey ?? undefined,
          lines: [],
        };
        count++;
      }
      if (row.productId === null) continue;
      order.lines.push({
        productId: intern(row.productId),
        variantId: row.variantId === null ? undefined : intern(row.variantId),
        quantity: exactNumber(row.quantity!),
        price: {
          amount: exactNumber(row.priceMinor!),
          currency: intern(row.currency),
        },
        // Lines stored before discounts were read do not say (decision 027).
        discounted:
          row.discountMinor === null ? undefined : row.discountMinor > 0n,
      });
    }
    if (order) visit(order);
    if (count < pageSize || !order) return;
    from = { createdAt: order.createdAt as Date, id: order.id };
  }
}
