// The discount's `$app:function-configuration` metafield, validated by hand: zod would add tens of
// kilobytes to a WebAssembly module that Shopify caps in size, for a schema this small.

export type BundleDiscountType = "percentage" | "fixed_amount";

export interface BundleConfig {
  id: string;
  title: string;
  /** Product GIDs; a product listed twice needs two units per bundle instance. */
  productIds: string[];
  discountType: BundleDiscountType;
  /** percentage: basis points (1000 = 10%); fixed_amount: shop-currency minor units per instance. */
  value: number;
  /** Minimum gross margin on the discounted unit price, in basis points (0..9999). */
  marginFloorBps: number;
  /** Unit cost in shop-currency minor units, keyed by variant GID or product GID. */
  costs?: Record<string, number>;
}

export interface FunctionConfiguration {
  /** The shop currency that `value` (fixed_amount) and `costs` are expressed in. */
  currencyCode: string;
  bundles: BundleConfig[];
}

const PRODUCT_GID = /^gid:\/\/shopify\/Product\/\d+$/;
const COST_KEY = /^gid:\/\/shopify\/(Product|ProductVariant)\/\d+$/;
const CURRENCY = /^[A-Z]{3}$/;
const MAX_BUNDLES = 200;
const MAX_PRODUCTS_PER_BUNDLE = 20;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isIntegerIn(
  value: unknown,
  min: number,
  max: number,
): value is number {
  return (
    Number.isSafeInteger(value) &&
    (value as number) >= min &&
    (value as number) <= max
  );
}

function nonEmptyString(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

function parseCosts(value: unknown): Record<string, number> | null {
  if (!isRecord(value)) return null;
  const costs: Record<string, number> = {};
  for (const [key, cost] of Object.entries(value)) {
    if (!COST_KEY.test(key) || !isIntegerIn(cost, 0, Number.MAX_SAFE_INTEGER))
      return null;
    costs[key] = cost;
  }
  return costs;
}

function parseBundle(value: unknown): BundleConfig | null {
  if (!isRecord(value)) return null;
  const {
    id,
    title,
    productIds,
    discountType,
    value: amount,
    marginFloorBps,
    costs,
  } = value;
  if (!nonEmptyString(id) || typeof title !== "string") return null;
  if (
    !Array.isArray(productIds) ||
    productIds.length < 2 ||
    productIds.length > MAX_PRODUCTS_PER_BUNDLE ||
    !productIds.every(
      (productId) =>
        typeof productId === "string" && PRODUCT_GID.test(productId),
    )
  )
    return null;
  if (discountType !== "percentage" && discountType !== "fixed_amount")
    return null;
  const maxValue =
    discountType === "percentage" ? 10_000 : Number.MAX_SAFE_INTEGER;
  if (!isIntegerIn(amount, 1, maxValue)) return null;
  // A floor of 100% would forbid any price at all; it is a configuration error, not a policy.
  if (!isIntegerIn(marginFloorBps, 0, 9_999)) return null;
  const bundle: BundleConfig = {
    id,
    title,
    productIds: productIds as string[],
    discountType,
    value: amount,
    marginFloorBps,
  };
  if (costs !== undefined) {
    const parsedCosts = parseCosts(costs);
    if (!parsedCosts) return null;
    bundle.costs = parsedCosts;
  }
  return bundle;
}

/**
 * Returns the configuration, or null when anything in it is malformed. All-or-nothing on purpose:
 * a half-understood configuration could discount a bundle the merchant meant to change.
 */
export function parseFunctionConfiguration(
  value: unknown,
): FunctionConfiguration | null {
  if (!isRecord(value)) return null;
  const { currencyCode, bundles } = value;
  if (typeof currencyCode !== "string" || !CURRENCY.test(currencyCode))
    return null;
  if (!Array.isArray(bundles) || bundles.length > MAX_BUNDLES) return null;
  const parsed: BundleConfig[] = [];
  const ids = new Set<string>();
  for (const candidate of bundles) {
    const bundle = parseBundle(candidate);
    if (!bundle || ids.has(bundle.id)) return null;
    ids.add(bundle.id);
    parsed.push(bundle);
  }
  return { currencyCode, bundles: parsed };
}
