import { z } from "zod";
import prisma from "~/db.server";
import { decimalToMinor } from "~/engine/money";
import { isOlder } from "./ordering";
import { type Transaction, insertRows } from "./insert-rows.server";

export interface ProductInput {
  id: string;
  title: string;
  handle: string;
  productType: string;
  vendor: string;
  tags: string[];
  collections?: string[];
  status: string;
  imageUrl: string | null;
  updatedAt: Date;
  variants: {
    id: string;
    title: string;
    sku: string;
    options: { name: string; value: string }[];
    priceMinor: number;
    compareAtMinor: number | null;
    inventoryQuantity: number | null;
    availableForSale: boolean;
    position: number;
    /** Undefined when the source does not carry it: the stored value stays (as for the cost). */
    inventoryItemId?: string | null;
    /**
     * Unit cost (inventoryItem.unitCost); undefined when the source does not carry it (product
     * webhooks: it arrives by inventory_items webhooks).
     */
    costMinor?: number | null;
  }[];
}

const Id = z
  .union([z.number().int(), z.string().regex(/^\d+$/)])
  .transform(String);
const Money = z.string().regex(/^-?\d+(\.\d+)?$/);

/** The REST-shaped product that products/create and products/update webhooks deliver. */
export const ProductWebhookPayload = z.object({
  id: Id,
  title: z.string(),
  handle: z.string(),
  product_type: z.string().nullish(),
  vendor: z.string().nullish(),
  tags: z.string().nullish(),
  status: z.string().default("active"),
  updated_at: z.iso.datetime({ offset: true }),
  image: z.object({ src: z.string() }).nullish(),
  options: z
    .array(z.object({ name: z.string(), position: z.number().int() }))
    .default([]),
  variants: z.array(
    z.object({
      id: Id,
      title: z.string(),
      sku: z.string().nullish(),
      price: Money,
      compare_at_price: Money.nullish(),
      inventory_quantity: z.number().int().nullish(),
      inventory_policy: z.string().nullish(),
      inventory_item_id: Id.nullish(),
      position: z.number().int().default(1),
      option1: z.string().nullish(),
      option2: z.string().nullish(),
      option3: z.string().nullish(),
    }),
  ),
});

export function productFromWebhook(
  p: z.infer<typeof ProductWebhookPayload>,
  currency: string,
): ProductInput {
  const optionNames = [...p.options]
    .sort((a, b) => a.position - b.position)
    .map((o) => o.name);
  return {
    id: p.id,
    title: p.title,
    handle: p.handle,
    productType: p.product_type ?? "",
    vendor: p.vendor ?? "",
    tags: (p.tags ?? "")
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
    status: p.status.toUpperCase(),
    imageUrl: p.image?.src ?? null,
    updatedAt: new Date(p.updated_at),
    variants: p.variants.map((v) => {
      const values = [v.option1, v.option2, v.option3];
      return {
        id: v.id,
        title: v.title,
        sku: v.sku ?? "",
        options: optionNames.flatMap((name, i) =>
          values[i] ? [{ name, value: values[i] as string }] : [],
        ),
        priceMinor: decimalToMinor(v.price, currency),
        compareAtMinor: v.compare_at_price
          ? decimalToMinor(v.compare_at_price, currency)
          : null,
        inventoryQuantity: v.inventory_quantity ?? null,
        availableForSale:
          (v.inventory_quantity ?? 1) > 0 || v.inventory_policy === "continue",
        position: v.position,
        inventoryItemId: v.inventory_item_id ?? null,
      };
    }),
  };
}

const PRODUCT_COLUMNS = [
  "shop",
  "id",
  "title",
  "handle",
  "productType",
  "vendor",
  "tags",
  "collections",
  "status",
  "imageUrl",
  "updatedAt",
  "catalogVersion",
] as const;

const VARIANT_COLUMNS = [
  "shop",
  "id",
  "productId",
  "title",
  "sku",
  "options",
  "priceMinor",
  "compareAtMinor",
  "costMinor",
  "inventoryItemId",
  "currency",
  "inventoryQuantity",
  "availableForSale",
  "position",
] as const;

/**
 * Replaces products and their variants, except those whose stored copy is newer, inside the
 * caller's transaction: the one write of products, for an import batch and for a webhook.
 */
