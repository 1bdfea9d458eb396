import { mulDivCeil } from "../../extensions/cartlift-bundle-discount/src/money";
import {
  BPS,
  type PricedUnit,
  unitCap,
} from "../../extensions/cartlift-bundle-discount/src/unit-discount";

// The largest bundle discount checkout would grant in full, at given prices and costs: what the
// admin may save. Anything larger the discount Function would cut down to its margin floor, and
// the merchant would have been promised a discount the shopper never gets.

export interface DiscountLimit {
  /** The bundle's price: one unit of each product. */
  bundlePrice: number;
  /** The largest fixed amount per bundle the floor allows. */
  maxFixed: number;
  /** The largest percentage, in basis points, that no unit's floor cuts down. */
  maxPercentageBps: number;
}

export function discountLimit(
  units: readonly PricedUnit[],
  marginFloorBps: number,
): DiscountLimit {
  let maxFixed = 0;
  let maxPercentageBps = BPS;
  for (const unit of units) {
    const cap = unitCap(unit, marginFloorBps);
    maxFixed += cap;
    // floor(p × b / 10000) ≤ cap  ⇔  b ≤ ceil((cap + 1) × 10000 / p) − 1.
    if (unit.unitPrice > 0)
      maxPercentageBps = Math.min(
        maxPercentageBps,
        mulDivCeil(cap + 1, BPS, unit.unitPrice) - 1,
      );
  }
  return {
    bundlePrice: units.reduce((sum, unit) => sum + unit.unitPrice, 0),
    maxFixed,
    maxPercentageBps,
  };
}
