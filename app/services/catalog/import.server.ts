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
  AdminApiError,
  type QueryOptions,
  adminQuery,
  numericId,
} from "~/services/platform/admin-graphql.server";
import {
  type BulkOperation,
  awaitBulkOperation,
  resultLines,
  runBulkQuery,
  wakeBulkWaiter,
} from "~/services/platform/bulk-operations.server";
import { type ProductInput, writeProducts } from "./products.server";
import { decimalToMinor } from "~/engine/money";
import {
  ShopGoneError,
  collectGarbage,
  retrainIfDue,
} from "~/services/model/model.server";
import {
  ATTRIBUTION_PROPERTY,
  type OrderInput,
  attributeOrders,
  marketingConsent,
  saveOrders,
  sumMinor,
  writeOrders,
} from "./orders.server";

const SHOP_QUERY = `#graphql
  query CartliftShop {
    shop { currencyCode }
    currentAppInstallation { accessScopes { handle } }
  }`;

// The fields the import reads, shared by the bulk queries and the catch-up page queries.
const PRODUCT_FIELDS = `id title handle productType vendor tags status updatedAt featuredImage { url }`;
const VARIANT_FIELDS = `id title sku price compareAtPrice inventoryQuantity availableForSale position
  selectedOptions { name value }
  inventoryItem { id unitCost { amount currencyCode } }`;
// Marketing consent as the order webhook reads it (`marketingConsent`): the customer's consent by
// email and SMS (read_customers), else the checkout's box (customerAcceptsMarketing, a scalar).
const ORDER_FIELDS = `id name createdAt updatedAt cancelledAt currencyCode customerAcceptsMarketing
  subtotalPriceSet { shopMoney { amount } }
  totalPriceSet { shopMoney { amount } }
  customer { id emailMarketingConsent { marketingState } smsMarketingConsent { marketingState } }`;
// currentQuantity: units left after refunds and removals, so refunds made before the import (or
// before the app was installed) arrive with the order. A scalar: it adds nothing to a query's cost.
// discountAllocations: each discount's share of the line (all units), for the customer profiles'
// discount share (decision 027); a list, not a connection, so it needs no page.
const LINE_FIELDS = `id quantity currentQuantity product { id } variant { id }
  originalUnitPriceSet { shopMoney { amount } }
  discountAllocations { allocatedAmountSet { shopMoney { amount } } }
  customAttributes { key value }`;

/** The whole catalog in one bulk operation: products, their collections and variants (with unit costs). */
export const PRODUCTS_BULK_QUERY = `{
  products {
    edges { node {
      ${PRODUCT_FIELDS}
      collections { edges { node { id } } }
      variants { edges { node { ${VARIANT_FIELDS} } } }
    } }
  }
}`;

/** The whole order history (60 days of it without read_all_orders) with every line item. */
export const ORDERS_BULK_QUERY = `{
  orders(sortKey: CREATED_AT) {
    edges { node {
      ${ORDER_FIELDS}
      lineItems { edges { node { ${LINE_FIELDS} } } }
    } }
  }
}`;

/**
 * Catch-up after the bulk read: orders updated since it started, a page at a time. Sized for
 * Shopify's 1,000-point limit: 10 orders × (1 + 2 + 2 + 3 + line items (2 + 9 × 9)) + 2 = 912.
 * The rare order with more than 9 lines has the rest read by ORDER_LINES_QUERY.
 */
export const ORDERS_SINCE_QUERY = `#graphql
  query CartliftOrdersSince($cursor: String, $query: String!) {
    orders(first: 10, after: $cursor, query: $query, sortKey: UPDATED_AT) {
      pageInfo { hasNextPage endCursor }
      nodes {
        ${ORDER_FIELDS}
        lineItems(first: 9) {
          pageInfo { hasNextPage endCursor }
          nodes { ${LINE_FIELDS} }
        }
      }
    }
  }`;

/** The rest of one order's lines: 1 + 2 + 100 × 9 = 903 points. */
export const ORDER_LINES_QUERY = `#graphql
  query CartliftOrderLines($id: ID!, $cursor: String) {
    order(id: $id) {
      lineItems(first: 100, after: $cursor) {
        pageInfo { hasNextPage endCursor }
        nodes { ${LINE_FIELDS} }
      }
    }
  }`;

const PageInfo = z.object({
  hasNextPage: z.boolean(),
  endCursor: z.string().nullable(),
});

