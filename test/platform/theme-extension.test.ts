import { readFileSync, readdirSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { themeCheckRun } from "@shopify/theme-check-node";
import { describe, expect, it, vi } from "vitest";
import { buildThemeScript } from "../../scripts/build-theme";
import {
  defaultSettings,
  extractSchema,
  storefrontLiquid,
} from "../../demo/storefront";

const dir = path.resolve("extensions/cartlift-theme");
const read = (...p: string[]) => readFileSync(path.join(dir, ...p), "utf8");
const blocks = readdirSync(path.join(dir, "blocks")).map((f) =>
  f.replace(/\.liquid$/, ""),
);
const locale = (name: string) =>
  JSON.parse(read("locales", name)) as Record<string, unknown>;

function keys(node: unknown, prefix = ""): string[] {
  return node && typeof node === "object"
    ? Object.entries(node).flatMap(([k, v]) =>
        keys(v, prefix ? `${prefix}.${k}` : k),
      )
    : [prefix];
}

const PLACEMENTS: Record<string, string> = {
  "frequently-bought-together": "product_fbt",
  upgrade: "product_upgrade",
  "complete-your-order": "cart",
  "cart-drawer": "drawer",
};

describe("theme app extension", () => {
  it("has the three app blocks and the cart drawer embed", () => {
    expect(blocks.sort()).toEqual(Object.keys(PLACEMENTS).sort());
  });

  it.each(blocks)(
    "%s declares a valid schema with the merchant settings",
    (block) => {
      const schema = extractSchema(read("blocks", `${block}.liquid`));
      expect(schema).toMatchObject({
        name: expect.any(String),
        target: block === "cart-drawer" ? "body" : "section",
      });
      // A schema script is injected with defer and runs in the theme's start-up, before
      // DOMContentLoaded; the blocks load it themselves once the page has painted (below).
      expect(schema).not.toHaveProperty("javascript");
      // A schema stylesheet is a render-blocking <link> in the head; the script loads it instead.
      expect(schema).not.toHaveProperty("stylesheet");
      const settings = defaultSettings(schema);
      for (const id of ["heading", "count", "layout", "show_reasons"])
        expect(settings).toHaveProperty(id);
    },
  );

  it("has every translation key in English and French", () => {
    const en = keys(locale("en.default.json")).sort();
    expect(keys(locale("fr.json")).sort()).toEqual(en);
    const sources = [
      ...blocks.map((b) => read("blocks", `${b}.liquid`)),
      read("snippets", "cartlift-block.liquid"),
    ].join("\n");
    const used = [...sources.matchAll(/'([a-z_.]+)'\s*\|\s*t\b/g)].map(
      (m) => m[1],
    );
    expect(used.length).toBeGreaterThan(0);
    for (const key of used) expect(en).toContain(key);
  });

  it.each(blocks)(
    "%s renders an accessible, labelled shell for its placement in French",
    async (block) => {
      const liquid = storefrontLiquid({ extensionDir: dir, locale: "fr" });
      const html = await liquid.renderFile(
        block,
        {
          block: {
            id: "b1",
            settings: defaultSettings(
              extractSchema(read("blocks", `${block}.liquid`)),
            ),
            shopify_attributes: "",
          },
          product: {
            id: 10,
            selected_or_first_available_variant: { id: 1000 },
          },
        },
        // Shopify's globals reach rendered snippets; liquidjs needs them declared as such.
        {
          globals: {
            routes: {
              root_url: "/fr",
              cart_url: "/fr/cart",
              cart_add_url: "/fr/cart/add",
            },
            cart: { currency: { iso_code: "EUR" } },
            localization: { country: { iso_code: "BE" } },
            request: { locale: { iso_code: "fr" } },
          },
        },
      );
      expect(html).toContain(`data-placement="${PLACEMENTS[block]}"`);
      expect(html).toContain('data-proxy="/fr/apps/cartlift"');
      // The script puts these in the proxy request's address, the cache key of its answer.
      expect(html).toContain('data-currency="EUR"');
      expect(html).toContain('data-country="BE"');
      expect(html).toContain('data-locale="fr"');
      // The stylesheet comes through the script; only the space-reserving rules are inline.
      expect(html).toMatch(/data-css="[^"]*\/cartlift\.css"/);
      expect(html).toMatch(/<style>[^<]*min-height[^<]*<\/style>/);
      expect(html).toMatch(
        /aria-labelledby="cartlift-heading-b1"[\s\S]*<h2 class="cartlift__heading" id="cartlift-heading-b1">[^<]+<\/h2>/,
      );
      expect(html).toContain('role="status"');
      // The script, once per page (the first block's loader wins), after the first paint: on
      // DOMContentLoaded, a frame, then when idle; never a parser-blocking or deferred tag.
      expect(html).toContain(
        'window.cartliftScript = "/demo/storefront/assets/cartlift.js"',
      );
      expect(html).toMatch(
        /addEventListener\('DOMContentLoaded'[\s\S]*requestAnimationFrame[\s\S]*requestIdleCallback/,
      );
      expect(html).not.toMatch(/<script[^>]*\bsrc=/);
      expect(html).not.toContain("translation missing");
      expect(html).not.toContain("schema");
    },
  );

  it("passes Shopify's theme check with no errors and no warnings", async () => {
    // What `shopify theme check` runs on an app extension, including the 10,000-byte limit on an
    // app block's JavaScript as shipped.
    // Theme check refreshes Shopify's Liquid docs over the network unless pointed at a copy: the
    // one its own package ships keeps the test offline and deterministic.
    vi.stubEnv(
      "SHOPIFY_TLD_ROOT",
      path.dirname(
        createRequire(import.meta.url).resolve(
          "@shopify/theme-check-docs-updater/package.json",
        ),
      ),
    );
    const { offenses } = await themeCheckRun(dir).finally(() =>
      vi.unstubAllEnvs(),
    );
    expect(
      offenses.map((o) => `${o.check} ${o.uri.split("/").pop()}: ${o.message}`),
    ).toEqual([]);
  });

  it("ships the script built from its source (npm run build:theme)", () => {
    expect(read("assets", "cartlift.js")).toBe(buildThemeScript());
  });

  it("ships a script within Shopify's 10,000-byte limit for app block JavaScript", () => {
    // Theme check enforces the limit on a schema "javascript" file; the blocks load the script
    // themselves, so the limit is checked here.
    expect(
      Buffer.byteLength(read("assets", "cartlift.js")),
    ).toBeLessThanOrEqual(10_000);
  });

  it("keeps the storefront script and stylesheet within their budgets", () => {
    // Budgets: 8 KB JS and 3 KB CSS gzipped, the script tightened to the 6 KB recorded in
    // docs/decisions/007-storefront-rendering.md: growth past it means a feature belongs in Liquid.
    const js = gzipSync(read("assets", "cartlift.js"), { level: 9 }).length;
    const css = gzipSync(read("assets", "cartlift.css"), { level: 9 }).length;
    expect(js).toBeLessThanOrEqual(6 * 1024);
    expect(css).toBeLessThanOrEqual(3 * 1024);
  });
});
