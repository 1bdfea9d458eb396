import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { VIEWPORTS, hasChromium, newPage } from "./demo-server";
import { useDemoInChromium } from "./demo-hooks";

// Offers a shopper would take (docs/decisions/015), as the demo shop shows them. Its products are
// named "<brand> <name> <kind>", so a kind shows in every offer's name.
const TENT = /\bTent\b/;

/** Waits until a placement's block has its answer: offers, or none. */
async function placementSettled(page: Page, placement: string) {
  const block = page.locator(`cartlift-offers[data-placement="${placement}"]`);
  // Scrolled to without Playwright's actionability wait: an empty answer that arrives while the
  // block is out of view collapses it (hidden), and a hidden element never becomes "visible".
  await block.evaluate((el) => el.scrollIntoView());
  await expect
    .poll(() => block.getAttribute("data-state"), { timeout: 15_000 })
    .toMatch(/^(ready|empty)$/);
}

/** "$1,234.56" -> 123456 */
const minor = (text: string) =>
  Math.round(Number(/[\d,]+\.\d\d/.exec(text)![0].replace(/,/g, "")) * 100);

describe.skipIf(!hasChromium)("offers a shopper would take", () => {
  const env = useDemoInChromium();

  for (const viewport of ["desktop", "phone"] as const) {
    const { width, height } = VIEWPORTS[viewport];

    it(`offers no second tent beside a tent, on its page or in the cart, at ${width}x${height}`, async () => {
      const page = await newPage(env.browser, viewport);
      await page.goto(`${env.demo.url}/demo/storefront`);
      const fbt = page.getByRole("region", {
        name: "Frequently bought together",
      });
      const included = fbt.getByRole("checkbox", { name: /^Include / });
      await included.first().waitFor();
      expect(
        await fbt
          .getByRole("checkbox", { name: /^Include .*\bTent\b/ })
          .count(),
      ).toBe(0);

      await page
        .getByRole("button", { name: "Add to cart", exact: true })
        .click();
      await page.goto(`${env.demo.url}/demo/storefront/cart`);
      await page
        .getByRole("table", { name: "Cart lines" })
        .getByRole("link", { name: TENT })
        .waitFor();
      const block = page.getByRole("region", { name: "Complete your order" });
      await block.getByRole("link").first().waitFor();
      expect(await block.getByRole("link", { name: TENT }).count()).toBe(0);
      await page.context().close();
    });

    it(`offers an upgrade only to a roomier tent, never a smaller one or another brand's same size, at ${width}x${height}`, async () => {
      const page = await newPage(env.browser, viewport);
      await page.goto(`${env.demo.url}/demo/storefront`);
      const variantOf = async (capacity: string) =>
        (await page
          .getByRole("radio", { name: new RegExp(`^${capacity}`) })
          .getAttribute("value"))!;
      const [smallest, largest] = [
        await variantOf("2-person"),
        await variantOf("4-person"),
      ];
      const path = new URL(page.url()).pathname;

      await page.goto(`${env.demo.url}${path}?variant=${smallest}`);
      const upgrade = page.getByRole("region", { name: "Upgrade your pick" });
      const capacity = upgrade.getByRole("row", { name: /^Capacity/ });
      await capacity.waitFor({ timeout: 15_000 });
      const [from, to] = (await capacity.getByRole("cell").allTextContents())
        .map((text) => Number.parseInt(text, 10))
        .slice(-2);
      expect(to).toBeGreaterThan(from);

      // The largest size has nothing roomier within the price band: no upgrade at all.
      await page.goto(`${env.demo.url}${path}?variant=${largest}`);
      await placementSettled(page, "product_upgrade");
      expect(await upgrade.getByRole("table").count()).toBe(0);
      await page.context().close();
    });

    it(`offers after checkout nothing dearer than half the order just placed, without a cart in its reason, at ${width}x${height}`, async () => {
      const page = await newPage(env.browser, viewport);
      let offers = 0;
      for (let order = 0; order < 3; order++) {
        await page.goto(`${env.demo.url}/demo/post-purchase?order=${order}`);
        const dev = page.getByRole("region", { name: "For developers" });
        const lines = await dev.getByRole("listitem").allTextContents();
        const total = lines.reduce(
          (sum, line) =>
            sum + Number.parseInt(line, 10) * minor(line.split("—").pop()!),
          0,
        );
        const screen = page.getByRole("region", {
          name: "The offer as the buyer sees it",
        });
        if ((await screen.count()) === 0) continue;
        offers += 1;
        const prices = await screen
          .getByRole("paragraph")
          .filter({ hasText: /\$/ })
          .first()
          .textContent();
        // Before its discount: the band is on the product's own price.
        const price = Math.max(
          ...[...prices!.matchAll(/\$[\d,]+\.\d\d/g)].map((m) => minor(m[0])),
        );
        expect(price).toBeLessThanOrEqual(total / 2);
        expect(await screen.textContent()).not.toMatch(/\bcart\b/i);
        // The order, then the accepted item, reached the app as Shopify sends them.
        expect(await dev.textContent()).toContain(
          "orders/create (HTTP 200), orders/updated (HTTP 200)",
        );
      }
      expect(offers).toBeGreaterThan(0);
      await page.context().close();
    });
  }

  it("shows the offer after checkout in the currency the buyer paid in: euros on the French page, and in English when asked", async () => {
    const page = await newPage(env.browser, "desktop");
    let shown = 0;
    for (const query of ["locale=fr", "locale=en&currency=EUR"])
      for (let order = 0; order < 3; order++) {
        await page.goto(
          `${env.demo.url}/demo/post-purchase?order=${order}&${query}`,
        );
        const screen = page.getByRole("region", {
          name: "The offer as the buyer sees it",
        });
        if ((await screen.count()) === 0) continue;
        shown += 1;
        const text = (await screen.textContent())!;
        expect(text).toContain("€");
        expect(text).not.toMatch(/\$|\bUS\b/);
        // The price is the added line Shopify's calculation (the demo's stand-in) priced in euros.
        const calculated = JSON.parse(
          (await page.getByLabel("Calculated changeset").textContent())!,
        ) as {
          updatedLineItems: {
            totalPriceSet: { presentmentMoney: { currencyCode: string } };
          }[];
        };
        expect(
          calculated.updatedLineItems.map(
            (l) => l.totalPriceSet.presentmentMoney.currencyCode,
          ),
        ).toEqual(["EUR"]);
        expect(await page.getByText("Paid in EUR").count()).toBe(1);
      }
    expect(shown).toBeGreaterThan(0);
    await page.context().close();
  });
});