const ShopData = z.object({
  shop: z.object({ currencyCode: z.string().length(3) }),
  currentAppInstallation: z.object({
    accessScopes: z.array(z.object({ handle: z.string() })),
  }),
});

const Amount = z.object({ shopMoney: z.object({ amount: z.string() }) });
const Consent = z.object({ marketingState: z.string() }).nullable();

const ProductLine = z.object({
  id: z.string(),
  title: z.string(),
  handle: z.string(),
  productType: z.string(),
  vendor: z.string(),
  tags: z.array(z.string()),
  status: z.string(),
  updatedAt: z.string(),
  featuredImage: z.object({ url: z.string() }).nullable(),
});

const VariantLine = z.object({
  id: z.string(),
  title: z.string(),
  sku: z.string().nullable(),
  price: z.string(),
  compareAtPrice: z.string().nullable(),
  inventoryQuantity: z.number().int().nullable(),
  availableForSale: z.boolean(),
  position: z.number().int(),
  selectedOptions: z.array(z.object({ name: z.string(), value: z.string() })),
  inventoryItem: z
    .object({
      id: z.string(),
      unitCost: z
        .object({ amount: z.string(), currencyCode: z.string() })
        .nullable(),
    })
    .nullable(),
});

const OrderLine = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  cancelledAt: z.string().nullable(),
  currencyCode: z.string().length(3),
  customerAcceptsMarketing: z.boolean(),
  subtotalPriceSet: Amount,
  totalPriceSet: Amount,
  customer: z
    .object({
      id: z.string(),
      emailMarketingConsent: Consent,
      smsMarketingConsent: Consent,
    })
    .nullable(),
});

const LineItemLine = z.object({
  id: z.string(),
  quantity: z.number().int(),
  currentQuantity: z.number().int().nonnegative(),
  product: z.object({ id: z.string() }).nullable(),
  variant: z.object({ id: z.string() }).nullable(),
  originalUnitPriceSet: Amount,
  discountAllocations: z.array(z.object({ allocatedAmountSet: Amount })),
  customAttributes: z.array(
    z.object({ key: z.string(), value: z.string().nullable() }),
  ),
});

const LineItems = z.object({
  pageInfo: PageInfo,
  nodes: z.array(LineItemLine),
});

const OrdersData = z.object({
  orders: z.object({
    pageInfo: PageInfo,
    nodes: z.array(OrderLine.extend({ lineItems: LineItems })),
  }),
});

const OrderLinesData = z.object({
  order: z.object({ lineItems: LineItems }).nullable(),
});

function productFromLines(
  p: z.infer<typeof ProductLine>,
  collections: string[],
  variants: z.infer<typeof VariantLine>[],
  currency: string,
): ProductInput {
  return {
    id: numericId(p.id),
    title: p.title,
    handle: p.handle,
    productType: p.productType,
    vendor: p.vendor,
    tags: p.tags,
    collections: collections.map(numericId),
    status: p.status,
    imageUrl: p.featuredImage?.url ?? null,
    updatedAt: new Date(p.updatedAt),
    variants: variants.map((v) => {
      const cost = v.inventoryItem?.unitCost;
      return {
        id: numericId(v.id),
        title: v.title,
        sku: v.sku ?? "",
        options: v.selectedOptions.filter((o) => o.name !== "Title"),
        priceMinor: decimalToMinor(v.price, currency),
        compareAtMinor: v.compareAtPrice
          ? decimalToMinor(v.compareAtPrice, currency)
          : null,
        // A cost in another currency than the prices cannot be compared with them: unknown.
        costMinor:
          cost && cost.currencyCode === currency
            ? decimalToMinor(cost.amount, currency)
            : null,
        // Costs change by inventory_items webhooks, which name the item, not the variant.
        inventoryItemId: v.inventoryItem ? numericId(v.inventoryItem.id) : null,
        inventoryQuantity: v.inventoryQuantity,
        availableForSale: v.availableForSale,
        position: v.position,
      };
    }),
  };
}

