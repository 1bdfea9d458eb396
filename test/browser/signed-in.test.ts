import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import { hasChromium, newPage, settleBlocks, watchErrors } from "./demo-server";
import { useDemoInChromium } from "./demo-hooks";
import { DEMO_CUSTOMERS, generateDemoShop } from "../../demo/shop";
import { buildCustomerProfiles } from "~/engine/customer-profile";
import { tierInBand } from "~/engine/personal";
import { buildTierIndex, upgradeOptions } from "~/engine/tiers";

/**
 * Product pages of kinds the demo's bargain hunter bought with an upgrade tier inside their price
 * band, with the price of the tier the storefront should offer them (the cheapest inside the band),
 * pages where their discounts move the choice away from the tier nearest their median first. The
 * demo server generates the same shop today (its dates are anchored to the day) and imports it.
 */
function bargainHunterPages(
  limit: number,
): { handle: string; price: number; moved: boolean }[] {
  const demo = generateDemoShop();
  const typeOf = new Map(demo.products.map((p) => [p.id, p.productType]));
  const profile = (withDiscounts: boolean) =>
    buildCustomerProfiles(
      demo.orders
        .filter((o) => o.customerId === DEMO_CUSTOMERS.bargain.id)
        .map((o) => ({
          id: o.id,
          createdAt: o.createdAt,
          customerKey: o.customerId!,
          lines: o.lines.map((l) => ({
            productId: l.productId,
            quantity: l.quantity,
            price: { amount: l.price, currency: demo.currency },
            discounted: withDiscounts ? l.discount > 0 : undefined,
          })),
        })),
      (id) => typeOf.get(id) ?? "",
    ).get(DEMO_CUSTOMERS.bargain.id)!;
  const [hunter, unknown] = [profile(true), profile(false)];
  const index = buildTierIndex(
    demo.products.map((p) => ({
      ...p,
      variants: p.variants.map((v) => ({
        ...v,
        productId: p.id,
        price: { amount: v.price, currency: demo.currency },
        compareAtPrice: undefined,
        availableForSale: v.inventoryQuantity > 0,
      })),
    })),
  );
  return demo.products
    .flatMap((p) => {
      const prices = upgradeOptions(index, p.id).map((u) => u.price.amount);
      const chosen = tierInBand(hunter, p.productType, prices);
      if (chosen === undefined) return [];
      const moved = chosen !== tierInBand(unknown, p.productType, prices);
      return [{ handle: p.handle, price: prices[chosen], moved }];
    })
    .sort((a, b) => Number(b.moved) - Number(a.moved))
    .slice(0, limit);
}

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

    it("shows the bargain hunter an upgrade tier in their usual price range, and a stranger today's", async () => {
      const page = await newPage(env.browser);
      const errors = watchErrors(page);
      const upgradeOf = async () => {
        await settleBlocks(page);
        return (
          await page
            .getByRole("region", { name: "Upgrade your pick" })
            .innerText()
        ).replace(/\s+/g, " ");
      };
      const pages = bargainHunterPages(6);
      expect(pages.some((p) => p.moved)).toBe(true);
      await page.goto(
        `${env.demo.url}/demo/storefront/products/${pages[0].handle}`,
      );
      await signIn(page, "A bargain hunter");
      let shown: (typeof pages)[number] | undefined;
      for (const candidate of pages) {
        await page.goto(
          `${env.demo.url}/demo/storefront/products/${candidate.handle}`,
        );
        const upgrade = await upgradeOf();
        if (upgrade.includes("in your usual price range")) {
          // The cheapest tier inside their band is the one offered.
          expect(upgrade).toContain(`$${(candidate.price / 100).toFixed(2)}`);
          shown = candidate;
          break;
        }
      }
      // A page where their discounts decide: the tier nearest their median is another one.
      expect(shown?.moved).toBe(true);
      await signIn(page, "Not signed in");
      expect(await upgradeOf()).not.toContain("in your usual price range");
      expect(errors).toEqual([]);
    });
  },
);
