import { describe, expect, it } from "vitest";
import type { Locator, Page, Route } from "playwright-core";
import {
  VIEWPORTS,
  cartOf,
  hasChromium,
  newPage,
  watchErrors,
} from "./demo-server";
import { useDemoInChromium } from "./demo-hooks";

/**
 * The demo theme's markup rewritten the way Dawn lays it out: the header's cart bubble is an
 * element of its own (`#cart-icon-bubble`), not a section wrapper, and the drawer is a
 * `<cart-drawer>` whose `.drawer__inner` holds the lines. The Section Rendering answers keep
 * their wrappers, as Shopify's do.
 */
function dawnLike(html: string, page: "document" | "section"): string {
  const drawer = html
    .replace(
      '<aside class="drawer" data-cart-drawer aria-label="Cart drawer">',
      '<cart-drawer class="drawer" role="complementary" aria-label="Cart drawer"><div class="drawer__inner">',
    )
    .replace("</aside>", "</div></cart-drawer>");
  return page === "section"
    ? drawer
    : drawer.replace(
        /<span id="shopify-section-cart-icon-bubble">(.*?)<\/span>/,
        '<div id="cart-icon-bubble">$1</div>',
      );
}

async function asDawn(page: Page) {
  await page.route("**/demo/storefront/products/**", async (route: Route) => {
    const response = await route.fetch();
    await route.fulfill({
      response,
      body: dawnLike(await response.text(), "document"),
    });
  });
  await page.route("**/cart/add.js", async (route: Route) => {
    const response = await route.fetch();
    const body = (await response.json()) as {
      sections?: Record<string, string | null>;
    };
    for (const [id, html] of Object.entries(body.sections ?? {}))
      if (html) body.sections![id] = dawnLike(html, "section");
    await route.fulfill({ response, json: body });
  });
}

/** The block's status says its add went through. */
const addedToCart = (block: Locator) =>
  block.getByRole("status").filter({ hasText: "Added to cart" }).waitFor();

