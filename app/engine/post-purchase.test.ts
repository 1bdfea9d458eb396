import { describe, expect, it } from "vitest";
import {
  checkRequestedChanges,
  discountedPriceMinor,
  offeredChanges,
  postPurchaseDiscountBps,
  postPurchaseQuantityBounds,
} from "./post-purchase";

describe("postPurchaseDiscountBps", () => {
  it("keeps the requested discount when the cost is unknown", () => {
    expect(
      postPurchaseDiscountBps({
        priceMinor: 2000,
        costMinor: null,
        requestedBps: 1000,
        marginFloorBps: 2000,
      }),
    ).toBe(1000);
  });

  it("lowers the discount to the largest whole percent that keeps the margin floor", () => {
    // Price 20.00, cost 14.00, floor 20%: the unit price must stay >= 17.50, so at most 12.5% off,
    // which rounds down to 12%.
    const bps = postPurchaseDiscountBps({
      priceMinor: 2000,
      costMinor: 1400,
      requestedBps: 3000,
      marginFloorBps: 2000,
    });
    expect(bps).toBe(1200);
    const price = discountedPriceMinor(2000, bps);
    expect((price - 1400) / price).toBeGreaterThanOrEqual(0.2);
    expect(discountedPriceMinor(2000, bps + 100)).toBeLessThan(1750);
  });

  it("offers no discount when even the full price is under the floor", () => {
    expect(
      postPurchaseDiscountBps({
        priceMinor: 1000,
        costMinor: 900,
        requestedBps: 1000,
        marginFloorBps: 2000,
      }),
    ).toBe(0);
  });

  it("holds the floor at the rounding edge (discount rounded up)", () => {
    // 999 × 10% = 99.9: if Shopify rounds the discount up to 100 the price is 899; the floor
    // (cost 719, 20%) needs 898.75 -> 899, so 10% is still allowed; one minor unit of cost more is not.
    expect(
      postPurchaseDiscountBps({
        priceMinor: 999,
        costMinor: 719,
        requestedBps: 1000,
        marginFloorBps: 2000,
      }),
    ).toBe(1000);
    expect(
      postPurchaseDiscountBps({
        priceMinor: 999,
        costMinor: 720,
        requestedBps: 1000,
        marginFloorBps: 2000,
      }),
    ).toBe(900);
  });
});

describe("postPurchaseQuantityBounds", () => {
  it("caps the quantity by stock and by the post-purchase maximum", () => {
    expect(
      postPurchaseQuantityBounds({
        inventoryQuantity: 2,
        availableForSale: true,
      }),
    ).toEqual({ min: 1, max: 2 });
    expect(
      postPurchaseQuantityBounds({
        inventoryQuantity: 40,
        availableForSale: true,
      }),
    ).toEqual({ min: 1, max: 5 });
    expect(
      postPurchaseQuantityBounds({
        inventoryQuantity: null,
        availableForSale: true,
      }),
    ).toEqual({ min: 1, max: 5 });
  });

  it("offers nothing that cannot be sold", () => {
    expect(
      postPurchaseQuantityBounds({
        inventoryQuantity: 0,
        availableForSale: true,
      }),
    ).toBeNull();
    expect(
      postPurchaseQuantityBounds({
        inventoryQuantity: 9,
        availableForSale: false,
      }),
    ).toBeNull();
  });
});

describe("checkRequestedChanges", () => {
  const offer = {
    variantId: "501",
    minQuantity: 1,
    maxQuantity: 3,
    discountBps: 1000,
    locale: "en",
  };

  it("accepts the offered change at any quantity inside the bounds", () => {
    for (const quantity of [1, 2, 3])
      expect(
        checkRequestedChanges(offer, offeredChanges(offer, quantity)),
      ).toEqual({ ok: true, quantity });
  });

  it("builds the change Shopify expects: numeric variant id and the percentage discount", () => {
    expect(offeredChanges(offer, 2)).toEqual([
      {
        type: "add_variant",
        variantID: 501,
        quantity: 2,
        discount: { value: 10, valueType: "percentage", title: "10% off" },
      },
    ]);
    expect(offeredChanges({ ...offer, discountBps: 0 }, 1)).toEqual([
      { type: "add_variant", variantID: 501, quantity: 1 },
    ]);
  });

  it("titles the discount in the buyer's language, and accepts the title a buyer saw before switching language", () => {
    const french = { ...offer, locale: "fr" };
    const [change] = offeredChanges(french, 1);
    expect(change.discount?.title).toMatch(/^10\s%\sde remise$/);
    expect(checkRequestedChanges(french, [change])).toEqual({
      ok: true,
      quantity: 1,
    });
    // Shown in French, accepted in English: the French title is still the app's own.
    expect(checkRequestedChanges(offer, [change])).toEqual({
      ok: true,
      quantity: 1,
    });
    expect(offeredChanges(offer, 1)[0].discount?.title).toBe("10% off");
  });

  it("refuses a discount title the app did not write for this discount, in any language", () => {
    const [change] = offeredChanges(offer, 1);
    const titles = [
      "Staff discount",
      "10 % off",
      "20% off",
      "20\u00a0% de remise",
      offeredChanges({ ...offer, discountBps: 2000, locale: "fr" }, 1)[0]
        .discount!.title,
    ];
    for (const title of titles)
      expect(
        checkRequestedChanges(offer, [
          { ...change, discount: { ...change.discount, title } },
        ]),
      ).toEqual({ ok: false, reason: "discount_changed" });
  });

  it("refuses anything other than the offer", () => {
    const [change] = offeredChanges(offer, 1);
    const cases: [unknown[], string][] = [
      [[], "not_one_change"],
      [[change, change], "not_one_change"],
      [[{ ...change, type: "set_shipping_option" }], "not_add_variant"],
      [[{ ...change, variantID: 502 }], "other_variant"],
      [[{ ...change, quantity: 4 }], "quantity_out_of_bounds"],
      [[{ ...change, quantity: 0 }], "quantity_out_of_bounds"],
      [[{ ...change, quantity: 1.5 }], "quantity_out_of_bounds"],
      [
        [{ ...change, discount: { ...change.discount, value: 50 } }],
        "discount_changed",
      ],
      [
        [
          {
            ...change,
            discount: { ...change.discount, valueType: "fixed_amount" },
          },
        ],
        "discount_changed",
      ],
      [
        [{ ...change, discount: { ...change.discount, extra: 1 } }],
        "discount_changed",
      ],
      [[{ ...change, discount: undefined }], "discount_changed"],
    ];
    for (const [requested, reason] of cases)
      expect(
        checkRequestedChanges(
          offer,
          requested as Parameters<typeof checkRequestedChanges>[1],
        ),
      ).toEqual({ ok: false, reason });
  });

  it("refuses a discount added to an offer that had none", () => {
    const plain = { ...offer, discountBps: 0 };
    const [change] = offeredChanges(offer, 1);
    expect(checkRequestedChanges(plain, [change])).toEqual({
      ok: false,
      reason: "discount_changed",
    });
  });
});
