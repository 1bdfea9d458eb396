// Builds the `$app:function-configuration` metafield of the bundle discount Function
// (extensions/cartlift-bundle-discount) from the bundles the admin stores. The shape must match the
// Function's validator exactly; bundle-discount-config.test.ts runs the output through it.

export interface StoredBundle {
  id: string;
  title: string;
  /** Numeric Shopify product ids as stored by the admin (full GIDs are accepted too). */
  productIds: readonly string[];
  discountType: string;
  /** Basis points for percentage, shop-currency minor units for fixed_amount. */
  discountValue: number;
  marginFloorBps: number;
  status: string;
  startsAt?: Date | null;
  endsAt?: Date | null;
}

/** A variant's unit cost, when the merchant recorded one (Variant.costMinor). */
export interface VariantCost {
  variantId: string;
  productId: string;
  costMinor: number;
}

export interface BundleDiscountConfig {
  currencyCode: string;
  bundles: {
    id: string;
    title: string;
    productIds: string[];
    discountType: "percentage" | "fixed_amount";
    value: number;
    marginFloorBps: number;
    costs?: Record<string, number>;
  }[];
}

export type SkipReason =
  | "not_active"
  | "not_started"
  | "ended"
  | "too_few_products"
  | "invalid_product_id"
  | "invalid_discount";

export interface BuiltBundleDiscountConfig {
  config: BundleDiscountConfig;
  /** Bundles left out, with why, so the admin can say which ones checkout will not discount. */
  skipped: { id: string; reason: SkipReason }[];
}

const NUMERIC_ID = /^\d+$/;
const GID = /^gid:\/\/shopify\/(Product|ProductVariant)\/(\d+)$/;

function toGid(type: "Product" | "ProductVariant", id: string): string | null {
  if (NUMERIC_ID.test(id)) return `gid://shopify/${type}/${id}`;
  const match = GID.exec(id);
  return match && match[1] === type ? id : null;
}

function skipReason(bundle: StoredBundle, now: Date): SkipReason | null {
  if (bundle.status !== "active") return "not_active";
  if (bundle.startsAt && bundle.startsAt.getTime() > now.getTime())
    return "not_started";
  // endsAt is exclusive: a bundle ending at midnight is over at midnight.
  if (bundle.endsAt && bundle.endsAt.getTime() <= now.getTime()) return "ended";
  if (bundle.productIds.length < 2) return "too_few_products";
  if (bundle.productIds.some((id) => toGid("Product", id) === null))
    return "invalid_product_id";
  const maxValue =
    bundle.discountType === "percentage" ? 10_000 : Number.MAX_SAFE_INTEGER;
  if (
    (bundle.discountType !== "percentage" &&
      bundle.discountType !== "fixed_amount") ||
    !Number.isSafeInteger(bundle.discountValue) ||
    bundle.discountValue < 1 ||
    bundle.discountValue > maxValue ||
    !Number.isSafeInteger(bundle.marginFloorBps) ||
    bundle.marginFloorBps < 0 ||
    bundle.marginFloorBps > 9_999
  )
    return "invalid_discount";
  return null;
}

/**
 * The configuration for the bundles that checkout should discount at `now`: active and inside
 * their schedule. The Function cannot see schedules, so the caller re-syncs the metafield when a
 * bundle starts or ends. Bundles are sorted by id so an unchanged set yields an identical JSON
 * string and the sync can skip the write.
 */
export function buildBundleDiscountConfig(
  bundles: readonly StoredBundle[],
  options: {
    currencyCode: string;
    now: Date;
    variantCosts?: readonly VariantCost[];
  },
): BuiltBundleDiscountConfig {
  const costsByProduct = new Map<string, Record<string, number>>();
  for (const cost of options.variantCosts ?? []) {
    const productGid = toGid("Product", cost.productId);
    const variantGid = toGid("ProductVariant", cost.variantId);
    if (!productGid || !variantGid) continue;
    if (!Number.isSafeInteger(cost.costMinor) || cost.costMinor < 0) continue;
    const costs = costsByProduct.get(productGid) ?? {};
    costs[variantGid] = cost.costMinor;
    costsByProduct.set(productGid, costs);
  }

  const skipped: BuiltBundleDiscountConfig["skipped"] = [];
  const included: BundleDiscountConfig["bundles"] = [];
  for (const bundle of [...bundles].sort((a, b) =>
    a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
  )) {
    const reason = skipReason(bundle, options.now);
    if (reason) {
      skipped.push({ id: bundle.id, reason });
      continue;
    }
    const productIds = bundle.productIds.map(
      (id) => toGid("Product", id) as string,
    );
    const costs: Record<string, number> = {};
    for (const productId of new Set(productIds))
      Object.assign(costs, costsByProduct.get(productId) ?? {});
    included.push({
      id: bundle.id,
      title: bundle.title,
      productIds,
      discountType: bundle.discountType as "percentage" | "fixed_amount",
      value: bundle.discountValue,
      marginFloorBps: bundle.marginFloorBps,
      ...(Object.keys(costs).length > 0 ? { costs } : {}),
    });
  }
  return {
    config: { currencyCode: options.currencyCode, bundles: included },
    skipped,
  };
}
