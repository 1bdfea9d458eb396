import { describe, expect, it } from "vitest";
import type { Page } from "playwright-core";
import {
  VIEWPORTS,
  figureRows,
  hasChromium,
  hydrated,
  nav,
  newPage,
  openAdmin,
  scrollsSideways,
  watchErrors,
} from "./demo-server";
import { useDemoInChromium } from "./demo-hooks";

// The experiment page's charts (issue 20, item 10): each arm's AOV and revenue per visitor over
// time with their intervals, drawn by Polaris Viz in the browser only, at 1440 and 390 px.
// Needs `npm run build`.

const NAME = "Charts: cart offers vs hold-out";

/**
 * The series a chart draws. Polaris Viz draws each line series as a white mask path (over its
 * colour gradient) beside a transparent hit path: one white path per series drawn.
 */
async function chartLines(page: Page, title: string) {
  const figure = page.getByRole("figure", {
    name: `${title} per arm over time`,
  });
  await figure
    .locator("svg path")
    .first()
    .waitFor({ state: "attached", timeout: 20_000 });
  return figure
    .locator("svg path")
    .evaluateAll(
      (paths) =>
        paths
          .filter((p) => (p.getAttribute("d") ?? "").length > 0)
          .filter((p) => p.getAttribute("stroke") === "white").length,
    );
}

const widths = (page: Page) =>
  page.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    window: window.innerWidth,
  }));

describe.skipIf(!hasChromium)("experiment charts (Chromium)", () => {
  const env = useDemoInChromium();

  it("draws each arm's AOV and revenue per visitor with its interval, without errors, at 1440 and 390 px", async () => {
    const page = await openAdmin(env);
    const errors = watchErrors(page);
    await nav(page, "Experiments");
    await page.getByRole("link", { name: "New experiment" }).first().click();
    await page
      .getByRole("heading", { name: "New experiment", level: 1 })
      .waitFor();
    await page.getByLabel("Name", { exact: true }).fill(NAME);
    await page.getByRole("button", { name: "Create experiment" }).click();
    await page.getByRole("heading", { name: NAME, level: 1 }).waitFor();
    await page.getByRole("button", { name: "Start experiment" }).click();
    await page.getByRole("button", { name: "Stop experiment" }).waitFor();

    // Two rounds of shoppers a few seconds apart, so the series has a course to draw.
    for (const visitors of [400, 400]) {
      const traffic = await fetch(
        `${env.demo.url}/demo/experiment-traffic?visitors=${visitors}`,
        { method: "POST" },
      );
      expect(traffic.status).toBe(200);
    }
    await nav(page, "Experiments");
    await page.getByRole("link", { name: NAME }).click();
    await page.getByRole("heading", { name: "Over time" }).waitFor();
    await hydrated(page);

    const legend = await page
      .getByRole("group", { name: "Chart legend" })
      .textContent();
    expect(legend).toMatch(/Hold-out/);
    expect(legend).toMatch(/Cartlift/);
    for (const title of ["Average order value", "Revenue per visitor"]) {
      const lines = await chartLines(page, title);
      // Two arms, each drawn as its estimate and the two lines of its interval.
      expect(lines).toBe(2 * 3);
    }
    expect(errors).toEqual([]);
    // The figures of the arms, their results and the verdict, as the wide screen shows them.
    const TABLES = ["Traffic share", "Visitors", "Always-valid p-value"];
    const desktopFigures = await Promise.all(
      TABLES.map((text) => figureRows(page, text)),
    );
    expect(desktopFigures.map((rows) => rows.length)).toEqual([2, 2, 1]);

    // The same pages on a phone: nothing wider than the screen or scrolling sideways, both charts
    // drawn, every figure of the tables there and the same.
    const phone = await newPage(env.browser, "phone");
    const phoneErrors = watchErrors(phone);
    await phone.goto(`${env.demo.url}/demo/admin`);
    await hydrated(phone);
    await nav(phone, "Experiments");
    await phone.getByRole("heading", { name: "Learned offer count" }).waitFor();
    expect(await scrollsSideways(phone)).toEqual([]);
    await phone.getByRole("link", { name: NAME }).click();
    await phone.getByRole("heading", { name: "Over time" }).waitFor();
    for (const title of ["Average order value", "Revenue per visitor"])
      expect(await chartLines(phone, title)).toBe(2 * 3);
    const { width } = VIEWPORTS.phone;
    expect(await widths(phone)).toEqual({ page: width, window: width });
    expect(await scrollsSideways(phone)).toEqual([]);
    expect(
      await Promise.all(TABLES.map((text) => figureRows(phone, text))),
    ).toEqual(desktopFigures);
    expect(phoneErrors).toEqual([]);
    await phone.context().close();
  }, 600_000);
});
