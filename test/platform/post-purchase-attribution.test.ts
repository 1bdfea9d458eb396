import { beforeEach, describe, expect, it } from "vitest";
import {
  API_KEY,
  API_SECRET_KEY,
  APP_URL,
} from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import { orderWebhook } from "../../demo/experiment-traffic";
import { runPostPurchaseDemo } from "../../demo/post-purchase";
import { action as offerAction } from "~/routes/api.post-purchase.offer";
import { action as signAction } from "~/routes/api.post-purchase.sign-changeset";
import { action as ordersWebhook } from "~/routes/webhooks.orders";
import {
  ExperimentInput,
  createExperiment,
  experimentResults,
  startExperiment,
} from "~/services/experiments/experiments.server";
import { checkoutKey } from "~/services/measurement/attribution.server";
import {
  loadDashboard,
  rangeFilter,
} from "~/services/measurement/dashboard.server";
import { demoOrder, holdoutArm } from "../fixtures";
import { forgetServingState } from "~/services/storefront/serving-cache.server";

// An accepted post-purchase offer reaches the app the way Shopify sends it: the order first
// (orders/create, before the post-purchase page), then orders/updated once the accepted item is
// added. The demo plays that sequence through the real endpoints and the real orders webhook.

const SHOP = "pp-attribution.myshopify.com";

const ROUTES: Record<string, typeof offerAction> = {
  "/api/post-purchase/offer": offerAction,
  "/api/post-purchase/sign-changeset": signAction,
  "/webhooks/orders": ordersWebhook,
};

/** Delivers a request to the route the app would, keeping a copy of every orders/updated. */
function app(updates: Request[]) {
  return async (request: Request) => {
    const route = ROUTES[new URL(request.url).pathname];
    if (!route) throw new Error(`No route for ${request.url}`);
    if (request.headers.get("X-Shopify-Topic") === "orders/updated")
      updates.push(request.clone());
    return route({ request, params: {}, context: {} }).catch(
      (thrown: unknown) => {
        if (thrown instanceof Response) return thrown;
        throw thrown;
      },
    );
  };
}

// $20 of product 1: product 2 ($10, within half the order) is the offer, 10% off.
const SAMPLE = demoOrder({
  productId: "1",
  variantId: "11",
  quantity: 2,
  price: 1000,
});

beforeEach(async () => {
  await prisma.experimentExposure.deleteMany({ where: { shop: SHOP } });
  await prisma.experiment.deleteMany({ where: { shop: SHOP } });
  await prisma.orderLine.deleteMany({ where: { shop: SHOP } });
  await prisma.order.deleteMany({ where: { shop: SHOP } });
  await prisma.postPurchaseOffer.deleteMany({ where: { shop: SHOP } });
  await prisma.webhookDelivery.deleteMany({ where: { shop: SHOP } });
  await prisma.variant.deleteMany({ where: { shop: SHOP } });
  await prisma.product.deleteMany({ where: { shop: SHOP } });
  await prisma.shop.deleteMany({ where: { shop: SHOP } });
  await prisma.shop.create({ data: { shop: SHOP, currency: "USD" } });
  await prisma.product.createMany({
    data: ["1", "2"].map((id) => ({
      shop: SHOP,
      id,
      title: `P${id}`,
      handle: `p${id}`,
      updatedAt: new Date(),
    })),
  });
  await prisma.variant.createMany({
    data: ["1", "2"].map((id) => ({
      shop: SHOP,
      id: `${id}1`,
      productId: id,
      title: "Default",
      priceMinor: 1000,
      currency: "USD",
      inventoryQuantity: 4,
    })),
  });
  forgetServingState(SHOP);
});

const play = (updates: Request[]) =>
  runPostPurchaseDemo({
    appUrl: APP_URL,
    shop: SHOP,
    apiKey: API_KEY,
    apiSecret: API_SECRET_KEY,
    order: SAMPLE,
    currency: "USD",
    send: app(updates),
  });

async function afterCheckoutRow() {
  const dashboard = await loadDashboard(SHOP, rangeFilter("7d"));
  return dashboard.placements.find((p) => p.placement === "post_purchase");
}