export async function writeProducts(
  tx: Transaction,
  shop: string,
  products: ProductInput[],
  currency: string,
): Promise<number> {
  if (products.length === 0) return 0;
  const existing = await tx.product.findMany({
    where: { shop, id: { in: products.map((p) => p.id) } },
    select: { id: true, updatedAt: true, collections: true },
  });
  const stored = new Map(existing.map((p) => [p.id, p]));
  const fresh = products.filter(
    (p) => !isOlder(p.updatedAt, stored.get(p.id)?.updatedAt),
  );
  if (fresh.length === 0) return 0;
  const catalogVersion = await bumpCatalogVersion(tx, shop);
  const replaced = fresh.filter((p) => stored.has(p.id)).map((p) => p.id);
  const returning = fresh.filter((p) => !stored.has(p.id)).map((p) => p.id);
  // A product deleted before and created again is no longer deleted.
  if (returning.length > 0)
    await tx.deletedProduct.deleteMany({
      where: { shop, id: { in: returning } },
    });
  // What a source may not carry (costs, inventory items) is kept from the stored variant.
  const storedVariants = new Map(
    replaced.length === 0
      ? []
      : (
          await tx.variant.findMany({
            where: { shop, productId: { in: replaced } },
            select: { id: true, costMinor: true, inventoryItemId: true },
          })
        ).map((v) => [v.id, v]),
  );
  // Variants go with their product (cascade).
  if (replaced.length > 0)
    await tx.product.deleteMany({ where: { shop, id: { in: replaced } } });
  await insertRows(
    tx,
    "Product",
    PRODUCT_COLUMNS,
    fresh.map((product) => ({
      shop,
      id: product.id,
      title: product.title,
      handle: product.handle,
      productType: product.productType,
      vendor: product.vendor,
      tags: JSON.stringify(product.tags),
      // Webhook payloads do not list collections: keep what the import stored.
      collections: product.collections
        ? JSON.stringify(product.collections)
        : (stored.get(product.id)?.collections ?? "[]"),
      status: product.status,
      imageUrl: product.imageUrl,
      updatedAt: product.updatedAt,
      catalogVersion,
    })),
  );
  await insertRows(
    tx,
    "Variant",
    VARIANT_COLUMNS,
    fresh.flatMap((product) =>
      product.variants.map(({ options, costMinor, inventoryItemId, ...v }) => ({
        shop,
        productId: product.id,
        currency,
        options: JSON.stringify(options),
        costMinor:
          costMinor === undefined
            ? (storedVariants.get(v.id)?.costMinor ?? null)
            : costMinor,
        inventoryItemId:
          inventoryItemId === undefined
            ? (storedVariants.get(v.id)?.inventoryItemId ?? null)
            : inventoryItemId,
        ...v,
      })),
    ),
  );
  return fresh.length;
}

/** Replaces products and their variants in a transaction of their own (a webhook, a seed). */
export async function saveProducts(
  shop: string,
  products: ProductInput[],
  currency: string,
): Promise<number> {
  if (products.length === 0) return 0;
  return prisma.$transaction((tx) =>
    writeProducts(tx, shop, products, currency),
  );
}

/**
 * Every catalog write moves the shop's catalog version in its own transaction, and stamps the
 * products it changed (or the deletion's record) with the new version: a serving state
 * (model.server.ts) reads what changed since the version it holds, and only that. Updating the
 * shop's row first locks it until commit, so versions commit in order.
 */
async function bumpCatalogVersion(
  tx: Pick<typeof prisma, "shop">,
  shop: string,
): Promise<number> {
  await tx.shop.updateMany({
    where: { shop },
    data: { catalogVersion: { increment: 1 } },
  });
  const row = await tx.shop.findUnique({
    where: { shop },
    select: { catalogVersion: true },
  });
  return row?.catalogVersion ?? 0;
}

/** The REST-shaped inventory item that inventory_items/create and /update webhooks deliver. */
export const InventoryItemWebhookPayload = z.object({
  id: Id,
  cost: Money.nullish(),
});

/**
 * Records an inventory item's unit cost on its variants (one, in practice). Costs are in the
 * shop's currency, as the variants' prices are.
 */
export async function saveInventoryItemCost(
  shop: string,
  item: z.infer<typeof InventoryItemWebhookPayload>,
): Promise<number> {
  const currency = await shopCurrency(shop);
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.variant.updateMany({
      where: { shop, inventoryItemId: item.id },
      data: {
        costMinor: item.cost ? decimalToMinor(item.cost, currency) : null,
      },
    });
    if (count > 0)
      await tx.product.updateMany({
        where: { shop, variants: { some: { inventoryItemId: item.id } } },
        data: { catalogVersion: await bumpCatalogVersion(tx, shop) },
      });
    return count;
  });
}

export async function deleteProduct(
  shop: string,
  productId: string,
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const { count } = await tx.product.deleteMany({
      where: { shop, id: productId },
    });
    if (count === 0) return;
    const catalogVersion = await bumpCatalogVersion(tx, shop);
    await tx.deletedProduct.upsert({
      where: { shop_id: { shop, id: productId } },
      create: { shop, id: productId, catalogVersion },
      update: { catalogVersion },
    });
  });
}

export async function shopCurrency(shop: string): Promise<string> {
  const row = await prisma.shop.findUnique({
    where: { shop },
    select: { currency: true },
  });
  return row?.currency ?? "USD";
}
