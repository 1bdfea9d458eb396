/**
 * What the server benchmarks share: production instances of the app, readiness, signed app proxy
 * requests, seeding a synthetic shop through the app's own services, and percentiles.
 */
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import type { DemoShop } from "../demo/shop";
import { proxiedQuery } from "../demo/proxy-signature";

export const BENCH_API_KEY = "bench-key";
export const BENCH_SECRET = "bench-secret-not-a-real-one";
export const BENCH_NOW = new Date("2026-11-25T00:00:00Z");
const ROOT = path.resolve(import.meta.dirname, "..");

export function percentile(sorted: number[], q: number) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** The app's settings for a benchmark process; set before any app module is imported. */
export function benchEnv(
  databaseUrl: string,
  port?: number,
): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    SHOPIFY_API_KEY: BENCH_API_KEY,
    SHOPIFY_API_SECRET: BENCH_SECRET,
    SHOPIFY_APP_URL: port ? `http://localhost:${port}` : "http://localhost",
  };
}

/** A production instance: node itself in its own process group, so stopping it leaves nothing. */
export function startInstance(
  port: number,
  databaseUrl: string,
  settings: Record<string, string> = {},
): ChildProcess {
  return spawn(
    process.execPath,
    [
      // e.g. BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
      ...(process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
      "build/server/server.js",
    ],
    {
      cwd: ROOT,
      detached: true,
      env: {
        ...process.env,
        ...benchEnv(databaseUrl, port),
        NODE_ENV: "production",
        PORT: String(port),
        HOST: "127.0.0.1",
        LOG_LEVEL: "warn",
        ...settings,
      },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
}

export function stopInstance(child: ChildProcess) {
  if (!child.pid) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch (error) {
    // Already gone (e.g. its port was taken): throwing here would leave the other instances
    // of the benchmark running.
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

export async function waitReady(url: string) {
  for (let i = 0; i < 600; i++) {
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
export function recommendationUrl(
  base: string,
  shop: string,
  productIds: string[],
  i: number,
) {
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
    { shop, secret: BENCH_SECRET },
  );
  return `${base}/proxy/recommendations?${query}`;
}

/** Writes a synthetic shop's catalog through the app's own service (benchEnv must be set). */
export async function seedCatalog(shop: DemoShop, batch = 100) {
  const { saveProducts } =
    await import("../app/services/catalog/products.server");
  const { default: prisma } = await import("../app/db.server");
  await prisma.shop.create({
    data: { shop: shop.shop, currency: shop.currency, importStatus: "done" },
  });
  for (let i = 0; i < shop.products.length; i += batch) {
    await saveProducts(
      shop.shop,
      shop.products.slice(i, i + batch).map((p) => ({
        id: p.id,
        title: p.title,
        handle: p.handle,
        productType: p.productType,
        vendor: p.vendor,
        tags: p.tags,
        collections: p.collections,
        status: "ACTIVE",
        imageUrl: null,
        updatedAt: BENCH_NOW,
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
      shop.currency,
    );
  }
}
