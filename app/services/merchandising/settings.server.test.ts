import { describe, expect, it } from "vitest";
import { trainModels } from "~/engine/shop-model";
import { engineOrder as order, seedSmallShop } from "../../../test/fixtures";
import { recommenderFor, storeModel } from "~/services/model/model.server";
import { recommend } from "~/services/storefront/recommendations.server";
import { saveGlobal } from "./settings.server";

const SHOP = "settings.myshopify.com";

const offered = async () =>
  (
    await recommend(SHOP, {
      placement: "cart",
      context: { type: "cart", productIds: ["1"] },
    })
  ).offers.map((o) => o.productId);

describe("store-wide settings", () => {
  it("apply an exclusion on the next storefront request, without rebuilding the serving model", async () => {
    await seedSmallShop(SHOP);
    const orders = [1, 2, 3].map((k) => order(`o${k}`, ["1", "2"]));
    await storeModel(SHOP, trainModels(orders), {
      orders: orders.length,
      products: 3,
      trainMs: 0,
    });
    expect(await offered()).toContain("2");
    const warm = await recommenderFor(SHOP);

    const saved = await saveGlobal(SHOP, {
      marginFloorPct: "10",
      attributionWindowDays: "30",
      excludedTags: "",
      excludedProductIds: JSON.stringify(["2"]),
    });
    expect(saved).toEqual({ ok: true });
    expect(await offered()).not.toContain("2");
    expect(await recommenderFor(SHOP)).toBe(warm);
  });
});
