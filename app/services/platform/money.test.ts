import { describe, expect, it } from "vitest";
import { decimalToMinor } from "./money";

describe("decimalToMinor", () => {
  it("reads two-decimal currencies without float drift", () => {
    expect(decimalToMinor("0.29", "USD")).toBe(29);
    expect(decimalToMinor("1234.5", "EUR")).toBe(123450);
    expect(decimalToMinor("19.99", "GBP")).toBe(1999);
  });
  it("respects currencies with zero and three minor digits", () => {
    expect(decimalToMinor("1500", "JPY")).toBe(1500);
    expect(decimalToMinor("1500.0", "JPY")).toBe(1500);
    expect(decimalToMinor("1.234", "KWD")).toBe(1234);
  });
  it("rounds extra precision half up", () => {
    expect(decimalToMinor("1.005", "USD")).toBe(101);
    expect(decimalToMinor("1.004", "USD")).toBe(100);
  });
  it("rejects text that is not a decimal", () => {
    expect(() => decimalToMinor("1,50", "EUR")).toThrow(RangeError);
    expect(() => decimalToMinor("", "EUR")).toThrow(RangeError);
  });
});
