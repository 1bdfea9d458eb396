import path from "node:path";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { API_SECRET_KEY } from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import { CLIENT_LIMIT } from "~/services/platform/rate-limit.server";
import { proxiedQuery } from "../../demo/proxy-signature";
import { AllProducts, storefrontLiquid } from "../../demo/storefront";
import type { DemoProduct } from "../../demo/shop";
import { loader as recommendations } from "~/routes/proxy.recommendations";
import { action as events } from "~/routes/proxy.events";
import {
  signOfferToken,
  verifyOfferToken,
} from "~/services/measurement/attribution.server";
import { MAX_EVENT_BODY_BYTES } from "~/services/storefront/events.server";
import { forgetRecommender } from "~/services/model/model.server";

const SHOP_A = "storefront-a.myshopify.com";
const SHOP_B = "storefront-b.myshopify.com";
const extensionDir = path.resolve("extensions/cartlift-theme");

const settle = (p: Promise<unknown>) =>
  p.then(
    (r) => r as Response,
    (thrown: unknown) => {
      if (thrown instanceof Response) return thrown;
      throw thrown;
    },
  );

function signed(
  shop: string,
  params: Record<string, string>,
  options: { secret?: string; now?: number } = {},
) {
  return proxiedQuery(new URLSearchParams(params), {
    shop,
    secret: options.secret ?? API_SECRET_KEY,
    now: options.now,
  });
}

/** Stops the clock for a rate-limit test: buckets refill with time, and a test takes time. */
function frozenClock() {
  const now = Date.now();
  return vi.spyOn(Date, "now").mockReturnValue(now);
}

/** What Shopify's app proxy adds: the shopper's address (here a spoofed entry before it). */
const forwardedFor = (address?: string): Record<string, string> =>
  address ? { "X-Forwarded-For": `10.9.9.9, ${address}` } : {};

const getOffers = (query: URLSearchParams, address?: string) =>
  settle(
    recommendations({
      request: new Request(
        `https://my-test-app.myshopify.io/proxy/recommendations?${query}`,
        { headers: forwardedFor(address) },
      ),
      params: {},
      context: {},
    }),
  );

const postEvents = (query: URLSearchParams, body: string, address?: string) =>
  settle(
    events({
      request: new Request(
        `https://my-test-app.myshopify.io/proxy/events?${query}`,
        {
          method: "POST",
          headers: { "Content-Type": "text/plain", ...forwardedFor(address) },
          body,
        },
      ),
      params: {},
      context: {},
    }),
  );

// Two shops with overlapping ids: a cross-shop leak would show up as the other shop's handles.
const CATALOG: Record<string, DemoProduct[]> = {
  [SHOP_A]: [1, 2, 3].map((n) => product(n, "a")),
  [SHOP_B]: [1, 2, 3, 4].map((n) => product(n, "b")),
};

// Lantern 1 is a kind of its own, so the others are offered beside it (a second product of a kind
// is not, decision 015); lanterns 2 and 3 are one kind, and 3 is twice as bright: an upgrade.
function product(n: number, prefix: string): DemoProduct {
  return {
    id: String(n),
    title: `${prefix.toUpperCase()} Lantern ${n}`,
    handle: `${prefix}-lantern-${n}`,
    productType: n === 1 ? "Camp Lantern" : "Lantern",
    vendor: "Glow",
    tags: [],
    collections: [],
    variants: [
      {
        id: `${n}00`,
        title: "Default",
        sku: "",
        price: 1000 * n + 99,
        unitCost: 500 * n,
        compareAtPrice: null,
        inventoryQuantity: 5,
        options: [{ name: "Brightness", value: `${100 * 2 ** n} lumens` }],
        position: 1,
      },
    ],
  };
}

async function seed() {
  for (const [shop, products] of Object.entries(CATALOG)) {
    await prisma.shop.create({ data: { shop, currency: "USD" } });
    await prisma.product.createMany({
      data: products.map((p) => ({
        shop,
        id: p.id,
        title: p.title,
        handle: p.handle,
        productType: p.productType,
        updatedAt: new Date(),
      })),
    });
    await prisma.variant.createMany({
      data: products.flatMap((p) =>
        p.variants.map((v) => ({
          shop,
          id: v.id,
          productId: p.id,
          title: v.title,
          priceMinor: v.price,
          currency: "USD",
          inventoryQuantity: v.inventoryQuantity,
          options: JSON.stringify(v.options),
        })),
      ),
    });
  }
}

