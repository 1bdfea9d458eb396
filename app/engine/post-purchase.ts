// The one-click post-purchase offer: how much discount it may carry, how many units the buyer may
// add, and whether the changes a buyer asks to have signed are exactly the offer the app made.
// Pure: the service (app/services/checkout/post-purchase.server.ts) fetches, stores and signs.
// The changeset's shape is the extension's contract, a dependency-free file both sides compile
// against (docs/decisions/009-checkout-discounts-and-post-purchase.md).
import type {
  AddVariantChange,
  ChangeDiscount,
} from "../../extensions/cartlift-post-purchase/src/contract";
import {
  SCREEN_MESSAGES,
  discountLabel,
} from "../../extensions/cartlift-post-purchase/src/messages";
import { applyBasisPoints } from "./money";

/** A buyer adds at most this many units after checkout, even when stock would allow more. */
export const MAX_POST_PURCHASE_QUANTITY = 5;

/**
 * The largest whole-percent discount, up to `requestedBps`, that keeps the discounted unit price at
 * or above the margin floor: (price − discount − cost) / (price − discount) ≥ floor. Without a known
 * cost the requested discount stands. The discount is assumed to be rounded up by Shopify, so the
 * floor holds whichever way the last minor unit falls. Whole percents keep "10% off" honest.
 */
export function postPurchaseDiscountBps({
  priceMinor,
  costMinor,
  requestedBps,
  marginFloorBps,
}: {
  priceMinor: number;
  costMinor: number | null;
  requestedBps: number;
  marginFloorBps: number;
}): number {
  const requested = Math.max(0, Math.min(10_000, requestedBps));
  let bps = Math.floor(requested / 100) * 100;
  if (costMinor === null || priceMinor <= 0) return bps;
  if (marginFloorBps >= 10_000) return 0;
  // Smallest unit price that still earns the floor margin, rounded up to a whole minor unit.
  const minPrice = Math.ceil((costMinor * 10_000) / (10_000 - marginFloorBps));
  const discountedUp = (b: number) =>
    priceMinor - Math.ceil((priceMinor * b) / 10_000);
  while (bps > 0 && discountedUp(bps) < minPrice) bps -= 100;
  return bps;
}

/** Unit price after the discount, rounded as the engine rounds money (half away from zero). */
export function discountedPriceMinor(priceMinor: number, bps: number): number {
  return priceMinor - applyBasisPoints(priceMinor, bps);
}

/** How many units the offer allows: null when nothing can be sold. Untracked stock counts as plenty. */
export function postPurchaseQuantityBounds({
  inventoryQuantity,
  availableForSale,
}: {
  inventoryQuantity: number | null;
  availableForSale: boolean;
}): { min: number; max: number } | null {
  if (!availableForSale) return null;
  const max = Math.min(
    MAX_POST_PURCHASE_QUANTITY,
    inventoryQuantity ?? MAX_POST_PURCHASE_QUANTITY,
  );
  return max >= 1 ? { min: 1, max } : null;
}

/** The discount as the changeset carries it; its title is what the buyer's order shows. */
export function changeDiscount(
  bps: number,
  locale: string,
): ChangeDiscount | undefined {
  if (bps <= 0) return undefined;
  return {
    value: bps / 100,
    valueType: "percentage",
    title: discountLabel(bps / 100, locale),
  };
}

export interface OfferTerms {
  variantId: string;
  minQuantity: number;
  maxQuantity: number;
  discountBps: number;
  /** The buyer's language when accepting: the signed discount's title is written in it. */
  locale: string;
}

/** The changeset for the offer at `quantity`: the only thing the app will ever sign for it. */
export function offeredChanges(
  offer: OfferTerms,
  quantity: number,
): AddVariantChange[] {
  const discount = changeDiscount(offer.discountBps, offer.locale);
  return [
    {
      type: "add_variant",
      variantID: Number(offer.variantId),
      quantity,
      ...(discount ? { discount } : {}),
    },
  ];
}

export type ChangeRefusal =
  | "not_one_change"
  | "not_add_variant"
  | "other_variant"
  | "quantity_out_of_bounds"
  | "discount_changed";

/**
 * Whether the changes a buyer sent are the offer itself, at a quantity inside its bounds. Any other
 * variant, a second line, or a discount that differs in value or type (a larger one, or none where
 * the offer had one: the buyer's price must be the one shown) is refused. The discount's title is
 * the one the offer was shown with, which is in another language than the buyer's if they switched
 * language since: any title the app writes for this discount, in any language it speaks, passes;
 * any other is refused.
 */
export function checkRequestedChanges(
  offer: OfferTerms,
  requested: readonly {
    type: string;
    variantID?: number;
    quantity?: number;
    discount?: unknown;
  }[],
): { ok: true; quantity: number } | { ok: false; reason: ChangeRefusal } {
  if (requested.length !== 1) return { ok: false, reason: "not_one_change" };
  const [change] = requested;
  if (change.type !== "add_variant")
    return { ok: false, reason: "not_add_variant" };
  if (change.variantID !== Number(offer.variantId))
    return { ok: false, reason: "other_variant" };
  const quantity = change.quantity;
  if (
    quantity === undefined ||
    !Number.isInteger(quantity) ||
    quantity < offer.minQuantity ||
    quantity > offer.maxQuantity
  )
    return { ok: false, reason: "quantity_out_of_bounds" };
  const shown = [offer.locale, ...Object.keys(SCREEN_MESSAGES)].some((locale) =>
    sameDiscount(changeDiscount(offer.discountBps, locale), change.discount),
  );
  if (!shown) return { ok: false, reason: "discount_changed" };
  return { ok: true, quantity };
}

function sameDiscount(
  expected: ChangeDiscount | undefined,
  actual: unknown,
): boolean {
  if (expected === undefined) return actual === undefined || actual === null;
  if (typeof actual !== "object" || actual === null) return false;
  const a = actual as Record<string, unknown>;
  return (
    Object.keys(a).length === 3 &&
    a.value === expected.value &&
    a.valueType === expected.valueType &&
    a.title === expected.title
  );
}
