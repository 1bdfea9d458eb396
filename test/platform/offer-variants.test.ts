import path from "node:path";
import { describe, expect, it } from "vitest";
import { AllProducts, storefrontLiquid } from "../../demo/storefront";
import type { DemoProduct } from "../../demo/shop";
import { offersLiquid } from "~/services/storefront/liquid";
import type {
  StorefrontItem,
  StorefrontOffers,
} from "~/services/storefront/offers.server";

// One click adds one variant of an offer: a shopper must read which one (socks in S, a sleeping
// bag in Long) before they add it, as the cart line will name it. A product without variants
// keeps its plain title.

const product = (
  id: string,
  title: string,
  variants: string[],
): DemoProduct => ({
  id,
  title,
  handle: title.toLowerCase().replace(/ /g, "-"),
  productType: "",
  vendor: "Brand",
  tags: [],
  collections: [],
  variants: variants.map((name, i) => ({
    id: `${id}0${i}`,
    title: name,
    sku: "",
    price: 2_000 + i * 100,
    unitCost: 1_000,
    compareAtPrice: null,
    inventoryQuantity: 5,
    options: [{ name: "Size", value: name }],
    position: i + 1,
  })),
});

const jacket = product("1", "Jacket", ["S", "M", "L", "XL"]);
const socks = product("2", "Socks", ["S", "M", "L"]);
const poles = product("3", "Poles", ["Default Title"]);

const item = (p: DemoProduct, variant: number): StorefrontItem => ({
  productId: p.id,
  variantId: p.variants[variant].id,
  handle: p.handle,
  reason: null,
  token: `t${p.id}`,
});

async function render(offers: StorefrontOffers, locale = "en") {
  const html = await storefrontLiquid({
    extensionDir: path.resolve("extensions/cartlift-theme"),
    locale,
  }).parseAndRender(offersLiquid(offers), {
    all_products: new AllProducts([jacket, socks, poles], 1),
    cart: { currency: { iso_code: "USD" }, items: [] },
    request: { locale: { iso_code: locale } },
  });
  const text = (pattern: RegExp) =>
    [...html.matchAll(pattern)].map((m) => m[1].replace(/\s+/g, " ").trim());
  return {
    titles: text(/class="cartlift__title"[^>]*>([^<]*)</g),
    labels: text(/aria-label="([^"]*)"/g),
  };
}

describe("an offer names the variant one click adds", () => {
  it("in the cart's suggestions, title and button label alike", async () => {
    const shown = await render({
      placement: "cart",
      anchor: null,
      items: [item(socks, 0), item(poles, 0)],
      upgrade: null,
      bundle: null,
    });
    expect(shown.titles).toEqual(["Socks – S", "Poles"]);
    expect(shown.labels).toEqual([
      "Add Socks – S to cart",
      "Add Poles to cart",
    ]);
  });

  it("in a bundle, the shopper's own choice as well, in French too", async () => {
    const offers: StorefrontOffers = {
      placement: "product_fbt",
      anchor: { productId: "1", handle: "jacket", variantId: "103" },
      items: [item(socks, 0), item(poles, 0)],
      upgrade: null,
      bundle: null,
    };
    const shown = await render(offers);
    expect(shown.titles).toEqual([
      "This item: Jacket – XL",
      "Socks – S",
      "Poles",
    ]);
    expect(shown.labels).toEqual(["Include Socks – S", "Include Poles"]);
    expect((await render(offers, "fr")).titles).toEqual([
      "Cet article : Jacket – XL",
      "Socks – S",
      "Poles",
    ]);
  });
});
