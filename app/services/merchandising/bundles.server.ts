import type { Prisma } from "@prisma/client";
import { z } from "zod";
import prisma from "~/db.server";
import { parseStringList } from "~/services/platform/string-list";
import { discountLimit } from "~/engine/bundle-discount-limit";
import {
  currencyDigits,
  decimalToMinor,
  formatMoney,
  minorToDecimal,
} from "~/engine/money";
import {
  type FieldErrors,
  MarginFloorPct,
  fieldErrors,
  pickedProducts,
} from "./forms.server";
import { shopRecordWrites } from "./records.server";

// Bundles CRUD. Every query carries the session's shop in its `where`, so an id from another
// shop matches nothing and the route answers 404.

export const BUNDLE_STATUSES = ["draft", "active", "archived"] as const;
export const DISCOUNT_TYPES = ["percentage", "fixed_amount"] as const;

const ProductIds = pickedProducts(
  z
    .array(z.string().regex(/^\d{1,20}$/, "Not a product id"))
    .min(2, "A bundle needs at least 2 products")
    .max(5, "A bundle has at most 5 products")
    .refine((ids) => new Set(ids).size === ids.length, "Products repeat"),
);

/** YYYY-MM-DD, a real day: JavaScript would take "275760-09-13" or "2026-02-31" too. */
const OptionalDate = z
  .string()
  .trim()
  .refine(
    (s) =>
      s === "" ||
      (/^\d{4}-\d{2}-\d{2}$/.test(s) &&
        !Number.isNaN(Date.parse(s)) &&
        new Date(s).toISOString().startsWith(s)),
    "Not a date (YYYY-MM-DD)",
  )
  .transform((s) => (s === "" ? null : new Date(s)));

/** The bundle form as the merchant fills it: percent and money as typed, dates as YYYY-MM-DD. */
export const BundleForm = z
  .object({
    title: z.string().trim().min(1, "Give the bundle a name").max(120),
    productIds: ProductIds,
    discountType: z.enum(DISCOUNT_TYPES),
    discountValue: z
      .string()
      .trim()
      .regex(/^\d+(\.\d+)?$/, "Enter a number, e.g. 10 or 4.50")
      .regex(/^\d{1,12}(\.|$)/, "Too large"),
    marginFloorPct: MarginFloorPct,
    status: z.enum(BUNDLE_STATUSES),
    startsAt: OptionalDate,
    endsAt: OptionalDate,
  })
  .superRefine((form, ctx) => {
    if (form.startsAt && form.endsAt && form.endsAt <= form.startsAt)
      ctx.addIssue({
        code: "custom",
        path: ["endsAt"],
        message: "Must be after the start",
      });
  });

export interface BundleValues {
  title: string;
  productIds: string[];
  discountType: (typeof DISCOUNT_TYPES)[number];
  /** Basis points for percentage, minor units for fixed_amount. */
  discountValue: number;
  marginFloorBps: number;
  status: (typeof BUNDLE_STATUSES)[number];
  startsAt: Date | null;
  endsAt: Date | null;
}

type BundleFormResult =
  { ok: true; values: BundleValues } | { ok: false; errors: FieldErrors };

/** Validates the form; money and percentages become integers (bps, minor units) here. */
export function parseBundleForm(
  input: Record<string, unknown>,
  currency: string,
): BundleFormResult {
  const parsed = BundleForm.safeParse(input);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const f = parsed.data;
  let discountValue: number;
  if (f.discountType === "percentage") {
    const bps = decimalToMinor(f.discountValue, "USD"); // two decimals: percent -> bps
    if (bps <= 0 || bps > 10_000)
      return {
        ok: false,
        errors: { discountValue: "A percentage between 0 and 100" },
      };
    discountValue = bps;
  } else {
    const fraction = f.discountValue.split(".")[1] ?? "";
    if (fraction.length > currencyDigits(currency))
      return {
        ok: false,
        errors: {
          discountValue: `At most ${currencyDigits(currency)} decimals`,
        },
      };
    discountValue = decimalToMinor(f.discountValue, currency);
    if (discountValue <= 0)
      return { ok: false, errors: { discountValue: "Must be more than 0" } };
  }
  return {
    ok: true,
    values: {
      title: f.title,
      productIds: f.productIds,
      discountType: f.discountType,
      discountValue,
      marginFloorBps: f.marginFloorPct,
      status: f.status,
      startsAt: f.startsAt,
      endsAt: f.endsAt,
    },
  };
}

/**
 * The form, then the discount against the bundle's current prices: a discount checkout would cut
 * down to the margin floor, or one larger than the bundle's price, is refused with the most it
 * may be. Prices are each product's first in-stock variant (what the storefront offers), with its
 * recorded cost when there is one, as the discount Function's configuration carries it.
 */
