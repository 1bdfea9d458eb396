import { z } from "zod";
import prisma from "~/db.server";
import { log } from "~/services/platform/log.server";
import { forgetServingState } from "~/services/storefront/serving-cache.server";
import {
  acquireLease,
  releaseLease,
  renewLease,
} from "~/services/platform/lease.server";
import {
  type AdminGraphql,
  type QueryOptions,
  adminQuery,
  numericId,
} from "~/services/platform/admin-graphql.server";
import { type ProductInput, saveProducts } from "./products.server";
import { decimalToMinor } from "~/engine/money";
import { retrainIfDue } from "~/services/model/model.server";
import {
  ATTRIBUTION_PROPERTY,
  type OrderInput,
  saveOrders,
} from "./orders.server";

const SHOP_QUERY = `#graphql
  query CartliftShop {
    shop {
      currencyCode
    }
  }`;

const PRODUCTS_QUERY = `#graphql
  query CartliftProducts($cursor: String) {
    products(first: 50, after: $cursor) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id title handle productType vendor tags status updatedAt
        featuredImage { url }
        collections(first: 20) { nodes { id } }
        variants(first: 100) {
          nodes {
            id title sku price compareAtPrice inventoryQuantity availableForSale position
            selectedOptions { name value }
          }
        }
      }
    }
  }`;

const ORDERS_QUERY = `#graphql
  query CartliftOrders($cursor: String) {
    orders(first: 50, after: $cursor, sortKey: CREATED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id name createdAt updatedAt cancelledAt currencyCode
        subtotalPriceSet { shopMoney { amount } }
        totalPriceSet { shopMoney { amount } }
        customer { id }
        lineItems(first: 100) {
          nodes {
            id quantity
            product { id }
            variant { id }
            originalUnitPriceSet { shopMoney { amount } }
            customAttributes { key value }
          }
        }
      }
    }
  }`;

const PageInfo = z.object({
  hasNextPage: z.boolean(),
  endCursor: z.string().nullable(),
});

const ShopData = z.object({
  shop: z.object({ currencyCode: z.string().length(3) }),
});

const ProductsData = z.object({
  products: z.object({
    pageInfo: PageInfo,
    nodes: z.array(
      z.object({
        id: z.string(),
        title: z.string(),
        handle: z.string(),
        productType: z.string(),
        vendor: z.string(),
        tags: z.array(z.string()),
        status: z.string(),
        updatedAt: z.string(),
        featuredImage: z.object({ url: z.string() }).nullable(),
        collections: z.object({ nodes: z.array(z.object({ id: z.string() })) }),
        variants: z.object({
          nodes: z.array(
            z.object({
              id: z.string(),
              title: z.string(),
              sku: z.string().nullable(),
              price: z.string(),
              compareAtPrice: z.string().nullable(),
              inventoryQuantity: z.number().int().nullable(),
              availableForSale: z.boolean(),
              position: z.number().int(),
              selectedOptions: z.array(
                z.object({ name: z.string(), value: z.string() }),
              ),
            }),
          ),
        }),
      }),
    ),
  }),
});

const OrdersData = z.object({
  orders: z.object({
    pageInfo: PageInfo,
    nodes: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        createdAt: z.string(),
        updatedAt: z.string(),
        cancelledAt: z.string().nullable(),
        currencyCode: z.string().length(3),
        subtotalPriceSet: z.object({
          shopMoney: z.object({ amount: z.string() }),
        }),
        totalPriceSet: z.object({
          shopMoney: z.object({ amount: z.string() }),
        }),
        customer: z.object({ id: z.string() }).nullable(),
        lineItems: z.object({
          nodes: z.array(
            z.object({
              id: z.string(),
              quantity: z.number().int(),
              product: z.object({ id: z.string() }).nullable(),
              variant: z.object({ id: z.string() }).nullable(),
              originalUnitPriceSet: z.object({
                shopMoney: z.object({ amount: z.string() }),
              }),
              customAttributes: z.array(
                z.object({ key: z.string(), value: z.string().nullable() }),
              ),
            }),
          ),
        }),
      }),
    ),
  }),
});

type ProductNode = z.infer<typeof ProductsData>["products"]["nodes"][number];
type OrderNode = z.infer<typeof OrdersData>["orders"]["nodes"][number];

function productFromNode(p: ProductNode, currency: string): ProductInput {
  return {
    id: numericId(p.id),
    title: p.title,
    handle: p.handle,
    productType: p.productType,
    vendor: p.vendor,
    tags: p.tags,
    collections: p.collections.nodes.map((c) => numericId(c.id)),
    status: p.status,
    imageUrl: p.featuredImage?.url ?? null,
    updatedAt: new Date(p.updatedAt),
    variants: p.variants.nodes.map((v) => ({
      id: numericId(v.id),
      title: v.title,
      sku: v.sku ?? "",
      options: v.selectedOptions.filter((o) => o.name !== "Title"),
      priceMinor: decimalToMinor(v.price, currency),
      compareAtMinor: v.compareAtPrice
        ? decimalToMinor(v.compareAtPrice, currency)
        : null,
      inventoryQuantity: v.inventoryQuantity,
      availableForSale: v.availableForSale,
      position: v.position,
    })),
  };
}

