/**
 * `npm run bench:proxy`: latency of the app proxy recommendations route (cart placement) under
 * 50 concurrent connections on loopback, beside a trivial route of the same server (`/healthz`)
 * measured in the same run, so the ratio holds on a busy machine.
 *
 * Seeds the demo shop (catalog and trained model) into a fresh SQLite file, starts one production
 * instance (remix-serve, its own process group), loads each route for a bounded time and stops
 * the instance. Needs `npm run build` (run here when the build is missing or --build is given).
 * Targets (docs/decisions/007-storefront-rendering.md): recommendations p99 <= 1.5x the trivial
 * route's p99 and <= 25 ms.
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Agent, get } from "node:http";
import { generateDemoShop } from "../demo/shop";
import { trainModels } from "../app/engine/shop-model";
import {
  BENCH_NOW,
  benchEnv,
  engineOrders,
  percentile,
  recommendationUrl,
  seedCatalog,
  startInstance,
  stopInstance,
  waitReady,
} from "./bench-support";

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
const SHOP = "bench-proxy.myshopify.com";
const ROOT = path.resolve(import.meta.dirname, "..");
const DB_FILE = path.join(
  tmpdir(),
  `cartlift-bench-proxy-${process.pid}.sqlite`,
);
const DATABASE_URL = `file:${DB_FILE}`;

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

async function seed() {
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    cwd: ROOT,
    stdio: "ignore",
    env: { ...process.env, DATABASE_URL },
  });
  Object.assign(process.env, benchEnv(DATABASE_URL));
  const { storeModel } = await import("../app/services/model/model.server");
  const { default: prisma } = await import("../app/db.server");
  const demo = { ...generateDemoShop({ now: BENCH_NOW }), shop: SHOP };
  await seedCatalog(demo);
  const orders = engineOrders(demo);
  await storeModel(SHOP, trainModels(orders), {
    orders: orders.length,
    products: demo.products.length,
    trainMs: 0,
  });
  await prisma.$disconnect();
  return demo.products.map((p) => p.id);
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
    instance = startInstance(PORT, DATABASE_URL);
    const base = `http://127.0.0.1:${PORT}`;
    await waitReady(base);

    // Sanity: the route answers offers, then both routes are warmed up.
    const sample = await fetch(recommendationUrl(base, SHOP, productIds, 0));
    const sampleText = await sample.text();
    if (!sample.ok || !sampleText.includes("all_products"))
      throw new Error(
        `recommendations did not answer offers: ${sample.status} ${sampleText.slice(0, 300)}`,
      );
    const warm = Math.min(2, SECONDS);
    await load(() => `${base}/healthz`, warm);
    await load((i) => recommendationUrl(base, SHOP, productIds, i), warm);

    const trivial = await load(() => `${base}/healthz`, SECONDS);
    const proxy = await load(
      (i) => recommendationUrl(base, SHOP, productIds, i + 100_000),
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
      stopInstance(instance);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    }
    for (const suffix of ["", "-journal", "-wal", "-shm"])
      rmSync(DB_FILE + suffix, { force: true });
  }
}

await main();