/** What Shopify does with the fragment: render it with the shopper's cart, currency and language. */
function renderAsShopify(
  liquid: string,
  shop: string,
  {
    currency,
    rate,
    locale,
  }: { currency: string; rate: number; locale: string },
) {
  return storefrontLiquid({ extensionDir, locale, currency }).parseAndRender(
    liquid,
    {
      all_products: new AllProducts(CATALOG[shop], rate),
      cart: { currency: { iso_code: currency } },
      request: { locale: { iso_code: locale } },
    },
  );
}

const token = (shop: string, productId: string, placement = "cart") =>
  signOfferToken(shop, {
    placement,
    strategy: "blended",
    kind: "cross_sell",
    productId,
    modelId: "",
    arm: "",
  });

// One database per test file: each test starts from no shops and no events.
beforeEach(async () => {
  for (const shop of [SHOP_A, SHOP_B]) {
    await prisma.event.deleteMany({ where: { shop } });
    await prisma.bundle.deleteMany({ where: { shop } });
    await prisma.product.deleteMany({ where: { shop } });
    await prisma.shop.deleteMany({ where: { shop } });
    forgetRecommender(shop);
  }
});

describe("storefront recommendations through the app proxy", () => {
  it("shows prices in the shopper's presentment currency, never the shop's", async () => {
    await seed();
    const response = await getOffers(
      signed(SHOP_A, { placement: "product_fbt", product_id: "1" }),
    );
    expect(response.status).toBe(200);
    const fragment = await response.text();
    // No amount the app computed: 2099 / $20.99 would be the base price of product 2.
    expect(fragment).not.toMatch(/\$|20\.99|2099/);
    const html = await renderAsShopify(fragment, SHOP_A, {
      currency: "EUR",
      rate: 0.5,
      locale: "fr",
    });
    // 2,099 cents at 0.5 = 10,50 € (rounded as Shopify rounds presentment prices, per variant).
    expect(html).toContain("10,50");
    expect(html).toContain("€");
    expect(html).not.toContain("$");
    expect(html).toContain("Tout ajouter au panier");
    expect(html).toMatch(/data-cartlift-total data-currency="EUR"/);
  });

  it("signs an attribution token into every offer, bound to the shop", async () => {
    await seed();
    const fragment = await (
      await getOffers(signed(SHOP_A, { placement: "cart", cart: "1" }))
    ).text();
    const tokens = [...fragment.matchAll(/data-token="([^"]+)"/g)].map(
      (m) => m[1],
    );
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens) {
      expect(verifyOfferToken(SHOP_A, t)).toMatchObject({
        placement: "cart",
        strategy: "blended",
      });
      expect(verifyOfferToken(SHOP_B, t)).toBeNull();
    }
  });

  it("never answers shop A's signed request with shop B's products", async () => {
    await seed();
    const fragment = await (
      await getOffers(signed(SHOP_A, { placement: "cart", cart: "1" }))
    ).text();
    expect(fragment).toContain("a-lantern-3");
    expect(fragment).not.toMatch(/b-lantern/);
  });

  it("answers one client address that floods it with 429, and other shoppers as before", async () => {
    await seed();
    const query = () => signed(SHOP_A, { placement: "cart", cart: "1" });
    const clock = frozenClock();
    const statuses: number[] = [];
    for (let i = 0; i < CLIENT_LIMIT.requests; i++)
      statuses.push((await getOffers(query(), "198.51.100.4")).status);
    expect(statuses).toEqual(Array(CLIENT_LIMIT.requests).fill(200));
    const limited = await getOffers(query(), "198.51.100.4");
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBe("1");
    expect((await getOffers(query(), "198.51.100.5")).status).toBe(200);
    clock.mockRestore();
  });

  it("escapes merchant text so it can never become Liquid or HTML", async () => {
    await seed();
    await prisma.product.update({
      where: { shop_id: { shop: SHOP_A, id: "1" } },
      data: { title: "{{ shop.secret }}<script>" },
    });
    const fragment = await (
      await getOffers(
        signed(SHOP_A, { placement: "cart", cart: "1", limit: "3" }),
      )
    ).text();
    expect(fragment).not.toContain("{{ shop.secret }}");
    expect(fragment).not.toContain("<script>");
  });

  it("offers the next tier up with what changes, priced by Shopify, and no reason when reasons are off", async () => {
    await seed();
    const fragment = await (
      await getOffers(
        signed(SHOP_A, { placement: "product_upgrade", product_id: "2" }),
      )
    ).text();
    expect(fragment).toContain("a-lantern-3");
    // The engine's base-currency price row and reason are never sent: Liquid prints both.
    expect(fragment).not.toMatch(/\$|30\.99|3099/);
    const html = await renderAsShopify(fragment, SHOP_A, {
      currency: "USD",
      rate: 1,
      locale: "en",
    });
    expect(html).toContain("+$10.00 for double the brightness");
    expect(html).toMatch(
      /<th scope="row">Product<\/th><td>A Lantern 2<\/td><td>A Lantern 3<\/td>/,
    );
    expect(html).toMatch(
      /<th scope="row">Price<\/th><td>\$20\.99<\/td><td>\$30\.99<\/td>/,
    );
    const [[, upgradeToken]] = fragment.matchAll(/data-token="([^"]+)"/g);
    expect(verifyOfferToken(SHOP_A, upgradeToken)).toMatchObject({
      placement: "product_upgrade",
      kind: "upsell",
      productId: "3",
    });

    const quiet = await (
      await getOffers(
        signed(SHOP_A, {
          placement: "product_upgrade",
          product_id: "2",
          reasons: "0",
        }),
      )
    ).text();
    expect(quiet).toContain("a-lantern-3");
    expect(quiet).not.toContain("cartlift__reason");
  });

  /** A 10% bundle of lanterns 1 and 3, and lantern 1's "Frequently bought together" answer. */
  async function lanternOneWithBundle(): Promise<string> {
    await prisma.bundle.create({
      data: {
        shop: SHOP_A,
        title: "Lanterns 1 and 3",
        productIds: JSON.stringify(["1", "3"]),
        discountType: "percentage",
        discountValue: 1000,
        status: "active",
      },
    });
    return (
      await getOffers(
        signed(SHOP_A, { placement: "product_fbt", product_id: "1" }),
      )
    ).text();
  }

  it("shows the merchant's bundle with the product instead of the engine's picks", async () => {
    await seed();
    const fragment = await lanternOneWithBundle();
    expect(fragment).toContain("a-lantern-3");
    expect(fragment).not.toContain("a-lantern-2");
    expect(fragment).toContain('data-bps="1000"');
    expect(fragment).toContain("Save 10% when bought together");
    const tokens = [...fragment.matchAll(/data-token="([^"]+)"/g)].map((m) =>
      verifyOfferToken(SHOP_A, m[1])!,
    );
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens)
      expect(t).toMatchObject({
        strategy: "bundle",
        kind: "bundle",
        productId: "3",
      });
  });

  it("falls back to the engine's picks when the block could not show the whole bundle", async () => {
    await seed();
    // all_products['…'] could not look this handle up: the bundle would be sold as less than it is.
    await prisma.product.update({
      where: { shop_id: { shop: SHOP_A, id: "3" } },
      data: { handle: "Lantern 3!" },
    });
    const fragment = await lanternOneWithBundle();
    expect(fragment).toContain("a-lantern-2");
    expect(fragment).not.toContain("Lantern 3!");
    expect(fragment).not.toContain("data-cartlift-bundle");
  });
});

