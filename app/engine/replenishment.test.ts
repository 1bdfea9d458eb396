import { describe, expect, it } from "vitest";
import {
  buildReplenishment,
  dueCustomers,
  lastPurchases,
  quantile,
  wilsonLower,
} from "./replenishment";
import type { EngineOrder } from "./types";

const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** One order per listed day for a customer buying `productId`. */
function history(
  customerKey: string,
  productId: string,
  days: number[],
): EngineOrder[] {
  return days.map((day) => ({
    id: `${customerKey}-${productId}-${day}`,
    createdAt: new Date(T0 + day * DAY).toISOString(),
    customerKey,
    lines: [
      { productId, quantity: 1, price: { amount: 1_500, currency: "USD" } },
    ],
  }));
}

const coffeeOrders = [
  ...history("ann", "coffee", [0, 28, 58]), // gaps 28, 30
  ...history("bob", "coffee", [0, 30, 60]), // gaps 30, 30
  ...history("cat", "coffee", [10, 42]), // gap 32
  ...history("dan", "coffee", [5, 95]), // gap 90: a stock-up, should not move the median much
  ...history("eve", "coffee", [0, 0.2]), // same trip, not a re-order
];

describe("replenishment intervals", () => {
  it("uses the median gap with its interquartile range", () => {
    const model = buildReplenishment(coffeeOrders);
    const coffee = model.products.coffee;
    // Gaps: 28, 30, 30, 30, 32, 90
    expect(coffee.intervals).toBe(6);
    expect(coffee.customers).toBe(4);
    expect(coffee.medianDays).toBe(30);
    expect(coffee.q1Days).toBe(30);
    expect(coffee.q3Days).toBe(31.5);
    expect(coffee.iqrDays).toBe(1.5);
  });

  it("needs enough customers and intervals before claiming an interval", () => {
    expect(
      buildReplenishment(coffeeOrders, { minCustomers: 5 }).products.coffee,
    ).toBeUndefined();
    expect(
      buildReplenishment(coffeeOrders, { minIntervals: 7 }).products.coffee,
    ).toBeUndefined();
    // One very loyal customer is not enough.
    const loyal = history("solo", "tea", [0, 10, 20, 30, 40, 50, 60]);
    expect(buildReplenishment(loyal).products.tea).toBeUndefined();
  });

  it("ignores guest orders that have no customer", () => {
    const guests = history("x", "soap", [0, 30, 60, 90]).map(
      ({ customerKey: _c, ...o }) => o,
    );
    expect(
      buildReplenishment(guests, { minCustomers: 1, minIntervals: 1 }).products,
    ).toEqual({});
  });

  it("refuses a popular durable product that a few of its many buyers happened to buy twice", () => {
    // 100 buyers of a tent over a year; 8 bought another one some 60 days later (a gift, a
    // second tent). Eight repeaters and their gaps would pass the customer and interval counts.
    const orders = [
      ...Array.from({ length: 100 }, (_, i) =>
        history(`c${i}`, "tent", i < 8 ? [i, i + 60] : [i]),
      ).flat(),
      ...history("later", "stakes", [365]),
    ];
    const tent = buildReplenishment(orders, { minRepeatShare: 0 }).products
      .tent;
    expect(tent).toMatchObject({ customers: 8, buyers: 100 });
    expect(tent.repeatShare).toBeCloseTo(0.08);
    expect(tent.repeatShareLower).toBeLessThan(0.2);
    expect(buildReplenishment(orders).products.tent).toBeUndefined();
  });

  it("accepts a product most of whose buyers come back for it", () => {
    // 10 buyers, 6 re-order monthly; 4 bought once long enough ago to have come back.
    const orders = Array.from({ length: 10 }, (_, i) =>
      history(`c${i}`, "fuel", i < 6 ? [0, 30, 61] : [i]),
    ).flat();
    expect(buildReplenishment(orders).products.fuel).toMatchObject({
      customers: 6,
      buyers: 10,
      repeatShare: 0.6,
      medianDays: 30.5,
    });
  });

  it("does not count buyers who have not had a typical interval to come back", () => {
    // Four repeaters every 30 days; six newcomers bought in the last week of the data. Counted,
    // they would make the share 4 in 10; they have not yet had a month to re-order.
    const orders = [
      ...["a", "b", "c", "d"].flatMap((c) => history(c, "fuel", [0, 30, 60])),
      ...Array.from({ length: 6 }, (_, i) => history(`new${i}`, "fuel", [55])),
    ].flat();
    const fuel = buildReplenishment(orders).products.fuel;
    expect(fuel).toMatchObject({ customers: 4, buyers: 4, repeatShare: 1 });
  });

  it("bounds the repeat share from below, more so on few buyers", () => {
    expect(wilsonLower(3, 5, 1.645)).toBeCloseTo(0.2725, 4);
    expect(wilsonLower(60, 100, 1.645)).toBeCloseTo(0.5178, 4);
    expect(wilsonLower(0, 10, 1.645)).toBe(0);
    expect(wilsonLower(0, 0, 1.645)).toBe(0);
  });

  it("interpolates quantiles between ranks", () => {
    expect(quantile([10, 20, 30, 40], 0.5)).toBe(25);
    expect(quantile([10, 20, 30, 40], 0.25)).toBe(17.5);
    expect(() => quantile([], 0.5)).toThrow(RangeError);
  });
});

