/**
 * `npm run bench:proxy`: latency and throughput of the app proxy recommendations route (cart
 * placement) beside a trivial route of the same server (`/healthz`), both measured in the same
 * run, so the ratios hold on a busy machine (docs/decisions/024-serving-path.md).
 *
 * 1. `/healthz` at CONNECTIONS closed-loop connections: the rate the server sustains (H).
 * 2. Recommendations at CONNECTIONS connections: throughput-ratio = its rate / H (target >= 0.8).
 * 3. Both routes at a fixed offered load of 60% of H, open loop (requests leave on a schedule,
 *    whether or not earlier ones answered; latency counts from the scheduled time): p99-ratio =
 *    recommendations p99 / `/healthz` p99 (target <= 1.3, and recommendations p99 <= 15 ms).
 *
 * 4. One product update on a shop of --catalog-products products (50,000; 0 skips it), in this
 *    process: the time from the write to the serving state that shows it, applied as a change and
 *    built whole, alternated; it prints `catalog-update delta-ms <d> rebuild-ms <r> ratio <r/d>`.
 *
 * For the two closed-loop phases it prints the server's CPU time per request (all its threads,
 * from /proc) and the benchmark client's. With --profile the server runs under `node --cpu-prof`,
 * and a table shows where each route's time goes, per request, by part of the work (PARTS);
 * every distinct cart is answered once before the phases, so the recommendations are memo hits
 * (a profiled run's ratios are those of a warm memo, not comparable with a plain run's).
 * Last, the lean routes are timed in this process, a probe and a memo-hit recommendation in
 * turn (`handlerCosts`): it prints `proxy handler-us <µs per recommendation>`. The probe's answer
 * is a constant, so it shows what the machine's load adds to a call, not a ratio's denominator.
 *
 * Carts are drawn at random (seeded) from the shop's order history, so the answer memo sees the
 * repetition a real shop's carts have and no more; --memo off starts the server without it. Each
 * request carries what the cart block sends (its currency, country and locale too), and a phase's
 * requests are signed before it starts: signing is Shopify's work, not the server's.
 * Seeds the demo shop (catalog and trained model) into a fresh SQLite file, starts one production
 * instance (its own process group) and stops it at the end. Needs `npm run build` (run here when
 * the build is missing or --build is given).
 */
import { type ChildProcess, execFileSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { ServerBuild } from "@remix-run/node";
import type { LeanRoute } from "../app/http/lean-answer";
import { Agent, get } from "node:http";
import { DEMO_CURRENCY, generateDemoShop } from "../demo/shop";
import { proxiedQuery } from "../demo/proxy-signature";
import { mulberry32 } from "../app/engine/random";
import { trainModels } from "../app/engine/shop-model";
import {
  BENCH_NOW,
  BENCH_SECRET,
  benchEnv,
  percentile,
  seedCatalog,
  startInstance,
  stopInstance,
  waitReady,
} from "./bench-support";
import { demoEngineOrders } from "../demo/engine-view";
import { type Part, readProfile, timeByPart } from "./cpu-profile";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    connections: { type: "string", default: "50" },
    load: { type: "string", default: "0.6" },
    port: { type: "string", default: "3911" },
    memo: { type: "string", default: "on" },
    "catalog-products": { type: "string", default: "50000" },
    build: { type: "boolean", default: false },
    profile: { type: "boolean", default: false },
  },
});
const SECONDS = Number(values.seconds);
const CONNECTIONS = Number(values.connections);
const LOAD = Number(values.load);
const PORT = Number(values.port);
if (values.memo !== "on" && values.memo !== "off")
  throw new Error("--memo is on or off");
const MEMO = values.memo === "on";
const CATALOG_PRODUCTS = Number(values["catalog-products"]);
const PROFILE = values.profile;
const SHOP = "bench-proxy.myshopify.com";

const ROOT = path.resolve(import.meta.dirname, "..");
const DB_FILE = path.join(
  tmpdir(),
  `cartlift-bench-proxy-${process.pid}.sqlite`,
);
const DATABASE_URL = `file:${DB_FILE}`;

interface Answer {
  status: number;
  body: string;
  memo: string | undefined;
}

