/**
 * `npm run screens`: full-page screenshots (PNG) of the whole product on the demo, so anyone can
 * look at it after a change: every admin page of the app's nav menu, the storefront preview in
 * each state a shopper meets (product page, another variant chosen, cart page with items, cart
 * drawer open with suggestions, French in euros and in dollars) and the post-purchase preview in
 * English and French, each at 1440x900
 * and at 390x844 (a phone), into screens/ (gitignored; emptied first). Prints the files written,
 * and the width of any page that scrolls sideways.
 *
 * `npm run screens` builds first, as `npm run demo` does: screenshots of a stale build would show
 * the product before the change being looked at. `tsx scripts/screens.ts` alone uses build/ as it is.
 *
 * `npm run screens -- --readme` writes the README's three pictures instead (docs/*.png, the top
 * 1280x900 of the admin's home and suggestions and of the storefront with the cart drawer open).
 */
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import type { Browser, Page } from "playwright-core";
import {
  type DemoServer,
  type ViewportName,
  VIEWPORTS,
  hasChromium,
  hydrated,
  launchChromium,
  newPage,
  settleBlocks,
  startDemo,
} from "../test/browser/demo-server";

const README = parseArgs({ options: { readme: { type: "boolean" } } }).values
  .readme;
const OUT = path.resolve(
  import.meta.dirname,
  "..",
  README ? "docs" : "screens",
);
/** The README's pictures: the screenshot each is taken from, and its file in docs/. */
const README_PICTURES = new Map([
  ["admin-home-desktop", "admin-home"],
  ["admin-suggestions-desktop", "admin-suggestions"],
  ["storefront-drawer-desktop", "storefront"],
]);

/** The app's nav menu (app/routes/app.tsx), in its order. */
const ADMIN_PAGES = [
  { name: "home", link: "Home", heading: "Cartlift" },
  { name: "suggestions", link: "Suggestions", heading: "Suggestions" },
  { name: "bundles", link: "Bundles", heading: "Bundles" },
  { name: "rules", link: "Rules", heading: "Rules" },
  { name: "placements", link: "Placements", heading: "Placements" },
  { name: "dashboard", link: "Dashboard", heading: "Dashboard" },
  { name: "experiments", link: "Experiments", heading: "Experiments" },
  { name: "replenishment", link: "Replenishment", heading: "Replenishment" },
];

/** Every block settled, and faded in (0.2 s). */
async function settled(page: Page): Promise<void> {
  await settleBlocks(page);
  await page.waitForTimeout(400);
}

const addToCart = async (page: Page) => {
  const before = await page.evaluate(
    async () =>
      ((await (await fetch("/cart.js")).json()) as { item_count: number })
        .item_count,
  );
  await page.getByRole("button", { name: "Add to cart", exact: true }).click();
  await page.waitForFunction(
    async (n) =>
      ((await (await fetch("/cart.js")).json()) as { item_count: number })
        .item_count > n,
    before,
  );
};

type Shot = (page: Page, demo: DemoServer) => Promise<void>;

