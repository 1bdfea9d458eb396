import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { VIEWPORTS, hasChromium, newPage, watchErrors } from "./demo-server";
import { useDemoInChromium } from "./demo-hooks";

/** What the storefront script asks and sends through the app proxy, as the page makes it. */
function watchProxy(page: Page) {
  const seen = {
    recommendations: [] as URLSearchParams[],
    events: [] as string[],
  };
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.pathname === "/apps/cartlift/recommendations")
      seen.recommendations.push(url.searchParams);
    if (url.pathname === "/apps/cartlift/events")
      seen.events.push(request.postData() ?? "");
  });
  return seen;
}

/** Everything the page keeps in the browser: localStorage keys and cookie names. */
async function stored(page: Page) {
  return {
    localStorage: await page.evaluate(() => Object.keys(localStorage)),
    cookies: (await page.context().cookies()).map((c) => c.name).sort(),
  };
}

describe.skipIf(!hasChromium)(
  "a shopper where the shop asks for consent before analytics",
  () => {
    const env = useDemoInChromium();

    /**
     * The product page in a shop that requires consent, its bundle offers on screen ("Add
     * selected" once some of them are in the cart).
     */
    const openProduct = async (page: Page) => {
      await page.goto(`${env.demo.url}/demo/storefront?privacy=consent`);
      const fbt = page.getByRole("region", {
        name: "Frequently bought together",
      });
      await fbt
        .getByRole("button", { name: /^Add (all|selected) to cart$/ })
        .waitFor();
      return fbt;
    };

    for (const viewport of ["desktop", "phone"] as const) {
      const { width, height } = VIEWPORTS[viewport];

      it(`sees offers without being tracked until they accept, then is tracked (${width}x${height})`, async () => {
        const page = await newPage(env.browser, viewport);
        const errors = watchErrors(page);
        const proxy = watchProxy(page);
        const fbt = await openProduct(page);
        const banner = page.getByRole("complementary", {
          name: "Cookie consent",
        });
        await banner.waitFor();

        // Offers, asked for without a visitor id: the merchant's settings, in no experiment.
        expect(proxy.recommendations.length).toBeGreaterThan(0);
        for (const query of proxy.recommendations)
          expect(query.has("visitor")).toBe(false);
        // An add from the block puts the items in the cart without attribution or visitor id.
        await fbt.getByRole("button", { name: "Add all to cart" }).click();
        await fbt
          .getByRole("status")
          .filter({ hasText: "Added to cart" })
          .waitFor();
        const cart = (await page.evaluate(async () =>
          (await fetch("/cart.js")).json(),
        )) as {
          item_count: number;
          items: { properties: Record<string, string> }[];
          attributes: Record<string, string>;
        };
        expect(cart.item_count).toBeGreaterThan(1);
        for (const item of cart.items)
          expect(item.properties).not.toHaveProperty("_cartlift");
        expect(cart.attributes).toEqual({});
        // Past the 2 s batch, and leaving the page (which flushes events): nothing was sent.
        await page.waitForTimeout(2500);
        await openProduct(page);
        expect(proxy.events).toEqual([]);
        // Nothing kept by the script; the cart cookie is the shop's own.
        expect(await stored(page)).toEqual({
          localStorage: [],
          cookies: ["cart"],
        });

        // Accepting starts it: the offers on screen count as seen, under a stored id.
        await banner.getByRole("button", { name: "Accept" }).click();
        await banner.waitFor({ state: "hidden" });
        // Events go out in batches, 2 s after the last one.
        await expect
          .poll(() => proxy.events.length, { timeout: 5000 })
          .toBeGreaterThan(0);
        const batch = JSON.parse(proxy.events[0]) as {
          visitor: string;
          events: { type: string; token: string }[];
        };
        expect(batch.visitor).toMatch(/^[a-f0-9]{32}$/);
        expect(batch.events.length).toBeGreaterThan(0);
        expect(batch.events.every((e) => e.type === "impression")).toBe(true);
        expect(
          await page.evaluate(() => localStorage.getItem("_cartlift_visitor")),
        ).toBe(batch.visitor);
        // The next page asks for offers as this visitor.
        proxy.recommendations.length = 0;
        await openProduct(page);
        expect(
          proxy.recommendations.some((q) => q.get("visitor") === batch.visitor),
        ).toBe(true);
        expect(await banner.isVisible()).toBe(false);
        expect(errors).toEqual([]);
        await page.context().close();
      });

      it(`is not tracked after declining, and offers still show (${width}x${height})`, async () => {
        const page = await newPage(env.browser, viewport);
        const errors = watchErrors(page);
        const proxy = watchProxy(page);
        await openProduct(page);
        const banner = page.getByRole("complementary", {
          name: "Cookie consent",
        });
        await banner.getByRole("button", { name: "Decline" }).click();
        await banner.waitFor({ state: "hidden" });
        await page.waitForTimeout(2500);
        const fbt = await openProduct(page);
        expect(
          await fbt.getByRole("checkbox", { name: /^Include / }).count(),
        ).toBeGreaterThan(0);
        // Past the next page's 2 s batch too.
        await page.waitForTimeout(2500);
        expect(await banner.isVisible()).toBe(false);
        expect(proxy.events).toEqual([]);
        for (const query of proxy.recommendations)
          expect(query.has("visitor")).toBe(false);
        // Only the shop's cookies: the cart, and the shopper's decision.
        expect(await stored(page)).toEqual({
          localStorage: [],
          cookies: ["_tracking_consent", "cart"],
        });
        expect(errors).toEqual([]);
        await page.context().close();
      });
    }

    it("is tracked as before where the shop requires no consent", async () => {
      const page = await newPage(env.browser);
      const proxy = watchProxy(page);
      await page.goto(`${env.demo.url}/demo/storefront?privacy=open`);
      await page
        .getByRole("region", { name: "Frequently bought together" })
        .getByRole("button", { name: "Add all to cart" })
        .waitFor();
      expect(
        await page
          .getByRole("complementary", { name: "Cookie consent" })
          .isVisible(),
      ).toBe(false);
      const visitor = await page.evaluate(() =>
        localStorage.getItem("_cartlift_visitor"),
      );
      expect(visitor).toMatch(/^[a-f0-9]{32}$/);
      expect(
        proxy.recommendations.every((q) => q.get("visitor") === visitor),
      ).toBe(true);
      await expect
        .poll(() => proxy.events.length, { timeout: 5000 })
        .toBeGreaterThan(0);
      await page.context().close();
    });
  },
);
