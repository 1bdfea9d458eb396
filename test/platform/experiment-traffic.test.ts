import { describe, expect, it } from "vitest";
import { API_SECRET_KEY, APP_URL } from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import { simulateExperimentTraffic } from "../../demo/experiment-traffic";
import { proxiedQuery } from "../../demo/proxy-signature";
import type { DemoProduct } from "../../demo/shop";
import { loader as recommendations } from "~/routes/proxy.recommendations";
import { action as events } from "~/routes/proxy.events";
import { action as ordersWebhook } from "~/routes/webhooks.orders";
import { action as pixelEvents } from "~/routes/pixel.events";
import { pixelKey } from "~/services/measurement/pixel-events.server";
import { DemoWebPixels } from "../../demo/web-pixel";
import {
  createExperiment,
  experimentResults,
  startExperiment,
} from "~/services/experiments/experiments.server";
import { holdoutArm } from "../fixtures";

// The demo traffic generator against the real proxy route and the real orders webhook: its
// orders must reach the experiment's arms through the visitor cart attribute, and its shoppers'
// customer events the real pixel endpoint, through the real pixel code.

const SHOP = "experiment-traffic.myshopify.com";
const PRODUCTS: DemoProduct[] = [1, 2, 3, 4, 5, 6].map((n) => ({
  id: String(n),
  title: `Mug ${n}`,
  handle: `mug-${n}`,
  // Each its own kind: a cart is never offered a second item of a kind it holds.
  productType: ["Mug", "Coaster", "Teapot", "Tray", "Spoon", "Jar"][n - 1],
  vendor: "Clay",
  tags: [],
  collections: [],
  variants: [
    {
      id: `${n}00`,
      title: "Default",
      sku: "",
      price: 1500 + 250 * n,
      unitCost: 700 + 100 * n,
      compareAtPrice: null,
      inventoryQuantity: 50,
      options: [],
      position: 1,
    },
  ],
}));

const settle = (p: Promise<unknown>) =>
  p.then(
    (r) => r as Response,
    (thrown: unknown) => {
      if (thrown instanceof Response) return thrown;
      throw thrown;
    },
  );

describe("demo experiment traffic", () => {
  // 600 visitors through the real routes: 15 s alone, over 100 s beside the rest of the suite.
  it("fills both arms through the proxy and the orders webhook, and counts every order in its arm", async () => {
    await prisma.shop.create({ data: { shop: SHOP, currency: "USD" } });
    await prisma.product.createMany({
      data: PRODUCTS.map((p) => ({
        shop: SHOP,
        id: p.id,
        title: p.title,
        handle: p.handle,
        productType: p.productType,
        updatedAt: new Date(),
      })),
    });
    await prisma.variant.createMany({
      data: PRODUCTS.map((p) => ({
        shop: SHOP,
        id: p.variants[0].id,
        productId: p.id,
        title: "Default",
        priceMinor: p.variants[0].price,
        currency: "USD",
        inventoryQuantity: 50,
      })),
    });
    const experiment = await createExperiment(SHOP, {
      name: "Cart offers vs hold-out",
      primaryMetric: "rpv",
      placements: ["cart"],
      arms: [
        holdoutArm(50),
        {
          name: "Cartlift",
          weight: 50,
          holdout: false,
          strategy: null,
          offerCount: null,
        },
      ],
    });
    await startExperiment(SHOP, experiment.id, new Date(Date.now() - 60_000));
    // The pixel as the app created it on install, posting to the real endpoint.
    const pixels = new DemoWebPixels();
    pixels.settings = {
      shop: SHOP,
      key: pixelKey(SHOP),
      endpoint: `${APP_URL}/pixel/events`,
    };
    const answers: number[] = [];
    const post = async (url: string, body: string) => {
      const request = new Request(url, { method: "POST", body });
      const response = await settle(
        pixelEvents({ request, params: {}, context: {} }),
      );
      answers.push(response.status);
    };
    const summary = await simulateExperimentTraffic({
      shop: SHOP,
      products: PRODUCTS,
      visitors: 600,
      appUrl: APP_URL,
      apiSecret: API_SECRET_KEY,
      proxy: (pathAndQuery, init) => {
        const url = new URL(pathAndQuery, "http://localhost");
        const signed = proxiedQuery(url.searchParams, {
          shop: SHOP,
          secret: API_SECRET_KEY,
        });
        const request = new Request(
          `${APP_URL}/proxy${url.pathname}?${signed}`,
          init,
        );
        return settle(
          url.pathname === "/events"
            ? events({ request, params: {}, context: {} })
            : recommendations({ request, params: {}, context: {} }),
        );
      },
      deliver: (request) =>
        settle(ordersWebhook({ request, params: {}, context: {} })),
      pixel: { pixels, post },
    });
    const { report } = (await experimentResults(SHOP, experiment.id))!;
    const [holdout, treated] = report.arms;
    expect(holdout.visitors + treated.visitors).toBe(600);
    // Every simulated order reached an arm through its visitor cart attribute.
    expect(holdout.orders + treated.orders).toBe(summary.orders);
    // Only the treated arm ever saw offers; offers taken carry their attribution token.
    expect(summary.shownOffers).toBe(treated.visitors);
    expect(
      await prisma.orderLine.count({
        where: { shop: SHOP, placement: "cart" },
      }),
    ).toBe(summary.offersTaken);
    expect(report.sampleRatio.mismatch).toBe(false);
    // 300 visitors per arm are below the documented minimum: no verdict yet, and the page says so.
    expect(report.comparisons[0].verdict).toBe("insufficient_data");
    expect(report.warnings.map((w) => w.kind)).toContain("minimum_sample");

    // The pixel: every post accepted; a product view per consenting visitor (a fifth decline);
    // an add for the anchor and one for each offer taken; a checkout per consenting buyer, naming
    // the order and the visitor its cart carried.
    expect(answers.length).toBeGreaterThan(0);
    expect(new Set(answers)).toEqual(new Set([202]));
    const count = (type: string) =>
      prisma.pixelEvent.count({ where: { shop: SHOP, type } });
    const viewed = await count("product_viewed");
    expect(viewed).toBeGreaterThan(600 * 0.7);
    expect(viewed).toBeLessThan(600 * 0.9);
    expect(await count("product_added_to_cart")).toBeGreaterThanOrEqual(viewed);
    expect(await count("product_added_to_cart")).toBeLessThanOrEqual(
      viewed + summary.offersTaken,
    );
    const checkouts = await prisma.pixelEvent.findMany({
      where: { shop: SHOP, type: "checkout_completed", line: 0 },
      select: { orderId: true, visitorKey: true },
    });
    // Each buyer consents with probability 0.8, drawn afresh every run: at least the mean less
    // four standard deviations of that binomial (a miss about once in 30,000 runs).
    const consenting = 0.8 * summary.orders;
    expect(checkouts.length).toBeGreaterThan(
      consenting - 4 * Math.sqrt(consenting * 0.2),
    );
    expect(checkouts.length).toBeLessThan(summary.orders);
    const orders = new Map(
      (
        await prisma.order.findMany({
          where: { shop: SHOP, id: { in: checkouts.map((c) => c.orderId!) } },
          select: { id: true, visitorKey: true },
        })
      ).map((o) => [o.id, o.visitorKey]),
    );
    for (const checkout of checkouts)
      expect(orders.get(checkout.orderId!)).toBe(checkout.visitorKey);
  }, 300_000);
});