/** Storefront and post-purchase states: each starts from a fresh cart (a new browser context). */
const STOREFRONT: [string, Shot][] = [
  [
    "storefront-product",
    async (page, { url }) => {
      await page.goto(`${url}/demo/storefront`);
      await settled(page);
    },
  ],
  [
    "storefront-product-other-variant",
    async (page, { url }) => {
      await page.goto(`${url}/demo/storefront`);
      await settled(page);
      const choices = page
        .getByRole("group", { name: "Variant" })
        .getByRole("radio", { disabled: false });
      await choices.nth((await choices.count()) - 1).check();
      await page.waitForURL(/variant=/);
      await page.waitForTimeout(300);
      await settled(page);
    },
  ],
  [
    "storefront-cart",
    async (page, { url }) => {
      await page.goto(`${url}/demo/storefront`);
      await addToCart(page);
      await page.goto(`${url}/demo/storefront/cart`);
      await settled(page);
    },
  ],
  [
    "storefront-drawer",
    async (page, { url }) => {
      await page.goto(`${url}/demo/storefront`);
      await addToCart(page);
      const drawer = page.getByRole("complementary", { name: "Cart drawer" });
      await drawer.waitFor();
      await drawer
        .getByRole("region", { name: /./ })
        .getByRole("button")
        .first()
        .waitFor({ timeout: 15_000 });
      await page.waitForTimeout(400);
    },
  ],
  [
    "storefront-product-fr-eur",
    async (page, { url }) => {
      await page.goto(`${url}/demo/storefront?locale=fr&currency=EUR`);
      await settled(page);
    },
  ],
  // The tent goes in the cart in English; the shopper then switches language on the cart page.
  ...["EUR", "USD"].map((currency): [string, Shot] => [
    `storefront-cart-fr-${currency.toLowerCase()}`,
    async (page, { url }) => {
      await page.goto(`${url}/demo/storefront`);
      await addToCart(page);
      await page.goto(
        `${url}/demo/storefront/cart?locale=fr&currency=${currency}`,
      );
      await settled(page);
    },
  ]),
  ...["en", "fr"].map((locale): [string, Shot] => [
    `post-purchase-${locale}`,
    async (page, { url }) => {
      await page.goto(`${url}/demo/post-purchase?locale=${locale}`);
      await page.getByRole("heading", { name: "For developers" }).waitFor();
    },
  ]),
];

/** A page in a fresh context; the README's pictures are a little narrower than the desktop's. */
async function openPage(browser: Browser, viewport: ViewportName) {
  const page = await newPage(browser, viewport);
  if (README) await page.setViewportSize({ width: 1280, height: 900 });
  return page;
}

async function shoot(page: Page, name: string, files: string[]) {
  if (README) {
    const picture = README_PICTURES.get(name);
    if (!picture) return;
    const file = path.join(OUT, `${picture}.png`);
    await page.screenshot({ path: file });
    files.push(path.relative(process.cwd(), file));
    return;
  }
  const file = path.join(OUT, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  const { scroll, width } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    width: window.innerWidth,
  }));
  files.push(
    `${path.relative(process.cwd(), file)}${scroll > width ? `  (scrolls sideways: ${scroll} px wide in ${width})` : ""}`,
  );
}

async function admin(
  browser: Browser,
  demo: DemoServer,
  viewport: ViewportName,
  files: string[],
) {
  const page = await openPage(browser, viewport);
  await page.goto(`${demo.url}/demo/admin`);
  await page.getByRole("heading", { name: "Cartlift", level: 1 }).waitFor();
  await hydrated(page);
  for (const { name, link, heading } of ADMIN_PAGES) {
    const nav = page
      .getByRole("navigation")
      .getByRole("link", { name: link, exact: true });
    const target = new URL((await nav.getAttribute("href"))!, page.url())
      .pathname;
    await nav.click();
    await page.waitForURL((u) => u.pathname === target);
    await hydrated(page);
    await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
    // Charts and lazy panels load after hydration.
    await page.waitForLoadState("networkidle");
    await page.waitForTimeout(300);
    await shoot(page, `admin-${name}-${viewport}`, files);
  }
  await page.context().close();
}

if (!hasChromium) {
  console.error("screens needs Chromium (apt-get install chromium)");
  process.exit(1);
}
if (!README) {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
}
const [demo, browser] = await Promise.all([startDemo(), launchChromium()]);
const files: string[] = [];
try {
  const viewports = README
    ? (["desktop"] as const)
    : (Object.keys(VIEWPORTS) as ViewportName[]);
  for (const viewport of viewports) {
    await admin(browser, demo, viewport, files);
    for (const [name, shot] of STOREFRONT) {
      const page = await openPage(browser, viewport);
      await shot(page, demo);
      await shoot(page, `${name}-${viewport}`, files);
      await page.context().close();
    }
  }
  const sizes = README
    ? "1280x900"
    : Object.entries(VIEWPORTS)
        .map(([n, v]) => `${n} ${v.width}x${v.height}`)
        .join(", ");
  console.log(
    `${files.length} screenshots (${sizes}):\n${files.map((f) => `  ${f}`).join("\n")}`,
  );
} finally {
  await browser.close();
  await demo.stop();
}
