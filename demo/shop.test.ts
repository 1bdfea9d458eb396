import { describe, expect, it } from "vitest";
import { trainCartModel } from "~/engine/cart-model";
import {
  buildCustomerProfiles,
  discountShare,
  rebuyStats,
} from "~/engine/customer-profile";
import {
  BARGAIN_HUNTER_SHARE,
  personalCartScores,
  tierInBand,
} from "~/engine/personal";
import { buildReplenishment } from "~/engine/replenishment";
import { buildTierIndex, upgradeOptions } from "~/engine/tiers";
import { demoCatalog, demoEngineOrders } from "./engine-view";
import { DEMO_CUSTOMERS, generateDemoShop } from "./shop";

const NOW = new Date("2026-06-01T00:00:00Z");
const CONSUMABLES = new Set(["Fuel", "Coffee", "Batteries"]);

describe("the demo shop's replenishment list", () => {
  const demo = generateDemoShop({ now: NOW });
  const typeOf = new Map(demo.products.map((p) => [p.id, p.productType]));
  const orders = demoEngineOrders(demo);
  const types = (products: Record<string, unknown>) =>
    Object.keys(products).map((id) => typeOf.get(id));

  it("lists consumables and no durable gear", () => {
    const listed = types(buildReplenishment(orders).products);
    expect(new Set(listed)).toEqual(CONSUMABLES);
    // 48 consumable products; the few left out have too few repeat buyers to learn from.
    expect(listed.length).toBeGreaterThanOrEqual(35);
  });

  it("has no customer buying the same gear twice: its re-buys are its consumables'", () => {
    const seen = new Set<string>();
    const rebought = new Set<string>();
    for (const order of demo.orders) {
      if (!order.customerId) continue;
      for (const line of order.lines) {
        const key = `${order.customerId} ${line.productId}`;
        if (seen.has(key)) rebought.add(typeOf.get(line.productId)!);
        seen.add(key);
      }
    }
    expect(rebought).toEqual(CONSUMABLES);
  });
});

describe("the demo shop's signed-in customers", () => {
  const demo = generateDemoShop({ now: NOW });
  const products = new Map(demo.products.map((p) => [p.id, p]));
  const ordersOf = (customerId: string) =>
    demo.orders.filter((o) => o.customerId === customerId);

  it("gives the loyal customer a year of orders, with coffee and fuel re-ordered on their rhythm", () => {
    const orders = ordersOf(DEMO_CUSTOMERS.loyal.id);
    expect(orders.length).toBeGreaterThanOrEqual(12);
    const types = orders.flatMap((o) =>
      o.lines.map((l) => products.get(l.productId)!.productType),
    );
    expect(types.filter((t) => t === "Coffee").length).toBeGreaterThan(10);
    expect(types.filter((t) => t === "Fuel").length).toBeGreaterThan(10);
    expect(new Set(types).size).toBeGreaterThanOrEqual(8);
  });

  it("gives the bargain hunter low-priced items bought below their compare-at price", () => {
    const lines = ordersOf(DEMO_CUSTOMERS.bargain.id).flatMap((o) => o.lines);
    expect(lines.length).toBeGreaterThanOrEqual(10);
    for (const line of lines) {
      const variant = products
        .get(line.productId)!
        .variants.find((v) => v.id === line.variantId)!;
      expect(line.price).toBeLessThan(4_000);
      expect(line.price).toBeLessThan(variant.compareAtPrice!);
    }
  });

  it("offers the loyal customer their coffee and fuel again, never the gear they own", () => {
    const orders = demoEngineOrders(demo);
    const model = trainCartModel(
      demo.orders.map((o) => ({
        id: o.id,
        createdAt: o.createdAt,
        items: o.lines.map((l) => l.productId),
      })),
    );
    const profiles = buildCustomerProfiles(orders);
    const profile = profiles.get(DEMO_CUSTOMERS.loyal.id)!;
    const tent = demo.products.find((p) => p.productType === "Tent")!;
    const scores = personalCartScores(model, [tent.id], {
      profile,
      now: NOW.getTime(),
      replenishment: buildReplenishment(orders),
      rebuy: rebuyStats(profiles),
    });
    const owned = [...profile.products.keys()].filter((id) =>
      model.index.has(id),
    );
    const offered = (id: string) => scores[model.index.get(id)!] > -Infinity;
    const typeOf = (id: string) => products.get(id)!.productType;
    const gear = owned.filter((id) => !CONSUMABLES.has(typeOf(id)));
    expect(gear.length).toBeGreaterThanOrEqual(5);
    expect(gear.filter(offered)).toEqual([]);
    const again = owned.filter(offered).map(typeOf);
    expect(again).toContain("Coffee");
    expect(again).toContain("Fuel");
  });
});

