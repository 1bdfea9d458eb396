import type { Prisma } from "@prisma/client";
import { z } from "zod";
import prisma from "~/db.server";
import { parseStringList } from "~/services/platform/string-list";
import { type FieldErrors, fieldErrors, pickedProducts } from "./forms.server";
import { shopRecordWrites } from "./records.server";

// Upsell rules CRUD, stored as UpsellRule rows and turned into engine rules by
// recommendations.server.ts `merchantRules`. Every query is scoped by shop.

export const TRIGGER_TYPES = ["any", "product", "collection", "tag"] as const;
export const RULE_ACTIONS = ["pin", "exclude"] as const;

const Id = z.string().regex(/^\d{1,20}$/, "Not a valid id");

export const RuleForm = z
  .object({
    name: z.string().trim().min(1, "Give the rule a name").max(120),
    triggerType: z.enum(TRIGGER_TYPES),
    /** Product/collection picker value (JSON string of an id) or a typed tag. */
    triggerValue: z.string().trim().max(255).default(""),
    action: z.enum(RULE_ACTIONS),
    targetProductIds: pickedProducts(
      z
        .array(Id)
        .min(1, "Choose at least one product")
        .max(20, "At most 20 products"),
    ),
    priority: z
      .string()
      .trim()
      .regex(/^-?\d{1,4}$/, "A whole number between -9999 and 9999")
      .transform(Number),
    active: z
      .enum(["on", "true", "false"])
      .optional()
      .transform((v) => v === "on" || v === "true"),
  })
  .transform((form, ctx) => {
    let triggerValue = "";
    if (form.triggerType === "product" || form.triggerType === "collection") {
      let id: unknown = form.triggerValue;
      try {
        id = JSON.parse(form.triggerValue || '""');
      } catch {
        // a plain id typed by hand is fine too
      }
      const parsed = Id.safeParse(id);
      if (!parsed.success) {
        ctx.addIssue({
          code: "custom",
          path: ["triggerValue"],
          message: `Choose a ${form.triggerType}`,
        });
        return z.NEVER;
      }
      triggerValue = parsed.data;
    } else if (form.triggerType === "tag") {
      if (!form.triggerValue) {
        ctx.addIssue({
          code: "custom",
          path: ["triggerValue"],
          message: "Enter a tag",
        });
        return z.NEVER;
      }
      triggerValue = form.triggerValue;
    }
    return { ...form, triggerValue };
  });

export type RuleValues = z.infer<typeof RuleForm>;

export function parseRuleForm(
  input: Record<string, unknown>,
): { ok: true; values: RuleValues } | { ok: false; errors: FieldErrors } {
  const parsed = RuleForm.safeParse(input);
  return parsed.success
    ? { ok: true, values: parsed.data }
    : { ok: false, errors: fieldErrors(parsed.error) };
}

const SELECT = {
  id: true,
  name: true,
  triggerType: true,
  triggerValue: true,
  action: true,
  targetProductIds: true,
  priority: true,
  active: true,
} as const;

type RuleRow = Prisma.UpsellRuleGetPayload<{ select: typeof SELECT }>;

export interface RuleView {
  id: string;
  name: string;
  triggerType: (typeof TRIGGER_TYPES)[number];
  triggerValue: string;
  /** Product title for product triggers. */
  triggerLabel: string;
  action: (typeof RULE_ACTIONS)[number];
  targets: { id: string; title: string }[];
  priority: number;
  active: boolean;
}

async function views(shop: string, rows: RuleRow[]): Promise<RuleView[]> {
  const ids = new Set<string>();
  for (const r of rows) {
    for (const id of parseStringList(r.targetProductIds)) ids.add(id);
    if (r.triggerType === "product") ids.add(r.triggerValue);
  }
  const products = await prisma.product.findMany({
    where: { shop, id: { in: [...ids] } },
    select: { id: true, title: true },
  });
  const titles = new Map(products.map((p) => [p.id, p.title]));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    triggerType: r.triggerType as RuleView["triggerType"],
    triggerValue: r.triggerValue,
    triggerLabel:
      r.triggerType === "product"
        ? (titles.get(r.triggerValue) ?? `Product ${r.triggerValue}`)
        : r.triggerType === "collection"
          ? `Collection ${r.triggerValue}`
          : r.triggerType === "tag"
            ? `Tag “${r.triggerValue}”`
            : "Any product",
    // Older rows may say "show": the engine treats every non-exclude rule as a pin.
    action: r.action === "exclude" ? "exclude" : "pin",
    targets: parseStringList(r.targetProductIds).map((id) => ({
      id,
      title: titles.get(id) ?? `Product ${id}`,
    })),
    priority: r.priority,
    active: r.active,
  }));
}

export async function listRules(shop: string): Promise<RuleView[]> {
  const rows = await prisma.upsellRule.findMany({
    where: { shop },
    select: SELECT,
    orderBy: [{ priority: "desc" }, { createdAt: "asc" }],
  });
  return views(shop, rows);
}

export async function getRule(
  shop: string,
  id: string,
): Promise<RuleView | null> {
  const row = await prisma.upsellRule.findFirst({
    where: { shop, id },
    select: SELECT,
  });
  return row && (await views(shop, [row]))[0];
}

const columns = (v: RuleValues) => ({
  name: v.name,
  triggerType: v.triggerType,
  triggerValue: v.triggerValue,
  action: v.action,
  targetProductIds: JSON.stringify(v.targetProductIds),
  priority: v.priority,
  active: v.active,
});

const writes = shopRecordWrites<ReturnType<typeof columns>>(prisma.upsellRule);

export const createRule = (shop: string, v: RuleValues): Promise<string> =>
  writes.create(shop, columns(v));

/** False when the shop has no such rule. */
export const updateRule = (
  shop: string,
  id: string,
  v: RuleValues,
): Promise<boolean> => writes.update(shop, id, columns(v));

/** False when the shop has no such rule. */
export const deleteRule = (shop: string, id: string): Promise<boolean> =>
  writes.remove(shop, id);