function request(url: string, agent: Agent) {
  return new Promise<Answer>((resolve, reject) => {
    get(url, { agent }, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () =>
        resolve({
          status: response.statusCode ?? 0,
          body,
          memo: /\bmemo;desc="?(\w+)/.exec(
            String(response.headers["server-timing"] ?? ""),
          )?.[1],
        }),
      );
      response.on("error", reject);
    }).on("error", reject);
  });
}

class Tally {
  latencies: number[] = [];
  errors = 0;
  firstError: string | undefined;
  hits = 0;
  misses = 0;

  async send(url: string, agent: Agent, since: number) {
    try {
      const { status, body, memo } = await request(url, agent);
      if (status !== 200) {
        this.errors++;
        this.firstError ??= `${status} ${body.slice(0, 200)}`;
      }
      if (memo === "hit") this.hits++;
      if (memo === "miss") this.misses++;
    } catch (error) {
      this.errors++;
      this.firstError ??= String(error);
    }
    this.latencies.push(performance.now() - since);
  }

  result(seconds: number) {
    const sorted = this.latencies.sort((a, b) => a - b);
    return {
      requests: sorted.length,
      errors: this.errors,
      firstError: this.firstError,
      rps: sorted.length / seconds,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      hitRate:
        this.hits + this.misses ? this.hits / (this.hits + this.misses) : null,
    };
  }
}
type Result = ReturnType<Tally["result"]>;

const CLOCK_TICKS_PER_S = Number(
  execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }),
);

/** A process's CPU time so far, all threads, user and system, in microseconds. */
function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // utime and stime are fields 14 and 15; the command name (field 2) may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS_PER_S;
}

/** A closed-loop phase, with its window and the CPU time per request of server and client. */
async function measured(url: () => string, seconds: number, server: number) {
  const serverBefore = processCpuUs(server);
  const clientBefore = process.cpuUsage();
  const from = process.hrtime.bigint();
  const result = await saturate(url, seconds);
  const to = process.hrtime.bigint();
  const client = process.cpuUsage(clientBefore);
  return {
    ...result,
    window: [from, to] as const,
    serverUs: (processCpuUs(server) - serverBefore) / result.requests,
    clientUs: (client.user + client.system) / result.requests,
  };
}

/**
 * The parts of a lean route's work, by the function or module doing it (app/http/lean-routes.ts,
 * app/http/proxy-recommendations.server.ts and the services it calls). A sample goes to the innermost
 * frame named here; a frame named nowhere passes it to its caller (Node's crypto to the function
 * that signs, for one).
 */
const APP_PARTS: Record<string, string> = {
  verifyProxyRequest: "proxy signature check",
  allowClient: "rate limit",
  visitorKey: "visitor and customer keys (HMAC)",
  customerKey: "visitor and customer keys (HMAC)",
  recommenderFor: "serving state and settings lookups",
  cachedForShop: "serving state and settings lookups",
  placementPolicy: "serving state and settings lookups",
  rankedOffers: "serving state and settings lookups",
  recommend: "answer memo: key and lookup",
  rankOffers: "ranking (memo misses)",
  answerView: "answer memo: key and lookup",
  storefrontAnswer: "answer: tokens into the memo's Liquid",
  storefrontOffers: "offers for the Liquid",
  signOfferToken: "offer tokens (HMAC)",
  signTokenFields: "offer tokens (HMAC)",
  offerTokenFields: "offer tokens (HMAC)",
  offersLiquid: "Liquid rendering",
  withHoles: "Liquid rendering",
  liquid: "route (rest)",
  recommendationsAnswer: "route (rest)",
};
const PARTS: Part = ({ functionName, url }) => {
  if (functionName === "(garbage collector)") return "garbage collection";
  if (functionName === "(program)") return "V8 and native, unattributed";
  if (functionName === "(idle)") return "(idle)";
  // installGlobals (server.ts) puts the undici package's Request, Response and Headers in place.
  if (url.includes("/node_modules/undici/"))
    return "Web Request/Response (undici)";
  if (url.includes("node:internal/webstreams")) return "Web streams";
  if (url.includes("node:internal/url")) return "URL parsing";
  if (url.includes("/node_modules/zod/")) return "query parse (zod)";
  if (url.includes("/node_modules/")) return "express and other packages";
  if (/^node:(_http|net|stream|internal\/(http|streams|stream_base))/.test(url))
    return "Node HTTP";
  if (url.endsWith("build/server/server.js")) return "lean adapter (server.js)";
  if (url.endsWith("build/server/index.js"))
    return APP_PARTS[functionName.replace(/\$\d+$/, "")];
  return undefined;
};

