import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { THEME_LOCALES, translations } from "./storefront";

/** Every message of a locale file by its key, with the `{{ name }}` values it fills in. */
function messages(file: string): Record<string, string[]> {
  const flat: Record<string, string[]> = {};
  const walk = (node: unknown, prefix: string) => {
    if (typeof node === "string")
      flat[prefix] = [...node.matchAll(/\{\{\s*(\w+)\s*\}\}/g)]
        .map((m) => m[1])
        .sort();
    else
      for (const [key, child] of Object.entries(node as object))
        walk(child, prefix ? `${prefix}.${key}` : key);
  };
  walk(JSON.parse(readFileSync(path.join(THEME_LOCALES, file), "utf8")), "");
  return flat;
}

describe("the demo theme's words", () => {
  it("has every English message in French, filling in the same values", () => {
    const english = messages("en.default.json");
    expect(Object.keys(english).length).toBeGreaterThan(20);
    expect(messages("fr.json")).toEqual(english);
  });

  it("speaks the shopper's language, with the values filled in", () => {
    const t = translations(THEME_LOCALES, "fr");
    expect(t("cart.subtotal", { amount: "12,00 €" })).toBe(
      "Sous-total : 12,00 €",
    );
    expect(t("product.add_to_cart")).toBe("Ajouter au panier");
  });

  it("falls back to the default locale for a message the language lacks, as Shopify does", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "theme-locales-"));
    writeFileSync(
      path.join(dir, "en.default.json"),
      JSON.stringify({ a: "Hello {{ name }}", b: "Bye" }),
    );
    writeFileSync(path.join(dir, "fr.json"), JSON.stringify({ b: "Salut" }));
    const t = translations(dir, "fr");
    expect(t("b")).toBe("Salut");
    expect(t("a", { name: "Ada" })).toBe("Hello Ada");
    expect(t("c")).toBe("translation missing: c");
  });
});
