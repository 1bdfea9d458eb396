/**
 * The demo app and Chromium, as the browser tests and the browser benchmarks drive them. Nothing
 * here imports the test runner: scripts run outside it (the hooks are in demo-hooks.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { randomUUID } from "node:crypto";
import { type Browser, type Page, chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const hasChromium = existsSync(CHROMIUM);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/**
 * The environment a developer's shell gives a script. A test run's own app settings
 * (test/setup.ts) and NODE_ENV=test must not leak into it: the demo refuses to start beside
 * real-looking credentials, and the app logs differently under test.
 */
export function shellEnv(): NodeJS.ProcessEnv {
  const {
    SHOPIFY_API_KEY: _key,
    SHOPIFY_API_SECRET: _secret,
    DATABASE_URL: _db,
    SHOPIFY_APP_URL: _url,
    SCOPES: _scopes,
    NODE_ENV: _nodeEnv,
    ...inherited
  } = process.env;
  // Remix's globals declare NODE_ENV always set; a shell leaves it unset and the app defaults it.
  return inherited as NodeJS.ProcessEnv;
}

export interface DemoServer {
  url: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** Runs `scripts/demo.ts` exactly as `npm run demo` does, on a free port and its own database. */
export async function startDemo(): Promise<DemoServer> {
  const port = await freePort();
  const database = `demo-test-${randomUUID()}.sqlite`;
  const env = {
    ...shellEnv(),
    NODE_ENV: "development" as const,
    PORT: String(port),
    DEMO_DATABASE: database,
  };
  // Node itself (not npx) in a process group of its own, so stopping it leaves no server behind.
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", "scripts/demo.ts"],
    {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    },
  );
  let output = "";
  child.stdout?.on("data", (chunk) => (output += chunk));
  child.stderr?.on("data", (chunk) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`demo did not start:\n${output}`)),
      150_000,
    );
    const check = () => {
      if (output.includes("Cartlift demo is running")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited with ${code}:\n${output}`));
    });
  });
  return {
    url: `http://localhost:${port}`,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        child.removeAllListeners("exit");
        child.once("exit", () => {
          for (const suffix of ["", "-wal", "-shm"])
            rmSync(`prisma/${database}${suffix}`, { force: true });
          resolve();
        });
        if (child.pid) process.kill(-child.pid, "SIGTERM");
      }),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Headless Chromium announces itself as "HeadlessChrome", which the Shopify library answers
 * with 410 as a bot: pages get the user agent of a desktop Chrome instead.
 */
export const DESKTOP_CHROME =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

/** The two screens the product is checked at (issue 18): a laptop and a phone. */
export const VIEWPORTS = {
  desktop: { width: 1440, height: 900 },
  phone: { width: 390, height: 844 },
} as const;
export type ViewportName = keyof typeof VIEWPORTS;

/**
 * A page in a fresh context. On "phone" Chromium behaves as a mobile browser: it honours (or
 * misses) the page's viewport meta tag, so a page without one lays out 980 px wide, as on a phone.
 */
export async function newPage(
  browser: Browser,
  viewport?: ViewportName,
): Promise<Page> {
  const context = await browser.newContext({
    userAgent: DESKTOP_CHROME,
    viewport: viewport ? VIEWPORTS[viewport] : { width: 1280, height: 800 },
    isMobile: viewport === "phone",
    hasTouch: viewport === "phone",
  });
  return context.newPage();
}

export interface DemoInChromium {
  demo: DemoServer;
  browser: Browser;
}

/**
 * Resolves once Remix has hydrated the page and has no navigation in flight. Server-rendered
 * buttons are on screen before that, and a click on one whose handler is not attached yet is lost.
 */
export async function hydrated(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const router = (
      window as {
        __remixRouter?: {
          state: { initialized: boolean; navigation: { state: string } };
        };
      }
    ).__remixRouter;
    return (
      router?.state.initialized && router.state.navigation.state === "idle"
    );
  });
}

/** The embedded admin's home, opened with a freshly minted session token, hydrated. */
export async function openAdmin({ demo, browser }: DemoInChromium) {
  const page = await newPage(browser);
  await page.goto(`${demo.url}/demo/admin`);
  await page.getByRole("heading", { name: "Cartlift", level: 1 }).waitFor();
  await hydrated(page);
  return page;
}

/** Follows a link of the app's nav menu and waits for the page it leads to, hydrated. */
export async function nav(page: Page, name: string): Promise<void> {
  const link = page
    .getByRole("navigation")
    .getByRole("link", { name, exact: true });
  const path = new URL((await link.getAttribute("href"))!, page.url()).pathname;
  await link.click();
  await page.waitForURL((url) => url.pathname === path);
  await hydrated(page);
}