function orderFromLines(
  o: z.infer<typeof OrderLine>,
  lines: z.infer<typeof LineItemLine>[],
): OrderInput {
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
    acceptsMarketing: marketingConsent({
      email: o.customer?.emailMarketingConsent?.marketingState,
      sms: o.customer?.smsMarketingConsent?.marketingState,
      acceptsMarketing: o.customerAcceptsMarketing,
    }),
    lines: lines.map((l) => ({
      id: numericId(l.id),
      productId: l.product ? numericId(l.product.id) : null,
      variantId: l.variant ? numericId(l.variant.id) : null,
      quantity: l.quantity,
      refundedQuantity: l.quantity - l.currentQuantity,
      priceMinor: decimalToMinor(
        l.originalUnitPriceSet.shopMoney.amount,
        currency,
      ),
      discountMinor: sumMinor(
        l.discountAllocations.map((d) => d.allocatedAmountSet.shopMoney.amount),
        currency,
      ),
      offerToken:
        l.customAttributes.find((a) => a.key === ATTRIBUTION_PROPERTY)?.value ??
        null,
    })),
  };
}

function parseLine<T>(schema: z.ZodType<T>, value: unknown, line: number): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new AdminApiError(
      `Unexpected line ${line} in a bulk result: ${parsed.error.message}`,
    );
  return parsed.data;
}

/** One top-level object of a bulk result with its children, and the line it ends on. */
interface BulkRecord {
  parent: Record<string, unknown>;
  children: Record<string, unknown>[];
  endLine: number;
}

/**
 * Groups a bulk result's lines into records, holding one record at a time: with grouped
 * objects, a line without `__parentId` starts a new record and closes the one before.
 * `firstLine` is the number of lines already read past (a resumed import).
 */
async function* bulkRecords(
  lines: AsyncIterable<string>,
  firstLine: number,
): AsyncGenerator<BulkRecord> {
  let current: BulkRecord | null = null;
  let line = firstLine;
  for await (const text of lines) {
    line++;
    if (text.trim() === "") continue;
    const value = JSON.parse(text) as Record<string, unknown>;
    const parentId = value.__parentId;
    if (typeof parentId === "string") {
      if (!current || current.parent.id !== parentId)
        throw new AdminApiError(
          `Line ${line} of a bulk result is not grouped under its parent ${parentId}`,
        );
      current.children.push(value);
      current.endLine = line;
      continue;
    }
    if (current) yield current;
    current = { parent: value, children: [], endLine: line };
  }
  if (current) yield current;
}

const childrenOfType = (children: Record<string, unknown>[], type: string) =>
  children.filter((c) => String(c.id).startsWith(`gid://shopify/${type}/`));

export type BulkKind = "products" | "orders";

/**
 * How many records one transaction saves, with its checkpoint. The lookup of stored copies by id
 * is a Prisma query, which refuses more than 999 bound values on SQLite.
 */
const BATCH: Record<BulkKind, number> = { products: 200, orders: 500 };

export interface Checkpoint {
  /** Lines of the result applied so far (always at a record boundary). */
  lines: number;
  /** Records (products or orders) saved by this batch. */
  saved: number;
}

/** Records applied from one result past which its garbage is collected at the end. */
const COLLECT_AFTER_RECORDS = 10_000;

/**
 * Applies a bulk result to the database: records are parsed, validated and saved in batches. Each
 * batch is one transaction that also stores the checkpoint on the shop's row (the lines applied,
 * and the count of products or orders), so a resumed import skips exactly what was committed
 * (`firstLine`); `onCheckpoint` runs after each commit. Saving is idempotent all the same (an
 * order or product replaces its stored copy): the same result applied again leaves no
 * duplicate. The shop's row is the transaction's first write, which locks it until commit, as
 * `storeModel` does: a shop/redact either waits and then deletes the batch with the rest, or went
 * first, and the batch finds no shop and stops the import (`ShopGoneError`) with nothing written.
 * Used by the import and by `npm run bench:import`.
 */
