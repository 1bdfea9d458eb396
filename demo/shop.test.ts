import { describe, expect, it } from "vitest";
import { trainCartModel } from "~/engine/cart-model";
import { buildCustomerProfiles, rebuyStats } from "~/engine/customer-profile";
import { personalCartScores } from "~/engine/personal";
import { buildReplenishment } from "~/engine/replenishment";
import type { EngineOrder } from "~/engine/types";
import { DEMO_CUSTOMERS, generateDemoShop, type DemoShop } from "./shop";

const NOW = new Date("2026-06-01T00:00:00Z");
const CONSUMABLES = new Set(["Fuel", "Coffee", "Batteries"]);

const engineOrders = (demo: DemoShop): EngineOrder[] =>
  demo.orders.map((o) => ({
    id: o.id,
    createdAt: o.createdAt,
    customerKey: o.customerId ?? undefined,
    lines: o.lines.map((l) => ({
      productId: l.productId,
      quantity: l.quantity,
      price: { amount: l.price, currency: demo.currency },
    })),
  }));

describe("the demo shop's replenishment list", () => {
  const demo = generateDemoShop({ now: NOW });
  const typeOf = new Map(demo.products.map((p) => [p.id, p.productType]));
  const orders = engineOrders(demo);
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
    const orders = engineOrders(demo);
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
