/**
 * `npm run bench:proxy`: latency of the app proxy recommendations route (cart placement) under
 * 50 concurrent connections on loopback, beside a trivial route of the same server (`/healthz`)
 * measured in the same run, so the ratio holds on a busy machine.
 *
 * Seeds the demo shop (catalog and trained model) into a fresh SQLite file, starts one production
 * instance (remix-serve, its own process group), loads each route for a bounded time and stops
 * the instance. Needs `npm run build` (run here when the build is missing or --build is given).
 * Targets (issue 4): recommendations p99 <= 1.5x the trivial route's p99 and <= 25 ms.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Agent, get } from "node:http";
import { generateDemoShop } from "../app/demo/shop";
import { proxiedQuery } from "../app/demo/proxy-signature";
import { trainModels } from "../app/engine/shop-model";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    port: { type: "string", default: "3911" },
    build: { type: "boolean", default: false },
  },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const PORT = Number(values.port);
const NOW = new Date("2026-11-25T00:00:00Z");
const API_KEY = "bench-key";
const SECRET = "bench-secret-not-a-real-one";
const SHOP = "bench-proxy.myshopify.com";
const ROOT = path.resolve(import.meta.dirname, "..");
const DB_FILE = path.join(
  tmpdir(),
  `cartlift-bench-proxy-${process.pid}.sqlite`,
);
const DATABASE_URL = `file:${DB_FILE}`;

function percentile(sorted: number[], q: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function seed() {
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    cwd: ROOT,
    stdio: "ignore",
    env: { ...process.env, DATABASE_URL },
  });
  Object.assign(process.env, {
    DATABASE_URL,
    SHOPIFY_API_KEY: API_KEY,
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: "http://localhost",
  });
  const { saveProducts } = await import("../app/services/catalog.server");
  const { storeModel } = await import("../app/services/model.server");
  const { default: prisma } = await import("../app/db.server");
  const demo = generateDemoShop({ now: NOW });
  await prisma.shop.create({
    data: { shop: SHOP, currency: demo.currency, importStatus: "done" },
  });
  for (let i = 0; i < demo.products.length; i += 500) {
    await saveProducts(
      SHOP,
      demo.products.slice(i, i + 500).map((p) => ({
        id: p.id,
        title: p.title,
        handle: p.handle,
        productType: p.productType,
        vendor: p.vendor,
        tags: p.tags,
        collections: p.collections,
        status: "ACTIVE",
        imageUrl: null,
        updatedAt: NOW,
        variants: p.variants.map((v) => ({
          id: v.id,
          title: v.title,
          sku: v.sku,
          options: v.options,
          priceMinor: v.price,
          compareAtMinor: v.compareAtPrice,
          inventoryQuantity: v.inventoryQuantity,
          availableForSale: v.inventoryQuantity > 0,
          position: v.position,
        })),
      })),
      demo.currency,
    );
  }
  const orders = demo.orders.map((o) => ({
    id: o.id,
    createdAt: o.createdAt,
    customerKey: o.customerId ?? undefined,
    lines: o.lines.map((l) => ({
      productId: l.productId,
      variantId: l.variantId,
      quantity: l.quantity,
      price: { amount: l.price, currency: demo.currency },
    })),
  }));
  await storeModel(SHOP, trainModels(orders), {
    orders: orders.length,
    products: demo.products.length,
    trainMs: 0,
  });
  await prisma.$disconnect();
  return demo.products.map((p) => p.id);
}

function startInstance(): ChildProcess {
  // node itself, in its own process group: stopping it must not leave a server behind.
  return spawn(
    process.execPath,
    [
      // e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
      ...(process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      "node_modules/@remix-run/serve/dist/cli.js",
      "build/server/index.js",
    ],
    {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: String(PORT),
        HOST: "127.0.0.1",
        DATABASE_URL,
        SHOPIFY_API_KEY: API_KEY,
        SHOPIFY_API_SECRET: SECRET,
        SHOPIFY_APP_URL: `http://localhost:${PORT}`,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
}

async function waitReady(url: string) {
  for (let i = 0; i < 240; i++) {
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not become ready`);
}

/** A signed cart-placement request, as Shopify forwards it: two cart lines, one visitor. */
function recommendationUrl(base: string, productIds: string[], i: number) {
  const cart = [
    productIds[(i * 7919) % productIds.length],
    productIds[(i * 104729 + 13) % productIds.length],
  ];
  const query = proxiedQuery(
    new URLSearchParams({
      placement: "cart",
      cart: cart.join(","),
      visitor: `bench-visitor-${i % 5000}`,
    }),
    { shop: SHOP, secret: SECRET },
  );
  return `${base}/proxy/recommendations?${query}`;
}

