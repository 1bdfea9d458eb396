import { describe, expect, it } from "vitest";
import {
  buildCustomerProfiles,
  cadenceDays,
  discountShare,
  priceBand,
  provenLift,
  rebuyLift,
  rebuyRate,
  rebuyStats,
  summariseProfile,
} from "./customer-profile";
import type { EngineOrder } from "./types";

const gbp = (amount: number) => ({ amount, currency: "GBP" });

function order(
  id: string,
  day: number,
  customerKey: string | undefined,
  lines: [string, number, boolean?][],
): EngineOrder {
  return {
    id,
    createdAt: new Date(Date.UTC(2024, 2, day)),
    customerKey,
    lines: lines.map(([productId, amount, discounted]) => ({
      productId,
      quantity: 1,
      price: gbp(amount),
      ...(discounted === undefined ? {} : { discounted }),
    })),
  };
}

const typeOf = (id: string) => (id.startsWith("mug") ? "Mugs" : "Tea");

describe("customer profiles", () => {
  it("keeps what each customer bought, when, and what they usually pay per product type", () => {
    const profiles = buildCustomerProfiles(
      [
        order("1", 1, "ann", [
          ["mug-a", 1200, false],
          ["tea-a", 500, true],
        ]),
        order("2", 11, "ann", [["mug-b", 1800, false]]),
        order("3", 31, "ann", [
          ["mug-a", 900, false],
          ["tea-a", 700, false],
        ]),
        order("4", 5, undefined, [["mug-a", 1200]]),
        order("5", 7, "bob", [["tea-b", 300]]),
      ],
      typeOf,
    );
    expect(profiles.size).toBe(2);
    const ann = profiles.get("ann")!;
    expect(ann.products.get("mug-a")).toEqual({
      firstAt: Date.UTC(2024, 2, 1),
      lastAt: Date.UTC(2024, 2, 31),
      orders: 2,
    });
    expect(priceBand(ann, "Mugs")).toBe(1200);
    expect(priceBand(ann, "Tea")).toBe(600);
    expect(priceBand(ann, "Lamps")).toBeUndefined();
    expect(discountShare(ann)).toBeCloseTo(1 / 5);
    // Gaps of 10 and 20 days.
    expect(cadenceDays(ann)).toBe(15);
    const bob = profiles.get("bob")!;
    expect(discountShare(bob)).toBeNull();
    expect(cadenceDays(bob)).toBeNull();
  });

  it("counts a redelivered order once and forgets a customer on request", () => {
    const first = order("1", 1, "ann", [["mug-a", 1200]]);
    const profiles = buildCustomerProfiles([first], typeOf);
    profiles.addOrder(first);
    profiles.addOrder(order("2", 3, "ann", [["mug-a", 1000]]));
    const ann = summariseProfile(profiles.get("ann")!);
    expect(ann.orders).toBe(2);
    expect(ann.products).toEqual([
      {
        productId: "mug-a",
        orders: 2,
        lastBoughtAt: "2024-03-03T00:00:00.000Z",
      },
    ]);
    expect(ann.priceBands).toEqual({ Mugs: 1100 });
    expect(profiles.forget("ann")).toBe(true);
    expect(profiles.get("ann")).toBeUndefined();
    expect(profiles.size).toBe(0);
  });
});