describe.skipIf(!hasChromium)("a shopper on the demo storefront", () => {
  const env = useDemoInChromium();

  for (const viewport of ["desktop", "phone"] as const) {
    const { width } = VIEWPORTS[viewport];

    it(`sees the bundle and the upgrade follow the variant they choose, and adds that variant (${width} px)`, async () => {
      const page = await newPage(env.browser, viewport);
      const errors = watchErrors(page);
      await page.goto(`${env.demo.url}/demo/storefront`);
      const picker = page.getByRole("group", { name: "Variant" });
      const choices = picker.getByRole("radio");
      expect(await choices.count()).toBeGreaterThan(2);
      // A middle size: it has a bigger one to upgrade to, and is not the first one shown.
      const choice = choices.nth(1);
      const chosenId = (await choice.getAttribute("value"))!;
      const label = (await picker.locator("label").nth(1).textContent())!;
      const chosenPrice = label.split("—").pop()!.trim();

      const fbt = page.getByRole("region", {
        name: "Frequently bought together",
      });
      const thisItem = fbt.locator("input[data-cartlift-anchor]");
      await thisItem.waitFor();
      expect(await thisItem.getAttribute("data-variant-id")).not.toBe(chosenId);
      await choice.check();

      // Without a reload: the bundle's "this item" is the chosen variant at its price.
      await expect
        .poll(() => thisItem.getAttribute("data-variant-id"), {
          timeout: 10_000,
        })
        .toBe(chosenId);
      expect(new URL(page.url()).searchParams.get("variant")).toBe(chosenId);
      const anchorRow = fbt.getByRole("listitem").first();
      expect(await anchorRow.textContent()).toContain(chosenPrice);
      // The upgrade starts from the chosen variant: its "Current" price is that variant's.
      const upgrade = page.getByRole("region", { name: "Upgrade your pick" });
      const priceRow = upgrade.getByRole("row", { name: /^Price/ });
      await expect
        .poll(
          async () =>
            (await priceRow.getByRole("cell").first().textContent())?.trim(),
          {
            timeout: 10_000,
          },
        )
        .toBe(chosenPrice);

      await fbt.getByRole("button", { name: "Add all to cart" }).click();
      await addedToCart(fbt);
      const { items } = await cartOf(page);
      expect(items.map((i) => String(i.variant_id))).toContain(chosenId);

      // Opened on that variant's address, the blocks start from it.
      await page.goto(page.url());
      await expect
        .poll(() => thisItem.getAttribute("data-variant-id"))
        .toBe(chosenId);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it(`is not sold a second one of what is already in the cart by "bought together" (${width} px)`, async () => {
      const page = await newPage(env.browser, viewport);
      const errors = watchErrors(page);
      await page.goto(`${env.demo.url}/demo/storefront`);
      const fbt = page.getByRole("region", {
        name: "Frequently bought together",
      });
      const thisItem = fbt.locator("input[data-cartlift-anchor]");
      await thisItem.waitFor();
      expect(await thisItem.isChecked()).toBe(true);
      const anchorId = Number(await thisItem.getAttribute("data-variant-id"));

      await page
        .getByRole("button", { name: "Add to cart", exact: true })
        .click();
      // The block hears of the cart's change and says the product is in it, unticked.
      await fbt.getByText("In your cart").waitFor();
      expect(await thisItem.isChecked()).toBe(false);
      // A phone's cart drawer opened over the page with the new line: the shopper closes it.
      if (viewport === "phone") await page.keyboard.press("Escape");
      const add = fbt.getByRole("button", { name: "Add selected to cart" });
      await add.click();
      await addedToCart(fbt);
      const { items } = await cartOf(page);
      const product = items.find((i) => i.variant_id === anchorId)!;
      expect(product.quantity).toBe(1);
      expect(items.length).toBeGreaterThan(1);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    it(`swaps the tent in the cart for its upgrade rather than adding a second tent (${width} px)`, async () => {
      const page = await newPage(env.browser, viewport);
      const errors = watchErrors(page);
      await page.goto(`${env.demo.url}/demo/storefront`);
      const upgrade = page.getByRole("region", { name: "Upgrade your pick" });
      await upgrade
        .getByRole("button", { name: "Add the upgrade to cart" })
        .waitFor();
      await page
        .getByRole("button", { name: "Add to cart", exact: true })
        .click();
      await expect.poll(async () => (await cartOf(page)).item_count).toBe(1);
      const [before] = (await cartOf(page)).items;
      if (viewport === "phone") await page.keyboard.press("Escape");
      // The block hears of the cart's change: its button now replaces the tent in the cart.
      const swap = upgrade.getByRole("button", {
        name: "Swap for the upgrade in your cart",
      });
      const upgraded = await swap.getAttribute("data-variant-id");
      await swap.click();
      await addedToCart(upgrade);
      const { items } = await cartOf(page);
      expect(items.map((i) => [i.product_id, i.quantity])).toEqual([
        [before.product_id, 1],
      ]);
      expect(items[0].variant_id).toBe(Number(upgraded));
      expect(items[0].variant_id).not.toBe(before.variant_id);
      // The theme's drawer (closed on a phone) lists what the cart holds: the upgrade alone.
      const lines = page
        .getByRole("complementary", {
          name: "Cart drawer",
          includeHidden: true,
        })
        .locator(":scope > ul > li");
      await expect.poll(() => lines.count()).toBe(1);
      expect(errors).toEqual([]);
      await page.context().close();
    });

    for (const theme of ["demo", "Dawn-like"] as const) {
      it(`sees the ${theme} cart drawer list the suggestion added from it (${width} px)`, async () => {
        const page = await newPage(env.browser, viewport);
        const errors = watchErrors(page);
        if (theme === "Dawn-like") await asDawn(page);
        await page.goto(`${env.demo.url}/demo/storefront`);
        await page
          .getByRole("button", { name: "Add to cart", exact: true })
          .click();
        const drawer = page.getByRole("complementary", { name: "Cart drawer" });
        const suggestions = drawer.getByRole("region");
        const add = suggestions
          .getByRole("button", { name: /^Add .+ to cart$/ })
          .first();
        await add.waitFor({ timeout: 15_000 });
        const lines = drawer.locator(
          ":scope > ul > li, .drawer__inner > ul > li",
        );
        await expect.poll(() => lines.count()).toBe(1);
        const bubble = page.getByRole("link", { name: /^Cart \(\d+\)$/ });
        expect(await bubble.textContent()).toBe("Cart (1)");

        await add.click();
        // The theme's own list and count show the new line, and the block that was inside
        // the re-rendered drawer still says what happened.
        await expect.poll(() => lines.count()).toBe(2);
        await expect.poll(() => bubble.textContent()).toBe("Cart (2)");
        await addedToCart(suggestions);
        expect((await cartOf(page)).item_count).toBe(2);
        expect(errors).toEqual([]);
        await page.context().close();
      });
    }
  }
});
