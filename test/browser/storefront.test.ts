import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import {
  VIEWPORTS,
  cartOf,
  hasChromium,
  newPage,
  settleBlocks,
  watchErrors,
} from "./demo-server";
import { useDemoInChromium } from "./demo-hooks";

describe.skipIf(!hasChromium)("demo storefront in Chromium", () => {
  const env = useDemoInChromium();

  /** The demo product page's "Add to cart": a cart with one line. */
  const addProduct = async (page: Page) => {
    await page.goto(`${env.demo.url}/demo/storefront`);
    await page
      .getByRole("button", { name: "Add to cart", exact: true })
      .click();
    await expect.poll(async () => (await cartOf(page)).item_count).toBe(1);
  };

  it("shows a bundle with reasons on a product page and adds all of it with the attribution property", async () => {
    const page = await newPage(env.browser);
    const errors = watchErrors(page);
    await page.goto(`${env.demo.url}/demo/storefront`);
    const fbt = page.getByRole("region", {
      name: "Frequently bought together",
    });
    const addAll = fbt.getByRole("button", { name: "Add all to cart" });
    await addAll.waitFor();
    const offers = fbt.getByRole("checkbox", { name: /^Include / });
    expect(await offers.count()).toBeGreaterThan(0);
    await expect
      .poll(() => fbt.getByText(/Bought together by|Often bought with/).count())
      .toBeGreaterThan(0);
    const upgrade = page.getByRole("region", { name: "Upgrade your pick" });
    await upgrade.getByRole("table").waitFor();
    expect(
      await upgrade.getByRole("rowheader", { name: "Price" }).count(),
    ).toBe(1);

    // Keyboard only: untick the first suggestion, then tick it again, then press the button.
    const total = fbt.locator("output");
    const before = await total.textContent();
    await offers.first().focus();
    await page.keyboard.press("Space");
    await expect.poll(() => total.textContent()).not.toBe(before);
    await page.keyboard.press("Space");
    await expect.poll(() => total.textContent()).toBe(before);
    await addAll.focus();
    await page.keyboard.press("Enter");
    await fbt
      .getByRole("status")
      .filter({ hasText: "Added to cart" })
      .waitFor();

    const { items, item_count } = await cartOf(page);
    expect(item_count).toBe((await offers.count()) + 1);
    const suggested = items.filter((i) => i.properties._cartlift);
    expect(suggested).toHaveLength(await offers.count());
    expect(suggested[0].properties._cartlift).toMatch(/^1~product_fbt~/);
    // The theme's cart sections were re-rendered through the Section Rendering API.
    await page.getByRole("link", { name: `Cart (${item_count})` }).waitFor();
    expect(errors).toEqual([]);
  });

  it("changes the cart block's offers when the cart changes", async () => {
    const page = await newPage(env.browser);
    const errors = watchErrors(page);
    await addProduct(page);
    await page.goto(`${env.demo.url}/demo/storefront/cart`);
    const block = page.getByRole("region", { name: "Complete your order" });
    const adds = block.getByRole("button", { name: /^Add .+ to cart$/ });
    await adds.first().waitFor();
    const offered = async () =>
      (await block.getByRole("link").allTextContents()).join("|");
    const first = await offered();
    // The offer names the variant it adds ("Socks – M"); the cart line, as Shopify's, "Socks - M".
    const name = (await block.getByRole("link").first().textContent())!
      .split(" – ")[0]
      .trim();

    await adds.first().click();
    // The cart page's own lines show the new product, and the offers no longer include it.
    await page
      .getByRole("table", { name: "Cart lines" })
      .getByRole("link", { name })
      .waitFor();
    await expect.poll(offered).not.toBe(first);
    expect(await offered()).not.toContain(name);

    // A change made by the theme's own script (not Cartlift's) refreshes the offers too.
    const second = await offered();
    await page.getByRole("button", { name: `Remove one ${name}` }).click();
    await expect.poll(offered).not.toBe(second);
    expect(errors).toEqual([]);
  });

  it("keeps the shopper's language and currency when a block of the page before asks for offers late", async () => {
    const page = await newPage(env.browser);
    await addProduct(page);
    const product = (await cartOf(page)).items[0].product_id;
    await page.goto(
      `${env.demo.url}/demo/storefront/cart?locale=fr&currency=EUR`,
    );
    await page
      .getByRole("heading", { name: "Votre panier", level: 1 })
      .waitFor();
    // The English page's cart block, answered after the switch: its address carries the
    // language and currency it was rendered in, for the browser's cache, not as a switch.
    const late = await page.request.get(
      `${env.demo.url}/apps/cartlift/recommendations?placement=cart&limit=4&reasons=1&currency=USD&country=US&locale=en&cart=${product}`,
    );
    expect(late.status()).toBe(200);
    // The cart page again, without the switch in its address.
    await page.goto(`${env.demo.url}/demo/storefront/cart`);
    await page
      .getByRole("heading", { name: "Votre panier", level: 1 })
      .waitFor();
    expect(await page.getByText(/^Sous-total\s:\s[\d\s,]+\s€$/).count()).toBe(
      1,
    );
    expect(await page.getByText("Your cart").count()).toBe(0);
    await page.context().close();
  });

  it("shows the product's picture and one beside every offer, each loaded and cacheable for a year", async () => {
    const page = await newPage(env.browser);
    const errors = watchErrors(page);
    await page.goto(`${env.demo.url}/demo/storefront`);
    const title = await page.getByRole("heading", { level: 1 }).textContent();
    const picture = page.getByRole("img", { name: title! });
    const fbt = page.getByRole("region", {
      name: "Frequently bought together",
    });
    await fbt.getByRole("button", { name: "Add all to cart" }).waitFor();
    // Every block loaded, and every lazy picture scrolled past.
    await settleBlocks(page);
    // "This item" and each offer: a picture on every line, no empty placeholder.
    const lines = await fbt.getByRole("listitem").count();
    expect(lines).toBeGreaterThan(1);
    expect(await fbt.locator("img").count()).toBe(lines);
    await expect
      .poll(() =>
        page.evaluate(() =>
          [...document.images].every((i) => i.complete && i.naturalWidth > 0),
        ),
      )
      .toBe(true);
    const response = await page.request.get(
      new URL((await picture.getAttribute("src"))!, page.url()).href,
    );
    expect(response.headers()["content-type"]).toMatch(/^image\/svg\+xml/);
    expect(response.headers()["cache-control"]).toBe(
      "public, max-age=31536000, immutable",
    );
    expect((await response.body()).length).toBeLessThan(2_000);
    expect(errors).toEqual([]);
  });

  for (const viewport of ["desktop", "phone"] as const) {
    const { width, height } = VIEWPORTS[viewport];
    it(`keeps layout shift within 0.01 on the product and cart pages at ${width}x${height}, with content below the blocks`, async () => {
      const page = await newPage(env.browser, viewport);
      const errors = watchErrors(page);
      await addProduct(page);
      // Offers that arrive well after the page painted, as on a phone network.
      await page.route("**/apps/cartlift/recommendations**", async (route) => {
        await new Promise((r) => setTimeout(r, 400));
        await route.continue();
      });
      await page.addInitScript(() => {
        const w = window as unknown as { shift: number };
        w.shift = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries() as unknown as {
            value: number;
            hadRecentInput: boolean;
          }[])
            if (!e.hadRecentInput) w.shift += e.value;
        }).observe({ type: "layout-shift", buffered: true });
      });
      for (const [path, below] of [
        ["/demo/storefront", "Description"],
        ["/demo/storefront/cart", "Shipping and returns"],
      ]) {
        await page.goto(`${env.demo.url}${path}`);
        const blocks = page.locator("main cartlift-offers");
        const content = page.getByRole("region", { name: below });
        expect((await content.boundingBox())!.y).toBeGreaterThan(
          (await blocks.last().boundingBox())!.y,
        );
        // Scrolled through, so blocks below the fold load as the shopper reaches them.
        await page.evaluate(async () => {
          for (let y = 0; y <= document.body.scrollHeight; y += 300) {
            window.scrollTo(0, y);
            await new Promise((r) => setTimeout(r, 150));
          }
          window.scrollTo(0, 0);
        });
        await expect
          .poll(() =>
            blocks.evaluateAll((els) => els.map((el) => el.dataset.state)),
          )
          .toEqual(Array(await blocks.count()).fill("ready"));
        await page.waitForTimeout(500);
        expect(
          await page.evaluate(
            () => (window as unknown as { shift: number }).shift,
          ),
        ).toBeLessThanOrEqual(0.01);
      }
      expect(errors).toEqual([]);
      await page.context().close();
    });
  }

  it("renders nothing, shifts nothing and logs nothing when the app proxy is down or slow", async () => {
    for (const mode of ["down", "slow"] as const) {
      const page = await newPage(env.browser);
      const errors = watchErrors(page);
      await page.route("**/apps/cartlift/recommendations**", async (route) => {
        if (mode === "down") return route.fulfill({ status: 503, body: "" });
        await new Promise((r) => setTimeout(r, 4_000));
        await route
          .fulfill({ status: 200, body: "<p>too late</p>" })
          .catch(() => {});
      });
      // Layout shifts as Chromium reports them (the CLS metric's input).
      await page.addInitScript(() => {
        const w = window as unknown as { shift: number };
        w.shift = 0;
        new PerformanceObserver((list) => {
          for (const e of list.getEntries())
            w.shift += (e as unknown as { value: number }).value;
        }).observe({ type: "layout-shift", buffered: true });
      });
      await page.goto(`${env.demo.url}/demo/storefront`);
      const fbt = page.locator('cartlift-offers[data-placement="product_fbt"]');
      await expect
        .poll(() => fbt.getAttribute("data-state"), { timeout: 6_000 })
        .toBe("empty");
      await page.waitForTimeout(mode === "slow" ? 2_000 : 200);
      expect(
        await page
          .getByRole("heading", { name: "Frequently bought together" })
          .isVisible(),
      ).toBe(false);
      expect(await page.getByText("too late").count()).toBe(0);
      expect(
        await page.getByRole("button", { name: "Add all to cart" }).count(),
      ).toBe(0);
      expect(
        await page.evaluate(
          () => (window as unknown as { shift: number }).shift,
        ),
      ).toBe(0);
      expect(errors).toEqual([]);
      await page.close();
    }
  });

  for (const viewport of ["desktop", "phone"] as const) {
    const { width, height } = VIEWPORTS[viewport];

    it(`shows new prices and words at once after a currency or language switch at ${width}x${height}`, async () => {
      const page = await newPage(env.browser, viewport);
      const errors = watchErrors(page);
      // Within the 30 s the blocks' answers may be cached: a switch must not get them back.
      await page.goto(`${env.demo.url}/demo/storefront?currency=USD&locale=en`);
      const offersIn = async (fbtName: string, addAll: string) => {
        const fbt = page.getByRole("region", { name: fbtName });
        await fbt.scrollIntoViewIfNeeded();
        await fbt.getByRole("button", { name: addAll }).waitFor();
        return fbt.innerText();
      };
      expect(
        await offersIn("Frequently bought together", "Add all to cart"),
      ).toMatch(/\$/);

      // The theme's localization form reloads the page with the shopper's choice.
      const choose = (name: string, value: string) =>
        Promise.all([
          page.waitForURL(new RegExp(`=${value}`)),
          page.getByRole("combobox", { name }).selectOption(value),
        ]);
      await choose("Currency", "EUR");
      const euros = await offersIn(
        "Frequently bought together",
        "Add all to cart",
      );
      expect(euros).toMatch(/€/);
      expect(euros).not.toMatch(/\$/);

      await choose("Language", "fr");
      const french = await offersIn(
        "Souvent achetés ensemble",
        "Tout ajouter au panier",
      );
      expect(french).toMatch(/€/);
      expect(french).toMatch(/Prix total/);
      expect(french).not.toMatch(/\$|Total price|Bought together|Often bought/);
      const upgrade = page.getByRole("region", {
        name: "Passez à la gamme supérieure",
      });
      await upgrade.scrollIntoViewIfNeeded();
      await upgrade.getByRole("rowheader", { name: "Prix" }).waitFor();
      const table = await upgrade.innerText();
      expect(table).toMatch(/€ pour /);
      expect(table).not.toMatch(/\$|\b(for|the|Price|Current|Upgrade)\b/);

      // The theme's own words around the blocks are French too, and its prices in euros.
      const theme =
        /\b(Add to cart|Cart|Variant|Currency|Language|Privacy|Signed in|Your cart|Free shipping|returns|Shop)\b/;
      await page
        .getByRole("button", { name: "Ajouter au panier", exact: true })
        .waitFor();
      expect(await page.getByRole("contentinfo").innerText()).toMatch(
        /Livraison offerte dès 69\s€/,
      );
      expect(await page.locator("body").innerText()).not.toMatch(theme);
      await page.goto(`${env.demo.url}/demo/storefront/cart`);
      await page.getByRole("table", { name: "Articles du panier" }).waitFor();
      await page
        .getByRole("heading", { name: "Votre panier", level: 1 })
        .waitFor();
      await settleBlocks(page);
      expect(await page.locator("body").innerText()).not.toMatch(
        new RegExp(
          `${theme.source}|\\b(Product|Quantity|Subtotal|Shipping)\\b`,
        ),
      );
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});
