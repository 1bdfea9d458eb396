// Domain types shared by the engine. Services translate Shopify/Prisma shapes into these, so the
// engine never sees a GraphQL response or a database row.

/** Money is always integer minor units (cents, pence) with its currency, never a float. */
export interface Money {
  amount: number;
  currency: string;
}

/** A shopper-facing sentence as a translatable message: built in reasons.ts. */
export interface Reason {
  key: ReasonKey;
  params: Readonly<Record<string, ReasonParam>>;
  text: string;
}

/**
 * A value in a reason: the merchant's words (a string), the app's own words (a message), a share
 * in basis points, written the way the shopper's language writes percentages ("25.6%", "25,6 %"),
 * or a month ("2026-03"), named in the shopper's language ("March", "mars"), with its year when
 * `withYear`.
 */
export type ReasonParam = string | Reason | { percentBps: number } | MonthParam;

export interface MonthParam {
  /** "YYYY-MM", UTC. */
  month: string;
  withYear: boolean;
}

export type ReasonKey =
  | `reasons.${
      | "bought_together"
      | "often_bought_with"
      | "cart_companion"
      | "order_companion"
      | "similar_to"
      | "popular_in"
      | "popular_store"
      | "store_pick"
      | "upgrade"
      | "upgrade_in_range"
      | "bundle_items"
      | "bundle_save"
      | "bought_before"}`
  | `benefits.${"double" | "triple" | "times" | "named"}`
  | `nouns.${MeasureNoun}`;

export type MeasureNoun =
  "storage" | "volume" | "amount" | "length" | "quantity";

export interface VariantOption {
  name: string;
  value: string;
}

export interface CatalogVariant {
  id: string;
  productId: string;
  title: string;
  sku: string;
  options: VariantOption[];
  price: Money;
  compareAtPrice?: Money;
  /** Unit cost when the merchant recorded it; margin maths falls back to an assumed margin. */
  cost?: Money;
  /** null when the variant is not inventory-tracked (always sellable if availableForSale). */
  inventoryQuantity: number | null;
  availableForSale: boolean;
}

export interface CatalogProduct {
  id: string;
  title: string;
  handle: string;
  productType: string;
  vendor: string;
  tags: string[];
  /** Opaque collection keys (ids or handles); merchant rules must use the same keys. */
  collections: string[];
  imageUrl?: string;
  variants: CatalogVariant[];
}

export interface EngineOrderLine {
  productId: string;
  variantId?: string;
  quantity: number;
  /** Unit price paid. */
  price: Money;
  /** Whether the line was bought on discount, where the order says. */
  discounted?: boolean;
}

export interface EngineOrder {
  id: string;
  createdAt: Date | string;
  /** Pseudonymous customer key; absent for guest checkouts. */
  customerKey?: string;
  lines: EngineOrderLine[];
}

export const PLACEMENTS = [
  "product_fbt",
  "product_upgrade",
  "cart",
  "drawer",
  "post_purchase",
] as const;
export type Placement = (typeof PLACEMENTS)[number];

export function isPlacement(value: string): value is Placement {
  return (PLACEMENTS as readonly string[]).includes(value);
}

/**
 * What an experiment assigns to arms: storefront visitors, or, after checkout, checkouts. The
 * post-purchase extension never sees the storefront's visitor id; its checkout token (the offer's
 * reference id, the order's `checkout_token`) is the unit, and its order is the unit's outcome.
 * Visitors until a placement says otherwise (an experiment with none chosen yet, too).
 */
export type ExperimentUnit = "visitor" | "checkout";
export function experimentUnit(placements: readonly string[]): ExperimentUnit {
  return placements.includes("post_purchase") ? "checkout" : "visitor";
}

/** What a rule points at: one product, everything in a collection, or everything with a tag. */
export type RuleTarget =
  | { type: "product"; productId: string }
  | { type: "collection"; collection: string }
  | { type: "tag"; tag: string };

/** When a rule applies: a context product (viewed, in cart, or just ordered) matches, or always. */
export type RuleTrigger = { type: "any" } | RuleTarget;

interface RuleBase {
  id: string;
  when: RuleTrigger;
  /** Restrict the rule to these placements; all placements when absent. */
  placements?: readonly Placement[];
  /** Higher wins: orders pins among themselves and decides between conflicting rules. */
  priority: number;
}

export interface PinRule extends RuleBase {
  action: "pin";
  productId: string;
}

export interface ExcludeRule extends RuleBase {
  action: "exclude";
  target: RuleTarget;
}

export interface OnlyFromCollectionRule extends RuleBase {
  action: "only_from_collection";
  collection: string;
}

export type MerchantRule = PinRule | ExcludeRule | OnlyFromCollectionRule;

/** A merchant's bundle: bought together, exactly these products get its discount at checkout. */
export interface MerchantBundle {
  productIds: readonly string[];
  discountType: "percentage" | "fixed_amount";
  /** Basis points for percentage, minor units of `currency` for fixed_amount. */
  discountValue: number;
  currency: string;
}

export interface TierDifference {
  /** The shop's option name, or the app's own word for the row (then `label` names its message). */
  attribute: string;
  label?: "product" | "brand" | "also";
  from: string;
  to: string;
}

/** A step up from the variant the shopper has: what a comparison of the two shows. */
export interface UpgradeStep {
  fromVariantId: string;
  /** Rows for a comparison table; the price row is always last. */
  differences: TierDifference[];
  /** "double the storage", "the Large", "the Pro Blender". */
  benefit: Reason;
}

export type OfferKind = "cross_sell" | "upsell" | "bundle" | "replenish";

export interface Offer {
  productId: string;
  variantId: string;
  price: Money;
  kind: OfferKind;
  /** Short shopper-facing reason derived from the evidence. */
  reason: Reason;
  score: number;
  /** Contribution of each signal to the score (e.g. completion, copurchase, content, popularity, pin). */
  breakdown: Record<string, number>;
  /** Upsells: the step up this offer is. */
  upgrade?: UpgradeStep;
}

/** A line of an order just placed: what the buyer paid for, as far as the checkout says. */
export interface OrderLineRef {
  productId: string;
  variantId?: string;
  quantity: number;
}

/** Where the shopper is: one product page, a whole cart, or an order just placed. */
export type RecommendationContext =
  | { type: "product"; productId: string; variantId?: string }
  | { type: "cart"; productIds: readonly string[] }
  | {
      type: "order";
      productIds: readonly string[];
      /** The order's lines, which set its value; without them, one of each product. */
      lines?: readonly OrderLineRef[];
    };

/**
 * Injected cart-completion model (e.g. the EASE^R linear model): scores for candidate products given
 * the products in the cart. Higher is better; scale is arbitrary (the ranker normalises it).
 */
export type CartCompletionScorer = (
  cartProductIds: readonly string[],
  /** Where the products come from: a product page may be scored by a model of its own. */
  context?: RecommendationContext["type"],
) => CartCompletion;

/** One cart's completion scores: the best few as candidates, and any product's on demand. */
export interface CartCompletion {
  /** Up to `limit` products with a positive score, best first. */
  top(limit: number): readonly { productId: string; score: number }[];
  /** Any product's score; 0 for products the model does not know. */
  score(productId: string): number;
  /** The scores already weigh what the signed-in customer owns and re-buys. */
  personal?: true;
}
