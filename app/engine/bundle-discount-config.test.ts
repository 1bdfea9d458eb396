import { describe, expect, it } from "vitest";
import { parseFunctionConfiguration } from "../../extensions/cartlift-bundle-discount/src/config";
import { cartLinesDiscountsGenerateRun } from "../../extensions/cartlift-bundle-discount/src/cart_lines_discounts_generate_run";
import type { StoredBundle } from "./bundle-discount-config";
import { buildBundleDiscountConfig } from "./bundle-discount-config";

const now = new Date("2026-03-01T12:00:00Z");

function stored(overrides: Partial<StoredBundle> = {}): StoredBundle {
  return {
    id: "b1",
    title: "Coffee kit",
    productIds: ["1", "2"],
    discountType: "percentage",
    discountValue: 1000,
    marginFloorBps: 2000,
    status: "active",
    startsAt: null,
    endsAt: null,
    ...overrides,
  };
}

describe("buildBundleDiscountConfig", () => {
  it("turns an active bundle into the Function's configuration with product GIDs", () => {
    const { config, skipped } = buildBundleDiscountConfig([stored()], {
      currencyCode: "USD",
      now,
    });
    expect(skipped).toEqual([]);
    expect(config).toEqual({
      currencyCode: "USD",
      bundles: [
        {
          id: "b1",
          title: "Coffee kit",
          productIds: ["gid://shopify/Product/1", "gid://shopify/Product/2"],
          discountType: "percentage",
          value: 1000,
          marginFloorBps: 2000,
        },
      ],
    });
  });

  it("leaves out drafts, archived bundles and bundles outside their schedule, saying why", () => {
    const { config, skipped } = buildBundleDiscountConfig(
      [
        stored({ id: "draft", status: "draft" }),
        stored({ id: "archived", status: "archived" }),
        stored({ id: "future", startsAt: new Date("2026-03-02T00:00:00Z") }),
        stored({ id: "past", endsAt: new Date("2026-03-01T12:00:00Z") }),
        stored({
          id: "running",
          startsAt: new Date("2026-03-01T12:00:00Z"),
          endsAt: new Date("2026-03-01T12:00:01Z"),
        }),
      ],
      { currencyCode: "USD", now },
    );
    expect(config.bundles.map((bundle) => bundle.id)).toEqual(["running"]);
    expect(skipped).toEqual([
      { id: "archived", reason: "not_active" },
      { id: "draft", reason: "not_active" },
      { id: "future", reason: "not_started" },
      { id: "past", reason: "ended" },
    ]);
  });

  it("skips bundles the Function would reject instead of invalidating every bundle", () => {
    const { config, skipped } = buildBundleDiscountConfig(
      [
        stored({ id: "one-product", productIds: ["1"] }),
        stored({
          id: "bad-id",
          productIds: ["1", "gid://shopify/Collection/2"],
        }),
        stored({ id: "over-100", discountValue: 10_001 }),
        stored({ id: "zero", discountType: "fixed_amount", discountValue: 0 }),
        stored({ id: "floor-100", marginFloorBps: 10_000 }),
        stored({ id: "bogo", discountType: "buy_one_get_one" }),
        stored({ id: "ok", productIds: ["gid://shopify/Product/7", "8"] }),
      ],
      { currencyCode: "USD", now },
    );
    expect(config.bundles.map((bundle) => bundle.productIds)).toEqual([
      ["gid://shopify/Product/7", "gid://shopify/Product/8"],
    ]);
    expect(Object.fromEntries(skipped.map((s) => [s.id, s.reason]))).toEqual({
      "one-product": "too_few_products",
      "bad-id": "invalid_product_id",
      "over-100": "invalid_discount",
      zero: "invalid_discount",
      "floor-100": "invalid_discount",
      bogo: "invalid_discount",
    });
    expect(parseFunctionConfiguration(config)).not.toBeNull();
  });

  it("attaches recorded variant costs to the bundles that contain their product", () => {
    const { config } = buildBundleDiscountConfig(
      [
        stored({ id: "a", productIds: ["1", "2"] }),
        stored({ id: "b", productIds: ["3", "4"] }),
      ],
      {
        currencyCode: "USD",
        now,
        variantCosts: [
          { variantId: "11", productId: "1", costMinor: 900 },
          { variantId: "12", productId: "1", costMinor: 950 },
          { variantId: "31", productId: "3", costMinor: 400 },
          { variantId: "99", productId: "9", costMinor: 1 },
        ],
      },
    );
    expect(config.bundles[0].costs).toEqual({
      "gid://shopify/ProductVariant/11": 900,
      "gid://shopify/ProductVariant/12": 950,
    });
    expect(config.bundles[1].costs).toEqual({
      "gid://shopify/ProductVariant/31": 400,
    });
  });

  it("is stable: the same bundles in any order give the same JSON", () => {
    const bundles = [
      stored({ id: "z" }),
      stored({ id: "a" }),
      stored({ id: "m" }),
    ];
    const forward = buildBundleDiscountConfig(bundles, {
      currencyCode: "EUR",
      now,
    });
    const backward = buildBundleDiscountConfig([...bundles].reverse(), {
      currencyCode: "EUR",
      now,
    });
    expect(JSON.stringify(backward.config)).toBe(
      JSON.stringify(forward.config),
    );
  });

  it("produces a configuration the Function accepts and acts on", () => {
    const { config } = buildBundleDiscountConfig([stored()], {
      currencyCode: "USD",
      now,
    });
    expect(parseFunctionConfiguration(config)).toEqual(config);
    const result = cartLinesDiscountsGenerateRun({
      cart: {
        lines: [1, 2].map((n) => ({
          id: `gid://shopify/CartLine/${n}`,
          quantity: 1,
          merchandise: {
            __typename: "ProductVariant" as const,
            id: `gid://shopify/ProductVariant/${n}0`,
            product: { id: `gid://shopify/Product/${n}` },
          },
          cost: { amountPerQuantity: { amount: "20.00", currencyCode: "USD" } },
        })),
      },
      discount: {
        discountClasses: ["PRODUCT"],
        metafield: { jsonValue: config },
      },
      presentmentCurrencyRate: "1.0",
    });
    expect(result.operations[0].productDiscountsAdd.candidates).toHaveLength(2);
  });
});
