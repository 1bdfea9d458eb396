/**
 * `npm run bench:import`: the import of a large shop through the bulk path. Generates the JSONL
 * exports Shopify's bulk operations would write for a synthetic shop (deterministic, streamed to
 * temporary files, never held in memory), applies them with the import's own parser and applier
 * (`applyBulkResult`) into a fresh database, then trains the shop's model. Prints the time of
 * each step and the process's peak memory.
 *
 *   npm run bench:import -- [--orders 1000000] [--products 50000] [--postgres]
 *
 * SQLite by default (a temporary file); --postgres uses a new database on TEST_POSTGRES_URL's
 * server, dropped afterwards.
 */
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  rmSync,
  statSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { parseArgs } from "node:util";
import { getHeapStatistics } from "node:v8";
import { mulberry32 } from "../app/engine/random";
import { createDatabase, dropDatabase } from "../test/postgres";
import { benchEnv } from "./bench-support";
import { migratePostgres } from "./migrate.mjs";

const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "1000000" },
    products: { type: "string", default: "50000" },
    postgres: { type: "boolean", default: false },
  },
});
const ORDERS = Number(values.orders);
const PRODUCTS = Number(values.products);
const SHOP = "bench-import.myshopify.com";
const ROOT = path.resolve(import.meta.dirname, "..");
const START = Date.parse("2024-01-01T00:00:00Z");
const SPAN_MS = 700 * 86_400_000;

const gid = (type: string, id: number) => `gid://shopify/${type}/${id}`;
const money = (minor: number) => (minor / 100).toFixed(2);
const variantsOf = (product: number) => 1 + (product % 3);
const priceOf = (product: number, variant: number) =>
  1500 + ((product * 7919) % 20_000) + variant * 1000;

/** Writes lines to a file, waiting whenever the stream's buffer is full. */
async function writeJsonl(
  file: string,
  lines: Iterable<Record<string, unknown>>,
): Promise<number> {
  const out = createWriteStream(file);
  let count = 0;
  for (const line of lines) {
    count++;
    if (!out.write(`${JSON.stringify(line)}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return count;
}

function* productLines(): Generator<Record<string, unknown>> {
  for (let p = 1; p <= PRODUCTS; p++) {
    const id = gid("Product", p);
    yield {
      id,
      title: `Product ${p}`,
      handle: `product-${p}`,
      productType: `Type ${p % 40}`,
      vendor: `Vendor ${p % 25}`,
      tags: [`tag-${p % 60}`],
      status: "ACTIVE",
      updatedAt: "2025-12-01T00:00:00Z",
      featuredImage: null,
    };
    yield { id: gid("Collection", 1 + (p % 30)), __parentId: id };
    for (let v = 1; v <= variantsOf(p); v++) {
      const price = priceOf(p, v);
      yield {
        id: gid("ProductVariant", p * 10 + v),
        title: `Size ${v}`,
        sku: `SKU-${p}-${v}`,
        price: money(price),
        compareAtPrice: null,
        inventoryQuantity: 20,
        availableForSale: true,
        position: v,
        selectedOptions: [{ name: "Size", value: String(v) }],
        inventoryItem: {
          id: gid("InventoryItem", p * 10 + v),
          unitCost: {
            amount: money(Math.round(price * 0.4)),
            currencyCode: "USD",
          },
        },
        __parentId: id,
      };
    }
  }
}

/**
 * Orders with one to four lines: a skewed choice of product (a few sell often, most rarely), and
 * with some chance its neighbour, so the model has co-purchases to find.
 */
function* orderLines(): Generator<Record<string, unknown>> {
  const rng = mulberry32(7);
  const product = () => 1 + Math.floor(PRODUCTS * rng() ** 3);
  let lineId = 1;
  for (let o = 1; o <= ORDERS; o++) {
    const createdAt = new Date(START + (SPAN_MS * o) / ORDERS).toISOString();
    const first = product();
    const items = [first];
    if (rng() < 0.45) items.push((first % PRODUCTS) + 1);
    while (items.length < 4 && rng() < 0.3) items.push(product());
    let subtotal = 0;
    const children = items.map((p) => {
      const variant = 1 + (o % variantsOf(p));
      const price = priceOf(p, variant);
      subtotal += price;
      const id = lineId++;
      return {
        id: gid("LineItem", id),
        quantity: 1,
        // One line in 25 refunded, as a real history has some.
        currentQuantity: id % 25 === 0 ? 0 : 1,
        product: { id: gid("Product", p) },
        variant: { id: gid("ProductVariant", p * 10 + variant) },
        originalUnitPriceSet: { shopMoney: { amount: money(price) } },
        discountAllocations: [],
        customAttributes: [],
        __parentId: gid("Order", o),
      };
    });
    yield {
      id: gid("Order", o),
      name: `#${o}`,
      createdAt,
      updatedAt: createdAt,
      cancelledAt: null,
      currencyCode: "USD",
      customerAcceptsMarketing: false,
      subtotalPriceSet: { shopMoney: { amount: money(subtotal) } },
      totalPriceSet: { shopMoney: { amount: money(subtotal) } },
      customer:
        rng() < 0.8
          ? {
              id: gid("Customer", 1 + (o % 200_000)),
              emailMarketingConsent: null,
              smsMarketingConsent: null,
            }
          : null,
    };
    yield* children;
  }
}

async function* fileLines(file: string): AsyncGenerator<string> {
  yield* createInterface({
    input: createReadStream(file),
    crlfDelay: Infinity,
  });
}

let peakRss = 0;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 100);
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(label: string, step: () => Promise<T>) {
  const started = performance.now();
  const result = await step();
  const ms = performance.now() - started;
  // The machine may be shared: the load average says how much of a core this run had.
  console.log(
    `${label.padEnd(34)} ${seconds(ms).padStart(9)}   peak RSS so far ${mb(peakRss)}   load average ${loadavg()[0].toFixed(1)}`,
  );
  const { rss, heapUsed, external } = process.memoryUsage();
  console.log(
    `  memory: RSS ${mb(rss)}, main heap ${mb(heapUsed)} used of ${mb(getHeapStatistics().total_heap_size)}, external ${mb(external)}`,
  );
  return { result, ms };
}

