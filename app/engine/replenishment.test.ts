import { describe, expect, it } from "vitest";
import {
  buildReplenishment,
  dueCustomers,
  lastPurchases,
  quantile,
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
