import { describe, expect, it } from "vitest";
import {
  convertMinorUnits,
  currencyExponent,
  formatMinorUnits,
  mulDivCeil,
  mulDivFloor,
  toMinorUnits,
} from "./money";

describe("money in minor units", () => {
  it("knows which currencies have no or three decimals", () => {
    expect(currencyExponent("JPY")).toBe(0);
    expect(currencyExponent("KWD")).toBe(3);
    expect(currencyExponent("EUR")).toBe(2);
  });

  it("parses Decimal strings exactly, where floats would drift", () => {
    expect(toMinorUnits("19.99", 2)).toBe(1999);
    expect(toMinorUnits("0.29", 2)).toBe(29); // 0.29 * 100 is 28.999999999999996 as a float
    expect(toMinorUnits("1500.0", 0)).toBe(1500);
    expect(toMinorUnits("12", 2)).toBe(1200);
    expect(toMinorUnits(4.35, 2)).toBe(435);
    expect(toMinorUnits("1.234", 3)).toBe(1234);
  });

  it("rounds surplus decimals half-up and rejects what is not a non-negative decimal", () => {
    expect(toMinorUnits("10.005", 2)).toBe(1001);
    expect(toMinorUnits("10.004", 2)).toBe(1000);
    expect(toMinorUnits("-1.00", 2)).toBeNull();
    expect(toMinorUnits("1e3", 2)).toBeNull();
    expect(toMinorUnits("", 2)).toBeNull();
  });

  it("formats minor units back to Decimal strings", () => {
    expect(formatMinorUnits(1999, 2)).toBe("19.99");
    expect(formatMinorUnits(5, 2)).toBe("0.05");
    expect(formatMinorUnits(0, 2)).toBe("0.00");
    expect(formatMinorUnits(196, 0)).toBe("196");
    expect(formatMinorUnits(1234, 3)).toBe("1.234");
  });

  it("converts shop currency into the cart currency with the presentment rate, rounding as told", () => {
    expect(convertMinorUnits(1000, "0.9", 2, 2, "floor")).toBe(900);
    // 5.00 USD at 151.37 JPY per USD is 756.85 yen.
    expect(convertMinorUnits(500, "151.37", 2, 0, "floor")).toBe(756);
    expect(convertMinorUnits(500, "151.37", 2, 0, "ceil")).toBe(757);
    // 1000 yen at 0.0066 USD per yen is 6.60 USD.
    expect(convertMinorUnits(1000, "0.0066", 0, 2, "floor")).toBe(660);
    expect(convertMinorUnits(1000, "0", 2, 2, "floor")).toBeNull();
  });

  it("multiplies then divides without losing precision beyond 2^53", () => {
    expect(mulDivFloor(9_000_000_000_000, 3_000, 10_000)).toBe(
      2_700_000_000_000,
    );
    expect(mulDivCeil(500, 10_000, 6_000)).toBe(834);
    expect(mulDivFloor(500, 10_000, 6_000)).toBe(833);
  });
});
