import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  bundleItem,
  evaluateDiscount,
  evidenceDiscountCapBps,
  priceBundle,
  suggestBundles,
  uptake,
  type BundleItem,
} from "./bundles";
import { buildCoPurchase } from "./copurchase";
import type { CatalogProduct, EngineOrder } from "./types";

function product(
  id: string,
  price: number,
  cost?: number,
  stock = 10,
): CatalogProduct {
  return {
    id,
    title: id,
    handle: id,
    productType: "",
    vendor: "",
    tags: [],
    collections: [],
    variants: [
      {
        id: `${id}-v`,
        productId: id,
        title: "Default",
        sku: id,
        options: [],
        price: { amount: price, currency: "USD" },
        cost:
          cost === undefined ? undefined : { amount: cost, currency: "USD" },
        inventoryQuantity: stock,
        availableForSale: true,
      },
    ],
  };
}

let seq = 0;
function orders(count: number, ...productIds: string[]): EngineOrder[] {
  return Array.from({ length: count }, () => ({
    id: `o${++seq}`,
    createdAt: new Date(Date.UTC(2024, 0, 1) + seq * 60_000),
    lines: productIds.map((productId) => ({
      productId,
      quantity: 1,
      price: { amount: 1, currency: "USD" },
    })),
  }));
}

const item = (price: number, cost: number): BundleItem => ({
  productId: `p${price}`,
  variantId: `p${price}-v`,
  price: { amount: price, currency: "USD" },
  unitCost: { amount: cost, currency: "USD" },
  costAssumed: false,
});

describe("uptake model", () => {
  it("matches the baseline with no discount and rises with the discount", () => {
    expect(uptake(0.1, 0, 8)).toBeCloseTo(0.1, 12);
    expect(uptake(0.1, 1_000, 8)).toBeGreaterThan(0.1);
    // Odds multiply by e^(8 · 0.10) for a 10% discount.
    const odds = (p: number) => p / (1 - p);
    expect(odds(uptake(0.1, 1_000, 8)) / odds(0.1)).toBeCloseTo(
      Math.exp(0.8),
      9,
    );
    expect(uptake(0.5, 10_000, 8)).toBeLessThan(1);
  });
});

describe("bundle pricing", () => {
  it("picks the discount with the highest expected margin under the model", () => {
    const items = [item(4_000, 1_200), item(2_000, 600)];
    const config = {
      discountStepBps: 1,
      maxDiscountBps: 4_000,
      marginFloorBps: 0,
    };
    const chosen = priceBundle(items, 0.08, config);
    for (let d = 0; d <= 4_000; d += 1) {
      const p = evaluateDiscount(items, 0.08, d, config)!;
      expect(chosen.marginPerAnchorOrder).toBeGreaterThanOrEqual(
        p.marginPerAnchorOrder,
      );
    }
    // A real trade-off: neither "no discount" nor "as deep as allowed".
    expect(chosen.discountBps).toBeGreaterThan(0);
    expect(chosen.discountBps).toBeLessThan(4_000);
    expect(chosen.bundlePrice.amount).toBe(
      6_000 - Math.round((6_000 * chosen.discountBps) / 10_000),
    );
  });

  it("counts as extra only what the discount adds over the orders that take it all today", () => {
    const items = [item(4_000, 1_200), item(2_000, 600)];
    const atFullPrice = evaluateDiscount(items, 0.3, 0)!;
    expect(atFullPrice.extraMarginPerAnchorOrder).toBe(0);
    const discounted = evaluateDiscount(items, 0.3, 1_000)!;
    // 10% off 6 000: 5 400 − 1 800 = 3 600 of margin on uptake(0.3, 10%), against 4 200 on 30%.
    expect(discounted.extraMarginPerAnchorOrder).toBeCloseTo(
      uptake(0.3, 1_000, 8) * 3_600 - 0.3 * 4_200,
      9,
    );
    expect(discounted.extraMarginPerAnchorOrder).toBeLessThan(
      discounted.marginPerAnchorOrder / 2,
    );
  });

  it("never goes below the margin floor even when a deeper discount would pay", () => {
    // 30% margin at full price; a 25% floor allows at most 1 − 4 200 / (0.75 · 6 000) = 6.67% off.
    const items = [item(4_000, 2_800), item(2_000, 1_400)];
    const free = priceBundle(items, 0.05, {
      marginFloorBps: 0,
      elasticity: 20,
    });
    const floored = priceBundle(items, 0.05, {
      marginFloorBps: 2_500,
      elasticity: 20,
    });
    expect(free.discountBps).toBeGreaterThan(700);
    expect(floored.discountBps).toBe(650);
    expect(floored.margin.amount * 10_000).toBeGreaterThanOrEqual(
      2_500 * floored.bundlePrice.amount,
    );
    expect(
      evaluateDiscount(items, 0.05, 675, { marginFloorBps: 2_500 }),
    ).toBeUndefined();
  });

  it("offers no discount when the margin is already at the floor", () => {
    const pricing = priceBundle([item(1_000, 900)], 0.2, {
      marginFloorBps: 2_000,
    });
    expect(pricing.discountBps).toBe(0);
    expect(pricing.bundlePrice.amount).toBe(1_000);
  });

  it("assumes the configured margin when the cost is unknown", () => {
    const withCost = bundleItem(product("a", 1_999, 500))!;
    const without = bundleItem(product("b", 1_999), {
      assumedMarginBps: 4_000,
    })!;
    expect(withCost).toMatchObject({
      unitCost: { amount: 500 },
      costAssumed: false,
    });
    expect(without).toMatchObject({
      unitCost: { amount: 1_199 },
      costAssumed: true,
    });
    expect(bundleItem(product("c", 1_000, 100, 0))).toBeUndefined();
  });
});

