import { describe, expect, it } from "vitest";
import { API_SECRET_KEY } from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import { proxiedQuery } from "../../demo/proxy-signature";
import { assignArm } from "~/engine/experiment-assignment";
import { loader as recommendations } from "~/routes/proxy.recommendations";
import {
  verifyOfferToken,
  visitorKey,
} from "~/services/measurement/attribution.server";
import {
  createExperiment,
  startExperiment,
} from "~/services/experiments/experiments.server";
import {
  parseTokenArm,
  setBanditEnabled,
} from "~/services/experiments/offer-count.server";
import { holdoutArm } from "../fixtures";

// The storefront path end to end: signed proxy request with a visitor id -> experiment arm ->
// offers (or none, for the hold-out) -> exposure recorded.

const SHOP = "experiments-proxy.myshopify.com";

async function seed(shop: string) {
  await prisma.shop.create({ data: { shop, currency: "USD" } });
  const ids = [1, 2, 3, 4, 5, 6, 7, 8];
  await prisma.product.createMany({
    data: ids.map((n) => ({
      shop,
      id: String(n),
      title: `Candle ${n}`,
      handle: `candle-${n}`,
      // The cart holds the holder: the candles are another kind, so the cart can be offered them.
      productType: n === 1 ? "Candle holder" : "Candle",
      updatedAt: new Date(),
    })),
  });
  await prisma.variant.createMany({
    data: ids.map((n) => ({
      shop,
      id: `${n}00`,
      productId: String(n),
      title: "Default",
      priceMinor: 1000 + n,
      currency: "USD",
      inventoryQuantity: 5,
    })),
  });
}

async function offersFor(visitor: string | null) {
  const query = new URLSearchParams({ placement: "cart", cart: "1" });
  if (visitor) query.set("visitor", visitor);
  const signed = proxiedQuery(query, { shop: SHOP, secret: API_SECRET_KEY });
  const response = await recommendations({
    request: new Request(
      `https://my-test-app.myshopify.io/proxy/recommendations?${signed}`,
    ),
    params: {},
    context: {},
  });
  expect(response.status).toBe(200);
  const fragment = await response.text();
  return {
    fragment,
    tokens: [
      ...fragment.matchAll(/data-cartlift-offer[^>]*data-token="([^"]+)"/g),
    ].map((m) => verifyOfferToken(SHOP, m[1])!),
  };
}

describe("experiments on the storefront path", () => {
  it("shows the hold-out nothing, logs it, and gives other arms their count and strategy", async () => {
    await seed(SHOP);
    const experiment = await createExperiment(SHOP, {
      name: "Cart: offers vs none",
      primaryMetric: "rpv",
      placements: ["cart"],
      arms: [
        holdoutArm(50),
        {
          name: "Two best sellers",
          weight: 50,
          holdout: false,
          strategy: "best_sellers",
          offerCount: 2,
        },
      ],
    });
    // Before the start nobody is in the experiment.
    const before = await offersFor("aaaaaaaa00000001");
    expect(before.tokens.length).toBeGreaterThan(2);
    expect(before.fragment).not.toContain("data-cartlift-exposed");
    await startExperiment(SHOP, experiment.id);

    const browserIds = Array.from(
      { length: 40 },
      (_, i) => `browser${String(i).padStart(8, "0")}`,
    );
    const armOf = (id: string) => assignArm(experiment, visitorKey(SHOP, id));
    const holdoutVisitor = browserIds.find((id) => armOf(id).holdout)!;
    const treatedVisitor = browserIds.find((id) => !armOf(id).holdout)!;

    for (let look = 0; look < 2; look += 1) {
      const held = await offersFor(holdoutVisitor);
      expect(held.tokens).toEqual([]);
      // No widget, but the marker that makes the script link the cart to the visitor.
      expect(held.fragment.replace("{% layout none %}", "").trim()).toBe(
        "<template data-cartlift-exposed></template>",
      );
    }
    const treated = await offersFor(treatedVisitor);
    expect(treated.tokens).toHaveLength(2);
    for (const offer of treated.tokens) {
      expect(offer.strategy).toBe("best_sellers");
      expect(parseTokenArm(offer.arm).armId).toBe(experiment.arms[1].id);
    }
    expect(treated.fragment).toContain("data-cartlift-exposed");
    // Without a visitor id the request is outside the experiment (nothing to assign).
    expect((await offersFor(null)).tokens.length).toBeGreaterThan(2);

    const exposures = await prisma.experimentExposure.findMany({
      where: { shop: SHOP, experimentId: experiment.id },
      select: { visitorKey: true, armId: true },
      orderBy: { armId: "asc" },
    });
    expect(exposures).toHaveLength(2);
    expect(exposures).toContainEqual({
      visitorKey: visitorKey(SHOP, holdoutVisitor),
      armId: experiment.arms[0].id,
    });
  });

  it("lets the bandit set the count outside experiments and marks it in the tokens", async () => {
    await setBanditEnabled(SHOP, "drawer", true);
    const query = new URLSearchParams({
      placement: "drawer",
      cart: "1",
      visitor: "banditvisitor0001",
    });
    const signed = proxiedQuery(query, { shop: SHOP, secret: API_SECRET_KEY });
    const response = await recommendations({
      request: new Request(
        `https://my-test-app.myshopify.io/proxy/recommendations?${signed}`,
      ),
      params: {},
      context: {},
    });
    const tokens = [
      ...(await response.text()).matchAll(
        /data-cartlift-offer[^>]*data-token="([^"]+)"/g,
      ),
    ].map((m) => verifyOfferToken(SHOP, m[1])!);
    const count = parseTokenArm(tokens[0].arm).banditCount!;
    expect([2, 3, 4, 5, 6]).toContain(count);
    // 7 other products are available, so the widget shows exactly the chosen count.
    expect(tokens).toHaveLength(count);
  });
});
