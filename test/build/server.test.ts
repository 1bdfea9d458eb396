import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API_KEY,
  API_SECRET_KEY,
} from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import { trainModels } from "~/engine/shop-model";
import { storeModel } from "~/services/model/model.server";
import {
  signOfferToken,
  verifyOfferToken,
} from "~/services/measurement/attribution.server";
import { proxiedQuery } from "../../demo/proxy-signature";
import { engineOrder as order, seedSmallShop } from "../fixtures";
import { freePort, shellEnv } from "../browser/demo-server";

// `npm start` as production runs it: the built server (build/server/server.js, needs `npm run
// build`) on this test file's database. Its storefront proxy routes skip Remix's routing; the
// admin's routes do not.

const SHOP = "built-server.myshopify.com";
/**
 * A shop with a due next-offer send whose offline token has expired and cannot be refreshed
 * (Shopify is out of reach here): the job logs it. (A shop without an offline session is not
 * tried at all.)
 */
const UNREACHABLE = "unreachable-built.myshopify.com";
let server: ChildProcess;
let base: string;
let output = "";

beforeAll(async () => {
  await seedSmallShop(SHOP);
  const orders = [1, 2, 3].map((k) => order(`o${k}`, ["1", "2"]));
  await storeModel(SHOP, trainModels(orders), {
    orders: orders.length,
    products: 3,
    trainMs: 0,
  });
  await prisma.session.create({
    data: {
      id: `offline_${UNREACHABLE}`,
      shop: UNREACHABLE,
      state: "",
      isOnline: false,
      accessToken: "expired-token",
      expires: new Date(Date.now() - 86_400_000),
      refreshToken: "refresh-token",
      refreshTokenExpires: new Date(Date.now() + 86_400_000),
    },
  });
  await prisma.nextOfferSend.create({
    data: {
      shop: UNREACHABLE,
      orderId: "1",
      customerKey: "k",
      productId: "2",
      anchorProductId: "1",
      reason: "bought_next",
      dueAt: new Date(Date.now() - 86_400_000),
    },
  });
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(process.execPath, ["build/server/server.js"], {
    env: {
      ...shellEnv(),
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: process.env.DATABASE_URL,
      SHOPIFY_API_KEY: API_KEY,
      SHOPIFY_API_SECRET: API_SECRET_KEY,
      SHOPIFY_APP_URL: base,
      // The next-offer job every 0.6 s, so the test sees it run.
      NEXT_OFFER_RUN_MINUTES: "0.01",
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  server.stdout?.on("data", (chunk) => (output += chunk));
  server.stderr?.on("data", (chunk) => (output += chunk));
  for (let i = 0; ; i++) {
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) break;
    if (i > 240) throw new Error(`the built server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}, 90_000);

afterAll(() => {
  if (server?.pid) process.kill(-server.pid, "SIGTERM");
});

const signed = (params: Record<string, string>, secret = API_SECRET_KEY) =>
  proxiedQuery(new URLSearchParams(params), { shop: SHOP, secret });

describe("the built production server", () => {
  it("answers a signed app proxy request with the shop's offers, each with a token signed for it", async () => {
    const response = await fetch(
      `${base}/proxy/recommendations?${signed({ placement: "cart", cart: "1" })}`,
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("application/liquid");
    // The proxy's answers skip compression; admin pages and assets get it (below).
    expect(response.headers.get("Content-Encoding")).toBeNull();
    const fragment = await response.text();
    expect(fragment).toContain("all_products['p2']");
    const token = /data-token="([^"]+)"/.exec(fragment)?.[1];
    expect(verifyOfferToken(SHOP, token!)).toMatchObject({
      placement: "cart",
      productId: "2",
    });
  });

  it("refuses a proxy request signed with another secret, and stores a signed event batch", async () => {
    const offerToken = signOfferToken(SHOP, {
      placement: "cart",
      strategy: "blended",
      kind: "cross_sell",
      productId: "2",
      modelId: "",
      arm: "",
    });
    const forged = await fetch(
      `${base}/proxy/recommendations?${signed({ placement: "cart", cart: "1" }, "not-the-secret")}`,
    );
    expect(forged.status).toBe(401);
    expect(forged.headers.get("Content-Type")).toBe("application/json");
    expect(await forged.json()).toEqual({
      error: "Invalid or expired app proxy signature",
    });
    const stored = await fetch(`${base}/proxy/events?${signed({})}`, {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: JSON.stringify({
        visitor: "v".repeat(32),
        events: [{ type: "impression", token: offerToken }],
      }),
    });
    expect(stored.status).toBe(202);
    expect(await stored.json()).toEqual({ stored: 1 });
  });

  it("answers the lean routes' methods as Remix would, with whole bodies", async () => {
    const posted = await fetch(
      `${base}/proxy/recommendations?${signed({ placement: "cart", cart: "1" })}`,
      { method: "POST", body: "{}" },
    );
    expect(posted.status).toBe(405);
    expect(posted.headers.get("Allow")).toBe("GET, HEAD");
    const events = await fetch(`${base}/proxy/events?${signed({})}`);
    expect(events.status).toBe(405);
    expect(await events.json()).toEqual({ error: "Events are sent with POST" });
    const probe = await fetch(`${base}/healthz`);
    expect(probe.headers.get("Content-Length")).toBe("2");
    expect(await probe.text()).toBe("ok");
    const head = await fetch(`${base}/healthz`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("serves an admin route through Remix, with its assets compressed", async () => {
    const response = await fetch(`${base}/auth/login`, {
      headers: { "User-Agent": "Mozilla/5.0 (built server test)" },
    });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("<html");
    const asset = /href="(\/assets\/[^"]+\.css)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const css = await fetch(`${base}${asset}`);
    expect(css.status).toBe(200);
    expect(css.headers.get("Cache-Control")).toContain("immutable");
    expect(css.headers.get("Content-Encoding")).toBe("gzip");
  });

  it("runs the next-offer job on its own, and logs a shop it cannot reach", async () => {
    for (let i = 0; !output.includes(`"shop":"${UNREACHABLE}"`); i++) {
      if (i > 80) throw new Error(`the job did not run:\n${output}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const line = output
      .split("\n")
      .find((l) => l.includes(`"shop":"${UNREACHABLE}"`))!;
    expect(JSON.parse(line)).toMatchObject({
      level: "error",
      msg: "next offers not sent",
    });
    // Not reached, so not claimed: it waits for a run that reaches the shop.
    const send = await prisma.nextOfferSend.findUniqueOrThrow({
      where: { shop_orderId: { shop: UNREACHABLE, orderId: "1" } },
    });
    expect(send).toMatchObject({ status: "pending", attempts: 0 });
  });
});