export async function applyBulkResult(
  shop: string,
  kind: BulkKind,
  lines: AsyncIterable<string>,
  {
    currency,
    firstLine = 0,
    batchSize = BATCH[kind],
    onCheckpoint,
  }: {
    currency: string;
    firstLine?: number;
    batchSize?: number;
    onCheckpoint?: (c: Checkpoint) => Promise<void>;
  },
): Promise<number> {
  let applied = 0;
  let products: ProductInput[] = [];
  let orders: OrderInput[] = [];
  let endLine = firstLine;
  const flush = async () => {
    const saved = products.length + orders.length;
    if (saved === 0) return;
    const attributed = await attributeOrders(shop, orders);
    await prisma.$transaction(async (tx) => {
      const { count } = await tx.shop.updateMany({
        where: { shop },
        data: {
          importOperationLines: endLine,
          ...(kind === "products"
            ? { importedProducts: { increment: saved } }
            : { importedOrders: { increment: saved } }),
        },
      });
      if (count === 0) throw new ShopGoneError(shop);
      if (kind === "products")
        await writeProducts(tx, shop, products, currency);
      else await writeOrders(tx, shop, attributed);
    });
    products = [];
    orders = [];
    applied += saved;
    await onCheckpoint?.({ lines: endLine, saved });
  };
  for await (const record of bulkRecords(lines, firstLine)) {
    if (kind === "products") {
      const product = parseLine(ProductLine, record.parent, record.endLine);
      const variants = childrenOfType(record.children, "ProductVariant").map(
        (v) => parseLine(VariantLine, v, record.endLine),
      );
      const collections = childrenOfType(record.children, "Collection").map(
        (c) => String(c.id),
      );
      products.push(productFromLines(product, collections, variants, currency));
    } else {
      const order = parseLine(OrderLine, record.parent, record.endLine);
      const items = record.children.map((l) =>
        parseLine(LineItemLine, l, record.endLine),
      );
      orders.push(orderFromLines(order, items));
    }
    endLine = record.endLine;
    if (products.length + orders.length >= batchSize) await flush();
  }
  await flush();
  // A large result's records and batches leave their garbage on this thread's heap (up to 150 MB
  // at a million orders), and the training that follows an import runs in a worker while this
  // thread has little else to do and does not collect it: collected now, it is not under the
  // worker's peak (decision 018, "Measured"). A pause of this thread, for large results only.
  if (applied >= COLLECT_AFTER_RECORDS) collectGarbage();
  return applied;
}

export type ImportProgress = {
  status: string;
  products: number;
  orders: number;
  /** Lines of the current bulk result applied, and how many it has (0 while Shopify prepares it). */
  objects: number;
  objectsTotal: number;
  /** Seconds left in the current phase, from the pace so far; null when unknown. */
  secondsLeft: number | null;
};

type ImportOptions = QueryOptions & {
  onProgress?: (p: ImportProgress) => void;
  /** How often to ask Shopify about a bulk operation when no webhook came. */
  pollMs?: number;
};

const PROGRESS_SELECT = {
  importStatus: true,
  importedProducts: true,
  importedOrders: true,
  importOperationLines: true,
  importObjectCount: true,
  importPhaseStartedAt: true,
} as const;

type ProgressRow = {
  importStatus: string;
  importedProducts: number;
  importedOrders: number;
  importOperationLines: number;
  importObjectCount: number;
  importPhaseStartedAt: Date | null;
};

/** Pure: what the admin shows about an import, with the time left at the pace so far. */
export function progressOf(row: ProgressRow, now = new Date()): ImportProgress {
  const { importOperationLines: done, importObjectCount: total } = row;
  const elapsed = row.importPhaseStartedAt
    ? now.getTime() - row.importPhaseStartedAt.getTime()
    : 0;
  return {
    status: row.importStatus,
    products: row.importedProducts,
    orders: row.importedOrders,
    objects: done,
    objectsTotal: total,
    secondsLeft:
      done > 0 && total >= done && elapsed > 0
        ? Math.round(((total - done) * elapsed) / done / 1000)
        : null,
  };
}

const NEXT_PHASE: Record<BulkKind, string> = {
  products: "orders",
  orders: "catchup",
};

/**
 * One phase of the import through a bulk operation: starts it (or finds the one a stopped run
 * started), waits for Shopify to finish it, then streams its result into the database from the
 * checkpoint on. An expired result (older than seven days) is asked for again.
 */
