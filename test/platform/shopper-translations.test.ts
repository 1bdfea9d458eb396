import path from "node:path";
import { describe, expect, it } from "vitest";
import en from "../../extensions/cartlift-theme/locales/en.default.json";
import fr from "../../extensions/cartlift-theme/locales/fr.json";
import { AllProducts, storefrontLiquid } from "../../demo/storefront";
import type { DemoProduct } from "../../demo/shop";
import {
  boughtTogetherReason,
  bundleReason,
  cartCompanionReason,
  orderCompanionReason,
  measureNoun,
  multipleBenefit,
  namedBenefit,
  oftenBoughtWithReason,
  popularReason,
  boughtBeforeReason,
  similarToReason,
  storePickReason,
  upgradeReason,
} from "~/engine/reasons";
import type { MeasureNoun, Reason, TierDifference } from "~/engine/types";
import { reasonIn } from "~/services/platform/shopper-messages";
import { liquidLanguage, offersLiquid } from "~/services/storefront/liquid";
import type {
  StorefrontItem,
  StorefrontOffers,
} from "~/services/storefront/offers.server";

// Every word the app shows a shopper has a French translation: a missing key falls back to
// English, so rendering everything in French and finding no English words of the app catches it.

const extensionDir = path.resolve("extensions/cartlift-theme");

const product = (id: string, title: string, prices: number[]): DemoProduct => ({
  id,
  title,
  handle: `produit-${id}`,
  productType: "Camping",
  vendor: "Marque",
  tags: [],
  collections: [],
  variants: prices.map((price, i) => ({
    id: `${id}0${i}`,
    title: `Taille ${i + 1}`,
    sku: "",
    price,
    unitCost: Math.round(price / 2),
    compareAtPrice: null,
    inventoryQuantity: 5,
    options: [{ name: "Taille", value: `${i + 1}` }],
    position: i + 1,
  })),
});
const PRODUCTS = [
  product("1", "Tente", [20_000, 26_000]),
  product("2", "Lampe", [3_000]),
];

const NOUNS: MeasureNoun[] = [
  "storage",
  "volume",
  "amount",
  "length",
  "quantity",
];
const money = { amount: 6_000, currency: "USD" };
const BENEFITS: Reason[] = [
  ...NOUNS.map((noun) => multipleBenefit(2, measureNoun(noun))!),
  multipleBenefit(3, "tasses")!,
  multipleBenefit(4, "tasses")!,
  namedBenefit("3 places"),
];
const UPGRADES = [
  ...BENEFITS.map((benefit) => upgradeReason(money, benefit)),
  upgradeReason(money, namedBenefit("3 places"), true),
];
const REASONS: Reason[] = [
  boughtTogetherReason(3_100),
  oftenBoughtWithReason("Tente"),
  cartCompanionReason(),
  orderCompanionReason(),
  similarToReason("Tente"),
  popularReason("Camping"),
  popularReason(undefined),
  storePickReason(),
  bundleReason(1_000, 2),
  bundleReason(0, 3),
  boughtBeforeReason("Tente", Date.UTC(2026, 2, 10), Date.UTC(2026, 5, 1)),
  boughtBeforeReason("Tente", Date.UTC(2025, 2, 10), Date.UTC(2026, 5, 1)),
];

const item = (reason: Reason | null): StorefrontItem => ({
  productId: "2",
  variantId: "200",
  handle: "produit-2",
  reason,
  token: "jeton",
});
const anchor = { productId: "1", handle: "produit-1", variantId: "100" };
const appRows: TierDifference[] = (["product", "brand", "also"] as const).map(
  (label) => ({ attribute: label, label, from: "a", to: "b" }),
);

/** Every storefront answer the app can give: each placement, each reason, each bundle saving. */
const ANSWERS: StorefrontOffers[] = [
  ...(["cart", "drawer"] as const).map((placement) => ({
    placement,
    anchor: null,
    items: REASONS.map(item),
    upgrade: null,
    bundle: null,
  })),
  ...(["percentage", "fixed_amount"] as const).map((discountType) => ({
    placement: "product_fbt" as const,
    anchor,
    items: [item(bundleReason(1_000, 2))],
    upgrade: null,
    bundle: {
      productIds: ["1", "2"],
      discountType,
      discountValue: discountType === "percentage" ? 1_000 : 500,
      currency: "USD",
      marginFloorBps: 0,
      minimumPrices: {},
    },
  })),
  ...UPGRADES.map((reason) => {
    const shown = {
      ...item(null),
      productId: "1",
      variantId: "101",
      handle: "produit-1",
    };
    return {
      placement: "product_upgrade" as const,
      anchor,
      items: [shown],
      upgrade: {
        item: shown,
        fromVariantId: "100",
        reason,
        differences: [{ attribute: "Taille", from: "1", to: "2" }, ...appRows],
      },
      bundle: null,
    };
  }),
];

/** Words both languages spell alike: nothing to translate. */
const SAME_IN_FRENCH = new Set(["volume"]);

/** What a shopper reads or hears: text, and the labels of controls. */
const shopperText = (html: string) =>
  html
    .replace(/<[^>]*?aria-label="([^"]*)"[^>]*>/g, " $1 ")
    .replace(/<[^>]*>/g, " ")
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&");

