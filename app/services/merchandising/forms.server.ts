import { z } from "zod";

// Form parsing shared by the merchandising pages (bundles, rules, settings): a product picker's
// value, a margin floor in percent, and zod issues as one message per field.

/** A products picker's value: the JSON array ResourcePickerField submits, checked by `list`. */
export const pickedProducts = <T extends z.ZodTypeAny>(list: T) =>
  z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "Choose products" });
        return z.NEVER;
      }
    })
    .pipe(list);

/** A margin floor as typed, in percent, to basis points: for bundles and the store-wide default. */
export const MarginFloorPct = z
  .string()
  .trim()
  .regex(/^\d+(\.\d{1,2})?$/, "Enter a percentage, e.g. 20")
  .transform((s) => Math.round(Number(s) * 100))
  .pipe(z.number().int().min(0).max(9_500, "At most 95%"));

export type FieldErrors = Partial<Record<string, string>>;

export function fieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? "form");
    out[field] ??= issue.message;
  }
  return out;
}