/** Closed loop: CONNECTIONS keep-alive connections, each sending its next request when the last answered. */
async function saturate(url: () => string, seconds: number): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const tally = new Tally();
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (performance.now() < until)
        await tally.send(url(), agent, performance.now());
    }),
  );
  agent.destroy();
  return tally.result(seconds);
}

/**
 * Open loop: request n leaves at start + n / rate, however many are still waiting for an answer
 * (a constant arrival rate, as shoppers arrive). Latency counts from the scheduled departure, so a
 * stalled server is charged for the requests that queued behind the stall.
 */
async function offer(
  url: () => string,
  rate: number,
  seconds: number,
): Promise<Result> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const tally = new Tally();
  const pending: Promise<void>[] = [];
  const total = Math.round(rate * seconds);
  const start = performance.now();
  let sent = 0;
  while (sent < total) {
    const now = performance.now();
    for (; sent < total && start + (sent * 1000) / rate <= now; sent++)
      pending.push(tally.send(url(), agent, start + (sent * 1000) / rate));
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  agent.destroy();
  return tally.result(seconds);
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
  const orders = demoEngineOrders(demo);
  await storeModel(SHOP, trainModels(orders), {
    orders: orders.length,
    products: demo.products.length,
    trainMs: 0,
  });
  await prisma.$disconnect();
  return demo;
}

/**
 * The serving state's answer to one product update on a big shop, in this process (the server is
 * stopped by then): applied as a change, and built whole (as an instance's first request does,
 * or did at every update before catalog deltas), alternated so a change of the machine's load hits
 * both alike. Each time runs from the write's commit to the first request that sees the new state.
 */
async function catalogUpdates(runs = 5) {
  const { saveProducts } =
    await import("../app/services/catalog/products.server");
  const { forgetRecommender, recommenderFor, refreshRecommender, storeModel } =
    await import("../app/services/model/model.server");
  const big = {
    ...generateDemoShop({
      orders: 5_000,
      productsPerFamily: Math.ceil(CATALOG_PRODUCTS / 16),
      now: BENCH_NOW,
    }),
    shop: "bench-catalog.myshopify.com",
  };
  let started = performance.now();
  await seedCatalog(big, 200);
  const orders = demoEngineOrders(big);
  await storeModel(big.shop, trainModels(orders), {
    orders: orders.length,
    products: big.products.length,
    trainMs: 0,
  });
  const seedMs = performance.now() - started;
  const clock = Date.now();
  let state = await recommenderFor(big.shop, clock);
  const product = big.products[Math.floor(big.products.length / 2)];
  const times = { delta: [] as number[], rebuild: [] as number[] };
  for (let run = 0; run < 2 * runs; run++) {
    const kind = run % 2 === 0 ? "delta" : "rebuild";
    const price = 1_000 + run;
    await saveProducts(
      big.shop,
      [
        {
          ...product,
          status: "ACTIVE",
          imageUrl: null,
          updatedAt: new Date(BENCH_NOW.getTime() + (run + 1) * 1_000),
          variants: product.variants.map((v) => ({
            ...v,
            priceMinor: price,
            compareAtMinor: null,
            availableForSale: true,
          })),
        },
      ],
      big.currency,
    );
    started = performance.now();
    if (kind === "rebuild") forgetRecommender(big.shop);
    else refreshRecommender(big.shop, clock);
    let next = state;
    while (next === state) {
      await new Promise((resolve) => setImmediate(resolve));
      next = await recommenderFor(big.shop, clock);
    }
    times[kind].push(performance.now() - started);
    const shown = next.ranking.products.get(product.id)?.variants[0].price;
    if (shown?.amount !== price)
      throw new Error(`the ${kind} did not show the update`);
    state = next;
  }
  const median = (xs: number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      0.5,
    );
  return {
    products: big.products.length,
    seedMs,
    delta: median(times.delta),
    rebuild: median(times.rebuild),
  };
}

