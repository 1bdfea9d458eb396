import { mulDivCeil, mulDivFloor } from "./money";

// What one bundle instance takes off each of its units. Checkout (this Function), the admin's
// save check and the storefront's "save" line all use these, so none can promise more than the
// others give. Amounts are integer minor units of one currency.

export const BPS = 10_000;

export interface BundleTerms {
  discountType: "percentage" | "fixed_amount";
  /** percentage: basis points; fixed_amount: minor units per instance. */
  value: number;
  marginFloorBps: number;
}

export interface PricedUnit {
  unitPrice: number;
  /** Unit cost when recorded, in the same currency as the price. */
  cost?: number;
}

/**
 * The lowest price a unit may be sold at. With a known cost the discounted price keeps a gross
 * margin of at least the floor: ceil(cost / (1 − floor)). Without one it keeps at least the
 * floor's share of the list price: ceil(price × floor).
 */
export function minimumUnitPrice(
  unitPrice: number,
  marginFloorBps: number,
  cost: number | undefined,
): number {
  return cost === undefined
    ? mulDivCeil(unitPrice, marginFloorBps, BPS)
    : costFloorPrice(cost, marginFloorBps);
}

/** The lowest price that keeps the margin floor over a known cost, whatever the list price. */
export function costFloorPrice(cost: number, marginFloorBps: number): number {
  return mulDivCeil(cost, BPS, BPS - marginFloorBps);
}

/** The most one unit may be discounted without breaking the margin floor. */
export function unitCap(unit: PricedUnit, marginFloorBps: number): number {
  return Math.max(
    0,
    unit.unitPrice -
      minimumUnitPrice(unit.unitPrice, marginFloorBps, unit.cost),
  );
}

/** A percentage of one unit, rounded down as Shopify would not give a part of a cent. */
export function percentageOf(unitPrice: number, bps: number): number {
  return mulDivFloor(unitPrice, bps, BPS);
}

/**
 * The discount on each unit of one instance. Percentage: each unit gets floor(p × value / 10000),
 * at most its cap. Fixed amount: the value, at most the sum of the caps, split across the units in
 * proportion to price, each at most its cap; what the caps cut off moves to the dearest units that
 * still have room.
 */
export function instanceDiscounts(
  units: readonly PricedUnit[],
  terms: BundleTerms,
): number[] {
  const caps = units.map((unit) => unitCap(unit, terms.marginFloorBps));
  if (terms.discountType === "percentage")
    return units.map((unit, i) =>
      Math.min(percentageOf(unit.unitPrice, terms.value), caps[i]),
    );
  const prices = units.map((unit) => unit.unitPrice);
  const total = Math.min(
    terms.value,
    caps.reduce((sum, cap) => sum + cap, 0),
  );
  if (total === 0) return units.map(() => 0);
  const priceTotal = prices.reduce((sum, price) => sum + price, 0);
  const amounts = prices.map((price, i) =>
    Math.min(caps[i], mulDivFloor(total, price, priceTotal)),
  );
  let remainder = total - amounts.reduce((sum, amount) => sum + amount, 0);
  const byPrice = prices
    .map((_, i) => i)
    .sort((a, b) => prices[b] - prices[a] || a - b);
  for (const i of byPrice) {
    if (remainder === 0) break;
    const extra = Math.min(caps[i] - amounts[i], remainder);
    amounts[i] += extra;
    remainder -= extra;
  }
  return amounts;
}
