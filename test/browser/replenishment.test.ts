import { describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import {
  DESKTOP_CHROME,
  figureRows,
  hasChromium,
  hydrated,
  nav,
  scrollsSideways,
} from "./demo-server";
import { useDemoInChromium } from "./demo-hooks";

// Publishing replenishment reminders writes to customers, so it goes through a confirmation that
// says how many; walked on a desktop and on a phone-sized screen. Needs `npm run build` first.

const SCREENS = [
  { name: "desktop", width: 1440, height: 900 },
  { name: "phone", width: 390, height: 844 },
] as const;

async function openAdminAt(
  browser: Browser,
  url: string,
  viewport: { width: number; height: number },
): Promise<Page> {
  const context = await browser.newContext({
    userAgent: DESKTOP_CHROME,
    viewport,
  });
  const page = await context.newPage();
  await page.goto(`${url}/demo/admin`);
  await page.getByRole("heading", { name: "Cartlift", level: 1 }).waitFor();
  await hydrated(page);
  return page;
}

/** The number in the confirmation's "N customers will be written". */
async function confirmedCount(page: Page): Promise<number> {
  const dialog = page.getByRole("dialog", { name: "Publish reminders?" });
  const count = dialog.getByText(/^\d+ customers? will be written$/);
  await count.waitFor();
  return Number((await count.textContent())!.match(/^\d+/)![0]);
}

describe.skipIf(!hasChromium)("replenishment reminders (Chromium)", () => {
  const env = useDemoInChromium();

  for (const screen of SCREENS) {
    it(`confirms how many customers will be written before publishing (${screen.name}, ${screen.width}x${screen.height})`, async () => {
      const page = await openAdminAt(env.browser, env.demo.url, screen);
      try {
        await nav(page, "Replenishment");
        await page
          .getByRole("heading", { name: "Replenishment reminders", level: 1 })
          .waitFor();
        const publish = page.getByRole("button", {
          name: "Publish to customer metafields",
        });

        // Cancelling writes nothing and says nothing was published.
        await publish.click();
        const dialog = page.getByRole("dialog", { name: "Publish reminders?" });
        const count = await confirmedCount(page);
        expect(count).toBeGreaterThan(0);
        await dialog.getByRole("button", { name: "Cancel" }).click();
        await dialog.waitFor({ state: "detached" });
        expect(await page.getByText("Reminders published").count()).toBe(0);

        // Confirming writes exactly the number the dialog showed.
        await publish.click();
        expect(await confirmedCount(page)).toBe(count);
        const label = count === 1 ? "1 customer" : `${count} customers`;
        await dialog
          .getByRole("button", { name: `Publish to ${label}` })
          .click();
        await page.getByText("Reminders published").waitFor();
        await page
          .getByText(
            new RegExp(`^${count} customers with marketing consent now carry`),
          )
          .waitFor();
      } finally {
        await page.context().close();
      }
    });
  }

  it("reads the intervals and who is due on a phone without swiping, with every figure of the wide screen", async () => {
    const open = async (screen: (typeof SCREENS)[number]) => {
      const page = await openAdminAt(env.browser, env.demo.url, screen);
      await nav(page, "Replenishment");
      await page.getByRole("heading", { name: "Re-order intervals" }).waitFor();
      return page;
    };
    const [desktop, phone] = [await open(SCREENS[0]), await open(SCREENS[1])];
    try {
      const intervals = await figureRows(desktop, "Buyers who re-ordered");
      const due = await figureRows(desktop, "Last bought");
      expect(intervals.length).toBeGreaterThan(0);
      expect(intervals.every((row) => row.length === 4)).toBe(true);
      expect(due.length).toBeGreaterThan(0);
      expect(due.every((row) => row.length === 5)).toBe(true);
      expect(await scrollsSideways(phone)).toEqual([]);
      expect(await figureRows(phone, "Buyers who re-ordered")).toEqual(
        intervals,
      );
      expect(await figureRows(phone, "Last bought")).toEqual(due);
    } finally {
      await desktop.context().close();
      await phone.context().close();
    }
  }, 120_000);
});
