import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  CHROMIUM,
  freePort,
  hasChromium,
  shellEnv,
} from "../browser/demo-server";

// Every `bench:*` command the README documents, run once at a tiny size, so none of them can
// break unnoticed. Their figures vary with the machine: only that each runs and reports is
// asserted. Needs `npm run build` (npm test builds first) and PostgreSQL; the two browser
// benchmarks are skipped without Chromium, as the browser tests are.

interface Run {
  code: number | null;
  output: string;
}

/** `npm run <script> -- <args>` as a developer's shell runs it; its process group dies with it. */
function npmRun(
  script: string,
  args: string[],
  { env = {}, timeoutMs }: { env?: Record<string, string>; timeoutMs: number },
): Promise<Run> {
  const child = spawn("npm", ["run", "--silent", script, "--", ...args], {
    env: { ...shellEnv(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.kill(-child.pid!, "SIGTERM");
      reject(new Error(`${script} ran over ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** A small order history in the shape of the Online Retail export: 200 orders over 20 SKUs. */
function ordersCsv(file: string) {
  const rows = ["order_id,created_at,customer_id,sku,quantity,unit_price"];
  for (let order = 0; order < 200; order++)
    for (const k of [0, 7, 13])
      rows.push(
        `${order},2024-01-${String(1 + (order % 28)).padStart(2, "0")}T10:00:00,${order % 50},SKU${(order + k) % 20},1,2.50`,
      );
  writeFileSync(file, rows.join("\n") + "\n");
}

describe("benchmark scripts at a tiny size", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "cartlift-bench-smoke-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("bench:engine trains and recommends on an order file", async () => {
    const orders = path.join(dir, "orders.csv");
    ordersCsv(orders);
    const run = await npmRun(
      "bench:engine",
      ["--orders", orders, "--threads", "1", "--carts", "20"],
      { timeoutMs: 60_000 },
    );
    expect(run.output).toMatch(/train \(best of 3, 1 thread\(s\)\): \d+ ms/);
    expect(run.output).toMatch(
      /recommend top-10 per cart \(20 carts\): p50 [\d.]+ ms/,
    );
    expect(run.output).toMatch(/customer profiles \(best of 3\): 50 customers/);
    expect(run.output).toMatch(
      /personal recommend top-10 per cart \(20 carts, 50 customers with a 4-order history\): p50 [\d.]+ ms/,
    );
    expect(run.code).toBe(0);
  }, 70_000);

  it("bench:proxy loads the app proxy route beside a trivial one", async () => {
    const run = await npmRun(
      "bench:proxy",
      [
        "--seconds",
        "1",
        "--connections",
        "2",
        "--catalog-products",
        "320",
        "--port",
        String(await freePort()),
      ],
      { timeoutMs: 120_000 },
    );
    expect(run.output).toMatch(
      /proxy +cart recommendations +\d+ req .* errors 0 +memo hits [\d.]+%/,
    );
    expect(run.output).toMatch(
      /^proxy p99-ratio [\d.]+ throughput-ratio [\d.]+$/m,
    );
    expect(run.output).toMatch(/^proxy handler-us [\d.]+$/m);
    expect(run.output).toMatch(
      /^catalog-update delta-ms [\d.]+ rebuild-ms [\d.]+ ratio [\d.]+$/m,
    );
    expect(run.code).toBe(0);
  }, 130_000);

  it("bench:load trains, seeds PostgreSQL and loads two instances", async () => {
    const run = await npmRun(
      "bench:load",
      [
        ...["--products", "160", "--orders", "2000"],
        ...["--seconds", "1", "--connections", "2"],
        ...["--port", String(await freePort())],
      ],
      { timeoutMs: 120_000 },
    );
    expect(run.output).toMatch(/training +160 products, \d+ orders/);
    expect(run.output).toMatch(/same signed request: \d+\/30 identical/);
    expect(run.output).toMatch(
      /demo shop \(256 products\): \d+ req, .* errors 0/,
    );
    expect(run.output).toMatch(
      /big shop +\(160 products\): \d+ req, .* errors 0/,
    );
    expect(run.code).toBe(0);
  }, 130_000);

  it("bench:import generates bulk exports, applies them and trains", async () => {
    const run = await npmRun(
      "bench:import",
      ["--products", "40", "--orders", "300"],
      { timeoutMs: 120_000 },
    );
    expect(run.output).toMatch(/imported +40 products, 300 orders/);
    expect(run.output).toMatch(/model +300 orders learnt from/);
    expect(run.output).toMatch(/total +[\d.]+ s, peak RSS \d+ MB/);
    expect(run.code).toBe(0);
  }, 130_000);

  if (!hasChromium)
    console.warn(
      `bench:admin and bench:storefront skipped: no Chromium at ${CHROMIUM} (.ci/run installs it).`,
    );

  it.skipIf(!hasChromium)(
    "bench:admin measures the admin pages in Chromium",
    async () => {
      const run = await npmRun("bench:admin", [], {
        env: { RUNS: "1" },
        timeoutMs: 180_000,
      });
      expect(run.output).toMatch(/dashboard +LCP median \d+ ms/);
      expect(run.output).toMatch(/suggestions +LCP median \d+ ms/);
      expect(run.code).toBe(0);
    },
    190_000,
  );

  it.skipIf(!hasChromium)(
    "bench:storefront weighs the theme extension and measures layout shift in Chromium",
    async () => {
      const run = await npmRun("bench:storefront", [], {
        env: { RUNS: "1" },
        timeoutMs: 180_000,
      });
      expect(run.output).toMatch(/JS +total \d+ B/);
      expect(run.output).toMatch(/cart page +CLS [\d.]+/);
      expect(run.code).toBe(0);
    },
    190_000,
  );
});