async function importPhase(
  shop: string,
  kind: BulkKind,
  graphql: AdminGraphql,
  currency: string,
  options: ImportOptions,
): Promise<void> {
  const report = async () => {
    const row = await prisma.shop.findUniqueOrThrow({
      where: { shop },
      select: PROGRESS_SELECT,
    });
    options.onProgress?.(progressOf(row));
  };
  for (;;) {
    let { importOperationId: id, importOperationLines: skip } =
      await prisma.shop.findUniqueOrThrow({
        where: { shop },
        select: { importOperationId: true, importOperationLines: true },
      });
    if (!id) {
      id = await runBulkQuery(
        graphql,
        kind === "products" ? PRODUCTS_BULK_QUERY : ORDERS_BULK_QUERY,
        options,
      );
      skip = 0;
      await prisma.shop.update({
        where: { shop },
        data: {
          importOperationId: id,
          importOperationLines: 0,
          importObjectCount: 0,
          importPhaseStartedAt: null,
        },
      });
    }
    const op: BulkOperation = await awaitBulkOperation(graphql, id, {
      ...options,
      onStatus: async (status) => {
        await prisma.shop.update({
          where: { shop },
          data: { importObjectCount: status.objectCount },
        });
        await report();
      },
    });
    if (op.status !== "COMPLETED")
      // Expired (its result is gone), failed or canceled: the next attempt starts a new one.
      await prisma.shop.update({
        where: { shop },
        data: { importOperationId: null, importOperationLines: 0 },
      });
    if (op.status === "EXPIRED") continue;
    if (op.status !== "COMPLETED")
      throw new AdminApiError(
        `Bulk ${kind} import ${op.status.toLowerCase()}${op.errorCode ? ` (${op.errorCode})` : ""}`,
      );
    if (kind === "orders")
      await prisma.shop.update({
        where: { shop },
        data: { importSince: new Date(op.createdAt) },
      });
    if (op.url) {
      await prisma.shop.update({
        where: { shop },
        data: { importPhaseStartedAt: new Date() },
      });
      await applyBulkResult(shop, kind, resultLines(op.url, skip), {
        currency,
        firstLine: skip,
        onCheckpoint: report,
      });
    }
    await prisma.shop.update({
      where: { shop },
      data: {
        importStatus: NEXT_PHASE[kind],
        importOperationId: null,
        importOperationLines: 0,
        importObjectCount: 0,
        importPhaseStartedAt: null,
        importCursor: null,
      },
    });
    await report();
    return;
  }
}

/** Every line of an order whose first page of lines was not all of them. */
async function remainingLines(
  graphql: AdminGraphql,
  orderId: string,
  first: z.infer<typeof LineItems>,
  options: QueryOptions,
): Promise<z.infer<typeof LineItemLine>[]> {
  const lines = [...first.nodes];
  let page = first.pageInfo;
  while (page.hasNextPage) {
    const { order } = await adminQuery(
      graphql,
      ORDER_LINES_QUERY,
      { id: orderId, cursor: page.endCursor },
      OrderLinesData,
      options,
    );
    if (!order) break;
    lines.push(...order.lineItems.nodes);
    page = order.lineItems.pageInfo;
  }
  return lines;
}

/**
 * Orders created or changed while the bulk read ran (webhooks deliver them too, but one lost
 * delivery would otherwise be missing until the order changes again), by page queries.
 */
async function catchUp(
  shop: string,
  graphql: AdminGraphql,
  since: Date,
  options: ImportOptions,
): Promise<void> {
  let state = await prisma.shop.findUniqueOrThrow({
    where: { shop },
    select: { importCursor: true },
  });
  for (;;) {
    const { orders } = await adminQuery(
      graphql,
      ORDERS_SINCE_QUERY,
      {
        cursor: state.importCursor,
        query: `updated_at:>='${since.toISOString()}'`,
      },
      OrdersData,
      options,
    );
    const inputs: OrderInput[] = [];
    for (const { lineItems, ...order } of orders.nodes)
      inputs.push(
        orderFromLines(
          order,
          await remainingLines(graphql, order.id, lineItems, options),
        ),
      );
    const added = await saveOrders(shop, inputs);
    state = await prisma.shop.update({
      where: { shop },
      data: {
        importedOrders: { increment: added },
        importCursor: orders.pageInfo.hasNextPage
          ? orders.pageInfo.endCursor
          : null,
        importStatus: orders.pageInfo.hasNextPage ? "catchup" : "done",
      },
      select: { importCursor: true },
    });
    if (!orders.pageInfo.hasNextPage) return;
  }
}

/**
 * Imports the catalog, then the order history, each through one bulk operation, then catches up
 * on orders changed meanwhile. The phase, the operation and the lines applied are saved as the
 * import goes, so an import interrupted by a crash or deploy resumes where it stopped.
 */
