import path from "node:path";
import { describe, expect, it } from "vitest";
import { AllProducts, storefrontLiquid } from "../../demo/storefront";
import type { DemoProduct } from "../../demo/shop";
import { offersLiquid } from "~/services/storefront/liquid";
import type { StorefrontOffers } from "~/services/storefront/offers.server";

// The upgrade block on a product page whose variant the shopper already put in the cart: taking
// the upgrade must not leave them with both, the one in the cart and the better one.

const tent: DemoProduct = {
  id: "1",
  title: "Tent",
  handle: "tent",
  productType: "Tent",
  vendor: "Brand",
  tags: [],
  collections: [],
  variants: ["2-person", "3-person"].map((title, i) => ({
    id: `10${i}`,
    title,
    sku: "",
    price: 28_899 + i * 7_200,
    unitCost: 14_000 + i * 3_600,
    compareAtPrice: null,
    inventoryQuantity: 5,
    options: [{ name: "Capacity", value: title }],
    position: i + 1,
  })),
};

const offers: StorefrontOffers = {
  placement: "product_upgrade",
  anchor: { productId: "1", handle: "tent", variantId: "100" },
  items: [
    {
      productId: "1",
      variantId: "101",
      handle: "tent",
      reason: null,
      token: "t",
    },
  ],
  upgrade: {
    item: {
      productId: "1",
      variantId: "101",
      handle: "tent",
      reason: null,
      token: "t",
    },
    fromVariantId: "100",
    reason: null,
    differences: [{ attribute: "Capacity", from: "2-person", to: "3-person" }],
  },
  bundle: null,
};

async function upgradeButton(
  items: { key: string; variant_id: number; quantity: number }[],
  locale = "en",
) {
  const html = await storefrontLiquid({
    extensionDir: path.resolve("extensions/cartlift-theme"),
    locale,
  }).parseAndRender(offersLiquid(offers), {
    all_products: new AllProducts([tent], 1),
    cart: { currency: { iso_code: "USD" }, items },
    request: { locale: { iso_code: locale } },
  });
  const button = /<button([^>]*)>([^<]*)<\/button>/.exec(html)!;
  const attr = (name: string) =>
    new RegExp(`${name}="([^"]*)"`).exec(button[1])?.[1];
  return {
    label: button[2],
    variant: attr("data-variant-id"),
    swapKey: attr("data-swap-key"),
    swapQuantity: attr("data-swap-quantity"),
  };
}

describe("the upgrade when the variant it upgrades is in the cart", () => {
  it("adds the upgrade when the cart does not hold the variant", async () => {
    expect(
      await upgradeButton([{ key: "101:{}", variant_id: 101, quantity: 1 }]),
    ).toEqual({
      label: "Add the upgrade to cart",
      variant: "101",
      swapKey: undefined,
      swapQuantity: undefined,
    });
  });

  it("swaps one unit of the variant in the cart for the upgrade, in the shopper's language", async () => {
    const items = [
      { key: "200:{}", variant_id: 200, quantity: 1 },
      { key: "100:{}", variant_id: 100, quantity: 2 },
    ];
    expect(await upgradeButton(items)).toEqual({
      label: "Swap for the upgrade in your cart",
      variant: "101",
      swapKey: "100:{}",
      swapQuantity: "1",
    });
    expect((await upgradeButton(items, "fr")).label).toBe(
      "Remplacer par la version supérieure dans le panier",
    );
  });
});
