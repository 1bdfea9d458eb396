/**
 * `npm run demo`: the real app, built for production, served with a synthetic shop and no
 * Shopify store. The Admin API is answered by MSW handlers generated from the synthetic shop;
 * the admin is opened with a session token minted here and verified by the app's own auth code;
 * the storefront preview renders the theme extension and calls the app proxy with a signed query.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import express from "express";
import { createRequestHandler } from "@remix-run/express";
import { createRequestHandler as createRemixHandler } from "@remix-run/node";
import { setupServer } from "msw/node";
import { demoRefusal } from "../demo/guard";
import { DEMO_SHOP, generateDemoShop } from "../demo/shop";
import { DemoBulkResults, demoAdminHandlers } from "../demo/admin-api";
import { adminHost, mintSessionToken } from "../demo/session-token";
import { proxiedQuery } from "../demo/proxy-signature";
import {
  postPurchaseDemoHtml,
  runPostPurchaseDemo,
} from "../demo/post-purchase";
import { DEMO_RATES, demoStorefront } from "../demo/storefront";
import { DEMO_IMAGES, productImages } from "../demo/product-image";
import { DemoWebPixels } from "../demo/web-pixel";
import { DemoBundleDiscount } from "../demo/bundle-discount";
import { simulateExperimentTraffic } from "../demo/experiment-traffic";
import { leanRoutes, leanRoutesHandler } from "../app/http/lean-routes";
import { toResponse } from "../app/http/lean-answer";
import { startServerJobs } from "../app/http/server-jobs";

const root = path.resolve(import.meta.dirname, "..");
const refusal = demoRefusal(process.env);
if (refusal) {
  console.error(refusal);
  process.exit(1);
}

const port = Number(process.env.PORT ?? 3000);
const apiKey = "cartlift-demo";
// A new secret each run: tokens and signatures from an earlier run are worthless.
const apiSecret = randomBytes(32).toString("hex");
// The demo merchant granted the whole order history (read_all_orders) and unit costs
// (read_inventory); DEMO_WITHOUT_ALL_ORDERS=1 shows the shop as Shopify shows it without it.
const scopes = [
  "read_products,read_orders,read_inventory,read_customers,write_discounts,write_pixels,read_customer_events",
  ...(process.env.DEMO_WITHOUT_ALL_ORDERS === "1" ? [] : ["read_all_orders"]),
].join(",");
const dbFile = path.join(
  root,
  "prisma",
  process.env.DEMO_DATABASE ?? "demo.sqlite",
);
Object.assign(process.env, {
  NODE_ENV: process.env.NODE_ENV ?? "development",
  SHOPIFY_API_KEY: apiKey,
  SHOPIFY_API_SECRET: apiSecret,
  SHOPIFY_APP_URL: `http://localhost:${port}`,
  SCOPES: scopes,
  CARTLIFT_DEMO: "1",
  APP_BRIDGE_URL: "/demo/app-bridge.js",
  DATABASE_URL: `file:${dbFile}`,
});

const serverBuild = path.join(root, "build", "server", "index.js");
if (!existsSync(serverBuild)) {
  // `npm run demo` builds first; running this script directly needs a build too.
  console.error(
    "No build found: run `npm run demo` (it builds first) or `npm run build`.",
  );
  process.exit(1);
}

// A fresh database each run keeps the demo deterministic. Its write-ahead log goes too: a log
// left by a stopped run would be replayed into the new file.
for (const suffix of ["", "-wal", "-shm"])
  rmSync(dbFile + suffix, { force: true });
execFileSync("npx", ["prisma", "migrate", "deploy"], {
  cwd: root,
  stdio: "ignore",
  env: process.env,
});

const demo = generateDemoShop();
// MSW must patch fetch before the app's Shopify library captures it at import.
// The demo merchant also granted the optional write_customers (replenishment reminders) and
// write_orders (the next offer's order metafield) scopes.
// Bulk operation results are JSONL files this server serves (/demo/bulk), as Shopify's storage does.
const bulk = new DemoBulkResults();
// The web pixel the app creates on install; the storefront's pixel reads its settings.
const pixels = new DemoWebPixels();
// The bundle discount's configuration the app writes, applied by the demo's cart.
const bundleDiscount = new DemoBundleDiscount();
const msw = setupServer(
  ...demoAdminHandlers(demo, {
    scopes: `${scopes},write_customers,write_orders`,
    bulk,
    pixels,
    bundleDiscount,
    bulkResultsUrl: `http://localhost:${port}/demo/bulk`,
    imagesUrl: `http://localhost:${port}${DEMO_IMAGES}`,
  }),
);
msw.listen({
  onUnhandledRequest(request, print) {
    if (new URL(request.url).hostname !== "localhost") print.error();
  },
});
const build = await import(pathToFileURL(serverBuild).href);

const token = () => mintSessionToken({ shop: DEMO_SHOP, apiKey, apiSecret });
const adminUrl = () =>
  `http://localhost:${port}/app?${new URLSearchParams({ embedded: "1", shop: DEMO_SHOP, host: adminHost(DEMO_SHOP), id_token: token() })}`;

const app = express();
app.disable("x-powered-by");
// As `npm start` serves them (app/http/server.ts): the app proxy routes and probes skip Remix's routing.
app.use(leanRoutesHandler(build));
app.use(
  "/assets",
  express.static(path.join(root, "build", "client", "assets"), {
    immutable: true,
    maxAge: "1y",
  }),
);
app.use(express.static(path.join(root, "build", "client"), { maxAge: "1h" }));
app.get("/demo/app-bridge.js", (_req, res) => {
  res
    .type("js")
    .send(readFileSync(path.join(root, "demo", "app-bridge.js"), "utf8"));
});
app.get("/demo/session-token", (_req, res) => {
  res.set("Cache-Control", "no-store").type("text").send(token());
});
app.get("/demo/admin", (_req, res) => res.redirect(adminUrl()));
// The products' pictures, drawn by the demo (the admin, the storefront and checkout show them).
app.use(productImages(demo.products));
app.get("/demo/bulk/:file", (req, res) => {
  const lines = bulk.lines(req.params.file.replace(/\.jsonl$/, ""));
  if (!lines) return void res.sendStatus(404);
  res.type("application/jsonl");
  for (const line of lines) res.write(`${line}\n`);
  res.end();
});
// Shopify's checkout and post-purchase page, played for one sample order: a new order arrives as
// orders/create, the real endpoints answer with the offer and the signed changeset, and the
// accepted item arrives as orders/updated.
const productsById = new Map(demo.products.map((p) => [p.id, p]));
const variantPrices = new Map(
  demo.products.flatMap((p) => p.variants.map((v) => [v.id, v.price] as const)),
);
app.get("/demo/post-purchase", async (req, res, next) => {
  try {
    const index =
      Math.max(0, Number(req.query.order ?? 0) || 0) % demo.orders.length;
    // The buyer's language, as checkout gives it to the extension (?locale=fr).
    const locale = req.query.locale === "fr" ? "fr" : "en";
    // The currency the buyer checked out in (?currency=EUR, one the storefront preview sells in);
    // by default their market's: euros for the French page (FR), the shop's dollars otherwise.
    const asked = String(req.query.currency ?? "").toUpperCase();
    const presentmentCurrency = Object.hasOwn(DEMO_RATES, asked)
      ? asked
      : locale === "fr"
        ? "EUR"
        : demo.currency;
    const result = await runPostPurchaseDemo({
      appUrl: `http://localhost:${port}`,
      shop: DEMO_SHOP,
      apiKey,
      apiSecret,
      order: demo.orders[index],
      currency: demo.currency,
      presentmentCurrency,
      variantPrices,
      locale,
    });
    res
      .set("Cache-Control", "no-store")
      .type("html")
      .send(
        postPurchaseDemoHtml(result, {
          products: productsById,
          currency: demo.currency,
          orderIndex: index,
          orderCount: demo.orders.length,
          locale,
        }),
      );
  } catch (error) {
    next(error);
  }
});
// What Shopify does for the storefront: pages rendering the theme extension, the Ajax cart, and
// https://{shop}/apps/cartlift/* signed and forwarded to /proxy/*, its Liquid answer rendered.
const handleRequest = createRemixHandler(build, "production");
const lean = leanRoutes(build);
const appProxy = async (
  pathAndQuery: string,
  init?: RequestInit,
  customerId?: string,
) => {
  const url = new URL(pathAndQuery, "http://localhost");
  const signed = proxiedQuery(url.searchParams, {
    shop: DEMO_SHOP,
    secret: apiSecret,
    customerId,
  });
  const route = `/proxy${url.pathname === "/" ? "" : url.pathname}`;
  const request = new Request(
    `http://localhost:${port}${route}?${signed}`,
    init,
  );
  const answer = lean.get(route);
  return answer ? toResponse(await answer(request)) : handleRequest(request);
};
// The pixel's posts reach the app as from Shopify's sandbox: straight to /pixel/events.
const pixelPost = (url: string, body: string) =>
  handleRequest(new Request(url, { method: "POST", body }));
app.use(
  demoStorefront({
    root,
    demo,
    proxy: appProxy,
    pixel: { pixels, post: pixelPost },
    bundleDiscount,
  }),
);
// Simulated shoppers for a running experiment (demo/experiment-traffic.ts): through the real
// app proxy, and orders as signed webhooks, so the experiments page has results to show.
app.post("/demo/experiment-traffic", async (req, res, next) => {
  try {
    const visitors = Math.min(
      10_000,
      Math.max(1, Number(req.query.visitors) || 8000),
    );
    const summary = await simulateExperimentTraffic({
      shop: DEMO_SHOP,
      products: demo.products,
      visitors,
      // A fresh seed per run unless one is asked for: every run brings new visitors.
      seed: Number(req.query.seed) || undefined,
      appUrl: `http://localhost:${port}`,
      apiSecret,
      proxy: (pathAndQuery, init) => appProxy(pathAndQuery, init),
      deliver: (request) => handleRequest(request),
      pixel: { pixels, post: pixelPost },
    });
    res.set("Cache-Control", "no-store").json(summary);
  } catch (error) {
    next(error);
  }
});
app.all("*", createRequestHandler({ build, mode: "production" }));

app.listen(port, async () => {
  // Open the admin once, as the merchant would: the app exchanges the session token for an
  // access token (answered by MSW) and imports the synthetic shop through the Admin API.
  await fetch(adminUrl(), {
    headers: { "User-Agent": "Mozilla/5.0 (Cartlift demo)" },
  });
  // Then the first model trains (in a worker thread of the app): the storefront shows learned
  // offers from the first page on.
  const { trainingStatus } = await import("~/services/model/model.server");
  for (
    let waited = 0;
    (await trainingStatus(DEMO_SHOP)).state !== "trained";
    waited += 250
  ) {
    if (waited > 120_000)
      throw new Error(
        "The demo import and first training did not finish within two minutes",
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  // As `npm start` does: due next-offer sends go to the demo's Flow without waiting for an order.
  startServerJobs(build);
  console.log(`
Cartlift demo is running (synthetic shop ${DEMO_SHOP}: ${demo.products.length} products, ${demo.orders.length} orders)

  Admin (embedded, fresh session token): ${adminUrl()}
    a new token any time:                http://localhost:${port}/demo/admin
  Storefront preview:                    http://localhost:${port}/demo/storefront
  Traffic for a running experiment:      curl -X POST 'http://localhost:${port}/demo/experiment-traffic?visitors=8000'
  Post-purchase offer, signed changeset: http://localhost:${port}/demo/post-purchase
`);
});
