import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { hasChromium, newPage, settleBlocks, watchErrors } from "./demo-server";
import { useDemoInChromium } from "./demo-hooks";

describe.skipIf(!hasChromium)(
  "a signed-in shopper on the demo storefront",
  () => {
    const env = useDemoInChromium();

    /** The product page's bundle and cart drawer offers with their reasons, as the shopper reads them. */
    const offersOf = async (page: Page) => {
      await settleBlocks(page);
      const text = async (name: string) =>
        (
          await page
            .getByRole("region", { name })
            .getByRole("listitem")
            .allInnerTexts()
        ).map((item) => item.replace(/\s+/g, " ").trim());
      return {
        bundle: await text("Frequently bought together"),
        drawer: await text("You may also like"),
      };
    };

    const signIn = async (page: Page, as: string) => {
      const url = page.url();
      await page
        .getByRole("combobox", { name: "Signed in as" })
        .selectOption({ label: as });
      await page.waitForURL((next) => next.href !== url);
    };

    it("sees the loyal customer's own purchases in the offers, and the same offers as before once signed out", async () => {
      const page = await newPage(env.browser);
      const errors = watchErrors(page);
      // A cart holding the featured product, so the cart drawer has offers too.
      await page.goto(`${env.demo.url}/demo/storefront`);
      await page
        .getByRole("button", { name: "Add to cart", exact: true })
        .click();
      await page.getByRole("link", { name: "Cart (1)" }).waitFor();
      const anonymous = await offersOf(page);
      expect(anonymous.bundle.length).toBeGreaterThan(1);
      expect(anonymous.drawer.length).toBeGreaterThan(0);
      expect(anonymous.bundle.join("|")).not.toMatch(/You bought/);

      await signIn(page, "A loyal customer");
      const loyal = await offersOf(page);
      expect(loyal).not.toEqual(anonymous);
      // The reason names the product and the month they bought it, from their orders.
      expect(loyal.bundle.join("|")).toMatch(
        /You bought the [^|]+ in (January|February|March|April|May|June|July|August|September|October|November|December)( \d{4})?/,
      );

      await signIn(page, "Not signed in");
      expect(await offersOf(page)).toEqual(anonymous);
      expect(errors).toEqual([]);
    });
  },
);
