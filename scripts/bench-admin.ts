/**
 * `npm run bench:admin`: LCP and CLS of the dashboard and the suggestions page in Chromium on the
 * demo admin (needs `npm run build` first). Each page is loaded cold (a fresh browser context)
 * several times; the numbers come from the browser's own PerformanceObserver entries.
 * Targets (docs/decisions/008-merchant-admin.md): LCP ≤ 1.5 s, CLS ≤ 0.05. Timings depend on
 * load, so `npm test` runs it once with RUNS=1 (test/bench) only to prove it runs.
 */
import type { Browser } from "playwright-core";
import {
  hasChromium,
  launchChromium,
  newPage,
  startDemo,
} from "../test/browser/demo-server";

const RUNS = Number(process.env.RUNS ?? 5);
const PAGES = [
  { name: "dashboard", path: "/app/dashboard", heading: "Dashboard" },
  { name: "suggestions", path: "/app/suggestions", heading: "Suggestions" },
];

// Runs in the page before any script: records LCP and layout shifts as they happen.
const OBSERVE = `
  window.__vitals = { lcp: 0, cls: 0 };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__vitals.lcp = e.startTime;
  }).observe({ type: "largest-contentful-paint", buffered: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__vitals.cls += e.value;
  }).observe({ type: "layout-shift", buffered: true });
`;

async function measure(
  browser: Browser,
  url: string,
  path: string,
  heading: string,
) {
  const page = await newPage(browser);
  await page.addInitScript(OBSERVE);
  // /demo/admin mints a session token and redirects into the embedded app at /app?…;
  // the page under test is then opened with the same query, as admin would.
  await page.goto(`${url}/demo/admin`);
  await page.waitForURL(/\/app\?/);
  const query = new URL(page.url()).search;
  await page.goto(`${url}${path}${query}`);
  await page.getByRole("heading", { name: heading, level: 1 }).waitFor();
  // LCP is final once the page is idle; charts load lazily after hydration.
  await page.waitForLoadState("networkidle");
  await page.waitForTimeout(500);
  const vitals = await page.evaluate(
    () =>
      (window as unknown as { __vitals: { lcp: number; cls: number } })
        .__vitals,
  );
  await page.context().close();
  return vitals;
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (!hasChromium) {
  console.error("bench:admin needs Chromium (apt-get install chromium)");
  process.exit(1);
}
const [demo, browser] = await Promise.all([startDemo(), launchChromium()]);
try {
  for (const p of PAGES) {
    const runs = [];
    // One warm-up load: the first request after start pays for module loading and training.
    await measure(browser, demo.url, p.path, p.heading);
    for (let i = 0; i < RUNS; i++)
      runs.push(await measure(browser, demo.url, p.path, p.heading));
    const lcp = runs.map((r) => r.lcp);
    const cls = runs.map((r) => r.cls);
    console.log(
      `${p.name.padEnd(12)} LCP median ${Math.round(median(lcp))} ms (max ${Math.round(Math.max(...lcp))} ms, target ≤ 1500)  ` +
        `CLS median ${median(cls).toFixed(3)} (max ${Math.max(...cls).toFixed(3)}, target ≤ 0.05)  [${RUNS} cold loads]`,
    );
  }
} finally {
  await browser.close();
  await demo.stop();
}