/** Signed cart-placement requests whose carts are the products of orders drawn from the history. */
function cartRequests(base: string, carts: string[][], visitors: number) {
  const rng = mulberry32(7);
  return () => {
    const cart = carts[Math.floor(rng() * carts.length)];
    return cartRequest(base, cart, Math.floor(rng() * visitors));
  };
}

/**
 * A cart block's request as the theme extension's script sends it (cartlift.js): the placement,
 * the cart's product ids, the visitor id, and the storefront's currency, country and locale from
 * the block's data attributes (cartlift-block.liquid), which Shopify's app proxy signs.
 */
function cartRequest(base: string, cart: string[], visitor: number) {
  const query = proxiedQuery(
    new URLSearchParams({
      placement: "cart",
      limit: "4",
      reasons: "1",
      visitor: visitor.toString(16).padStart(32, "0"),
      currency: DEMO_CURRENCY,
      country: "US",
      locale: "en",
      cart: cart.join(","),
    }),
    { shop: SHOP, secret: BENCH_SECRET },
  );
  return `${base}/proxy/recommendations?${query}`;
}

/**
 * The next `count` addresses of `next`, signed before a phase starts: signing a request (an
 * HMAC, a sort of the query) is the storefront's and Shopify's work, not the server's, and the
 * benchmark's client shares the server's cores. A phase that outruns them starts over (the
 * signature allows 90 s).
 */
function presigned(next: () => string, count: number): () => string {
  const urls = Array.from({ length: Math.max(1, count) }, next);
  let i = 0;
  return () => urls[i++ % urls.length];
}

/** Every distinct cart once, CONNECTIONS at a time: afterwards each is a memo hit. */
async function answerEveryCart(base: string, carts: string[][]) {
  const distinct = [...new Map(carts.map((c) => [c.join(","), c])).values()];
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const tally = new Tally();
  for (let i = 0; i < distinct.length; i += CONNECTIONS)
    await Promise.all(
      distinct
        .slice(i, i + CONNECTIONS)
        .map((cart) =>
          tally.send(cartRequest(base, cart, 0), agent, performance.now()),
        ),
    );
  agent.destroy();
}

