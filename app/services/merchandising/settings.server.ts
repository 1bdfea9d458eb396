import { z } from "zod";
import prisma from "~/db.server";
import { parseStringList } from "~/services/platform/string-list";
import { PLACEMENTS, type Placement } from "~/engine/types";
import {
  type FieldErrors,
  MarginFloorPct,
  fieldErrors,
  pickedProducts,
} from "./forms.server";
import { forgetServingState } from "~/services/storefront/serving-cache.server";
import {
  type PlacementSettings,
  placementSettings,
} from "~/services/storefront/recommendations.server";
import { STRATEGIES } from "~/engine/strategies";

// Placement and global settings. The storefront reads placements through
// `placementSettings()` on every request; the global exclusions feed `recommend()` directly.

const Bool = z
  .enum(["on", "true", "false"])
  .optional()
  .transform((v) => v === "on" || v === "true");

const int = (min: number, max: number, message: string) =>
  z
    .string()
    .trim()
    .regex(/^\d+$/, message)
    .transform(Number)
    .pipe(z.number().int().min(min, message).max(max, message));

export const PlacementForm = z.object({
  placement: z.enum(PLACEMENTS),
  enabled: Bool,
  maxOffers: int(1, 12, "Between 1 and 12"),
  strategy: z.enum(STRATEGIES),
  showReasons: Bool,
  priceBandPct: int(5, 300, "Between 5% and 300%"),
});

const Tags = z
  .string()
  .max(2_000)
  .transform((s) => [
    ...new Set(
      s
        .split(",")
        .map((t) => t.trim())
        .filter(Boolean),
    ),
  ])
  .pipe(z.array(z.string().max(255)).max(100, "At most 100 tags"));

// Unlike a bundle's or a rule's, the store-wide exclusions may be empty, even as an empty field.
const ProductIds = z
  .string()
  .transform((s) => s || "[]")
  .pipe(pickedProducts(z.array(z.string().regex(/^\d{1,20}$/)).max(500)));

export const GlobalForm = z.object({
  marginFloorPct: MarginFloorPct,
  attributionWindowDays: int(1, 90, "Between 1 and 90 days"),
  excludedTags: Tags,
  excludedProductIds: ProductIds,
});

export const PersonalisationForm = z.object({
  personalisation: z.enum(["true", "false"]).transform((v) => v === "true"),
});

export interface Settings {
  placements: (PlacementSettings & { placement: Placement })[];
  /** Signed-in shoppers' offers follow their own orders (decision 023). */
  personalisation: boolean;
  marginFloorBps: number;
  attributionWindowDays: number;
  excludedTags: string[];
  excludedProducts: { id: string; title: string }[];
}

export async function loadSettings(shop: string): Promise<Settings> {
  const [placements, row] = await Promise.all([
    Promise.all(
      PLACEMENTS.map(async (placement) => ({
        placement,
        ...(await placementSettings(shop, placement)),
      })),
    ),
    prisma.shop.findUnique({
      where: { shop },
      select: {
        marginFloorBps: true,
        attributionWindowDays: true,
        excludedTags: true,
        excludedProductIds: true,
        personalisation: true,
      },
    }),
  ]);
  const ids = parseStringList(row?.excludedProductIds ?? "[]");
  const products = await prisma.product.findMany({
    where: { shop, id: { in: ids } },
    select: { id: true, title: true },
  });
  const titles = new Map(products.map((p) => [p.id, p.title]));
  return {
    placements,
    personalisation: row?.personalisation ?? true,
    marginFloorBps: row?.marginFloorBps ?? 2_000,
    attributionWindowDays: row?.attributionWindowDays ?? 7,
    excludedTags: parseStringList(row?.excludedTags ?? "[]"),
    excludedProducts: ids.map((id) => ({
      id,
      title: titles.get(id) ?? `Product ${id}`,
    })),
  };
}

export type SaveResult = { ok: true } | { ok: false; errors: FieldErrors };

export async function savePlacement(
  shop: string,
  input: Record<string, unknown>,
): Promise<SaveResult> {
  const parsed = PlacementForm.safeParse(input);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const { placement, ...values } = parsed.data;
  await prisma.placementSetting.upsert({
    where: { shop_placement: { shop, placement } },
    create: { shop, placement, ...values },
    update: values,
  });
  // Placement settings are cached per shop for a few seconds (serving-cache.server.ts).
  forgetServingState(shop);
  return { ok: true };
}

export async function saveGlobal(
  shop: string,
  input: Record<string, unknown>,
): Promise<SaveResult> {
  const parsed = GlobalForm.safeParse(input);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  const v = parsed.data;
  const data = {
    marginFloorBps: v.marginFloorPct,
    attributionWindowDays: v.attributionWindowDays,
    excludedTags: JSON.stringify(v.excludedTags),
    excludedProductIds: JSON.stringify(v.excludedProductIds),
  };
  await prisma.shop.upsert({
    where: { shop },
    create: { shop, ...data },
    update: data,
  });
  // Exclusions are cached per shop with the serving state (serving-cache.server.ts); the
  // recommender (catalog and models) does not depend on them, so it keeps serving warm.
  forgetServingState(shop);
  return { ok: true };
}

/** Turns personal offers for signed-in shoppers on or off; the next storefront answer follows. */
export async function savePersonalisation(
  shop: string,
  input: Record<string, unknown>,
): Promise<SaveResult> {
  const parsed = PersonalisationForm.safeParse(input);
  if (!parsed.success) return { ok: false, errors: fieldErrors(parsed.error) };
  await prisma.shop.upsert({
    where: { shop },
    create: { shop, ...parsed.data },
    update: parsed.data,
  });
  // Read with the exclusions, cached per shop (serving-cache.server.ts).
  forgetServingState(shop);
  return { ok: true };
}
