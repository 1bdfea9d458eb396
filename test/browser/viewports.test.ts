import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { VIEWPORTS, hasChromium, newPage, settleBlocks } from "./demo-server";
import { useDemoInChromium } from "./demo-hooks";

/** How wide the page is against the window: wider means the shopper scrolls sideways. */
const widths = (page: Page) =>
  page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    window: window.innerWidth,
  }));

describe.skipIf(!hasChromium)("the product at 1440x900 and 390x844", () => {
  const env = useDemoInChromium();

  for (const viewport of ["desktop", "phone"] as const) {
    const { width } = VIEWPORTS[viewport];

    it(`fits every storefront page and the open cart drawer in ${width} px`, async () => {
      const page = await newPage(env.browser, viewport);
      for (const path of [
        "/demo/storefront",
        "/demo/storefront?locale=fr&currency=EUR",
      ]) {
        await page.goto(`${env.demo.url}${path}`);
        await settleBlocks(page);
        expect(await widths(page)).toEqual({ page: width, window: width });
      }

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

      await page.goto(`${env.demo.url}/demo/storefront/cart`);
      await page.getByRole("table", { name: "Cart lines" }).waitFor();
      await settleBlocks(page);
      expect(await widths(page)).toEqual({ page: width, window: width });
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
});
