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

/**
 * How many rows of a chart's pixels, as the screen shows them, hold an arm's colour: a line drawn
 * at its values crosses many, a line left on the zero line of a load animation two or three. The
 * page decodes its own screenshot: the DOM can hold the final shapes while the paint does not.
 */
async function rowsInColour(page: Page, title: string, [r, g, b]: number[]) {
  const png = await page
    .getByRole("figure", { name: `${title} per arm over time` })
    .screenshot();
  return page.evaluate(
    async ({ base64, colour }) => {
      const image = new Image();
      image.src = `data:image/png;base64,${base64}`;
      await image.decode();
      const canvas = document.createElement("canvas");
      canvas.width = image.width;
      canvas.height = image.height;
      const context = canvas.getContext("2d")!;
      context.drawImage(image, 0, 0);
      const { data, width, height } = context.getImageData(
        0,
        0,
        image.width,
        image.height,
      );
      let rows = 0;
      for (let y = 0; y < height; y++)
        for (let x = 0; x < width; x++) {
          const i = (y * width + x) * 4;
          const distance =
            Math.abs(data[i] - colour[0]) +
            Math.abs(data[i + 1] - colour[1]) +
            Math.abs(data[i + 2] - colour[2]);
          if (distance < 40) {
            rows++;
            break;
          }
        }
      return rows;
    },
    { base64: png.toString("base64"), colour: [r, g, b] },
  );
}

/** The arm "Cartlift"'s colour on the experiment page (ARM_COLORS[0]). */
const CARTLIFT_BLUE = [0x24, 0x63, 0xbc];

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
      expect(await rowsInColour(page, title, CARTLIFT_BLUE)).toBeGreaterThan(
        20,
      );
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
    for (const title of ["Average order value", "Revenue per visitor"]) {
      expect(await chartLines(phone, title)).toBe(2 * 3);
      expect(await rowsInColour(phone, title, CARTLIFT_BLUE)).toBeGreaterThan(
        20,
      );
    }
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