describe("due customers", () => {
  const model = buildReplenishment(coffeeOrders, {
    minIntervals: 1,
    minCustomers: 1,
  });
  const coffee = model.products.coffee;

  it("lists customers inside the re-order window with a status, earliest due first", () => {
    const now = T0 + 100 * DAY;
    const due = dueCustomers(
      model,
      [
        {
          customerKey: "early",
          productId: "coffee",
          purchasedAt: now - 10 * DAY,
        },
        {
          customerKey: "soon",
          productId: "coffee",
          purchasedAt: now - 30 * DAY,
        },
        {
          customerKey: "late",
          productId: "coffee",
          purchasedAt: now - 33 * DAY,
        },
        {
          customerKey: "lapsed",
          productId: "coffee",
          purchasedAt: now - 200 * DAY,
        },
        {
          customerKey: "other",
          productId: "unknown",
          purchasedAt: now - 30 * DAY,
        },
      ],
      new Date(now),
    );
    expect(coffee.q3Days + 1.5 * coffee.iqrDays).toBeLessThan(200);
    expect(due.map((d) => [d.customerKey, d.status])).toEqual([
      ["late", "overdue"],
      ["soon", "due"],
    ]);
    expect(due[1].dueAt).toBe(new Date(now).toISOString());
  });

  it("calls a customer due all through their due date, as the page shows it", () => {
    const tea = {
      ...coffee,
      productId: "tea",
      q1Days: 8,
      medianDays: 10,
      q3Days: 12,
      iqrDays: 4,
    };
    const noon = Date.UTC(2024, 5, 10, 12);
    const status = (purchasedAt: number) =>
      dueCustomers(
        { ...model, products: { tea } },
        [{ customerKey: "c", productId: "tea", purchasedAt }],
        noon,
      )[0]?.status;
    // Due at 18:00 the same day, at 00:30 the next day, and at 11:00 the same day.
    expect(status(noon - 10 * DAY + 6 * 3_600_000)).toBe("due");
    expect(status(noon - 10 * DAY + 12.5 * 3_600_000)).toBe("due_soon");
    expect(status(noon - 10 * DAY - 3_600_000)).toBe("due");
  });

  it("finds the latest purchase of each product per customer", () => {
    const last = lastPurchases(coffeeOrders);
    expect(last.find((p) => p.customerKey === "ann")).toEqual({
      customerKey: "ann",
      productId: "coffee",
      purchasedAt: T0 + 58 * DAY,
    });
    expect(
      dueCustomers(model, last, T0 + 90 * DAY).map((d) => d.customerKey),
    ).toEqual(["ann", "bob"]);
  });
});
