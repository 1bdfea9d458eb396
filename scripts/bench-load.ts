/**
 * `npm run bench:load`: Cartlift at scale, on PostgreSQL, with two app instances.
 *
 * 1. Training: a synthetic shop of 50,000 products and about a million orders (the demo's
 *    generator, scaled), trained in a child process that reports its own time and peak memory.
 * 2. Serving: that shop and a demo-size shop in one PostgreSQL database, two production app
 *    instances on it, 50 concurrent connections against the app proxy recommendations route.
 *    The big shop's p99 is compared with the demo shop's, measured in the same run.
 * 3. Consistency: the same signed request to both instances must name the same offers.
 *
 * Bounded: loopback only, a fixed duration per phase. Needs `npm run build` and PostgreSQL
 * (TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/postgres).
 *   npm run bench:load -- [--products N] [--orders N] [--seconds N] [--connections N] [--port N]
 * `npm test` runs it once with a few hundred products and a second per phase (test/bench).
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { generateDemoShop, type DemoShop } from "../demo/shop";
import { deserialiseModels, trainModels } from "../app/engine/shop-model";
import { createDatabase, dropDatabase } from "../test/postgres";
import {
  BENCH_NOW,
  benchEnv,
  percentile,
  recommendationUrl,
  seedCatalog,
  startInstance,
  stopInstance,
  waitReady,
} from "./bench-support";
import { demoEngineOrders } from "../demo/engine-view";
import { migratePostgres } from "./migrate.mjs";

const { values } = parseArgs({
  options: {
    phase: { type: "string" },
    products: { type: "string", default: "50000" },
    orders: { type: "string", default: "750000" },
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    // The two instances listen on this port and the next.
    port: { type: "string", default: "3901" },
    out: { type: "string" },
  },
});
const FAMILIES = 16;

function bigShop(): DemoShop {
  return generateDemoShop({
    orders: Number(values.orders),
    productsPerFamily: Math.ceil(Number(values.products) / FAMILIES),
    now: BENCH_NOW,
  });
}

/** Child process: train the big shop and report time and peak memory of this process alone. */
async function trainPhase(out: string) {
  const { serialiseModels } = await import("../app/engine/shop-model");
  const generated = performance.now();
  const shop = bigShop();
  const orders = demoEngineOrders(shop);
  const generateMs = performance.now() - generated;
  const started = performance.now();
  const trained = trainModels(orders);
  const trainMs = performance.now() - started;
  writeFileSync(out, serialiseModels(trained));
  process.stdout.write(
    JSON.stringify({
      products: shop.products.length,
      orders: orders.length,
      generateMs,
      trainMs,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
}

async function load(
  bases: string[],
  shop: string,
  productIds: string[],
  seconds: number,
  connections: number,
) {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let i = 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, worker) => {
      while (performance.now() < until) {
        const n = i++;
        const url = recommendationUrl(
          bases[(n + worker) % bases.length],
          shop,
          productIds,
          n,
        );
        const started = performance.now();
        try {
          const response = await fetch(url);
          if (response.ok) await response.arrayBuffer();
          if (!response.ok) {
            errors++;
            firstError ??= `${response.status} ${(await response.text()).slice(0, 200)}`;
          }
        } catch {
          errors++;
        }
        latencies.push(performance.now() - started);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    errors,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    firstError,
  };
}

const offersIn = (liquid: string) =>
  [...liquid.matchAll(/all_products\['([^']+)'\]/g)].map((m) => m[1]);

async function main() {
  if (values.phase === "train") return trainPhase(values.out!);

  const modelFile = path.join(
    tmpdir(),
    `cartlift-bench-model-${process.pid}.json`,
  );
  console.log(
    `Training ${values.products} products / ~${values.orders} orders in a child process...`,
  );
  const training = JSON.parse(
    execFileSync(
      "npx",
      [
        "tsx",
        "scripts/bench-load.ts",
        "--phase",
        "train",
        "--out",
        modelFile,
        "--products",
        values.products!,
        "--orders",
        values.orders!,
      ],
      {
        encoding: "utf8",
        maxBuffer: 1 << 20,
        stdio: ["ignore", "pipe", "inherit"],
      },
    ),
  );
  // Printed at once: the serving phase takes minutes and may fail on its own.
  console.log(
    `training   ${training.products} products, ${training.orders} orders: ${(training.trainMs / 1000).toFixed(1)} s, peak RSS ${Math.round(training.peakRssMb)} MB (generation ${(training.generateMs / 1000).toFixed(1)} s)`,
  );

  const databaseUrl = await createDatabase("cartlift_bench");
  const instances: ChildProcess[] = [];
  try {
    await migratePostgres(databaseUrl);
    Object.assign(process.env, benchEnv(databaseUrl));
    const { storeModel } = await import("../app/services/model/model.server");
    const { default: prisma } = await import("../app/db.server");

    const big = { ...bigShop(), shop: "bench-big.myshopify.com" };
    const demo = {
      ...generateDemoShop({ now: BENCH_NOW }),
      shop: "bench-demo.myshopify.com",
    };
    const seeded = performance.now();
    for (const shop of [big, demo]) await seedCatalog(shop);
    await storeModel(
      big.shop,
      deserialiseModels(readFileSync(modelFile, "utf8")),
      {
        orders: training.orders,
        products: big.products.length,
        trainMs: Math.round(training.trainMs),
      },
    );
    await storeModel(demo.shop, trainModels(demoEngineOrders(demo)), {
      orders: demo.orders.length,
      products: demo.products.length,
      trainMs: 0,
    });
    await prisma.$disconnect();
    const seedMs = performance.now() - seeded;

    const ports = [Number(values.port), Number(values.port) + 1];
    instances.push(...ports.map((port) => startInstance(port, databaseUrl)));
    const bases = ports.map((port) => `http://127.0.0.1:${port}`);
    await Promise.all(bases.map(waitReady));

    // Warm both instances' serving caches, then check they agree on the same signed requests.
    let agree = 0;
    const compared = 30;
    for (const [shop, ids] of [
      [big.shop, big.products.map((p) => p.id)],
      [demo.shop, demo.products.map((p) => p.id)],
    ] as const) {
      for (let n = 0; n < compared / 2; n++) {
        const [a, b] = await Promise.all(
          bases.map((base) =>
            fetch(recommendationUrl(base, shop, ids, n)).then((r) => r.text()),
          ),
        );
        if (
          offersIn(a).length > 0 &&
          JSON.stringify(offersIn(a)) === JSON.stringify(offersIn(b))
        )
          agree++;
      }
    }

    const seconds = Number(values.seconds);
    const connections = Number(values.connections);
    const demoLoad = await load(
      bases,
      demo.shop,
      demo.products.map((p) => p.id),
      seconds,
      connections,
    );
    const bigLoad = await load(
      bases,
      big.shop,
      big.products.map((p) => p.id),
      seconds,
      connections,
    );

    const fmt = (n: number) => n.toFixed(1);
    console.log(`
Cartlift load benchmark (loadavg ${(await import("node:os")).loadavg().map(fmt).join(" ")})
seeding    both shops into PostgreSQL: ${fmt(seedMs / 1000)} s
consistency  2 instances, same signed request: ${agree}/${compared} identical offer lists
serving    ${connections} connections, ${seconds} s each, 2 instances, app proxy recommendations (cart placement)
  demo shop (${demo.products.length} products): ${demoLoad.requests} req, ${fmt(demoLoad.rps)} req/s, p50 ${fmt(demoLoad.p50)} ms, p99 ${fmt(demoLoad.p99)} ms, errors ${demoLoad.errors}${demoLoad.firstError ? ` (first: ${demoLoad.firstError})` : ""}
  big shop  (${big.products.length} products): ${bigLoad.requests} req, ${fmt(bigLoad.rps)} req/s, p50 ${fmt(bigLoad.p50)} ms, p99 ${fmt(bigLoad.p99)} ms, errors ${bigLoad.errors}${bigLoad.firstError ? ` (first: ${bigLoad.firstError})` : ""}
  p99 ratio big/demo: ${(bigLoad.p99 / demoLoad.p99).toFixed(2)}
`);
  } finally {
    for (const child of instances) stopInstance(child);
    await new Promise((r) => setTimeout(r, 500));
    await dropDatabase(databaseUrl);
    rmSync(modelFile, { force: true });
  }
}

await main();