/** Stops the instance; a profiled one is given the time to write its profile. */
async function stop(instance: ChildProcess) {
  const exited = new Promise((r) => instance.once("exit", r));
  stopInstance(instance);
  const waitMs = PROFILE ? 60_000 : 3_000;
  await Promise.race([exited, new Promise((r) => setTimeout(r, waitMs))]);
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
  const profileDir = mkdtempSync(path.join(tmpdir(), "cartlift-bench-prof-"));
  try {
    const demo = await seed();
    const carts = demo.orders.map((o) => [
      ...new Set(o.lines.map((l) => l.productId)),
    ]);
    const distinct = new Set(carts.map((c) => c.join(","))).size;
    if (PROFILE)
      process.env.BENCH_NODE_ARGS = `${process.env.BENCH_NODE_ARGS ?? ""} --cpu-prof --cpu-prof-interval 250 --cpu-prof-dir ${profileDir}`;
    instance = startInstance(
      PORT,
      DATABASE_URL,
      MEMO ? {} : { ANSWER_MEMO_ENTRIES: "0" },
    );
    const base = `http://127.0.0.1:${PORT}`;
    await waitReady(base);
    const healthz = () => `${base}/healthz`;
    const recommendations = cartRequests(base, carts, 5000);

    // Sanity: the route answers offers, then both routes are warmed up.
    const sample = await fetch(recommendations());
    const sampleText = await sample.text();
    const answerBytes = Buffer.byteLength(sampleText);
    if (!sample.ok || !sampleText.includes("all_products"))
      throw new Error(
        `recommendations did not answer offers: ${sample.status} ${sampleText.slice(0, 300)}`,
      );
    // The profile's breakdown is of a memo hit's work: no cart is new to the memo.
    if (PROFILE) await answerEveryCart(base, carts);
    const warm = Math.min(2, SECONDS);
    await saturate(healthz, warm);
    await saturate(recommendations, warm);

    const server = instance.pid!;
    const trivialMax = await measured(healthz, SECONDS, server);
    // As many as /healthz's rate would send, and a fifth more.
    const proxyMax = await measured(
      presigned(recommendations, Math.ceil(trivialMax.rps * SECONDS * 1.2)),
      SECONDS,
      server,
    );
    const rate = Math.max(1, Math.round(trivialMax.rps * LOAD));
    const trivial = await offer(healthz, rate, SECONDS);
    const proxy = await offer(
      presigned(recommendations, Math.round(rate * SECONDS)),
      rate,
      SECONDS,
    );

    const fmt = (n: number) => n.toFixed(1);
    const p99Ratio = proxy.p99 / trivial.p99;
    const throughputRatio = proxyMax.rps / trivialMax.rps;
    const line = (name: string, r: Result) =>
      `  ${name.padEnd(42)} ${String(r.requests).padStart(6)} req  ${fmt(r.rps).padStart(7)} req/s  p50 ${fmt(r.p50).padStart(6)} ms  p99 ${fmt(r.p99).padStart(6)} ms  errors ${r.errors}${r.hitRate === null ? "" : `  memo hits ${(r.hitRate * 100).toFixed(1)}%`}${r.firstError ? ` (first: ${r.firstError})` : ""}`;
    const verdict = (ok: boolean) => (ok ? "met" : "MISSED");
    console.log(`
Cartlift app proxy benchmark (loadavg ${loadavg().map(fmt).join(" ")}, ${SECONDS} s per phase, 1 production instance, SQLite, demo shop ${demo.products.length} products, carts from ${carts.length} orders (${distinct} distinct), answer memo ${MEMO ? "on" : "off"}, a recommendations answer ${answerBytes} bytes)
 ${CONNECTIONS} connections, closed loop:
${line("trivial  GET /healthz", trivialMax)}
${line("proxy    cart recommendations", proxyMax)}
 offered load ${rate} req/s (${Math.round(LOAD * 100)}% of /healthz's rate), open loop:
${line("trivial  GET /healthz", trivial)}
${line("proxy    cart recommendations", proxy)}
  p99 ratio proxy/trivial at ${Math.round(LOAD * 100)}%: ${p99Ratio.toFixed(2)} (target <= 1.3: ${verdict(p99Ratio <= 1.3)}); proxy p99 ${fmt(proxy.p99)} ms (target <= 15 ms: ${verdict(proxy.p99 <= 15)})
  throughput ratio proxy/trivial at ${CONNECTIONS} connections: ${throughputRatio.toFixed(2)} (target >= 0.8: ${verdict(throughputRatio >= 0.8)})
 CPU time per request at ${CONNECTIONS} connections (server: all its threads; client: this process):
  /healthz server ${fmt(trivialMax.serverUs)} µs, client ${fmt(trivialMax.clientUs)} µs; recommendations server ${fmt(proxyMax.serverUs)} µs, client ${fmt(proxyMax.clientUs)} µs; server ratio ${(proxyMax.serverUs / trivialMax.serverUs).toFixed(2)}
proxy p99-ratio ${p99Ratio.toFixed(2)} throughput-ratio ${throughputRatio.toFixed(2)}`);
    // The catalog figure is measured in this process, with the machine to itself.
    await stop(instance);
    instance = undefined;
    if (PROFILE) printProfile(profileDir, trivialMax, proxyMax);
    const handlers = await handlerCosts(carts);
    console.log(`
 the lean routes' handlers called in this process, alternating, ${handlers.calls} calls each (every cart answered once before, so memo hits; no HTTP, no client):
  /healthz ${fmt(handlers.probe)} µs, recommendations ${fmt(handlers.recommendations)} µs a call
proxy handler-us ${fmt(handlers.recommendations)}`);
    if (CATALOG_PRODUCTS === 0) return;
    const updates = await catalogUpdates();
    console.log(`
 one product update on a ${updates.products}-product shop (seeded and trained in ${(updates.seedMs / 1000).toFixed(1)} s), median of 5 each, write to serving state:
  applied as a change ${fmt(updates.delta)} ms, built whole ${fmt(updates.rebuild)} ms
catalog-update delta-ms ${fmt(updates.delta)} rebuild-ms ${fmt(updates.rebuild)} ratio ${(updates.rebuild / updates.delta).toFixed(1)}`);
    if (proxy.errors || trivial.errors || proxyMax.errors || trivialMax.errors)
      process.exitCode = 1;
  } finally {
    if (instance?.pid) await stop(instance);
    for (const suffix of ["", "-journal", "-wal", "-shm"])
      rmSync(DB_FILE + suffix, { force: true });
    if (!PROFILE) rmSync(profileDir, { recursive: true, force: true });
  }
}