describe("re-buy rates", () => {
  // Ten customers buy a mug (a durable) and tea, then come back for tea only; one buys a teapot
  // twice; one buys a spoon, then comes back for the mug and tea; one buys a kettle in their only
  // order.
  const profiles = buildCustomerProfiles([
    ...Array.from({ length: 10 }, (_, c) => [
      order(`a${c}`, 1, `c${c}`, [
        ["mug-a", 1200],
        ["tea-a", 500],
      ]),
      order(`b${c}`, 20, `c${c}`, [["tea-a", 500]]),
    ]).flat(),
    order("t1", 2, "tom", [["teapot", 3000]]),
    order("t2", 9, "tom", [["teapot", 3000]]),
    order("s1", 1, "sue", [["spoon", 200]]),
    order("s2", 5, "sue", [
      ["mug-a", 1200],
      ["tea-a", 500],
    ]),
    order("k1", 3, "kim", [["kettle", 4000]]),
  ]);
  const stats = rebuyStats(profiles);

  it("counts, per product, the customers who had a later order and those who bought it again", () => {
    expect(stats.returning).toBe(12);
    // Sue's mug and tea came in her last order: adopted, with no chance to re-buy yet.
    expect(stats.products.get("mug-a")).toEqual({
      buyers: 10,
      rebuyers: 0,
      openers: 10,
      adopters: 1,
    });
    expect(stats.products.get("tea-a")).toEqual({
      buyers: 10,
      rebuyers: 10,
      openers: 10,
      adopters: 1,
    });
    expect(stats.products.get("teapot")).toMatchObject({
      buyers: 1,
      rebuyers: 1,
    });
    expect(stats.products.get("spoon")).toMatchObject({
      buyers: 1,
      rebuyers: 0,
    });
    // Kim never ordered again: no chance to re-buy or adopt, so not counted.
    expect(stats.products.has("kettle")).toBe(false);
    expect(stats.shop).toEqual({
      buyers: 22,
      rebuyers: 11,
      openers: 22,
      adopters: 2,
    });
  });

  it("shrinks each product's rate toward the shop's, the more so the fewer its buyers", () => {
    const shopRate = 0.5;
    expect(rebuyRate(stats, "mug-a", 0)).toBe(0);
    expect(rebuyRate(stats, "tea-a", 0)).toBe(1);
    expect(rebuyRate(stats, "mug-a", 2)).toBeCloseTo((2 * shopRate) / 12, 12);
    expect(rebuyRate(stats, "mug-a", 2)).toBeLessThan(0.1);
    expect(rebuyRate(stats, "tea-a", 2)).toBeGreaterThan(0.9);
    // One buyer who re-bought says little: nearer the shop's rate than the mug's ten are to it.
    expect(rebuyRate(stats, "teapot", 10)).toBeCloseTo(
      (1 + 10 * shopRate) / 11,
      12,
    );
    expect(rebuyRate(stats, "teapot", 10)).toBeLessThan(0.6);
    expect(rebuyRate(stats, "kettle", 10)).toBeCloseTo(shopRate, 12);
    expect(rebuyRate(rebuyStats(buildCustomerProfiles([])), "x", 10)).toBe(0);
  });

  it("compares re-buying with buying for the first time later: below 1 for the durable, above for the staple", () => {
    // The mug: 1 adoption in 12 - 10 chances, shrunk toward the shop's 2 in 12 × 4 - 22.
    const adoption = (1 + 2 * (2 / 26)) / (2 + 2);
    expect(rebuyLift(stats, "mug-a", 2)).toBeCloseTo(
      rebuyRate(stats, "mug-a", 2) / adoption,
      12,
    );
    expect(rebuyLift(stats, "mug-a", 2)).toBeLessThan(0.5);
    expect(rebuyLift(stats, "tea-a", 2)).toBeGreaterThan(3);
  });

  it("assumes no lift without evidence: a product nobody was seen to re-buy stays at 1 or below", () => {
    // The shop's re-buy rate is its tea's: toward it, an unseen product would look like a staple.
    expect(rebuyLift(stats, "kettle", 10)).toBeGreaterThan(1);
    expect(provenLift(stats, "kettle", 10)).toBeCloseTo(1, 12);
    // The spoon: one chance, no re-buy; the mug: ten chances, none taken.
    expect(provenLift(stats, "spoon", 10)).toBeLessThan(1);
    expect(provenLift(stats, "mug-a", 10)).toBeLessThan(
      provenLift(stats, "spoon", 10),
    );
    expect(provenLift(stats, "tea-a", 10)).toBeGreaterThan(3);
    expect(provenLift(stats, "teapot", 10)).toBeGreaterThan(1);
  });
});