function request(url: string, agent: Agent) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    get(url, { agent }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body }),
      );
      response.on("error", reject);
    }).on("error", reject);
  });
}

/** CONNECTIONS keep-alive connections, each sending its next request when the last answered. */
async function load(url: (i: number) => string, seconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let i = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until) {
        const target = url(i++);
        const started = performance.now();
        try {
          const { status, body } = await request(target, agent);
          if (status !== 200) {
            errors++;
            firstError ??= `${status} ${body.slice(0, 200)}`;
          }
        } catch (error) {
          errors++;
          firstError ??= String(error);
        }
        latencies.push(performance.now() - started);
      }
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    firstError,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

async function main() {
  const serverBuild = path.join(ROOT, "build", "server", "index.js");
  if (values.build || !existsSync(serverBuild)) {
    console.log("Building the app (npm run build)...");
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "ignore" });
  } else {
    console.log(
      "Using the existing build/ (run `npm run build` first, or pass --build, after changing app code).",
    );
  }
  let instance: ChildProcess | undefined;
  try {
    const productIds = await seed();
    instance = startInstance();
    const base = `http://127.0.0.1:${PORT}`;
    await waitReady(base);

    // Sanity: the route answers offers, then both routes are warmed up.
    const sample = await fetch(recommendationUrl(base, productIds, 0));
    const sampleText = await sample.text();
    if (!sample.ok || !sampleText.includes("all_products"))
      throw new Error(
        `recommendations did not answer offers: ${sample.status} ${sampleText.slice(0, 300)}`,
      );
    const warm = Math.min(2, SECONDS);
    await load(() => `${base}/healthz`, warm);
    await load((i) => recommendationUrl(base, productIds, i), warm);

    const trivial = await load(() => `${base}/healthz`, SECONDS);
    const proxy = await load(
      (i) => recommendationUrl(base, productIds, i + 100_000),
      SECONDS,
    );

    const fmt = (n: number) => n.toFixed(1);
    const ratio = proxy.p99 / trivial.p99;
    const line = (name: string, r: typeof proxy) =>
      `  ${name.padEnd(26)} ${String(r.requests).padStart(6)} req  ${fmt(r.rps).padStart(7)} req/s  p50 ${fmt(r.p50).padStart(6)} ms  p99 ${fmt(r.p99).padStart(6)} ms  errors ${r.errors}${r.firstError ? ` (first: ${r.firstError})` : ""}`;
    const okRatio = ratio <= 1.5;
    const okAbsolute = proxy.p99 <= 25;
    console.log(`
Cartlift app proxy benchmark (loadavg ${loadavg().map(fmt).join(" ")}, ${CONNECTIONS} connections, ${SECONDS} s per route, 1 production instance, SQLite, demo shop ${productIds.length} products)
${line("trivial  GET /healthz", trivial)}
${line("proxy    cart recommendations", proxy)}
  p99 ratio proxy/trivial: ${ratio.toFixed(2)} (target <= 1.5: ${okRatio ? "met" : "MISSED"})
  proxy p99: ${fmt(proxy.p99)} ms (target <= 25 ms: ${okAbsolute ? "met" : "MISSED"})
`);
    if (proxy.errors || trivial.errors) process.exitCode = 1;
  } finally {
    if (instance?.pid) {
      const exited = new Promise((r) => instance!.once("exit", r));
      try {
        process.kill(-instance.pid, "SIGTERM");
      } catch {
        // already gone
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    }
    for (const suffix of ["", "-journal", "-wal", "-shm"])
      rmSync(DB_FILE + suffix, { force: true });
  }
}

await main();
