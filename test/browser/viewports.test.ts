import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { VIEWPORTS, hasChromium, newPage, settleBlocks } from "./demo-server";
import { useDemoInChromium } from "./demo-hooks";
import { DEMO_RATES } from "../../demo/storefront";

/** How wide the page is against the window: wider means the shopper scrolls sideways. */
const widths = (page: Page) =>
  page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    window: window.innerWidth,
  }));

/** Every language the theme extension ships a locale file for ("en.default.json" is "en"). */
const LANGUAGES = readdirSync("extensions/cartlift-theme/locales").map(
  (file) => file.split(".")[0],
);

/**
 * Each language with the store's currencies that it writes longest ("1 234,56 $US" in French,
 * "CA$1,234.56" in English): the widest prices a shopper of that language can meet.
 */
const LONGEST = LANGUAGES.flatMap((locale) => {
  const length = (currency: string) =>
    new Intl.NumberFormat(locale, { style: "currency", currency }).format(
      1234.56,
    ).length;
  const currencies = Object.keys(DEMO_RATES);
  const longest = Math.max(...currencies.map(length));
  return currencies
    .filter((currency) => length(currency) === longest)
    .map((currency) => ({ locale, currency }));
});

describe.skipIf(!hasChromium)("the product at 1440x900 and 390x844", () => {
  const env = useDemoInChromium();

  for (const viewport of ["desktop", "phone"] as const) {
    const { width } = VIEWPORTS[viewport];

    it(`fits every storefront page and the open cart drawer in ${width} px, in every language with its longest prices`, async () => {
      const page = await newPage(env.browser, viewport);
      await page.goto(`${env.demo.url}/demo/storefront`);
      await settleBlocks(page);
      expect(await widths(page)).toEqual({ page: width, window: width });

      // The theme opens its drawer after an add, as Dawn does; its suggestions load inside.
      await page
        .getByRole("button", { name: "Add to cart", exact: true })
        .click();
      const drawer = page.getByRole("complementary", { name: "Cart drawer" });
      await drawer
        .getByRole("region")
        .getByRole("button")
        .first()
        .waitFor({ timeout: 15_000 });
      const box = (await drawer.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(width);
      expect(await widths(page)).toEqual({ page: width, window: width });

      // The product page and the cart with the tent in it, in each language and its widest prices.
      for (const { locale, currency } of [
        { locale: "fr", currency: "EUR" },
        ...LONGEST,
      ])
        for (const path of ["/demo/storefront", "/demo/storefront/cart"]) {
          await page.goto(
            `${env.demo.url}${path}?locale=${locale}&currency=${currency}`,
          );
          await settleBlocks(page);
          expect(await page.locator("html").getAttribute("lang")).toBe(locale);
          expect({ path, locale, currency, ...(await widths(page)) }).toEqual({
            path,
            locale,
            currency,
            page: width,
            window: width,
          });
        }
      await page.context().close();
    });

    it(`fits the post-purchase preview in ${width} px, the buyer's offer above the changeset`, async () => {
      const page = await newPage(env.browser, viewport);
      await page.goto(`${env.demo.url}/demo/post-purchase`);
      const screen = page.getByRole("region", {
        name: "The offer as the buyer sees it",
      });
      const accept = screen.getByRole("button", { name: "Pay now" });
      await accept.waitFor();
      const changeset = page.getByLabel("Signed changeset token");
      expect((await accept.boundingBox())!.y).toBeLessThan(
        (await changeset.boundingBox())!.y,
      );
      expect(await widths(page)).toEqual({ page: width, window: width });
      await page.context().close();
    });
  }

  it("closes the phone's cart drawer from its button and with Escape", async () => {
    const page = await newPage(env.browser, "phone");
    await page.goto(`${env.demo.url}/demo/storefront`);
    const toggle = page.getByRole("button", { name: "Cart drawer" });
    const drawer = page.getByRole("complementary", { name: "Cart drawer" });
    expect(await drawer.isVisible()).toBe(false);
    await toggle.click();
    expect(await toggle.getAttribute("aria-expanded")).toBe("true");
    await drawer.getByRole("button", { name: "Close" }).click();
    await drawer.waitFor({ state: "hidden" });
    await toggle.click();
    await drawer.waitFor();
    await page.keyboard.press("Escape");
    await drawer.waitFor({ state: "hidden" });
    expect(await toggle.getAttribute("aria-expanded")).toBe("false");
    await page.context().close();
  });

  it("finds the tab's icon of every demo page, and /favicon.ico for any other", async () => {
    const page = await newPage(env.browser);
    for (const path of [
      "/demo/storefront",
      "/demo/storefront/cart",
      "/demo/post-purchase",
      "/demo/post-purchase?locale=fr",
      "/demo/admin",
    ]) {
      await page.goto(`${env.demo.url}${path}`);
      // What the browser asks for: the page's icon link, or /favicon.ico without one.
      const icon = await page.evaluate(async () => {
        const href =
          document.querySelector<HTMLLinkElement>('link[rel~="icon"]')?.href ??
          new URL("/favicon.ico", location.href).href;
        const answer = await fetch(href);
        return `${answer.status} ${answer.headers.get("content-type")}`;
      });
      expect(icon, path).toMatch(/^200 image\//);
    }
    const ico = await fetch(`${env.demo.url}/favicon.ico`);
    expect(ico.status).toBe(200);
    expect(ico.headers.get("content-type")).toMatch(/^image\//);
    await page.context().close();
  });
});
