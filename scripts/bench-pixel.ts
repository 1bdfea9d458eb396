/**
 * `npm run bench:pixel`: throughput and latency of the web pixel's endpoint (POST /pixel/events)
 * under concurrent connections on loopback, one production instance on SQLite (a temporary file)
 * or, with --postgres, on a new database on TEST_POSTGRES_URL's server, dropped afterwards.
 *
 * Each request is a batch of one product_added_to_cart event with a fresh event id and Shopify
 * client id (so every request is stored, none deduplicated), spread over several shops: the
 * per-shop limit (1,000 batches a second) is a cap of the app, not what is measured here.
 * Needs `npm run build` (run here when the build is missing or --build is given).
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Agent, request as httpRequest } from "node:http";
import { createDatabase, dropDatabase } from "../test/postgres";
import { migratePostgres } from "./migrate.mjs";
import {
  benchEnv,
  percentile,
  startInstance,
  stopInstance,
  waitReady,
} from "./bench-support";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "20" },
    shops: { type: "string", default: "8" },
    port: { type: "string", default: "3913" },
    build: { type: "boolean", default: false },
    postgres: { type: "boolean", default: false },
  },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const SHOPS = Array.from(
  { length: Number(values.shops) },
  (_, i) => `bench-pixel-${i}.myshopify.com`,
);
const PORT = Number(values.port);
const ROOT = path.resolve(import.meta.dirname, "..");
const DB_FILE = path.join(
  tmpdir(),
  `cartlift-bench-pixel-${process.pid}.sqlite`,
);
const DATABASE_URL = values.postgres
  ? await createDatabase("cartlift_bench_pixel")
  : `file:${DB_FILE}`;

function post(url: string, body: string, agent: Agent) {
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: "POST",
        agent,
        headers: {
          "Content-Type": "text/plain;charset=UTF-8",
          "Content-Length": Buffer.byteLength(body),
        },
      },
      (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode ?? 0));
        response.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** The app's own key for each shop, computed with the instance's secret. */
async function keys(): Promise<string[]> {
  Object.assign(process.env, benchEnv(DATABASE_URL, PORT));
  const { pixelKey } =
    await import("../app/services/measurement/pixel-events.server");
  const { default: prisma } = await import("../app/db.server");
  await prisma.shop.createMany({ data: SHOPS.map((shop) => ({ shop })) });
  await prisma.$disconnect();
  return SHOPS.map(pixelKey);
}

function batch(i: number, key: string, shop: string) {
  return JSON.stringify({
    shop,
    key,
    client: `bench-client-${String(i).padStart(8, "0")}`,
    visitor: (i % 2 ** 31).toString(16).padStart(32, "0"),
    events: [
      {
        id: `bench-${process.pid}-${i}`,
        name: "product_added_to_cart",
        currency: "USD",
        lines: [
          {
            product: String(1000 + (i % 50)),
            variant: String(100_000 + (i % 50)),
            quantity: 1,
            amount: "24.99",
          },
        ],
      },
    ],
  });
}

async function load(
  url: string,
  shopKeys: string[],
  seconds: number,
  send = (target: string, n: number, agent: Agent) => {
    const s = n % SHOPS.length;
    return post(target, batch(n, shopKeys[s], SHOPS[s]), agent);
  },
) {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  let i = seconds === SECONDS ? 1_000_000 : 0;
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until) {
        const n = i++;
        const started = performance.now();
        const status = await send(url, n, agent).catch(() => 0);
        latencies.push(performance.now() - started);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    stored: statuses.get(202) ?? 0,
    statuses,
    perSecond: (statuses.get(202) ?? 0) / seconds,
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
    if (values.postgres) await migratePostgres(DATABASE_URL);
    else
      execFileSync("npx", ["prisma", "migrate", "deploy"], {
        cwd: ROOT,
        stdio: "ignore",
        env: { ...process.env, DATABASE_URL },
      });
    const shopKeys = await keys();
    instance = startInstance(PORT, DATABASE_URL);
    const base = `http://127.0.0.1:${PORT}`;
    await waitReady(base);
    const url = `${base}/pixel/events`;
    const sample = await post(
      url,
      batch(0, shopKeys[0], SHOPS[0]),
      new Agent(),
    );
    if (sample !== 202)
      throw new Error(`the endpoint did not store an event: ${sample}`);
    await load(url, shopKeys, Math.min(2, SECONDS));
    const r = await load(url, shopKeys, SECONDS);
    // The same server's trivial route in the same run: how busy the machine was.
    const trivial = await load(`${base}/healthz`, shopKeys, SECONDS, (target) =>
      fetch(target).then(async (res) => {
        await res.arrayBuffer();
        return res.status === 200 ? 202 : res.status;
      }),
    );
    const other = [...r.statuses]
      .filter(([status]) => status !== 202)
      .map(([status, count]) => `${count} × ${status || "network error"}`);
    console.log(`
Cartlift pixel endpoint benchmark (loadavg ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        " ",
      )}, ${CONNECTIONS} connections, ${SECONDS} s, ${SHOPS.length} shops, 1 production instance, ${values.postgres ? "PostgreSQL" : "SQLite"})
  POST /pixel/events  ${r.requests} requests, ${r.stored} events stored
  ${r.perSecond.toFixed(0)} events/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms
  other answers: ${other.length ? other.join(", ") : "none"}
  GET /healthz (same server, same run): ${(trivial.requests / SECONDS).toFixed(0)} req/s  p50 ${trivial.p50.toFixed(1)} ms  p99 ${trivial.p99.toFixed(1)} ms
`);
    if (other.length) process.exitCode = 1;
  } finally {
    if (instance?.pid) {
      const exited = new Promise((r) => instance!.once("exit", r));
      stopInstance(instance);
      await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
    }
    if (values.postgres) await dropDatabase(DATABASE_URL);
    else
      for (const suffix of ["", "-journal", "-wal", "-shm"])
        rmSync(DB_FILE + suffix, { force: true });
  }
}

await main();