export async function validateBundle(
  shop: string,
  input: Record<string, unknown>,
  currency: string,
): Promise<BundleFormResult> {
  const parsed = parseBundleForm(input, currency);
  if (!parsed.ok) return parsed;
  const { productIds, discountType, discountValue, marginFloorBps } =
    parsed.values;
  const variants = await prisma.variant.findMany({
    where: { shop, productId: { in: productIds } },
    orderBy: [{ position: "asc" }, { id: "asc" }],
    select: {
      productId: true,
      priceMinor: true,
      costMinor: true,
      availableForSale: true,
      inventoryQuantity: true,
    },
  });
  const inStock = (v: (typeof variants)[number]) =>
    v.availableForSale && (v.inventoryQuantity ?? 1) > 0;
  const units = productIds.map((id) => {
    const own = variants.filter((v) => v.productId === id);
    const v = own.find(inStock) ?? own[0];
    return v && { unitPrice: v.priceMinor, cost: v.costMinor ?? undefined };
  });
  // A product not imported yet has no price to check against; the Function still caps it.
  if (units.some((u) => u === undefined)) return parsed;
  const limit = discountLimit(
    units as NonNullable<(typeof units)[number]>[],
    marginFloorBps,
  );
  const floor = `${marginFloorBps / 100}% margin floor`;
  const money = (amount: number) => formatMoney({ amount, currency });
  let error: string | null = null;
  if (discountType === "percentage") {
    if (discountValue > limit.maxPercentageBps)
      error = `At most ${limit.maxPercentageBps / 100}% keeps the ${floor} at today's prices`;
  } else if (discountValue > limit.bundlePrice) {
    error = `More than the bundle's price of ${money(limit.bundlePrice)}: at most ${money(limit.maxFixed)} keeps the ${floor}`;
  } else if (discountValue > limit.maxFixed) {
    error = `At most ${money(limit.maxFixed)} keeps the ${floor} at today's prices`;
  }
  return error ? { ok: false, errors: { discountValue: error } } : parsed;
}

/** A bundle's stored columns, as the admin and the bundle discount read them. */
export const BUNDLE_SELECT = {
  id: true,
  title: true,
  productIds: true,
  discountType: true,
  discountValue: true,
  marginFloorBps: true,
  status: true,
  source: true,
  startsAt: true,
  endsAt: true,
  updatedAt: true,
} as const;

type BundleRow = Prisma.Result<
  typeof prisma.bundle,
  { select: typeof BUNDLE_SELECT },
  "findFirstOrThrow"
>;

export interface BundleView extends Omit<BundleValues, "productIds"> {
  id: string;
  source: string;
  products: { id: string; title: string }[];
  updatedAt: Date;
}

async function withTitles(
  shop: string,
  rows: BundleRow[],
): Promise<BundleView[]> {
  const ids = rows.flatMap((r) => parseStringList(r.productIds));
  const products = await prisma.product.findMany({
    where: { shop, id: { in: [...new Set(ids)] } },
    select: { id: true, title: true },
  });
  const titles = new Map(products.map((p) => [p.id, p.title]));
  return rows.map((r) => ({
    ...r,
    discountType: r.discountType as BundleValues["discountType"],
    status: r.status as BundleValues["status"],
    products: parseStringList(r.productIds).map((id) => ({
      id,
      title: titles.get(id) ?? `Deleted product ${id}`,
    })),
  }));
}

export async function listBundles(shop: string): Promise<BundleView[]> {
  const rows = await prisma.bundle.findMany({
    where: { shop },
    select: BUNDLE_SELECT,
    orderBy: [{ status: "asc" }, { updatedAt: "desc" }],
  });
  return withTitles(shop, rows);
}

export async function getBundle(
  shop: string,
  id: string,
): Promise<BundleView | null> {
  const row = await prisma.bundle.findFirst({
    where: { shop, id },
    select: BUNDLE_SELECT,
  });
  return row && (await withTitles(shop, [row]))[0];
}

const columns = (values: BundleValues) => ({
  ...values,
  productIds: JSON.stringify(values.productIds),
});

const writes = shopRecordWrites<
  ReturnType<typeof columns> & { source?: "manual" | "suggested" }
>(prisma.bundle);

export const createBundle = (
  shop: string,
  values: BundleValues,
  source: "manual" | "suggested" = "manual",
): Promise<string> => writes.create(shop, { source, ...columns(values) });

/** False when the shop has no such bundle. */
export const updateBundle = (
  shop: string,
  id: string,
  values: BundleValues,
): Promise<boolean> => writes.update(shop, id, columns(values));

/** False when the shop has no such bundle. */
export const deleteBundle = (shop: string, id: string): Promise<boolean> =>
  writes.remove(shop, id);

/** Bundle form values for display: bps and minor units back to what the merchant typed. */
export function formValues(b: BundleValues, currency: string) {
  return {
    title: b.title,
    productIds: b.productIds,
    discountType: b.discountType,
    discountValue:
      b.discountType === "percentage"
        ? String(b.discountValue / 100)
        : minorToDecimal(b.discountValue, currency),
    marginFloorPct: String(b.marginFloorBps / 100),
    status: b.status,
    startsAt: b.startsAt ? b.startsAt.toISOString().slice(0, 10) : "",
    endsAt: b.endsAt ? b.endsAt.toISOString().slice(0, 10) : "",
  };
}

/** Products by id for pickers and labels (the shop's imported catalog). */
export async function productTitles(
  shop: string,
  ids: readonly string[],
): Promise<{ id: string; title: string }[]> {
  const rows = await prisma.product.findMany({
    where: { shop, id: { in: [...ids] } },
    select: { id: true, title: true },
  });
  const titles = new Map(rows.map((r) => [r.id, r.title]));
  return ids.map((id) => ({ id, title: titles.get(id) ?? `Product ${id}` }));
}