/**
 * A recommendation's own cost, without HTTP: the built server's lean routes
 * (app/http/lean-routes.ts) called in this process with the request the server hands them, a
 * probe and a recommendation in turn, each timed around its call. Alternating call by call, both
 * see the same load. Recommendations are memo hits: every distinct cart is answered once first.
 */
async function handlerCosts(carts: string[][], calls = 2_500 * SECONDS) {
  const build = (await import(
    pathToFileURL(path.join(ROOT, "build", "server", "index.js")).href
  )) as ServerBuild;
  const { leanRoutes } = await import("../app/http/lean-routes");
  const lean = leanRoutes(build);
  const probe = lean.get("/healthz")!;
  const recommendations = lean.get("/proxy/recommendations")!;
  const base = "http://localhost";
  // What the server hands a lean route: the address and headers read in place.
  const noHeaders = { get: () => null };
  const call = async (route: LeanRoute, url: string) => {
    const started = performance.now();
    const answer = await route({
      method: "GET",
      url,
      headers: noHeaders,
      body: null,
    });
    const elapsed = performance.now() - started;
    if (answer.status !== 200) throw new Error(`${url}: ${answer.status}`);
    return elapsed;
  };
  const distinct = [...new Map(carts.map((c) => [c.join(","), c])).values()];
  for (const cart of distinct)
    await call(recommendations, cartRequest(base, cart, 0));
  const next = cartRequests(base, carts, 5000);
  // Signed now, so that building them is not timed (the signature allows 90 s).
  const urls = Array.from({ length: calls }, next);
  const times = { probe: 0, recommendations: 0 };
  for (const url of urls) {
    times.probe += await call(probe, `${base}/healthz`);
    times.recommendations += await call(recommendations, url);
  }
  return {
    calls,
    probe: (times.probe * 1000) / calls,
    recommendations: (times.recommendations * 1000) / calls,
  };
}

type Measured = Awaited<ReturnType<typeof measured>>;

/** Each route's time per request at CONNECTIONS connections, by part of the work. */
function printProfile(dir: string, trivial: Measured, proxy: Measured) {
  const [file] = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"));
  if (!file) throw new Error(`the profiled server wrote no profile in ${dir}`);
  const samples = readProfile(path.join(dir, file), PARTS);
  console.log(`\n (the profile, for DevTools: ${path.join(dir, file)})`);
  const perRequest = (phase: Measured) =>
    new Map(
      [...timeByPart(samples, ...phase.window)].map(([part, us]) => [
        part,
        us / phase.requests,
      ]),
    );
  const [a, b] = [perRequest(trivial), perRequest(proxy)];
  if (a.size === 0 || b.size === 0)
    throw new Error("no profile samples in a phase's window: clocks differ?");
  const parts = [...new Set([...a.keys(), ...b.keys()])].sort(
    (x, y) => (b.get(y) ?? 0) - (b.get(x) ?? 0),
  );
  const total = (m: Map<string, number>) =>
    [...m.values()].reduce((sum, us) => sum + us, 0);
  const row = (name: string, x: number, y: number) =>
    `  ${name.padEnd(40)} ${x.toFixed(1).padStart(9)} ${y.toFixed(1).padStart(17)} ${(y - x).toFixed(1).padStart(11)}`;
  console.log(`
 where a request's time goes in the server's main thread (CPU profile, µs per request, idle left out):
  ${"part".padEnd(40)} ${"/healthz".padStart(9)} ${"recommendations".padStart(17)} ${"difference".padStart(11)}
${parts.map((p) => row(p, a.get(p) ?? 0, b.get(p) ?? 0)).join("\n")}
${row("total", total(a), total(b))}`);
}

await main();
