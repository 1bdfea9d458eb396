import { describe, expect, it } from "vitest";
import {
  addMoney,
  applyBasisPoints,
  basisPoints,
  CurrencyMismatchError,
  currencyDigits,
  discountMoney,
  formatMoney,
  formatPercent,
  multiplyMoney,
  sumMoney,
} from "./money";

describe("formatMoney", () => {
  it("drops the cents for whole amounts and keeps them otherwise", () => {
    expect(formatMoney({ amount: 2000, currency: "USD" })).toBe("$20");
    expect(formatMoney({ amount: 2050, currency: "USD" })).toBe("$20.50");
    expect(formatMoney({ amount: 500, currency: "GBP" })).toBe("£5");
  });

  it("respects currencies without minor units", () => {
    expect(currencyDigits("JPY")).toBe(0);
    expect(formatMoney({ amount: 1500, currency: "JPY" })).toBe("¥1,500");
  });

  it("refuses fractional minor units", () => {
    expect(() => formatMoney({ amount: 10.5, currency: "USD" })).toThrow(
      RangeError,
    );
  });
});

describe("basis points", () => {
  it("rounds thirds the same way every time", () => {
    expect(basisPoints(1, 3)).toBe(3333);
    expect(basisPoints(2, 3)).toBe(6667);
    expect(basisPoints(-2, 3)).toBe(-6667);
  });

  it("applies a discount without float drift", () => {
    // 0.1 + 0.2 style drift would give 1,999 or 2,001 here.
    expect(applyBasisPoints(19_999, 1_000)).toBe(2_000);
    expect(discountMoney({ amount: 19_999, currency: "USD" }, 1_000)).toEqual({
      amount: 17_999,
      currency: "USD",
    });
    expect(applyBasisPoints(5, 5_000)).toBe(3);
  });

  it("formats percentages with a decimal only when needed", () => {
    expect(formatPercent(3_100)).toBe("31%");
    expect(formatPercent(3_149)).toBe("31.5%");
    expect(formatPercent(250)).toBe("2.5%");
  });
});

describe("arithmetic", () => {
  it("adds and multiplies in minor units", () => {
    expect(
      addMoney({ amount: 1, currency: "EUR" }, { amount: 2, currency: "EUR" }),
    ).toEqual({
      amount: 3,
      currency: "EUR",
    });
    expect(multiplyMoney({ amount: 333, currency: "EUR" }, 3).amount).toBe(999);
    expect(sumMoney([{ amount: 5, currency: "EUR" }], "EUR").amount).toBe(5);
  });

  it("refuses to mix currencies", () => {
    expect(() =>
      addMoney({ amount: 1, currency: "EUR" }, { amount: 1, currency: "USD" }),
    ).toThrow(CurrencyMismatchError);
    expect(() => sumMoney([{ amount: 1, currency: "USD" }], "EUR")).toThrow(
      CurrencyMismatchError,
    );
  });
});