/**
 * Runs `act` (a click that saves something) and returns the text of the admin toast it brings.
 * The stand-in's toasts go after 3 s, as Shopify's go after a few; a test process starved of CPU
 * may poll too rarely to see one, so the page keeps every toast's text until it is read.
 */
export async function toastAfter(
  page: Page,
  act: () => Promise<void>,
): Promise<string> {
  await page.evaluate(() => {
    const log: string[] = [];
    (window as { toasts?: string[] }).toasts = log;
    new MutationObserver((records) => {
      for (const record of records)
        for (const node of record.addedNodes)
          if (
            node instanceof HTMLElement &&
            node.getAttribute("role") === "status"
          )
            log.push(node.textContent ?? "");
    }).observe(document.body, { childList: true });
  });
  await act();
  const toast = await page.waitForFunction(
    () => (window as { toasts?: string[] }).toasts?.[0],
  );
  return (await toast.jsonValue()) as string;
}

/**
 * Console errors and uncaught exceptions of a page, as a shopper's devtools would show them.
 * Chromium itself logs every failed network request; that line comes from the browser's network
 * stack (a test may make the proxy fail on purpose, a page has no favicon), not from any script.
 */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
      errors.push(m.text());
  });
  return errors;
}

export interface CartJson {
  item_count: number;
  items: {
    product_id: number;
    variant_id: number;
    quantity: number;
    properties: Record<string, string>;
  }[];
}

/** The page's cart, as the Ajax API (`/cart.js`) returns it. */
export const cartOf = (page: Page) =>
  page.evaluate(async () =>
    (await fetch("/cart.js")).json(),
  ) as Promise<CartJson>;

/**
 * Scrolls through the page so that every block loads (they load when near the viewport), back to
 * the top, then waits until each has its offers or settled empty. A block that is collapsed or in
 * a closed drawer (a phone's) never loads, and counts as settled.
 */
export async function settleBlocks(page: Page): Promise<void> {
  await page.evaluate(async () => {
    for (let y = 0; y <= document.body.scrollHeight; y += 400) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 100));
    }
    window.scrollTo(0, 0);
  });
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll("cartlift-offers")].every(
        (el) =>
          ["ready", "empty"].includes(el.getAttribute("data-state") ?? "") ||
          !(el as HTMLElement).offsetParent,
      ),
    undefined,
    { timeout: 15_000 },
  );
}

/**
 * What makes an admin page scroll sideways: the page wider than the window, a table reaching past
 * its edge, or a box around a table that scrolls it sideways (Polaris's DataTable on a narrow
 * screen). Empty when everything reads without a swipe.
 */
export const scrollsSideways = (page: Page): Promise<string[]> =>
  page.evaluate(() => {
    const found: string[] = [];
    const page = document.documentElement.scrollWidth;
    if (page > innerWidth) found.push(`the page, ${page} px`);
    for (const table of document.querySelectorAll("table")) {
      const box = table.getBoundingClientRect();
      // Not displayed (the wide screen's table on a phone), or an off-screen accessible copy.
      if (box.width <= 1 || !table.checkVisibility()) continue;
      const name = table.textContent!.trim().slice(0, 40);
      if (box.left < 0 || box.right > innerWidth)
        found.push(`table "${name}": ${box.left}-${box.right} px`);
      for (let box = table.parentElement; box; box = box.parentElement)
        if (
          box.scrollWidth > box.clientWidth &&
          /auto|scroll/.test(getComputedStyle(box).overflowX)
        )
          found.push(
            `around table "${name}": ${box.scrollWidth} px in ${box.clientWidth}`,
          );
    }
    return found;
  });

/**
 * The rows of the figures table (app/components/figure-table.tsx) holding `text`, as the screen
 * shows them: cells of the table on a wide screen; on a phone, each stacked row's title and
 * figures.
 */
export async function figureRows(page: Page, text: string) {
  const table = page.getByRole("table").filter({ hasText: text });
  if (await table.count())
    return table.evaluate((t) =>
      [...t.querySelectorAll("tbody tr")].map((row) =>
        [...row.querySelectorAll("th, td")].map((c) => c.textContent!.trim()),
      ),
    );
  return page
    .getByRole("list")
    .filter({ hasText: text })
    .evaluate((list) =>
      [...list.querySelectorAll(":scope > li")].map((item) => [
        item.querySelector("p")!.textContent!.trim(),
        ...[...item.querySelectorAll("dd")].map((d) => d.textContent!.trim()),
      ]),
    );
}
