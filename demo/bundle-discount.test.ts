import { describe, expect, it } from "vitest";
import { DemoBundleDiscount, demoBundleDiscounts } from "./bundle-discount";

// The demo's cart takes the bundle's saving off as Shopify's cart does with the discount
// Function: the "save $51.85" a product page promises is what the cart then shows.

const tentAndBag = (value: number, discountType = "percentage") => {
  const discount = new DemoBundleDiscount();
  discount.configuration = {
    currencyCode: "USD",
    bundles: [
      {
        id: "b1",
        title: "Tent + Sleeping Bag",
        productIds: ["gid://shopify/Product/1", "gid://shopify/Product/2"],
        discountType,
        value,
        marginFloorBps: 2000,
      },
    ],
  };
  return discount;
};

const line = (productId: string, price: number, quantity = 1) => ({
  key: `${productId}0:{}`,
  productId,
  variantId: `${productId}0`,
  quantity,
  price,
});

describe("the demo cart's bundle discount", () => {
  it("takes off what the product page promised, per unit rounded down", () => {
    // 11.5% of $288.99 is $33.23 and of $161.99 is $18.62: $51.85, as the bundle block says.
    expect(
      demoBundleDiscounts(
        tentAndBag(1150),
        [line("1", 28_899), line("2", 16_199)],
        "USD",
        1,
      ),
    ).toEqual([{ title: "Tent + Sleeping Bag", amount: 5_185 }]);
  });

  it("discounts complete bundles only, once per bundle instance", () => {
    const discount = tentAndBag(1000);
    expect(
      demoBundleDiscounts(discount, [line("1", 10_000)], "USD", 1),
    ).toEqual([]);
    // Two tents and one bag: one bundle, the second tent at full price.
    expect(
      demoBundleDiscounts(
        discount,
        [line("1", 10_000, 2), line("2", 5_000)],
        "USD",
        1,
      ),
    ).toEqual([{ title: "Tent + Sleeping Bag", amount: 1_500 }]);
  });

  it("gives nothing before the app has configured a bundle", () => {
    expect(
      demoBundleDiscounts(
        new DemoBundleDiscount(),
        [line("1", 10_000), line("2", 5_000)],
        "USD",
        1,
      ),
    ).toEqual([]);
  });
});