describe("bundle suggestions", () => {
  const catalog = [
    product("tent", 20_000, 12_000),
    product("mat", 4_000),
    product("lamp", 3_000, 1_000),
    product("socks", 1_500),
    product("stove", 6_000, 5_000, 0),
  ];
  const history = [
    ...orders(12, "tent", "mat", "lamp"),
    ...orders(8, "tent", "mat"),
    ...orders(10, "tent"),
    ...orders(10, "stove", "tent"),
    ...orders(1, "socks", "lamp"),
    ...orders(60, "socks"),
    ...orders(15, "mat"),
  ];
  const stats = buildCoPurchase(history);

  it("suggests strong pairs and triples with their evidence and a priced discount", () => {
    const bundles = suggestBundles({
      products: catalog,
      stats,
      orders: history,
    });
    const keys = bundles.map((b) => b.productIds.join("+"));
    // The anchor, the product bought most, comes first.
    expect(keys).toContain("tent+mat");
    expect(keys).toContain("tent+lamp+mat");
    const triple = bundles.find((b) => b.productIds.length === 3)!;
    expect(triple.evidence.orders).toBe(12);
    expect(triple.evidence.anchorProductId).toBe("tent");
    expect(triple.evidence.lift).toBeGreaterThan(1.2);
    for (const b of bundles) {
      expect(b.marginBps).toBeGreaterThanOrEqual(2_000);
      expect(b.discountBps).toBeLessThanOrEqual(3_000);
      expect(b.marginPerAnchorOrder).toBeCloseTo(
        b.expectedUptake * b.margin.amount,
        9,
      );
      expect(b.reason.text).toMatch(
        /^Save \d+(\.\d)?% when bought together$|^Frequently bought/,
      );
    }
  });

  it("ranks by the extra margin per 100 of the shop's orders, from the anchor's share of them", () => {
    const bundles = suggestBundles({
      products: catalog,
      stats,
      orders: history,
    });
    for (const b of bundles) {
      expect(b.extraMarginPer100Orders).toBeCloseTo(
        100 * b.evidence.anchorShare * b.extraMarginPerAnchorOrder,
        9,
      );
    }
    const tentShare = bundles.find(
      (b) => b.productIds.join("+") === "tent+mat",
    )!.evidence.anchorShare;
    // 40 of 116 orders hold the tent (all within two hours, so decay hardly weighs them apart).
    expect(tentShare).toBeCloseTo(40 / 116, 3);
    const ranked = bundles.map((b) => b.extraMarginPer100Orders);
    expect(ranked).toEqual([...ranked].sort((x, y) => y - x));
  });

  it("skips rare pairs and out-of-stock products", () => {
    const keys = suggestBundles({
      products: catalog,
      stats,
      orders: history,
    }).map((b) => b.productIds.join("+"));
    expect(keys.some((k) => k.includes("socks"))).toBe(false);
    expect(keys.some((k) => k.includes("stove"))).toBe(false);
  });

  it("only builds triples when it can count them in orders", () => {
    const bundles = suggestBundles({ products: catalog, stats });
    expect(bundles.every((b) => b.productIds.length === 2)).toBe(true);
  });

  it("is deterministic", () => {
    const a = suggestBundles({ products: catalog, stats, orders: history });
    const b = suggestBundles({
      products: [...catalog].reverse(),
      stats,
      orders: history,
    });
    expect(b).toEqual(a);
  });
});

describe("discount earned by the evidence", () => {
  it("caps the discount by the orders behind it: 3% at 6 orders, half the maximum at 50", () => {
    expect(evidenceDiscountCapBps(6)).toBe(300);
    expect(evidenceDiscountCapBps(50)).toBe(1_500);
    expect(evidenceDiscountCapBps(147)).toBe(2_225);
    expect(evidenceDiscountCapBps(0)).toBe(0);
  });

  it("never suggests more than the evidence earns, and the cap only grows with the orders", () => {
    const tent = product("tent", 20_000, 8_000);
    const mat = product("mat", 4_000, 1_000);
    const bundleAfter = (together: number) => {
      seq = 0;
      const history = [
        ...orders(together, "tent", "mat"),
        ...orders(10, "tent"),
        ...orders(10, "mat"),
        // The rest of the shop, so the pair stands out from chance.
        ...orders(300, "socks"),
      ];
      return suggestBundles({
        products: [tent, mat],
        stats: buildCoPurchase(history),
      })[0];
    };
    // Without the cap, 6 orders' low shrunk uptake would price a deep discount.
    const weak = bundleAfter(6);
    expect(weak.discountBps).toBe(300);
    expect(
      priceBundle(weak.items, weak.evidence.confidence).discountBps,
    ).toBeGreaterThan(1_000);
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 300 }),
        fc.integer({ min: 0, max: 300 }),
        (n, more) => {
          const bundle = bundleAfter(n);
          expect(bundle.discountBps).toBeLessThanOrEqual(
            evidenceDiscountCapBps(bundle.evidence.orders),
          );
          expect(evidenceDiscountCapBps(n)).toBeLessThanOrEqual(
            evidenceDiscountCapBps(n + more),
          );
        },
      ),
      { numRuns: 40 },
    );
  });
});