function orderFromNode(o: OrderNode): OrderInput {
  const currency = o.currencyCode;
  return {
    id: numericId(o.id),
    name: o.name,
    createdAt: new Date(o.createdAt),
    sourceUpdatedAt: new Date(o.updatedAt),
    cancelledAt: o.cancelledAt ? new Date(o.cancelledAt) : null,
    currency,
    subtotalMinor: decimalToMinor(
      o.subtotalPriceSet.shopMoney.amount,
      currency,
    ),
    totalMinor: decimalToMinor(o.totalPriceSet.shopMoney.amount, currency),
    customerId: o.customer ? numericId(o.customer.id) : null,
    lines: o.lineItems.nodes.map((l) => ({
      id: numericId(l.id),
      productId: l.product ? numericId(l.product.id) : null,
      variantId: l.variant ? numericId(l.variant.id) : null,
      quantity: l.quantity,
      priceMinor: decimalToMinor(
        l.originalUnitPriceSet.shopMoney.amount,
        currency,
      ),
      offerToken:
        l.customAttributes.find((a) => a.key === ATTRIBUTION_PROPERTY)?.value ??
        null,
    })),
  };
}

export type ImportProgress = {
  status: string;
  products: number;
  orders: number;
};

/**
 * Imports the catalog, then the order history, page by page. The cursor and phase are saved
 * after every page, so an import interrupted by a crash or deploy resumes where it stopped.
 */
export async function importShop(
  shop: string,
  graphql: AdminGraphql,
  options: QueryOptions & { onProgress?: (p: ImportProgress) => void } = {},
): Promise<ImportProgress> {
  const { shop: shopInfo } = await adminQuery(
    graphql,
    SHOP_QUERY,
    {},
    ShopData,
    options,
  );
  const currency = shopInfo.currencyCode;
  let state = await prisma.shop.upsert({
    where: { shop },
    create: { shop, currency, importStatus: "products" },
    update: { currency },
  });
  forgetServingState(shop); // the currency bundles are shown in
  // A run that stopped half-way left its phase and cursor: it resumes from there.
  if (state.importStatus === "done" || state.importStatus === "pending") {
    state = await prisma.shop.update({
      where: { shop },
      data: {
        importStatus: "products",
        importCursor: null,
        importedProducts: 0,
        importedOrders: 0,
      },
    });
  }
  const report = (s: typeof state) =>
    options.onProgress?.({
      status: s.importStatus,
      products: s.importedProducts,
      orders: s.importedOrders,
    });

  while (state.importStatus === "products") {
    const { products } = await adminQuery(
      graphql,
      PRODUCTS_QUERY,
      { cursor: state.importCursor },
      ProductsData,
      options,
    );
    await saveProducts(
      shop,
      products.nodes.map((node) => productFromNode(node, currency)),
      currency,
    );
    state = await prisma.shop.update({
      where: { shop },
      data: {
        importedProducts: { increment: products.nodes.length },
        importCursor: products.pageInfo.hasNextPage
          ? products.pageInfo.endCursor
          : null,
        importStatus: products.pageInfo.hasNextPage ? "products" : "orders",
      },
    });
    report(state);
  }
  while (state.importStatus === "orders") {
    const { orders } = await adminQuery(
      graphql,
      ORDERS_QUERY,
      { cursor: state.importCursor },
      OrdersData,
      options,
    );
    await saveOrders(shop, orders.nodes.map(orderFromNode));
    state = await prisma.shop.update({
      where: { shop },
      data: {
        importedOrders: { increment: orders.nodes.length },
        importCursor: orders.pageInfo.hasNextPage
          ? orders.pageInfo.endCursor
          : null,
        importStatus: orders.pageInfo.hasNextPage ? "orders" : "done",
      },
    });
    report(state);
  }
  return {
    status: state.importStatus,
    products: state.importedProducts,
    orders: state.importedOrders,
  };
}

export async function importProgress(
  shop: string,
): Promise<ImportProgress | null> {
  const row = await prisma.shop.findUnique({
    where: { shop },
    select: {
      importStatus: true,
      importedProducts: true,
      importedOrders: true,
    },
  });
  return (
    row && {
      status: row.importStatus,
      products: row.importedProducts,
      orders: row.importedOrders,
    }
  );
}

/**
 * Imports the shop unless another instance holds its import lease (then that one finishes the
 * job, and this returns false). The lease is renewed with every page, so a long import keeps it.
 */
export async function importUnderLease(
  shop: string,
  graphql: AdminGraphql,
): Promise<boolean> {
  // The lease lives on the shop's row, which a first install does not have yet.
  await prisma.shop.upsert({ where: { shop }, create: { shop }, update: {} });
  if (!(await acquireLease(shop, "import"))) return false;
  try {
    await importShop(shop, graphql, {
      onProgress: () =>
        void renewLease(shop, "import").catch((error: unknown) =>
          log.warn("import lease renewal failed", { shop, error }),
        ),
    });
    return true;
  } finally {
    await releaseLease(shop, "import");
  }
}

const running = new Map<string, Promise<void>>();

/** Starts an import unless one is already running in this process or the shop is imported. */
export function startImport(shop: string, graphql: AdminGraphql): void {
  // Registered before any await: the layout and page loaders authenticate in parallel.
  if (running.has(shop)) return;
  const run = (async () => {
    const state = await prisma.shop.findUnique({
      where: { shop },
      select: { importStatus: true },
    });
    if (state?.importStatus !== "done") await importUnderLease(shop, graphql);
    // Onboarding: a freshly imported shop gets its first model (or a retrain when one is due).
    await retrainIfDue(shop);
  })()
    .catch((error: unknown) =>
      log.error("import stopped; it resumes on the next start", {
        shop,
        error,
      }),
    )
    .finally(() => running.delete(shop));
  running.set(shop, run);
}