describe("the demo shop's discounts", () => {
  const demo = generateDemoShop({ now: new Date("2026-06-01T00:00:00Z") });
  const typeOf = new Map(demo.products.map((p) => [p.id, p.productType]));
  const profiles = (withDiscounts: boolean) =>
    buildCustomerProfiles(
      demoEngineOrders(demo, { discounts: withDiscounts }),
      (id) => typeOf.get(id) ?? "",
    );

  it("gives every line of the bargain hunter a discount, and a share of everyone else's orders", () => {
    const all = profiles(true);
    expect(discountShare(all.get(DEMO_CUSTOMERS.bargain.id)!)).toBe(1);
    expect(discountShare(all.get(DEMO_CUSTOMERS.loyal.id)!)).toBeLessThan(
      BARGAIN_HUNTER_SHARE,
    );
    const discountedOrders = demo.orders.filter((o) =>
      o.lines.some((l) => l.discount > 0),
    );
    // One order in eight used a code: some, not most.
    expect(discountedOrders.length / demo.orders.length).toBeGreaterThan(0.08);
    expect(discountedOrders.length / demo.orders.length).toBeLessThan(0.2);
    for (const line of demo.orders.flatMap((o) => o.lines))
      expect(line.discount).toBeLessThan(line.price * line.quantity);
  });

  it("has a product page whose upgrade tier is the bargain hunter's cheapest in their band, which their orders without discounts would not choose", () => {
    const catalog = demoCatalog(demo);
    const index = buildTierIndex(catalog);
    const hunter = profiles(true).get(DEMO_CUSTOMERS.bargain.id)!;
    const unknown = profiles(false).get(DEMO_CUSTOMERS.bargain.id)!;
    const pages = catalog.map((p) => {
      const prices = upgradeOptions(index, p.id).map((u) => u.price.amount);
      return {
        prices,
        chosen: tierInBand(hunter, p.productType, prices),
        without: tierInBand(unknown, p.productType, prices),
      };
    });
    const inBand = pages.filter((page) => page.chosen !== undefined);
    expect(inBand.length).toBeGreaterThan(0);
    // The discounts move the choice to a cheaper tier inside the band, never a dearer one.
    for (const { prices, chosen, without } of inBand)
      expect(prices[chosen!]).toBeLessThanOrEqual(prices[without!]);
    expect(inBand.some((page) => page.chosen !== page.without)).toBe(true);
  });
});

describe("the demo shop's unit costs", () => {
  const now = new Date("2026-06-01T00:00:00Z");
  const demo = generateDemoShop({ now });
  const shares = (type: string) =>
    demo.products
      .filter((p) => p.productType === type)
      .flatMap((p) => p.variants.map((v) => v.unitCost / v.price));

  it("costs every variant a realistic share of its price, in whole minor units", () => {
    for (const v of demo.products.flatMap((p) => p.variants)) {
      expect(Number.isInteger(v.unitCost)).toBe(true);
      expect(v.unitCost / v.price).toBeGreaterThan(0.25);
      expect(v.unitCost / v.price).toBeLessThan(0.7);
    }
  });

  it("gives each kind its own margins: coffee costs far less of its price than a tent or a GPS watch", () => {
    const coffee = Math.max(...shares("Coffee"));
    expect(coffee).toBeLessThan(Math.min(...shares("Tent")));
    expect(coffee).toBeLessThan(Math.min(...shares("GPS Watch")));
  });

  it("varies the margin from product to product of a kind", () => {
    const firstVariants = demo.products
      .filter((p) => p.productType === "Backpack")
      .map((p) => (p.variants[0].unitCost / p.variants[0].price).toFixed(3));
    expect(new Set(firstVariants).size).toBeGreaterThanOrEqual(10);
  });

  it("draws the same costs from the same seed, other costs from another", () => {
    const costs = (shop: typeof demo) =>
      shop.products.flatMap((p) => p.variants.map((v) => v.unitCost));
    expect(costs(generateDemoShop({ now }))).toEqual(costs(demo));
    expect(costs(generateDemoShop({ now, seed: 7 }))).not.toEqual(costs(demo));
  });
});
