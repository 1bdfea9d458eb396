/**
 * `npm run bench:storefront`: what the theme extension costs a storefront.
 *
 * 1. Weight: every extensions/cartlift-theme/assets/*.js and *.css gzipped (level 9), against
 *    the budgets (JS <= 8 KB, CSS <= 3 KB in total).
 * 2. Render blocking, statically: each block's Liquid (and the snippets it renders) must load
 *    scripts deferred (schema "javascript", which Shopify injects with `defer`, a `<script>`
 *    with defer/async/type="module", or an inline loader) and CSS without blocking (inlined, or
 *    a non-blocking link); a schema "stylesheet" becomes a `<link rel="stylesheet">` in the head,
 *    which blocks render.
 * 3. In Chromium (/usr/bin/chromium) on the demo storefront preview, on the product page and the
 *    cart page (each with content below the blocks), at 1440x900 and at 390x844 as a phone (mobile
 *    emulation, Lighthouse's throttling): layout shift (sum of `layout-shift` entries without
 *    recent input, the CLS input) from navigation until the blocks settled, each Cartlift
 *    resource's renderBlockingStatus as Chromium reports it, and the blocks' performance impact:
 *    a Lighthouse-like score (Lighthouse's curves and weights over FCP, LCP, TBT and CLS from
 *    Chromium's performance APIs; Speed Index left out) with the blocks against the same page
 *    without them, alternating in the same run. Targets: CLS <= 0.01, impact <= 2 points.
 *
 * Needs `npm run build` (the demo serves the build; run here when it is missing or with --build).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import type { Page } from "playwright-core";
import {
  hasChromium,
  launchChromium,
  newPage,
  settleBlocks,
  startDemo,
  CHROMIUM,
  VIEWPORTS,
  type ViewportName,
} from "../test/browser/demo-server";

const { values } = parseArgs({
  options: { build: { type: "boolean", default: false } },
});
const ROOT = path.resolve(import.meta.dirname, "..");
const EXTENSION = path.join(ROOT, "extensions", "cartlift-theme");
const BUDGET = { js: 8 * 1024, css: 3 * 1024 };
// Cold loads per page, width and variant (with and without the blocks); medians are printed.
const RUNS = Number(process.env.RUNS ?? 3);

function weights() {
  const dir = path.join(EXTENSION, "assets");
  const files = readdirSync(dir)
    .filter((f) => /\.(js|css)$/.test(f))
    .sort();
  const rows = files.map((file) => {
    const raw = readFileSync(path.join(dir, file));
    return {
      file,
      kind: file.endsWith(".js") ? ("js" as const) : ("css" as const),
      raw: raw.length,
      gzip: gzipSync(raw, { level: 9 }).length,
    };
  });
  const total = (kind: "js" | "css") =>
    rows.filter((r) => r.kind === kind).reduce((s, r) => s + r.gzip, 0);
  return { rows, js: total("js"), css: total("css") };
}

interface Finding {
  block: string;
  ok: boolean;
  what: string;
}

/** Static check of how each block's Liquid (with the snippets it renders) loads JS and CSS. */
function renderBlocking(): Finding[] {
  const read = (dir: string, file: string) =>
    readFileSync(path.join(EXTENSION, dir, file), "utf8");
  const findings: Finding[] = [];
  for (const block of readdirSync(path.join(EXTENSION, "blocks")).sort()) {
    if (!block.endsWith(".liquid")) continue;
    const source = read("blocks", block);
    const snippets = [...source.matchAll(/render\s+'([\w-]+)'/g)].map((m) =>
      read("snippets", `${m[1]}.liquid`),
    );
    const markup = [source, ...snippets]
      .join("\n")
      .replace(/{%\s*schema\s*%}[\s\S]*?{%\s*endschema\s*%}/, "");
    const schemaText = /{%\s*schema\s*%}([\s\S]*?){%\s*endschema\s*%}/.exec(
      source,
    )?.[1];
    const schema = schemaText
      ? (JSON.parse(schemaText) as { javascript?: string; stylesheet?: string })
      : {};
    if (schema.javascript)
      findings.push({
        block,
        ok: true,
        what: `schema javascript ${schema.javascript} (injected with defer)`,
      });
    if (schema.stylesheet)
      findings.push({
        block,
        ok: false,
        what: `schema stylesheet ${schema.stylesheet} (a <link rel="stylesheet"> in <head>: render-blocking)`,
      });
    for (const [tag] of markup.matchAll(/<script\b[^>]*>/gi)) {
      const external = /\bsrc=/.test(tag);
      const ok = !external || /\b(defer|async)\b|type=["']?module/i.test(tag);
      findings.push({
        block,
        ok,
        what: `${tag}${ok ? "" : " (parser-blocking)"}`,
      });
    }
    for (const [tag] of markup.matchAll(
      /<link\b[^>]*rel=["']?stylesheet[^>]*>/gi,
    )) {
      const ok = /media=["']?print|onload=/.test(tag);
      findings.push({
        block,
        ok,
        what: `${tag}${ok ? "" : " (render-blocking)"}`,
      });
    }
    for (const [filter] of markup.matchAll(
      /\|\s*(stylesheet_tag|script_tag)\b/g,
    ))
      findings.push({
        block,
        ok: false,
        what: `${filter} (render-blocking tag)`,
      });
    for (const [style] of markup.matchAll(/<style\b[\s\S]*?<\/style>/gi))
      findings.push({
        block,
        ok: style.length <= 1024,
        what: `inline <style> of ${style.length} bytes`,
      });
  }
  return findings;
}

interface Run {
  cls: number;
  fcp: number;
  lcp: number;
  tbt: number;
  sources: string[];
  resources: { name: string; renderBlockingStatus: string }[];
  states: string[];
}

/**
 * Lighthouse's throttling presets, applied through the DevTools protocol: a phone on slow 4G
 * (150 ms round trips, 1.6 Mbit/s down) with a CPU 4x slower; a desktop on a fast cable line.
 */
const PROFILES = {
  phone: { cpu: 4, latency: 150, down: 1.6e6, up: 750e3 },
  desktop: { cpu: 1, latency: 40, down: 10e6, up: 10e6 },
} satisfies Record<ViewportName, unknown>;

/**
 * Lighthouse's (v10+) scoring curves: each metric maps to 0..1 on a log-normal curve through the
 * 10th-percentile and median values of real sites.
 */
const CURVES = {
  phone: {
    fcp: { p10: 1800, median: 3000 },
    lcp: { p10: 2500, median: 4000 },
    tbt: { p10: 200, median: 600 },
    cls: { p10: 0.1, median: 0.25 },
  },
  desktop: {
    fcp: { p10: 934, median: 1600 },
    lcp: { p10: 1200, median: 2400 },
    tbt: { p10: 150, median: 350 },
    cls: { p10: 0.1, median: 0.25 },
  },
};
// Lighthouse's weights without Speed Index (10 of 100), which needs a filmstrip: the rest are
// renormalised to 100.
const WEIGHTS = { fcp: 10, lcp: 25, tbt: 30, cls: 25 };

/** Lighthouse's error function approximation (Abramowitz and Stegun 7.1.26). */
function erf(x: number): number {
  const sign = Math.sign(x);
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y =
    t *
    (0.254829592 +
      t *
        (-0.284496736 +
          t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  return sign * (1 - y * Math.exp(-x * x));
}

function logNormalScore(curve: { p10: number; median: number }, value: number) {
  if (value <= 0) return 1;
  const standardized =
    (Math.log(value / curve.median) * 0.9061938024368232) /
    -Math.log(curve.p10 / curve.median);
  const score = (1 - erf(standardized)) / 2;
  // Lighthouse's clamps: at or under p10 is at least "good" (0.9), at or under the median at
  // least 0.5.
  if (value <= curve.p10) return Math.max(0.9, Math.min(1, score));
  if (value <= curve.median) return Math.max(0.5, Math.min(0.8999, score));
  return Math.min(0.4999, score);
}

/** A Lighthouse-like performance score (0..100) from FCP, LCP, TBT and CLS. */
function performanceScore(viewport: ViewportName, run: Run): number {
  const total = Object.values(WEIGHTS).reduce((a, b) => a + b, 0);
  const weighted = (Object.keys(WEIGHTS) as (keyof typeof WEIGHTS)[]).reduce(
    (sum, metric) =>
      sum +
      WEIGHTS[metric] * logNormalScore(CURVES[viewport][metric], run[metric]),
    0,
  );
  return Math.round((100 * weighted) / total);
}

/** The page as the theme renders it without Cartlift: no blocks, no drawer embed, no script. */
const withoutBlocks = (html: string) =>
  html
    .replace(
      /<style>[^<]*<\/style>\s*<cartlift-offers[\s\S]*?<\/cartlift-offers>/g,
      "",
    )
    .replace(/<template data-cartlift-drawer[\s\S]*?<\/template>/g, "")
    // The script: the blocks' loader, or a tag of its own (a schema "javascript").
    .replace(/<script>\s*window\.cartliftScript[\s\S]*?<\/script>/g, "")
    .replace(/<script src="[^"]*cartlift\.js"[^>]*><\/script>/g, "");

/**
 * One cold load: paint timings, long tasks and layout shifts (sum of `layout-shift` entries
 * without recent input, the CLS input) from navigation until every block settled (ready, empty
 * or not displayed) while the page is scrolled through, plus 1 s.
 */
async function measure(
  page: Page,
  url: string,
  viewport: ViewportName,
  blocks: boolean,
): Promise<Run> {
  // Both variants take the same path: a document fulfilled through the route skips Chromium's
  // network emulation (it arrived ~300 ms earlier on the phone profile), so a page routed only
  // without the blocks measured the route, not the blocks.
  await page.route(url, async (route) => {
    const response = await route.fetch();
    const body = await response.text();
    await route.fulfill({
      response,
      body: blocks ? body : withoutBlocks(body),
    });
  });
  const cdp = await page.context().newCDPSession(page);
  const profile = PROFILES[viewport];
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: profile.cpu });
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false,
    latency: profile.latency,
    downloadThroughput: profile.down / 8,
    uploadThroughput: profile.up / 8,
  });
  await page.addInitScript(() => {
    const w = window as unknown as {
      cartliftPerf: {
        cls: number;
        lcp: number;
        tbt: number;
        sources: string[];
      };
    };
    w.cartliftPerf = { cls: 0, lcp: 0, tbt: 0, sources: [] };
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        w.cartliftPerf.lcp = Math.max(w.cartliftPerf.lcp, e.startTime);
    }).observe({ type: "largest-contentful-paint", buffered: true });
    // Total blocking time: every long task's time beyond 50 ms.
    new PerformanceObserver((list) => {
      for (const e of list.getEntries())
        w.cartliftPerf.tbt += Math.max(0, e.duration - 50);
    }).observe({ type: "longtask", buffered: true });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries() as unknown as {
        value: number;
        hadRecentInput: boolean;
        sources: {
          node?: Node;
          previousRect: DOMRectReadOnly;
          currentRect: DOMRectReadOnly;
        }[];
      }[]) {
        if (e.hadRecentInput) continue;
        w.cartliftPerf.cls += e.value;
        for (const source of e.sources ?? []) {
          const el = source.node as Element | undefined;
          const name = el?.tagName
            ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.className && typeof el.className === "string" ? `.${el.className.trim().split(/\s+/).join(".")}` : ""}`
            : (source.node?.nodeName ?? "?");
          w.cartliftPerf.sources.push(
            `${name} y ${Math.round(source.previousRect.y)}->${Math.round(source.currentRect.y)} h ${Math.round(source.previousRect.height)}->${Math.round(source.currentRect.height)}`,
          );
        }
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
  await page.goto(url, { waitUntil: "load" });
  await settleBlocks(page);
  await page.waitForTimeout(1000);
  return page.evaluate(() => {
    const w = window as unknown as {
      cartliftPerf: {
        cls: number;
        lcp: number;
        tbt: number;
        sources: string[];
      };
    };
    return {
      ...w.cartliftPerf,
      fcp:
        performance.getEntriesByName("first-contentful-paint")[0]?.startTime ??
        0,
      resources: (
        performance.getEntriesByType(
          "resource",
        ) as (PerformanceResourceTiming & {
          renderBlockingStatus?: string;
        })[]
      )
        .filter((r) => /cartlift\.(js|css)/.test(r.name))
        .map((r) => ({
          name: new URL(r.name).pathname,
          renderBlockingStatus: r.renderBlockingStatus ?? "unknown",
        })),
      states: [...document.querySelectorAll("cartlift-offers")].map(
        (el) =>
          `${el.getAttribute("data-placement")}=${el.getAttribute("data-state") ?? "-"}`,
      ),
    };
  });
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

async function main() {
  const w = weights();
  const blocking = renderBlocking();
  const kb = (n: number) => `${n} B (${(n / 1024).toFixed(2)} KB)`;
  console.log(`Cartlift storefront benchmark (loadavg ${loadavg()
    .map((n) => n.toFixed(1))
    .join(" ")})

Weight (gzip -9):
${w.rows.map((r) => `  ${r.file.padEnd(14)} ${String(r.raw).padStart(6)} B raw  ${String(r.gzip).padStart(5)} B gzip`).join("\n")}
  JS  total ${kb(w.js)}  budget ${kb(BUDGET.js)}: ${w.js <= BUDGET.js ? "met" : "MISSED"}
  CSS total ${kb(w.css)}  budget ${kb(BUDGET.css)}: ${w.css <= BUDGET.css ? "met" : "MISSED"}

Render-blocking resources (blocks' Liquid):
${blocking.map((f) => `  ${f.ok ? "ok     " : "BLOCKS "} ${f.block}: ${f.what}`).join("\n")}
  ${blocking.every((f) => f.ok) ? "none: met" : `${blocking.filter((f) => !f.ok).length} render-blocking: MISSED`}
`);

  if (!hasChromium) {
    console.log(`Layout shift: skipped, no Chromium at ${CHROMIUM}`);
    process.exitCode = 1;
    return;
  }
  if (
    values.build ||
    !existsSync(path.join(ROOT, "build", "server", "index.js"))
  ) {
    console.log("Building the app for the demo (npm run build)...");
    execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "ignore" });
  } else {
    console.log(
      "Layout shift on the demo preview (uses the existing build/; `npm run build` or --build after changing app code)",
    );
  }
  const demo = await startDemo();
  const browser = await launchChromium();
  try {
    let worstCls = 0;
    let worstImpact = 0;
    for (const viewport of ["desktop", "phone"] as const) {
      const { width, height } = VIEWPORTS[viewport];
      for (const [name, pathname] of [
        ["product page", "/demo/storefront"],
        ["cart page   ", "/demo/storefront/cart"],
      ]) {
        const runs = { with: [] as Run[], without: [] as Run[] };
        // With and without the blocks alternate, so both see the same machine load.
        for (let i = 0; i < RUNS; i++) {
          for (const blocks of [true, false]) {
            const page = await newPage(browser, viewport);
            if (name.startsWith("cart")) {
              // A cart with a line, so "Complete your order" has something to complete.
              await page.goto(`${demo.url}/demo/storefront`);
              await page
                .getByRole("button", { name: "Add to cart", exact: true })
                .click();
              await page.waitForTimeout(500);
            }
            const run = await measure(
              page,
              `${demo.url}${pathname}`,
              viewport,
              blocks,
            );
            runs[blocks ? "with" : "without"].push(run);
            await page.context().close();
          }
        }
        const cls = median(runs.with.map((r) => r.cls));
        const score = {
          with: median(runs.with.map((r) => performanceScore(viewport, r))),
          without: median(
            runs.without.map((r) => performanceScore(viewport, r)),
          ),
        };
        const ms = (rs: Run[], metric: "fcp" | "lcp" | "tbt") =>
          `${metric.toUpperCase()} ${Math.round(median(rs.map((r) => r[metric])))} ms`;
        const last = runs.with[runs.with.length - 1];
        worstCls = Math.max(worstCls, cls);
        worstImpact = Math.max(worstImpact, score.without - score.with);
        console.log(
          `  ${name} CLS ${cls.toFixed(4)} at ${width}x${height}  blocks: ${last.states.join(", ")}  resources: ${last.resources.map((r) => `${r.name.split("/").pop()} ${r.renderBlockingStatus}`).join(", ")}`,
        );
        console.log(
          `  ${name} performance ${score.with} with the blocks, ${score.without} without at ${width}x${height}: impact ${score.without - score.with} points` +
            `  (with: ${ms(runs.with, "fcp")}, ${ms(runs.with, "lcp")}, ${ms(runs.with, "tbt")}; without: ${ms(runs.without, "fcp")}, ${ms(runs.without, "lcp")}, ${ms(runs.without, "tbt")})`,
        );
        for (const source of new Set(runs.with.flatMap((r) => r.sources)))
          console.log(`    shifted: ${source}`);
      }
    }
    console.log(
      `  CLS target <= 0.01: ${worstCls <= 0.01 ? "met" : "MISSED"} (worst ${worstCls.toFixed(4)})`,
    );
    console.log(
      `  performance impact target <= 2 points: ${worstImpact <= 2 ? "met" : "MISSED"} (worst ${worstImpact})`,
    );
  } finally {
    await browser.close();
    await demo.stop();
  }
}

await main();
