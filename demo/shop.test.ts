import { describe, expect, it } from "vitest";
import { buildReplenishment } from "~/engine/replenishment";
import type { EngineOrder } from "~/engine/types";
import { generateDemoShop } from "./shop";

describe("the demo shop's replenishment list", () => {
  const demo = generateDemoShop({ now: new Date("2026-06-01T00:00:00Z") });
  const typeOf = new Map(demo.products.map((p) => [p.id, p.productType]));
  const orders: EngineOrder[] = demo.orders.map((o) => ({
    id: o.id,
    createdAt: o.createdAt,
    customerKey: o.customerId ?? undefined,
    lines: o.lines.map((l) => ({
      productId: l.productId,
      quantity: l.quantity,
      price: { amount: l.price, currency: demo.currency },
    })),
  }));
  const types = (products: Record<string, unknown>) =>
    Object.keys(products).map((id) => typeOf.get(id));

  it("lists consumables and no durable gear", () => {
    const listed = types(buildReplenishment(orders).products);
    expect(new Set(listed)).toEqual(new Set(["Fuel", "Coffee", "Batteries"]));
    // 48 consumable products; the few left out have too few repeat buyers to learn from.
    expect(listed.length).toBeGreaterThanOrEqual(35);
  });

  it("would list tents, sleeping bags and headlamps on repeat counts alone", () => {
    // Two dozen buyers of the best-selling tent bought it twice; only their share sets it apart.
    const counted = types(
      buildReplenishment(orders, { minRepeatShare: 0 }).products,
    );
    expect(counted).toEqual(
      expect.arrayContaining(["Tent", "Sleeping Bag", "Headlamp"]),
    );
  });
});
