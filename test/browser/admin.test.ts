import { describe, expect, it } from "vitest";
import {
  DESKTOP_CHROME,
  figureRows,
  hasChromium,
  hydrated,
  nav,
  newPage,
  scrollsSideways,
} from "./demo-server";
import { useDemoInChromium } from "./demo-hooks";

describe.skipIf(!hasChromium)("demo admin in Chromium", () => {
  const env = useDemoInChromium();

  it("opens the embedded admin with a minted session token and shows the imported shop", async () => {
    const page = await newPage(env.browser);
    await page.goto(`${env.demo.url}/demo/admin`);
    await page.getByRole("heading", { name: "Cartlift", level: 1 }).waitFor();
    await page.getByText("Imported", { exact: true }).waitFor();
    expect(
      await page
        .getByText(/256 products and \d{1,3}(,\d{3})* orders imported/)
        .count(),
    ).toBe(1);
    expect(page.url()).toContain("/app?");
    // Where the model serves, said once when the cart and the product pages use the same method.
    const serving = await page
      .getByText(/Each training checks this again/)
      .textContent();
    expect(serving).toMatch(
      /^(Every placement|Cart, cart drawer and after checkout): /,
    );
    expect(serving).not.toMatch(/: ([^.]+)\. Product pages: \1\./);
  });

  it("keeps authenticating client-side navigations through the App Bridge stand-in", async () => {
    const page = await newPage(env.browser);
    await page.goto(`${env.demo.url}/demo/admin`);
    await page.getByRole("heading", { name: "Cartlift", level: 1 }).waitFor();
    // A revalidation is a fetch with the bearer token, as App Bridge sends it in admin.
    const status = await page.evaluate(
      async () => (await fetch("/app.data")).status,
    );
    expect(status).toBe(200);
  });

  it("reads the dashboard's tables on a phone without swiping, with every figure of the wide screen", async () => {
    const open = async (viewport: "desktop" | "phone") => {
      const page = await newPage(env.browser, viewport);
      await page.goto(`${env.demo.url}/demo/admin`);
      await hydrated(page);
      await nav(page, "Dashboard");
      await page.getByRole("heading", { name: "Revenue by day" }).waitFor();
      return page;
    };
    // The table by placement: a row for each, as many figures on a phone as on a wide screen.
    const desktop = await open("desktop");
    const figures = await figureRows(desktop, "Return rate");
    expect(figures.map((row) => row[0])).toEqual([
      "Frequently bought together",
      "Upgrade",
      "Cart page",
      "Cart drawer",
      "After checkout",
    ]);
    expect(figures.every((row) => row.length === 8)).toBe(true);
    const phone = await open("phone");
    expect(await scrollsSideways(phone)).toEqual([]);
    expect(await figureRows(phone, "Return rate")).toEqual(figures);
    await desktop.context().close();
    await phone.context().close();
  }, 120_000);

  it("keeps the words between the experiments' cards off a phone's edge", async () => {
    const page = await newPage(env.browser, "phone");
    await page.goto(`${env.demo.url}/demo/admin`);
    await hydrated(page);
    await nav(page, "Experiments");
    const heading = page.getByRole("heading", { name: "Learned offer count" });
    await heading.waitFor();
    const text = page.getByText(/^When on, each widget shows/);
    for (const words of [heading, text]) {
      const box = (await words.boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(12);
      expect(box.x + box.width).toBeLessThanOrEqual(390 - 12);
    }
    await page.context().close();
  });

  it("shows an empty list's picture, not a loading placeholder that never ends", async () => {
    const page = await newPage(env.browser);
    await page.goto(`${env.demo.url}/demo/admin`);
    await hydrated(page);
    await nav(page, "Rules");
    await page.getByText("No rules yet", { exact: true }).waitFor();
    // Polaris keeps a grey placeholder until the picture loads: every picture must load.
    const pictures = page.locator("img");
    await expect.poll(() => pictures.count()).toBeGreaterThan(0);
    await expect
      .poll(() =>
        pictures.evaluateAll((imgs: HTMLImageElement[]) =>
          imgs.every((img) => img.complete && img.naturalWidth > 0),
        ),
      )
      .toBe(true);
    await page.context().close();
  });

  it("refuses the admin without a session token", async () => {
    const response = await fetch(`${env.demo.url}/app`, {
      headers: { "User-Agent": DESKTOP_CHROME },
      redirect: "manual",
    });
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/auth/login");
  });
});
