import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import {
  type ViewportName,
  hasChromium,
  hydrated,
  nav,
  newPage,
  openAdmin,
  toastAfter,
} from "./demo-server";
import { useDemoInChromium } from "./demo-hooks";

// The merchant's walks through the demo admin, found by role as a merchant (or a screen reader)
// finds them. Needs `npm run build` first, like every browser test.

/** Picks the first `count` entries in the demo stand-in's resource picker dialog. */
async function pickFirst(page: Page, button: string, count: number) {
  await page.getByRole("button", { name: button }).click();
  const dialog = page.getByRole("dialog");
  await dialog
    .getByRole(count > 1 ? "checkbox" : "radio")
    .first()
    .waitFor();
  const boxes = dialog.getByRole(count > 1 ? "checkbox" : "radio");
  for (let i = 0; i < count; i++) await boxes.nth(i).check();
  await dialog.getByRole("button", { name: "Select" }).click();
  await dialog.waitFor({ state: "detached" });
}

describe.skipIf(!hasChromium)("merchant admin walks (Chromium)", () => {
  const env = useDemoInChromium();

  it("goes from onboarding to the first suggestions", async () => {
    const page = await openAdmin(env);
    await page.getByText("Imported", { exact: true }).waitFor();
    // The demo import finished before the server said it was running; training follows it.
    await page
      .getByText("Trained", { exact: true })
      .waitFor({ timeout: 60_000 });
    await page.getByRole("link", { name: "Add block" }).first().waitFor();
    expect(
      await page
        .getByRole("link", { name: "Open theme editor" })
        .getAttribute("href"),
    ).toContain("activateAppId=cartlift-demo%2Fcart-drawer");
    await page.getByRole("link", { name: "See suggestions" }).click();
    await page
      .getByRole("heading", { name: "Suggestions", level: 1 })
      .waitFor();
    await page.getByRole("tab", { name: /^Bundles \(\d+\)/ }).waitFor();
    expect(
      await page.getByRole("button", { name: /^Accept / }).count(),
    ).toBeGreaterThan(0);
    await expect
      .poll(() => page.getByText("Lift over chance", { exact: true }).count())
      .toBeGreaterThan(0);
    // Each kind shows the figures that apply to it, and only those.
    await page.getByRole("tab", { name: /^Upgrades \(\d+\)/ }).click();
    await page.getByText("Orders of the product").first().waitFor();
    expect(
      await page.getByText("Lift over chance", { exact: true }).count(),
    ).toBe(0);
    expect(
      await page.getByText("Suggested discount", { exact: true }).count(),
    ).toBe(0);
    await page.getByRole("tab", { name: /^Cross-sells \(\d+\)/ }).click();
    await page.getByText("Margin per 100 orders today").first().waitFor();
    expect(
      await page.getByText("Suggested discount", { exact: true }).count(),
    ).toBe(0);
  });

  it("accepts a suggested bundle and finds it in the bundles list", async () => {
    const page = await openAdmin(env);
    await nav(page, "Suggestions");
    const accept = page.getByRole("button", { name: /^Accept / }).first();
    const name = (await accept.getAttribute("aria-label"))!.replace(
      /^Accept /,
      "",
    );
    expect(await toastAfter(page, () => accept.click())).toBe("Bundle created");
    await nav(page, "Bundles");
    await page.getByRole("heading", { name: "Bundles", level: 1 }).waitFor();
    const row = page.getByRole("row").filter({ hasText: name });
    await row.waitFor();
    expect(await row.getByText("active").count()).toBe(1);
    expect(await row.getByText("suggested").count()).toBe(1);

    // The shopper: the first product's page promises the saving, and the cart takes it off.
    const shop = await newPage(env.browser);
    const handle = name
      .split(" + ")[0]
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-");
    await shop.goto(`${env.demo.url}/demo/storefront/products/${handle}`);
    const promise = shop.getByText(
      /^Bundle discount: save \$[\d,.]+ when you buy all of them$/,
    );
    await promise.waitFor();
    const saving = /\$[\d,.]+/.exec((await promise.textContent())!)![0];
    await shop.getByRole("button", { name: "Add all to cart" }).click();
    await shop.getByRole("link", { name: /^Cart \([1-9]\d*\)$/ }).waitFor();
    await shop.goto(`${env.demo.url}/demo/storefront/cart`);
    const cart = shop.locator("#shopify-section-main-cart");
    await cart
      .getByText(`Bundle discount (${name}): −${saving}`, { exact: true })
      .waitFor();
    const amount = (text: string | null) =>
      Math.round(Number(/\$([\d,.]+)/.exec(text!)![1].replace(/,/g, "")) * 100);
    const subtotal = amount(await cart.getByText(/^Subtotal: /).textContent());
    expect(
      amount(await cart.getByText(/^Estimated total: /).textContent()),
    ).toBe(subtotal - amount(saving));
    await shop.context().close();
  });

  it.each<ViewportName>(["desktop", "phone"])(
    "refuses a bundle discount over the margin floor or the bundle's price, saying the most it may be (%s)",
    async (viewport) => {
      const page = await newPage(env.browser, viewport);
      await page.goto(`${env.demo.url}/demo/admin`);
      await page.getByRole("heading", { name: "Cartlift", level: 1 }).waitFor();
      await hydrated(page);
      await nav(page, "Bundles");
      await page.getByRole("link", { name: "Create bundle" }).first().click();
      await page.getByRole("heading", { name: "New bundle" }).waitFor();
      await hydrated(page);
      await page.getByRole("textbox", { name: "Name" }).fill("Too generous");
      await pickFirst(page, "Products: choose products", 2);
      const discount = page.getByRole("textbox", { name: "Discount (%)" });
      await discount.fill("100");
      await page.getByRole("button", { name: "Save" }).click();
      await page
        .getByText(/^At most \d+(\.\d+)?% keeps the 20% margin floor/)
        .waitFor();

      await page
        .getByRole("combobox", { name: "Discount type" })
        .selectOption("fixed_amount");
      await page.getByRole("textbox", { name: "Discount (USD)" }).fill("99999");
      await page.getByRole("button", { name: "Save" }).click();
      await page
        .getByText(
          /^More than the bundle's price of \$[\d,.]+: at most \$[\d,.]+ keeps the 20% margin floor$/,
        )
        .waitFor();
      expect(
        await page.getByRole("heading", { name: "New bundle" }).count(),
      ).toBe(1);
      await page.context().close();
    },
  );

  it("creates, edits and deletes a rule, with a validation error on bad input", async () => {
    const page = await openAdmin(env);
    await nav(page, "Rules");
    await page.getByRole("link", { name: "Create rule" }).first().click();
    await page.getByRole("heading", { name: "New rule" }).waitFor();
    await page.getByRole("textbox", { name: "Priority" }).fill("high");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByText("Give the rule a name").waitFor();
    await page.getByText("A whole number between -9999 and 9999").waitFor();
    await page.getByText("Choose at least one product").waitFor();

    await page.getByRole("textbox", { name: "Name" }).fill("Stoves with fuel");
    await page.getByRole("textbox", { name: "Priority" }).fill("5");
    await pickFirst(page, "Trigger product: choose products", 1);
    await pickFirst(page, "Products: choose products", 2);
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("heading", { name: "Rules", level: 1 }).waitFor();
    await page.getByRole("link", { name: "Stoves with fuel" }).click();

    await page.getByRole("textbox", { name: "Name" }).fill("Stoves with gas");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("link", { name: "Stoves with gas" }).waitFor();
    expect(
      await page.getByRole("link", { name: "Stoves with fuel" }).count(),
    ).toBe(0);

    await page.getByRole("link", { name: "Stoves with gas" }).click();
    await page.getByRole("button", { name: "Delete" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete this rule?" });
    await confirm.getByRole("button", { name: "Delete rule" }).click();
    await page.getByRole("heading", { name: "Rules", level: 1 }).waitFor();
    await page.getByText("No rules yet").waitFor();
  });

  it("changes a placement's count and the app proxy honours it", async () => {
    const page = await openAdmin(env);
    const ids = await page.evaluate(async () => {
      const products = (await (await fetch("/app/catalog")).json()) as {
        id: string;
      }[];
      return products.slice(0, 2).map((p) => p.id.split("/").pop()!);
    });
    const offers = async () => {
      const response = await fetch(
        `${env.demo.url}/apps/cartlift/recommendations?placement=cart&cart=${ids.join(",")}`,
      );
      expect(response.status).toBe(200);
      return (
        (await response.text()).match(/data-cartlift-offer data-product-id/g) ??
        []
      ).length;
    };
    expect(await offers()).toBeGreaterThan(1);

    await nav(page, "Placements");
    const cart = page.getByRole("form", {
      name: "Cart page: complete your order",
    });
    await cart.getByRole("spinbutton", { name: "Maximum offers" }).fill("1");
    expect(
      await toastAfter(page, () =>
        cart
          .getByRole("button", { name: "Save Cart page: complete your order" })
          .click(),
      ),
    ).toBe("Settings saved");
    expect(await offers()).toBe(1);

    // A count out of range is refused next to the field.
    await cart.getByRole("spinbutton", { name: "Maximum offers" }).fill("40");
    await cart
      .getByRole("button", { name: "Save Cart page: complete your order" })
      .click();
    await cart.getByText("Between 1 and 12").waitFor();
    expect(await offers()).toBe(1);
  });
});