export async function importShop(
  shop: string,
  graphql: AdminGraphql,
  options: ImportOptions = {},
): Promise<ImportProgress> {
  const { shop: shopInfo, currentAppInstallation } = await adminQuery(
    graphql,
    SHOP_QUERY,
    {},
    ShopData,
    options,
  );
  const currency = shopInfo.currencyCode;
  const allOrdersAccess = currentAppInstallation.accessScopes.some(
    (s) => s.handle === "read_all_orders",
  );
  let state = await prisma.shop.upsert({
    where: { shop },
    create: { shop, currency, allOrdersAccess, importStatus: "products" },
    update: { currency, allOrdersAccess },
  });
  forgetServingState(shop); // the currency bundles are shown in
  // A run that stopped half-way left its phase, operation and checkpoint: it resumes from there.
  if (state.importStatus === "done" || state.importStatus === "pending") {
    state = await prisma.shop.update({
      where: { shop },
      data: {
        importStatus: "products",
        importCursor: null,
        importOperationId: null,
        importOperationLines: 0,
        importObjectCount: 0,
        importedProducts: 0,
        importedOrders: 0,
      },
    });
  }
  if (state.importStatus === "products")
    await importPhase(shop, "products", graphql, currency, options);
  state = await prisma.shop.findUniqueOrThrow({ where: { shop } });
  if (state.importStatus === "orders")
    await importPhase(shop, "orders", graphql, currency, options);
  state = await prisma.shop.findUniqueOrThrow({ where: { shop } });
  if (state.importStatus === "catchup") {
    await catchUp(shop, graphql, state.importSince ?? new Date(0), options);
  }
  const row = await prisma.shop.findUniqueOrThrow({
    where: { shop },
    select: PROGRESS_SELECT,
  });
  const progress = progressOf(row);
  options.onProgress?.(progress);
  return progress;
}

export async function importProgress(
  shop: string,
): Promise<ImportProgress | null> {
  const row = await prisma.shop.findUnique({
    where: { shop },
    select: PROGRESS_SELECT,
  });
  return row && progressOf(row);
}

/**
 * Imports the shop unless another instance holds its import lease (then that one finishes the
 * job, and this returns false). The lease is renewed with every checkpoint and status answer, so
 * a long import keeps it.
 */
export async function importUnderLease(
  shop: string,
  graphql: AdminGraphql,
  options: ImportOptions = {},
): Promise<boolean> {
  // The lease lives on the shop's row, which a first install does not have yet.
  await prisma.shop.upsert({ where: { shop }, create: { shop }, update: {} });
  if (!(await acquireLease(shop, "import"))) return false;
  try {
    await importShop(shop, graphql, {
      ...options,
      onProgress: (p) => {
        options.onProgress?.(p);
        void renewLease(shop, "import").catch((error: unknown) =>
          log.warn("import lease renewal failed", { shop, error }),
        );
      },
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

/**
 * bulk_operations/finish: wakes the import waiting for that operation in this process, or, when
 * the process that started it is gone (a deploy, a crash), resumes the import here.
 */
export async function bulkOperationFinished(
  shop: string,
  operationId: string,
  graphql: AdminGraphql | undefined,
): Promise<"woken" | "resumed" | "ignored"> {
  if (wakeBulkWaiter(operationId)) return "woken";
  const state = await prisma.shop.findUnique({
    where: { shop },
    select: { importOperationId: true },
  });
  if (state?.importOperationId !== operationId || !graphql) return "ignored";
  startImport(shop, graphql);
  return "resumed";
}

/**
 * app/scopes_update: records whether read_all_orders is granted. When it has just been granted,
 * the orders older than 60 days exist for the app now: a finished import starts again (saving is
 * idempotent, so what it already had is replaced, not doubled). True when that happened.
 */
export async function accessScopesChanged(
  shop: string,
  scopes: string[],
  graphql: AdminGraphql | undefined,
): Promise<boolean> {
  const row = await prisma.shop.findUnique({
    where: { shop },
    select: { allOrdersAccess: true, importStatus: true },
  });
  if (!row) return false;
  const granted = scopes.includes("read_all_orders");
  const reimport =
    granted && row.allOrdersAccess === false && row.importStatus === "done";
  await prisma.shop.update({
    where: { shop },
    data: {
      allOrdersAccess: granted,
      ...(reimport ? { importStatus: "pending" } : {}),
    },
  });
  if (reimport && graphql) startImport(shop, graphql);
  return reimport;
}
