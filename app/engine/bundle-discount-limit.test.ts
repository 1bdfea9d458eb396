import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type BundleTerms,
  type PricedUnit,
  instanceDiscounts,
  percentageOf,
} from "../../extensions/cartlift-bundle-discount/src/unit-discount";
import { discountLimit } from "./bundle-discount-limit";

const sum = (amounts: number[]) => amounts.reduce((a, b) => a + b, 0);

/** True when checkout would give the whole discount, with no unit cut down to its floor. */
function grantedInFull(units: PricedUnit[], terms: BundleTerms): boolean {
  const given = instanceDiscounts(units, terms);
  return terms.discountType === "percentage"
    ? given.every((d, i) => d === percentageOf(units[i].unitPrice, terms.value))
    : sum(given) === terms.value;
}

// A $450.98 bundle of two products with no recorded cost, 20% margin floor: each must keep 20% of
// its price, so 300.99 may lose 240.79 and 149.99 may lose 119.99.
const tent: PricedUnit[] = [{ unitPrice: 30_099 }, { unitPrice: 14_999 }];

describe("discountLimit", () => {
  it("names the bundle's price and the most a fixed amount or a percentage may take off", () => {
    expect(discountLimit(tent, 2_000)).toEqual({
      bundlePrice: 45_098,
      maxFixed: 36_078,
      maxPercentageBps: 8_000,
    });
  });

  it("holds a recorded cost's margin: a 12.00 cost at a 40% floor keeps 25.00 at 20.00 or more", () => {
    expect(
      discountLimit([{ unitPrice: 2_500, cost: 1_200 }], 4_000),
    ).toMatchObject({ maxFixed: 500, maxPercentageBps: 2_003 });
    expect(
      instanceDiscounts([{ unitPrice: 2_500, cost: 1_200 }], {
        discountType: "percentage",
        value: 2_003,
        marginFloorBps: 4_000,
      }),
    ).toEqual([500]);
  });

  it("is exactly where checkout stops giving the whole discount, whatever the prices and costs", () => {
    const unit = fc.record({
      unitPrice: fc.integer({ min: 1, max: 200_000 }),
      cost: fc.option(fc.integer({ min: 0, max: 200_000 }), {
        nil: undefined,
      }),
    });
    fc.assert(
      fc.property(
        fc.array(unit, { minLength: 2, maxLength: 5 }),
        fc.integer({ min: 0, max: 9_500 }),
        (units, marginFloorBps) => {
          const limit = discountLimit(units, marginFloorBps);
          const percentage = (value: number) =>
            grantedInFull(units, {
              discountType: "percentage",
              value,
              marginFloorBps,
            });
          const fixed = (value: number) =>
            grantedInFull(units, {
              discountType: "fixed_amount",
              value,
              marginFloorBps,
            });
          expect(percentage(limit.maxPercentageBps)).toBe(true);
          if (limit.maxPercentageBps < 10_000)
            expect(percentage(limit.maxPercentageBps + 1)).toBe(false);
          expect(fixed(limit.maxFixed)).toBe(true);
          expect(fixed(limit.maxFixed + 1)).toBe(false);
          expect(limit.maxFixed).toBeLessThanOrEqual(limit.bundlePrice);
        },
      ),
      { numRuns: 500, seed: 18 },
    );
  });
});