describe("storefront events through the app proxy", () => {
  const batch = (shop: string, visitor = "visitor-0001", n = 1) =>
    JSON.stringify({
      visitor,
      events: Array.from({ length: n }, () => ({
        type: "click",
        token: token(shop, "2"),
        product_id: "1",
      })),
    });

  it("stores a signed batch for the signed shop, with placement and product from the token", async () => {
    const response = await postEvents(signed(SHOP_A, {}), batch(SHOP_A));
    expect(response.status).toBe(202);
    const rows = await prisma.event.findMany({
      select: {
        shop: true,
        type: true,
        placement: true,
        offerProductId: true,
        visitorKey: true,
      },
    });
    expect(rows).toEqual([
      {
        shop: SHOP_A,
        type: "click",
        placement: "cart",
        offerProductId: "2",
        visitorKey: expect.stringMatching(/^[a-f0-9]{32}$/),
      },
    ]);
    // The browser's id is never stored as such.
    expect(rows[0].visitorKey).not.toContain("visitor-0001");
  });

  it("refuses a forged token, or one from another shop, and stores nothing of the batch", async () => {
    const forged = JSON.parse(batch(SHOP_A, "visitor-0002", 2));
    forged.events[1].token = forged.events[1].token.replace("~2~", "~3~");
    expect(
      (await postEvents(signed(SHOP_A, {}), JSON.stringify(forged))).status,
    ).toBe(400);
    const foreign = await postEvents(
      signed(SHOP_A, {}),
      batch(SHOP_B, "visitor-0003"),
    );
    expect(foreign.status).toBe(400);
    expect(await foreign.json()).toMatchObject({
      issues: [expect.stringMatching(/token/)],
    });
    expect(await prisma.event.count()).toBe(0);
  });

  it("refuses malformed events with 400 and a reason", async () => {
    const bad = JSON.stringify({
      visitor: "visitor-0004",
      events: [{ type: "purchase", token: token(SHOP_A, "2") }],
    });
    const response = await postEvents(signed(SHOP_A, {}), bad);
    expect(response.status).toBe(400);
    expect((await response.json()).issues.join(" ")).toMatch(/type/);
    expect((await postEvents(signed(SHOP_A, {}), "not json")).status).toBe(400);
    expect(await prisma.event.count()).toBe(0);
  });

  it("bounds the body size and the batch length", async () => {
    const huge = JSON.stringify({
      visitor: "visitor-0005",
      pad: "x".repeat(MAX_EVENT_BODY_BYTES),
    });
    expect((await postEvents(signed(SHOP_A, {}), huge)).status).toBe(413);
    expect(
      (await postEvents(signed(SHOP_A, {}), batch(SHOP_A, "visitor-0006", 51)))
        .status,
    ).toBe(400);
    expect(await prisma.event.count()).toBe(0);
  });

  it("rejects unsigned and stale requests with 401 and stores nothing", async () => {
    const unsigned = new URLSearchParams({
      shop: SHOP_A,
      timestamp: String(Math.floor(Date.now() / 1000)),
    });
    expect((await postEvents(unsigned, batch(SHOP_A))).status).toBe(401);
    const stale = signed(SHOP_A, {}, { now: Date.now() - 120_000 });
    expect((await postEvents(stale, batch(SHOP_A))).status).toBe(401);
    // A signature for shop A does not let the body write into shop B.
    const swapped = signed(SHOP_A, {});
    swapped.set("shop", SHOP_B);
    expect((await postEvents(swapped, batch(SHOP_B))).status).toBe(401);
    expect(await prisma.event.count()).toBe(0);
  });

  it("rate-limits one client address however many visitor ids it rotates through", async () => {
    const clock = frozenClock();
    const statuses: number[] = [];
    for (let i = 0; i < CLIENT_LIMIT.requests + 5; i++) {
      const visitor = `visitor-rotating-${i}`;
      statuses.push(
        (
          await postEvents(
            signed(SHOP_A, {}),
            batch(SHOP_A, visitor),
            "203.0.113.7",
          )
        ).status,
      );
    }
    expect(statuses.filter((s) => s === 202)).toHaveLength(
      CLIENT_LIMIT.requests,
    );
    expect(statuses.slice(CLIENT_LIMIT.requests)).toEqual(Array(5).fill(429));
    // Another shopper's address is not slowed, and the spoofed entry before it was ignored.
    expect(
      (
        await postEvents(
          signed(SHOP_A, {}),
          batch(SHOP_A, "visitor-other"),
          "203.0.113.8",
        )
      ).status,
    ).toBe(202);
    clock.mockRestore();
  });

  it("rate-limits one visitor of one shop without slowing another visitor", async () => {
    const clock = frozenClock();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++)
      statuses.push(
        (await postEvents(signed(SHOP_A, {}), batch(SHOP_A, "visitor-noisy")))
          .status,
      );
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(202));
    expect(statuses.slice(10)).toEqual([429, 429]);
    expect(
      (await postEvents(signed(SHOP_A, {}), batch(SHOP_A, "visitor-calm")))
        .status,
    ).toBe(202);
    clock.mockRestore();
  });
});
