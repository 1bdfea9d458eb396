import { z } from "zod";
import prisma from "~/db.server";
import { parseStringList } from "~/services/platform/string-list";
import {
  type BuiltBundleDiscountConfig,
  buildBundleDiscountConfig,
} from "~/engine/bundle-discount-config";
import {
  type AdminGraphql,
  type QueryOptions,
  type UserError,
  AdminApiError,
  UserErrors,
  adminQuery,
} from "~/services/platform/admin-graphql.server";
import { setMetafields } from "~/services/platform/metafields.server";
import { BUNDLE_SELECT } from "./bundles.server";

/** The discount Function's handle in extensions/cartlift-bundle-discount/shopify.extension.toml. */
export const BUNDLE_DISCOUNT_FUNCTION_HANDLE = "cartlift-bundle-discount";
export const BUNDLE_DISCOUNT_TITLE = "Cartlift bundles";
export const CONFIG_NAMESPACE = "$app";
export const CONFIG_KEY = "function-configuration";

/**
 * What the bundle discount may combine with. Other product discounts are off: the Function keeps
 * each line above the margin floor for its own discount only, and cannot see another app's.
 * Shipping discounts do not touch product margin.
 */
export const DEFAULT_COMBINES_WITH = {
  orderDiscounts: false,
  productDiscounts: false,
  shippingDiscounts: true,
} as const;

/** Shopify refused the discount or its configuration; `userErrors` are for the merchant to read. */
export class BundleDiscountSyncError extends Error {
  constructor(
    readonly operation: "create" | "update",
    readonly userErrors: UserError[],
  ) {
    super(
      `Shopify refused to ${operation} the bundle discount: ${userErrors
        .map(
          (e) => (e.field?.length ? `${e.field.join(".")}: ` : "") + e.message,
        )
        .join("; ")}`,
    );
    this.name = "BundleDiscountSyncError";
  }
}

const CREATE = `#graphql
  mutation CartliftBundleDiscountCreate($discount: DiscountAutomaticAppInput!) {
    discountAutomaticAppCreate(automaticAppDiscount: $discount) {
      automaticAppDiscount {
        discountId
      }
      userErrors {
        field
        message
        code
      }
    }
  }`;

const CreateResult = z.object({
  discountAutomaticAppCreate: z.object({
    automaticAppDiscount: z.object({ discountId: z.string() }).nullable(),
    userErrors: UserErrors,
  }),
});

export type BundleDiscountSyncResult =
  | { status: "created" | "updated"; discountId: string; bundles: number }
  | { status: "unchanged"; discountId: string; bundles: number }
  /** No discount exists yet and there is no bundle to apply: nothing is created. */
  | { status: "not_needed"; bundles: 0 };

export interface SyncOptions extends QueryOptions {
  now?: Date;
  combinesWith?: {
    orderDiscounts: boolean;
    productDiscounts: boolean;
    shippingDiscounts: boolean;
  };
}

async function currentConfig(
  shop: string,
  now: Date,
): Promise<BuiltBundleDiscountConfig> {
  const [bundles, shopRow] = await Promise.all([
    prisma.bundle.findMany({
      where: { shop, status: "active" },
      select: BUNDLE_SELECT,
    }),
    prisma.shop.findUnique({ where: { shop }, select: { currency: true } }),
  ]);
  const stored = bundles.map((b) => ({
    ...b,
    productIds: parseStringList(b.productIds),
  }));
  const productIds = [...new Set(stored.flatMap((b) => b.productIds))];
  const variantCosts = await prisma.variant.findMany({
    where: { shop, productId: { in: productIds }, costMinor: { not: null } },
    select: { id: true, productId: true, costMinor: true },
  });
  return buildBundleDiscountConfig(stored, {
    currencyCode: shopRow?.currency ?? "USD",
    now,
    variantCosts: variantCosts.map((v) => ({
      variantId: v.id,
      productId: v.productId,
      costMinor: v.costMinor as number,
    })),
  });
}

/**
 * Brings the shop's automatic bundle discount in line with its stored bundles: creates it the
 * first time there is a bundle to apply, then rewrites its configuration metafield whenever the
 * set of active, in-schedule bundles changes. The admin's bundle actions call this after every
 * write; a schedule boundary (a bundle starting or ending) needs a call too, since the Function
 * cannot see dates. Throws BundleDiscountSyncError with Shopify's userErrors.
 */
export async function syncBundleDiscount(
  shop: string,
  graphql: AdminGraphql,
  options: SyncOptions = {},
): Promise<BundleDiscountSyncResult> {
  const now = options.now ?? new Date();
  const [{ config }, existing] = await Promise.all([
    currentConfig(shop, now),
    prisma.bundleDiscount.findUnique({
      where: { shop },
      select: { discountId: true, config: true },
    }),
  ]);
  const value = JSON.stringify(config);
  const bundles = config.bundles.length;

  if (existing && existing.config === value)
    return { status: "unchanged", discountId: existing.discountId, bundles };
  if (!existing && bundles === 0) return { status: "not_needed", bundles: 0 };

  let discountId: string;
  if (existing) {
    // Only the configuration metafield changes: the discount's other settings (title, dates the
    // merchant edited) stay as they are.
    const userErrors = await setMetafields(
      graphql,
      [
        {
          ownerId: existing.discountId,
          namespace: CONFIG_NAMESPACE,
          key: CONFIG_KEY,
          type: "json",
          value,
        },
      ],
      options,
    );
    if (userErrors.length > 0)
      throw new BundleDiscountSyncError("update", userErrors);
    discountId = existing.discountId;
  } else {
    const discount = {
      title: BUNDLE_DISCOUNT_TITLE,
      functionHandle: BUNDLE_DISCOUNT_FUNCTION_HANDLE,
      discountClasses: ["PRODUCT"],
      combinesWith: options.combinesWith ?? DEFAULT_COMBINES_WITH,
      startsAt: now.toISOString(),
      metafields: [
        { namespace: CONFIG_NAMESPACE, key: CONFIG_KEY, type: "json", value },
      ],
    };
    const result = await adminQuery(
      graphql,
      CREATE,
      { discount },
      CreateResult,
      options,
    );
    const { automaticAppDiscount, userErrors } =
      result.discountAutomaticAppCreate;
    if (userErrors.length > 0 || !automaticAppDiscount)
      throw new BundleDiscountSyncError("create", userErrors);
    discountId = automaticAppDiscount.discountId;
  }

  await prisma.bundleDiscount.upsert({
    where: { shop },
    create: { shop, discountId, config: value, syncedAt: now },
    update: { discountId, config: value, syncedAt: now },
  });
  return { status: existing ? "updated" : "created", discountId, bundles };
}

/**
 * After a bundle write, brings Shopify's automatic bundle discount in line. The bundle is saved
 * either way; Shopify's refusal (userErrors) or an Admin API failure comes back as a message for
 * the merchant instead of an error page, and the next write retries the sync.
 */
export async function syncDiscountAfterWrite(
  shop: string,
  graphql: AdminGraphql,
): Promise<string | null> {
  try {
    await syncBundleDiscount(shop, graphql);
    return null;
  } catch (error) {
    if (
      error instanceof BundleDiscountSyncError ||
      error instanceof AdminApiError
    )
      return error.message;
    throw error;
  }
}
