import { describe, expect, it, vi } from "vitest";
import prisma from "~/db.server";
import { changedBestSellerShop } from "~/engine/backtest-fixtures";
import { trainModels } from "~/engine/shop-model";
import { engineOrder as order, seedSmallShop } from "../../../test/fixtures";
import { saveProducts } from "~/services/catalog/products.server";
import {
  recommenderFor,
  startTraining,
  storeModel,
  trainingStatus,
} from "./model.server";

const SHOP = "warm-state.myshopify.com";
const T0 = Date.UTC(2026, 10, 1);

const seedShop = () => seedSmallShop(SHOP);

const store = () =>
  storeModel(
    SHOP,
    trainModels([order("a", ["1", "2"]), order("b", ["2", "3"])]),
    {
      orders: 2,
      products: 3,
      trainMs: 0,
    },
  );

describe("a shop's serving state", () => {
  it("keeps serving the previous state while a newer model or catalog loads in the background", async () => {
    await seedShop();
    const first = await store();
    const served = await recommenderFor(SHOP, T0);
    expect(served.modelId).toBe(first.id);

    // Unchanged within the check interval: the same state, no database read.
    const second = await store();
    expect(await recommenderFor(SHOP, T0 + 1_000)).toBe(served);

    // Due for a check: this request is answered from the previous state at once...
    expect(await recommenderFor(SHOP, T0 + 31_000)).toBe(served);
    // ...and the new model serves as soon as it has loaded.
    await vi.waitFor(async () =>
      expect((await recommenderFor(SHOP, T0 + 31_000)).modelId).toBe(second.id),
    );

    // A product webhook's write moves the catalog version.
    await saveProducts(
      SHOP,
      [
        {
          id: "2",
          title: "Renamed",
          handle: "p2",
          productType: "",
          vendor: "",
          tags: [],
          status: "ACTIVE",
          imageUrl: null,
          updatedAt: new Date("2026-10-02T00:00:00Z"),
          variants: [
            {
              id: "92",
              title: "Default",
              sku: "",
              options: [],
              priceMinor: 1000,
              compareAtMinor: null,
              inventoryQuantity: 3,
              availableForSale: true,
              position: 1,
            },
          ],
        },
      ],
      "USD",
    );
    const before = await recommenderFor(SHOP, T0 + 62_000);
    expect(before.ranking.products.get("2")?.title).toBe("P2");
    await vi.waitFor(async () =>
      expect(
        (await recommenderFor(SHOP, T0 + 62_000)).ranking.products.get("2")
          ?.title,
      ).toBe("Renamed"),
    );
    const renamed = await recommenderFor(SHOP, T0 + 62_000);
    // The model did not change: it is reused, not read and parsed again.
    expect(renamed.ranking.copurchase).toBe(before.ranking.copurchase);
  });

  it("does not rebuild a state whose model and catalog are unchanged", async () => {
    // Due for a check, which finds nothing new.
    const state = await recommenderFor(SHOP, T0 + 100_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await recommenderFor(SHOP, T0 + 100_001)).toBe(state);
    // Nor after hours: no timer rebuilds a big shop's state, only changes do.
    const later = T0 + 100_000 + 6 * 3_600_000;
    await recommenderFor(SHOP, later);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await recommenderFor(SHOP, later + 1)).toBe(state);
  });

  it("serves a model this instance just trained without waiting for the next check", async () => {
    // Just after the previous test's last check: no periodic check is due at this clock.
    const now = T0 + 100_002 + 6 * 3_600_000;
    const before = await recommenderFor(SHOP, now);
    await startTraining(SHOP);
    const latest = await prisma.recommendationModel.findFirst({
      where: { shop: SHOP },
      orderBy: { createdAt: "desc" },
    });
    expect(latest?.id).not.toBe(before.modelId);
    // Still no check due: only the refresh after training can show it.
    await vi.waitFor(async () =>
      expect((await recommenderFor(SHOP, now)).modelId).toBe(latest?.id),
    );
  });
});

describe("the shop's backtest at serving time", () => {
  const CHANGED = "changed-best-seller.myshopify.com";

  it("serves each placement what the backtest chose and shows the merchant its evidence", async () => {
    await seedSmallShop(CHANGED);
    const orders = changedBestSellerShop().map((o) => ({
      ...order(o.id, [...o.items]),
      createdAt: o.createdAt,
    }));
    const trained = trainModels(orders, { backtest: { maxCases: 100 } });
    const stored = await storeModel(CHANGED, trained, {
      orders: orders.length,
      products: 3,
      trainMs: 0,
    });
    const recommender = await recommenderFor(CHANGED);
    expect(recommender.modelId).toBe(stored.id);
    expect(recommender.served?.("cart").method).toBe("recent-7");
    expect(recommender.served?.("post_purchase").method).toBe("recent-7");
    expect(recommender.served?.("product_fbt").method).toBe(
      trained.choice?.product,
    );
    const top = recommender.served?.("drawer").completion(["once1"]).top(1);
    expect(top?.[0].productId).toBe("new");

    const status = await trainingStatus(CHANGED);
    expect(status.evidence?.orders).toBe(100);
    expect(status.evidence?.served.cart).toBe("recent-7");
    expect(status.evidence?.picks.mean).toBeGreaterThan(
      status.evidence!.bestSellers.mean,
    );
  });
});