const dir = mkdtempSync(path.join(tmpdir(), "cartlift-bench-import-"));
let databaseUrl = `file:${path.join(dir, "bench.sqlite")}`;
if (values.postgres) {
  databaseUrl = await createDatabase("cartlift_bench_import");
  await migratePostgres(databaseUrl);
} else {
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    cwd: ROOT,
    stdio: "ignore",
    env: { ...process.env, DATABASE_URL: databaseUrl },
  });
}
// The app's settings, before any app module is imported.
Object.assign(process.env, benchEnv(databaseUrl), { LOG_LEVEL: "warn" });

try {
  const { applyBulkResult } =
    await import("../app/services/catalog/import.server");
  const { trainShop } = await import("../app/services/model/model.server");
  const { default: prisma } = await import("../app/db.server");
  await prisma.shop.create({
    data: { shop: SHOP, currency: "USD", importStatus: "products" },
  });
  console.log(
    `Cartlift bulk import benchmark: ${PRODUCTS.toLocaleString("en-US")} products, ${ORDERS.toLocaleString("en-US")} orders, ${values.postgres ? "PostgreSQL" : "SQLite"} (load average ${loadavg()[0].toFixed(1)})`,
  );
  const productsFile = path.join(dir, "products.jsonl");
  const ordersFile = path.join(dir, "orders.jsonl");
  const generated = await timed("generate the JSONL exports", async () => ({
    products: await writeJsonl(productsFile, productLines()),
    orders: await writeJsonl(ordersFile, orderLines()),
  }));
  console.log(
    `  ${generated.result.products.toLocaleString("en-US")} + ${generated.result.orders.toLocaleString("en-US")} lines, ${mb(statSync(productsFile).size + statSync(ordersFile).size)} on disk`,
  );
  const apply = (kind: "products" | "orders", file: string) => {
    const started = performance.now();
    let saved = 0;
    return applyBulkResult(SHOP, kind, fileLines(file), {
      currency: "USD",
      // A line every 100,000 records, so a long run shows its pace as it goes.
      onCheckpoint: async (checkpoint) => {
        const before = saved;
        saved += checkpoint.saved;
        if (Math.floor(saved / 100_000) > Math.floor(before / 100_000))
          console.log(
            `  ${saved.toLocaleString("en-US")} ${kind} in ${seconds(performance.now() - started)} (load average ${loadavg()[0].toFixed(1)})`,
          );
      },
    });
  };
  const products = await timed("apply the products export", () =>
    apply("products", productsFile),
  );
  const orders = await timed("apply the orders export", () =>
    apply("orders", ordersFile),
  );
  const trained = await timed("train the model", () => trainShop(SHOP));
  // Where training's memory went: the process as each step in the worker ended.
  for (const m of trained.result?.memory ?? [])
    console.log(
      `  after ${m.phase.padEnd(24)} RSS ${mb(m.rss).padStart(8)} (peak ${mb(m.maxRss).padStart(8)}), worker heap ${mb(m.heapUsed).padStart(7)}, external ${mb(m.external).padStart(7)}`,
    );
  // The model's JSON is stored in parts (MODEL_PART_CHARS each, the last shorter).
  const parts =
    1 + (await prisma.recommendationModelPart.count({ where: { shop: SHOP } }));
  const total = generated.ms + products.ms + orders.ms + trained.ms;
  console.log(`
imported   ${products.result.toLocaleString("en-US")} products, ${orders.result.toLocaleString("en-US")} orders (${Math.round(orders.result / (orders.ms / 1000)).toLocaleString("en-US")} orders/s)
model      ${trained.result ? `${trained.result.orders.toLocaleString("en-US")} orders learnt from, stored in ${parts} parts` : "not trained (lease held)"}
import     ${seconds(products.ms + orders.ms)} (targets: whole run ≤ 10 min, ≤ 1 GB)
total      ${seconds(total)}, peak RSS ${mb(peakRss)}`);
  await prisma.$disconnect();
} finally {
  clearInterval(sampler);
  rmSync(dir, { recursive: true, force: true });
  if (values.postgres) await dropDatabase(databaseUrl);
}
