import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { hasChromium, launchChromium, newPage } from "./demo-server";

// What the storefront script counts as an impression (docs/decisions/019-figures-that-reconcile.md):
// an offer seen, once per block and page view, however often the block reloads. The script as the
// extension ships it, on a page of its own with the app proxy and the cart played here, so the
// offers of each reload are exactly the test's. Needs Chromium, not the build.

const SCRIPT = readFileSync("extensions/cartlift-theme/assets/cartlift.js");
const SHOP = "http://shop.test";

/** A cart block and a "bought together" block on a product page, as the theme renders them. */
const PAGE = (consent: boolean) => `<!doctype html><html lang="en"><body>
<script>
  window.Shopify = { customerPrivacy: { analyticsProcessingAllowed: () => ${consent} } };
  window.beacons = [];
  navigator.sendBeacon = (url, body) => window.beacons.push([url, body]) > 0;
</script>
${["cart", "product_fbt"]
  .map(
    (placement) =>
      `<cartlift-offers data-placement="${placement}" data-proxy="/apps/cartlift" data-cart="/cart" data-limit="4"${placement === "product_fbt" ? ' data-product-id="1"' : ""}>` +
      `<section><h2>${placement}</h2><div data-cartlift-slot></div><p data-cartlift-status></p></section></cartlift-offers>`,
  )
  .join("")}
<script src="/cartlift.js"></script></body></html>`;

/**
 * The shop a page talks to: the offers the proxy answers (the same for both blocks, each with a
 * new token on every answer, as tokens change every second). The script's beacons are kept in
 * the page, so that every event sent is read at once.
 */
async function shop(page: Page, consent: boolean) {
  const state = { offers: ["11:111", "12:121"], answers: 0 };
  await page.route(`${SHOP}/**`, (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === "/")
      return route.fulfill({ contentType: "text/html", body: PAGE(consent) });
    if (url.pathname === "/cartlift.js")
      return route.fulfill({ contentType: "text/javascript", body: SCRIPT });
    if (url.pathname === "/cart.js")
      return route.fulfill({
        json: { item_count: 1, items: [{ product_id: 1 }] },
      });
    if (url.pathname === "/apps/cartlift/recommendations") {
      const answer = ++state.answers;
      const placement = url.searchParams.get("placement");
      const body = state.offers
        .map((offer) => {
          const [product, variant] = offer.split(":");
          return `<button data-cartlift-offer data-product-id="${product}" data-variant-id="${variant}" data-token="${placement}~${answer}~${offer}">Add</button>`;
        })
        .join("");
      return route.fulfill({ contentType: "text/html", body });
    }
    return route.fulfill({ status: 404 });
  });
  await page.goto(`${SHOP}/`);
  await shown(page, state, 2);
  return state;
}

/** Both blocks showing the answers asked so far: each block's offers carry its latest token. */
async function shown(page: Page, state: { answers: number }, asked: number) {
  await expect.poll(() => state.answers).toBe(asked);
  await page.waitForFunction(
    (tokens) =>
      tokens.every((n) => document.querySelector(`[data-token*="~${n}~"]`)),
    [asked - 1, asked],
  );
}

/** A cart change made by the theme: both blocks reload, and show their new answers. */
async function changeCart(page: Page, state: { answers: number }) {
  const asked = state.answers + 2;
  await page.evaluate(() =>
    document.dispatchEvent(new CustomEvent("cart:updated")),
  );
  await shown(page, state, asked);
}

/** The impressions sent once the page is left, as "<placement> <product>:<variant>", sorted. */
async function impressions(page: Page) {
  const beacons = await page.evaluate(() => {
    dispatchEvent(new Event("pagehide"));
    return (window as unknown as { beacons: [string, string][] }).beacons;
  });
  expect(beacons.length).toBeGreaterThan(0);
  return beacons
    .map(([url, body]) => {
      expect(url).toBe("/apps/cartlift/events");
      return body;
    })
    .flatMap(
      (body) =>
        (JSON.parse(body) as { events: { type: string; token: string }[] })
          .events,
    )
    .filter((e) => e.type === "impression")
    .map((e) => e.token.split("~"))
    .map(([placement, , offer]) => `${placement} ${offer}`)
    .sort();
}

/** The same offers seen once in each block, as `impressions` lists them. */
const inBothBlocks = (...offers: string[]) =>
  ["cart", "product_fbt"].flatMap((block) =>
    offers.map((offer) => `${block} ${offer}`),
  );

describe.skipIf(!hasChromium)("impressions from the storefront script", () => {
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchChromium();
  }, 60_000);
  afterAll(() => browser?.close());

  it("counts each offer once per block and page view however often the blocks reload, and a new offer once", async () => {
    const page = await newPage(browser);
    const state = await shop(page, true);
    await changeCart(page, state);
    await changeCart(page, state);
    // Another cart change brings a new offer beside one already counted.
    state.offers = ["11:111", "13:131"];
    await changeCart(page, state);
    await changeCart(page, state);

    expect(await impressions(page)).toEqual(
      inBothBlocks("11:111", "12:121", "13:131"),
    );

    // The next page view counts the offers it shows again.
    const asked = state.answers + 2;
    await page.goto(`${SHOP}/`);
    await shown(page, state, asked);
    expect(await impressions(page)).toEqual(inBothBlocks("11:111", "13:131"));
    await page.context().close();
  });

  it("counts the offers on screen once when consent comes after reloads, and not again after", async () => {
    const page = await newPage(browser);
    const state = await shop(page, false);
    await changeCart(page, state);
    await page.evaluate(() =>
      document.dispatchEvent(
        new CustomEvent("visitorConsentCollected", {
          detail: { analyticsAllowed: true },
        }),
      ),
    );
    await changeCart(page, state);

    // Counted at consent, with the tokens then on screen; the reload after it adds nothing.
    expect(await impressions(page)).toEqual(inBothBlocks("11:111", "12:121"));
    await page.context().close();
  });
});
