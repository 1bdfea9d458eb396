import { formatMoney, formatPercent } from "./money";
import type { Money } from "./types";

// Every shopper-facing sentence the engine produces is built here, so wording stays consistent
// across placements and a translator (later) has one file to touch. Each takes evidence, not prose.

/** Share of the anchor's buyers who also bought the offer, e.g. "Bought together by 31% of buyers". */
export function boughtTogetherReason(confidenceBps: number): string {
  return `Bought together by ${formatPercent(confidenceBps)} of buyers`;
}

export function oftenBoughtWithReason(anchorTitle: string): string {
  return `Often bought with ${anchorTitle}`;
}

export function cartCompanionReason(): string {
  return "Often added with items in your cart";
}

/** After checkout there is no cart: the order just placed is what the offer goes with. */
export function orderCompanionReason(): string {
  return "Often bought with what you just ordered";
}

export function similarToReason(anchorTitle: string): string {
  return `Similar to ${anchorTitle}`;
}

/** "Popular in Kitchen"; without a category the store itself is the scope. */
export function popularReason(category: string | undefined): string {
  const trimmed = category?.trim();
  return trimmed ? `Popular in ${trimmed}` : "Popular in our store";
}

export function storePickReason(): string {
  return "Picked by our team";
}

/** "+$20 for double the storage", "+£5 for the Large". */
export function upgradeReason(priceDelta: Money, benefit: string): string {
  return `+${formatMoney(priceDelta)} for ${benefit}`;
}

export function bundleReason(discountBps: number, itemCount: number): string {
  if (discountBps <= 0)
    return `Frequently bought together (${itemCount} items)`;
  return `Save ${formatPercent(discountBps)} when bought together`;
}

export function replenishReason(medianDays: number): string {
  const days = Math.max(1, Math.round(medianDays));
  if (days % 7 === 0 && days >= 14)
    return `Customers re-order about every ${days / 7} weeks`;
  return `Customers re-order about every ${days} ${days === 1 ? "day" : "days"}`;
}

/** "double the storage" for a ×2, "triple" for ×3, "4× the storage" for other whole ratios. */
export function multipleBenefit(
  ratio: number,
  what: string,
): string | undefined {
  if (Math.abs(ratio - 2) < 1e-9) return `double the ${what}`;
  if (Math.abs(ratio - 3) < 1e-9) return `triple the ${what}`;
  const rounded = Math.round(ratio);
  if (rounded > 3 && Math.abs(ratio - rounded) < 1e-9)
    return `${rounded}× the ${what}`;
  return undefined;
}
