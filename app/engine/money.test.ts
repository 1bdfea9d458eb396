import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { currencyExponent } from "../../extensions/cartlift-bundle-discount/src/money";
import {
  currencyDigits as screenDigits,
  decimalToMinor as screenDecimalToMinor,
} from "../../extensions/cartlift-post-purchase/src/contract";
import {
  addMoney,
  applyBasisPoints,
  basisPoints,
  CurrencyMismatchError,
  currencyDigits,
  decimalToMinor,
  discountMoney,
  formatMoney,
  formatPercent,
  InvalidAmountError,
  minorToDecimal,
  multiplyMoney,
  sumMoney,
} from "./money";

const CURRENCIES = Intl.supportedValuesOf("currency");

describe("one minor-unit rule for storing and showing", () => {
  it("stores 1500.00 HUF as 150000 and shows it as HUF 1,500", () => {
    for (const currency of ["HUF", "IDR", "COP"]) {
      const minor = decimalToMinor("1500.00", currency);
      expect(minor).toBe(150_000);
      expect(formatMoney({ amount: minor, currency })).toBe(
        `${currency}\u00a01,500`,
      );
      expect(formatMoney({ amount: minor + 50, currency })).toBe(
        `${currency}\u00a01,500.50`,
      );
    }
    expect(decimalToMinor("1500.250", "IQD")).toBe(1_500_250);
    expect(formatMoney({ amount: 1_500_250, currency: "IQD" })).toBe(
      "IQD\u00a01,500.250",
    );
  });

  it("follows ISO 4217 for zero-, three- and four-decimal currencies", () => {
    expect(currencyDigits("JPY")).toBe(0);
    expect(currencyDigits("KWD")).toBe(3);
    expect(currencyDigits("CLF")).toBe(4);
    expect(currencyDigits("EUR")).toBe(2);
  });

  it("is the same rule in the bundle discount Function and the post-purchase screen", () => {
    expect(CURRENCIES.length).toBeGreaterThan(100);
    for (const currency of CURRENCIES) {
      const digits = currencyDigits(currency);
      expect([currency, currencyExponent(currency)]).toEqual([
        currency,
        digits,
      ]);
      expect([currency, screenDigits(currency)]).toEqual([currency, digits]);
    }
  });

  it("round-trips every currency Intl knows: minor -> decimal -> minor, and the text shows it exactly", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...CURRENCIES),
        fc.oneof(
          fc.integer({ min: 0, max: 1_000_000 }),
          fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        ),
        (currency, amount) => {
          const digits = currencyDigits(currency);
          const decimal = minorToDecimal(amount, currency);
          expect(decimal.split(".")[1]?.length ?? 0).toBe(digits);
          expect(decimalToMinor(decimal, currency)).toBe(amount);
          if (amount <= 1e12)
            expect(screenDecimalToMinor(decimal, currency)).toBe(amount);
          // What the merchant reads, stripped of symbol and grouping, is the stored amount.
          const shown = formatMoney({ amount, currency }).replace(
            /[^\d.]/g,
            "",
          );
          const [whole, fraction = ""] = shown.replace(/^\./, "").split(".");
          expect(fraction.length === 0 || fraction.length === digits).toBe(
            true,
          );
          expect(BigInt(whole + fraction.padEnd(digits, "0"))).toBe(
            BigInt(amount),
          );
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it("refuses what is not a plain decimal, or too large to hold exactly", () => {
    for (const bad of [
      "abc",
      "1e5",
      "",
      "1,50",
      "0x10",
      "12.",
      ".5",
      "Infinity",
    ])
      expect(() => decimalToMinor(bad, "USD")).toThrow(InvalidAmountError);
    expect(() => decimalToMinor("9".repeat(30), "USD")).toThrow(
      InvalidAmountError,
    );
    expect(() => decimalToMinor("90071992547409.92", "USD")).toThrow(
      InvalidAmountError,
    );
    expect(decimalToMinor("90071992547409.91", "USD")).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });
});

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