describe("an accepted post-purchase offer", () => {
  it("is credited once to After checkout, through orders/create then orders/updated, and a redelivery changes nothing", async () => {
    const updates: Request[] = [];
    const result = await play(updates);

    expect(result.offer).toMatchObject({ productId: "2", variantId: "21" });
    expect(result.signStatus).toBe(200);
    expect(result.webhooks).toEqual([
      { topic: "orders/create", status: 200 },
      { topic: "orders/updated", status: 200 },
    ]);
    // The order's checkout token is the offer's reference id.
    expect(result.referenceId).toMatch(/^[0-9a-f]{32}$/);
    const credited = {
      attributedOrders: 1,
      soldQuantity: 1,
      // What the buyer paid for the line: the variant's $10 less the offer's 10% discount, which
      // Shopify allocates to the line apart from its price (as the order's subtotal counts it).
      attributedRevenue: 900,
    };
    expect(await afterCheckoutRow()).toMatchObject(credited);
    // Under the placement's strategy, as storefront offers are, so the strategy filter finds it.
    const blended = await loadDashboard(SHOP, {
      ...rangeFilter("7d"),
      strategy: "blended",
    });
    expect(blended.strategies).toEqual([
      { strategy: "blended", attributedRevenue: 900, lines: 1 },
    ]);

    // The same delivery again (Shopify's retry), then a later update of the same order (the
    // post-purchase fulfilment hold released): one order, one credited line.
    const [update] = updates;
    const again = app([]);
    expect((await again(update.clone())).status).toBe(200);
    const later = (await update.clone().json()) as Record<string, unknown>;
    later.updated_at = new Date(Date.now() + 60_000).toISOString();
    const response = await again(
      orderWebhook(
        { shop: SHOP, appUrl: APP_URL, apiSecret: API_SECRET_KEY },
        later,
        "orders/updated",
      ),
    );
    expect(response.status).toBe(200);
    expect(await afterCheckoutRow()).toMatchObject(credited);
    expect(
      await prisma.orderLine.count({
        where: { shop: SHOP, placement: "post_purchase" },
      }),
    ).toBe(1);
  });

  it("credits nothing to After checkout when the offer was declined (no orders/updated)", async () => {
    // The order arrives, the buyer leaves without accepting: the offer is stored, never signed.
    const order = orderWebhook(
      { shop: SHOP, appUrl: APP_URL, apiSecret: API_SECRET_KEY },
      {
        id: 77,
        name: "#77",
        created_at: new Date().toISOString(),
        updated_at: new Date().toISOString(),
        currency: "USD",
        subtotal_price: "20.00",
        total_price: "20.00",
        checkout_token: "0123456789abcdef0123456789abcdef",
        line_items: [
          // Even an order holding the offered variant is not an acceptance.
          { id: 1, product_id: 2, variant_id: 21, quantity: 1, price: "10.00" },
        ],
      },
    );
    await prisma.postPurchaseOffer.create({
      data: {
        shop: SHOP,
        referenceId: "0123456789abcdef0123456789abcdef",
        productId: "2",
        variantId: "21",
        maxQuantity: 1,
        priceMinor: 1000,
        currency: "USD",
      },
    });
    expect((await app([])(order)).status).toBe(200);
    expect(await afterCheckoutRow()).toMatchObject({
      attributedOrders: 0,
      attributedRevenue: 0,
    });
  });
});

const CARTLIFT_ARM = {
  name: "Cartlift",
  weight: 50,
  holdout: false,
  strategy: null,
  offerCount: null,
};

describe("post-purchase as an experiment placement", () => {
  it("assigns each checkout; a hold-out checkout gets no offer and its order still counts in the hold-out arm", async () => {
    const experiment = await createExperiment(SHOP, {
      name: "After checkout vs hold-out",
      primaryMetric: "rpv",
      placements: ["post_purchase"],
      arms: [holdoutArm(50), CARTLIFT_ARM],
    });
    await startExperiment(SHOP, experiment.id, new Date(Date.now() - 60_000));
    const [holdoutId, cartliftId] = experiment.arms.map((arm) => arm.id);

    // Checkouts until both arms have three (each checkout token is random, so is its arm).
    const played: { arm: string; offered: boolean; webhooks: number }[] = [];
    const count = (arm: string) => played.filter((p) => p.arm === arm).length;
    while (
      (count(holdoutId) < 3 || count(cartliftId) < 3) &&
      played.length < 40
    ) {
      const result = await play([]);
      const exposure = await prisma.experimentExposure.findUnique({
        where: {
          shop_experimentId_visitorKey: {
            shop: SHOP,
            experimentId: experiment.id,
            visitorKey: checkoutKey(SHOP, result.referenceId),
          },
        },
        select: { armId: true },
      });
      expect(exposure).not.toBeNull();
      expect(result.offerStatus).toBe(200);
      played.push({
        arm: exposure!.armId,
        offered: result.offer !== null,
        webhooks: result.webhooks.length,
      });
    }
    const holdout = played.filter((p) => p.arm === holdoutId);
    const cartlift = played.filter((p) => p.arm === cartliftId);
    expect(holdout.length).toBeGreaterThanOrEqual(3);
    expect(cartlift.length).toBeGreaterThanOrEqual(3);
    // The hold-out sees nothing and has nothing to accept: only its order arrives.
    expect(holdout.every((p) => !p.offered && p.webhooks === 1)).toBe(true);
    expect(cartlift.every((p) => p.offered && p.webhooks === 2)).toBe(true);
    expect(
      await prisma.postPurchaseOffer.count({ where: { shop: SHOP } }),
    ).toBe(cartlift.length);

    const { report } = (await experimentResults(SHOP, experiment.id))!;
    const arm = (id: string) => report.arms.find((a) => a.id === id)!;
    // Every checkout is a unit with its order, though the order was placed before the page
    // assigned it: the hold-out's $20 orders, the Cartlift arm's $20 + $9 accepted.
    expect(arm(holdoutId)).toMatchObject({
      visitors: holdout.length,
      orders: holdout.length,
    });
    expect(arm(holdoutId).rpv?.estimate).toBe(2000);
    expect(arm(cartliftId)).toMatchObject({
      visitors: cartlift.length,
      orders: cartlift.length,
    });
    expect(arm(cartliftId).rpv?.estimate).toBe(2900);
  }, 120_000);

  it("is tested on its own, on revenue: never beside storefront placements, never on conversion", () => {
    const input = {
      name: "x",
      primaryMetric: "rpv",
      placements: ["post_purchase", "cart"],
      arms: [holdoutArm(50), CARTLIFT_ARM],
    };
    const issues = (value: unknown) =>
      ExperimentInput.safeParse(value).error?.issues.map((i) => i.path[0]);
    expect(issues(input)).toEqual(["placements"]);
    expect(
      issues({
        ...input,
        primaryMetric: "conversion",
        placements: ["post_purchase"],
      }),
    ).toEqual(["primaryMetric"]);
    expect(issues({ ...input, placements: ["post_purchase"] })).toBeUndefined();
  });
});