function leaves(node: unknown, prefix = ""): [string, string][] {
  if (typeof node === "string") return [[prefix, node]];
  return Object.entries(node as Record<string, unknown>).flatMap(([k, v]) =>
    leaves(v, prefix ? `${prefix}.${k}` : k),
  );
}

const placeholders = (message: string) =>
  [...message.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]).sort();

const keysOf = (reason: Reason): string[] => [
  reason.key,
  ...Object.values(reason.params).flatMap((p) =>
    typeof p === "string" || !("key" in p) ? [] : keysOf(p),
  ),
];

describe("shopper-facing words in English and French", () => {
  it("has every message in both languages, with the same placeholders", () => {
    const french = new Map(leaves(fr));
    for (const [key, message] of leaves(en)) {
      expect(french.has(key), key).toBe(true);
      expect(placeholders(french.get(key)!), key).toEqual(
        placeholders(message),
      );
    }
    expect(leaves(fr).length).toBe(leaves(en).length);
  });

  it("covers every reason the engine can give, whose English text is the English message", () => {
    const all = [...REASONS, ...UPGRADES];
    const used = new Set(all.flatMap(keysOf));
    const declared = leaves(en)
      .map(([key]) => key)
      .filter((key) => /^(reasons|benefits|nouns)\./.test(key));
    expect([...used].sort()).toEqual(declared.sort());
    for (const reason of all) expect(reasonIn(reason, "en")).toBe(reason.text);
  });

  it("writes shares the way each language writes them", () => {
    const reason = boughtTogetherReason(2_560);
    expect(reasonIn(reason, "en")).toBe("Bought together by 25.6% of buyers");
    // A no-break space before the sign, as French typography wants.
    expect(reasonIn(reason, "fr")).toMatch(
      /^Achetés ensemble par 25,6[\u00a0\u202f]% des clients$/,
    );
  });

  it("names a past purchase's month in each language", () => {
    const [recent, lastYear] = REASONS.slice(-2);
    expect(reasonIn(recent, "en")).toBe("You bought the Tente in March");
    expect(reasonIn(recent, "fr")).toBe("Vous avez acheté Tente en mars");
    expect(reasonIn(lastYear, "fr")).toBe(
      "Vous avez acheté Tente en mars 2025",
    );
  });

  it("renders every block and every kind of reason in French with none of the app's English words", async () => {
    const liquid = storefrontLiquid({
      extensionDir,
      locale: "fr",
      currency: "EUR",
    });
    const english = leaves(en).flatMap(([key, message]) =>
      message
        .split(/\{\{\s*\w+\s*\}\}/)
        .map((words) => words.trim())
        .filter(
          (words) => /[a-z]{2}/i.test(words) && !SAME_IN_FRENCH.has(words),
        )
        .map((words) => ({ key, words })),
    );
    expect(english.length).toBeGreaterThan(40);
    for (const offers of ANSWERS) {
      const html = await liquid.parseAndRender(offersLiquid(offers), {
        all_products: new AllProducts(PRODUCTS, 0.92),
        cart: { currency: { iso_code: "EUR" } },
        request: { locale: { iso_code: "fr-FR" } },
      });
      const text = shopperText(html);
      expect(text, offers.placement).toMatch(/€/);
      // Percentages as French writes them: "31 %", never "31%" or "12.5%".
      expect(text, offers.placement).not.toMatch(/\d%|\d\.\d+\s?%/);
      // A colon after a no-break space, as French typography wants: "Cet article : Tente".
      expect(text, offers.placement).not.toMatch(/[^\u00a0\u202f]:/);
      for (const { key, words } of english) {
        const pattern = new RegExp(
          `(^|[^\\p{L}])${words.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\p{L}])`,
          "u",
        );
        expect(text, `${offers.placement}: ${key} "${words}"`).not.toMatch(
          pattern,
        );
      }
    }
  });

  it("writes an answer in the request's language alone exactly as the Liquid would render it in every language", async () => {
    // The storefront block sends the locale it was rendered in (request.locale.iso_code) to the
    // proxy, which Shopify renders in the same locale: one language is the same page, smaller.
    for (const locale of [
      "en",
      "fr",
      "fr-FR",
      "fr-CA",
      "en-GB",
      "de",
      "pt-BR",
    ]) {
      // The engine's own locale (its `t` filter) plays no part: the fragment reads request.locale.
      const liquid = storefrontLiquid({
        extensionDir,
        locale: "fr",
        currency: "EUR",
      });
      const context = {
        all_products: new AllProducts(PRODUCTS, 0.92),
        cart: { currency: { iso_code: "EUR" } },
        request: { locale: { iso_code: locale } },
      };
      for (const offers of ANSWERS) {
        const every = offersLiquid(offers);
        const one = offersLiquid(offers, liquidLanguage(locale));
        expect(one.length, locale).toBeLessThan(every.length);
        expect(one, locale).not.toMatch(/cl_lang/);
        expect(await liquid.parseAndRender(one, context), locale).toBe(
          await liquid.parseAndRender(every, context),
        );
      }
    }
    expect(liquidLanguage("fr-CA")).toBe("fr");
    expect(liquidLanguage("pt-BR")).toBe("en");
  });
});
