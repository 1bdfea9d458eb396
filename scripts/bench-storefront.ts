/**
 * `npm run bench:storefront`: what the theme extension costs a storefront.
 *
 * 1. Weight: every extensions/cartlift-theme/assets/*.js and *.css gzipped (level 9), against
 *    the budgets (JS <= 8 KB, CSS <= 3 KB in total).
 * 2. Render blocking, statically: each block's Liquid (and the snippets it renders) must load
 *    scripts deferred (schema "javascript", which Shopify injects with `defer`, or a `<script>`
 *    with defer/async/type="module") and CSS without blocking (inlined, or a non-blocking link);
 *    a schema "stylesheet" becomes a `<link rel="stylesheet">` in the head, which blocks render.
 * 3. In Chromium (/usr/bin/chromium) on the demo storefront preview: layout shift (sum of
 *    `layout-shift` entries without recent input, the CLS input) from navigation until the blocks
 *    settled, on the product page and the cart page, and each Cartlift resource's
 *    renderBlockingStatus as Chromium reports it.
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
  startDemo,
  CHROMIUM,
} from "../test/browser/demo-server";

const { values } = parseArgs({
  options: { build: { type: "boolean", default: false } },
});
const ROOT = path.resolve(import.meta.dirname, "..");
const EXTENSION = path.join(ROOT, "extensions", "cartlift-theme");
const BUDGET = { js: 8 * 1024, css: 3 * 1024 };

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

interface Shift {
  cls: number;
  entries: number;
  sources: string[];
  resources: { name: string; renderBlockingStatus: string }[];
  states: string[];
}

/** Layout shift from navigation until every block settled (ready, empty or hidden), plus 1 s. */
async function measure(page: Page, url: string): Promise<Shift> {
  await page.addInitScript(() => {
    const w = window as unknown as {
      cartliftShift: { cls: number; n: number; sources: string[] };
    };
    w.cartliftShift = { cls: 0, n: 0, sources: [] };
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
        w.cartliftShift.cls += e.value;
        w.cartliftShift.n++;
        for (const source of e.sources ?? []) {
          const el = source.node as Element | undefined;
          const name = el?.tagName
            ? `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.className && typeof el.className === "string" ? `.${el.className.trim().split(/\s+/).join(".")}` : ""}`
            : (source.node?.nodeName ?? "?");
          w.cartliftShift.sources.push(
            `${name} y ${Math.round(source.previousRect.y)}->${Math.round(source.currentRect.y)} h ${Math.round(source.previousRect.height)}->${Math.round(source.currentRect.height)}`,
          );
        }
      }
    }).observe({ type: "layout-shift", buffered: true });
  });
  await page.goto(url, { waitUntil: "load" });
  // Blocks near the viewport load at once; scroll through the page so lazy ones load too.
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
          (el as HTMLElement).hidden ||
          el.closest("template"),
      ),
    undefined,
    { timeout: 15_000 },
  );
  await page.waitForTimeout(1000);
  return page.evaluate(() => {
    const w = window as unknown as {
      cartliftShift: { cls: number; n: number; sources: string[] };
    };
    return {
      cls: w.cartliftShift.cls,
      entries: w.cartliftShift.n,
      sources: w.cartliftShift.sources,
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
    let worst = 0;
    for (const [name, pathname] of [
      ["product page", "/demo/storefront"],
      ["cart page   ", "/demo/storefront/cart"],
    ]) {
      const page = await newPage(browser);
      if (name.startsWith("cart")) {
        // A cart with a line, so "Complete your order" has something to complete.
        await page.goto(`${demo.url}/demo/storefront`);
        await page.getByRole("button", { name: "Add to cart" }).first().click();
        await page.waitForTimeout(500);
      }
      const shift = await measure(page, `${demo.url}${pathname}`);
      worst = Math.max(worst, shift.cls);
      console.log(
        `  ${name} CLS ${shift.cls.toFixed(4)} (${shift.entries} shifts)  blocks: ${shift.states.join(", ")}  resources: ${shift.resources.map((r) => `${r.name.split("/").pop()} ${r.renderBlockingStatus}`).join(", ")}`,
      );
      for (const source of shift.sources) console.log(`    shifted: ${source}`);
      await page.context().close();
    }
    console.log(`  CLS target 0: ${worst === 0 ? "met" : "MISSED"}`);
  } finally {
    await browser.close();
    await demo.stop();
  }
}

await main();
