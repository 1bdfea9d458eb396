import { describe, expect, it } from "vitest";
import { buildCoPurchaseLags, pickNextOffer } from "./next-offer";
import { buildReplenishment } from "./replenishment";
import type { EngineOrder } from "./types";

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 1);
const at = (day: number) => new Date(T0 + day * DAY).toISOString();

function order(
  customerKey: string,
  day: number,
  productIds: string[],
): EngineOrder {
  return {
    id: `${customerKey}-${day}-${productIds.join("+")}`,
    createdAt: at(day),
    customerKey,
    lines: productIds.map((productId) => ({
      productId,
      quantity: 1,
      price: { amount: 2_000, currency: "USD" },
    })),
  };
}

// Coffee is re-bought about monthly by most of its buyers. Tents are bought once, then stakes
// follow some two weeks later; a few tent buyers bought a second tent by chance (a gift).
const history: EngineOrder[] = [
  ...["ann", "bob", "cat", "dan"].flatMap((c, i) => [
    order(c, i, ["coffee"]),
    order(c, i + 30, ["coffee"]),
    order(c, i + 60, ["coffee"]),
  ]),
  ...Array.from({ length: 30 }, (_, i) => `camper${i}`).flatMap((c, i) => [
    order(c, i, ["tent"]),
    ...(i % 3 === 0 ? [order(c, i + 12 + (i % 5), ["stakes"])] : []),
    // Three campers bought another tent a month later: chance, not a habit.
    ...(i < 3 ? [order(c, i + 31, ["tent"])] : []),
  ]),
];

const models = () => ({
  replenishment: buildReplenishment(history),
  lags: buildCoPurchaseLags(history),
});

describe("co-purchase lags", () => {
  it("learns the median days from the first purchase of one product to the first of another", () => {
    const { lags } = models();
    const stakes = lags.tent.find((l) => l.productId === "stakes");
    // Campers 0, 3, ..., 27 bought stakes 12 + (i mod 5) days after the tent.
    const gaps = [0, 3, 6, 9, 12, 15, 18, 21, 24, 27]
      .map((i) => 12 + (i % 5))
      .sort((a, b) => a - b);
    expect(stakes).toEqual({
      productId: "stakes",
      medianDays: (gaps[4] + gaps[5]) / 2,
      customers: 10,
    });
  });

  it("needs several customers before a lag counts", () => {
    const lags = buildCoPurchaseLags(
      [order("x", 0, ["a"]), order("x", 5, ["b"]), order("y", 0, ["a"])],
      { minCustomers: 2 },
    );
    expect(lags.a).toBeUndefined();
  });
});

describe("the next offer after an order", () => {
  it("offers a consumable again at its typical re-order interval", () => {
    const placed = order("new", 100, ["coffee"]);
    const offer = pickNextOffer({
      order: placed,
      previouslyBought: new Set(),
      ...models(),
    });
    expect(offer).toMatchObject({
      productId: "coffee",
      reason: "replenish",
      anchorProductId: "coffee",
      dueAt: at(130),
    });
  });

  it("offers what customers buy next after a durable item, at the typical lag", () => {
    const offer = pickNextOffer({
      order: order("new", 200, ["tent"]),
      previouslyBought: new Set(),
      ...models(),
    });
    const lag = models().lags.tent.find((l) => l.productId === "stakes")!;
    expect(offer).toMatchObject({
      productId: "stakes",
      reason: "bought_next",
      anchorProductId: "tent",
    });
    expect(Date.parse(offer!.dueAt)).toBe(T0 + (200 + lag.medianDays) * DAY);
  });

  it("never offers a durable item as a re-buy", () => {
    const { replenishment, lags } = models();
    // Three campers bought a second tent, which does not make it a consumable.
    expect(replenishment.products.tent).toBeUndefined();
    const offer = pickNextOffer({
      order: order("new", 200, ["tent"]),
      previouslyBought: new Set(),
      replenishment,
      lags,
      offerable: (id) => id !== "stakes",
    });
    expect(offer).toBeNull();
  });

  it("never offers what the customer already bought through a lag", () => {
    const offer = pickNextOffer({
      order: order("camper0", 300, ["tent"]),
      previouslyBought: new Set(["tent", "stakes"]),
      ...models(),
    });
    expect(offer).toBeNull();
  });

  it("takes the earliest due candidate when the order has several", () => {
    const offer = pickNextOffer({
      order: order("new", 100, ["coffee", "tent"]),
      previouslyBought: new Set(),
      ...models(),
    });
    // Stakes follow a tent in about two weeks; coffee runs out in about thirty days.
    expect(offer?.productId).toBe("stakes");
  });

  it("offers nothing after a guest's product without evidence", () => {
    const offer = pickNextOffer({
      order: order("new", 100, ["lantern"]),
      previouslyBought: new Set(),
      ...models(),
    });
    expect(offer).toBeNull();
  });
});
