/**
 * Engine CLI on the shared order-export CSV format (gzip accepted).
 *   npm run engine -- train --orders F --out model.json
 *   npm run engine -- recommend --model model.json --cart SKU,SKU [--k 10]
 *   npm run engine -- evaluate --orders F [--split test|validation] [--no-baselines] [--storefront]
 *   npm run engine -- evaluate --orders F --folds 1|2|3|4|personal   (rolling-origin folds before the test window)
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  cartModelFromJSON,
  cartModelToJSON,
  CartModelFormatError,
  DEFAULT_CART_MODEL_OPTIONS,
  explain,
  topK,
  trainCartModel,
  type CartModelOptions,
  type TrainTimings,
} from "../app/engine/cart-model";
import {
  bestBaseline,
  evaluateCartModel,
  type StrategyResult,
} from "../app/engine/evaluation/cart-model-eval";
import {
  OrdersCsvError,
  readOrdersCsv,
  type OrdersCsvResult,
} from "../app/engine/evaluation/orders-csv";
import { SPLITS } from "../app/engine/evaluation/protocol";
import {
  evaluateProtocolCFolds,
  PERSONAL_FOLD_GRID,
} from "../app/engine/evaluation/protocol-c";
import {
  evaluateFolds,
  SEASON_GRIDS,
  type FoldCandidate,
} from "../app/engine/evaluation/season-folds";
import {
  lastShareFrom,
  restrictToBestSellers,
  singleItemShop,
} from "../app/engine/evaluation/data-sets";
import {
  evaluateServedChoice,
  servedLine,
  type DataSet,
} from "../app/engine/evaluation/served-choice";
import { generateDemoShop } from "../demo/shop";

const USAGE = `usage: npm run engine -- <command> [options]
  train     --orders FILE --out MODEL.json [--threads N]
  recommend --model MODEL.json --cart SKU[,SKU...] [--k N]
  evaluate  --orders FILE [--split test|validation] [--no-baselines] [--threads N]
            [--exact] [--set OPTION=VALUE ...]   (--exact keeps every EASE^R weight: the dense model)
            [--storefront]   (also the storefront's ranking as shipped, top 10 then the back-fill)
            [--tune-baselines]   (the baselines' grids on protocol A; validation only)
            [--tune-personal]   (the personal ranking's grid on protocol C; validation only)
  evaluate  --orders FILE --folds 1|2|3|4|personal [--threads N]
            (a round of the season grid on rolling-origin folds before the test window, or the
            personal grid's last round on protocol C there; never reads the test window)`;

class UsageError extends Error {}

const MODEL_FORMAT = "cartlift-cart-model";

function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function positiveInt(
  value: string | undefined,
  name: string,
  fallback: number,
): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a positive integer`);
  return n;
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === "")
    throw new UsageError(`missing --${name}`);
  return value;
}

async function loadOrders(
  path: string,
  describeBefore?: string,
): Promise<OrdersCsvResult> {
  const t = performance.now();
  const result = await readOrdersCsv(path, { describeBefore });
  const ms = performance.now() - t;
  console.log(
    `read ${result.rows} rows, ${result.orders.length} orders, ${result.titles.size} SKUs in ${ms.toFixed(0)} ms`,
  );
  if (result.badRowCount > 0) {
    console.log(`skipped ${result.badRowCount} bad row(s):`);
    for (const bad of result.badRows)
      console.log(`  line ${bad.line}: ${bad.reason}`);
    if (result.badRowCount > result.badRows.length) {
      console.log(
        `  ... and ${result.badRowCount - result.badRows.length} more`,
      );
    }
  }
  return result;
}

async function train(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      orders: { type: "string" },
      out: { type: "string" },
      threads: { type: "string" },
    },
  });
  const ordersPath = required(values.orders, "orders");
  const out = required(values.out, "out");
  const threads = positiveInt(values.threads, "threads", 2);
  const { orders, titles } = await loadOrders(ordersPath);
  const timings: Partial<TrainTimings> = {};
  const model = trainCartModel(orders, { threads }, timings);
  const file = {
    format: MODEL_FORMAT,
    trainedAt: orders.reduce((a, o) => (o.createdAt > a ? o.createdAt : a), ""),
    titles: Object.fromEntries(
      model.items.map((id) => [id, titles.get(id) ?? ""]),
    ),
    model: cartModelToJSON(model),
  };
  const text = JSON.stringify(file);
  writeFileSync(out, text);
  console.log(
    `trained on ${model.trainOrders} orders: ${model.items.length} items, ${timings.easeItems} in the linear model, ` +
      `${model.ease.ids.length} neighbour weights`,
  );
  console.log(
    `fit ${timings.totalMs?.toFixed(0)} ms (prepare ${timings.prepareMs?.toFixed(0)}, inverse ${timings.invertMs?.toFixed(0)}, ` +
      `extract ${timings.extractMs?.toFixed(0)}); wrote ${out} (${(text.length / 1e6).toFixed(1)} MB)`,
  );
}

function recommend(args: string[]): void {
  const { values } = parseArgs({
    args,
    options: {
      model: { type: "string" },
      cart: { type: "string" },
      k: { type: "string" },
    },
  });
  const modelPath = required(values.model, "model");
  const cart = required(values.cart, "cart")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (cart.length === 0) throw new UsageError("--cart needs at least one SKU");
  const k = positiveInt(values.k, "k", 10);
  let file: {
    format?: string;
    titles?: Record<string, string>;
    model?: unknown;
  };
  try {
    file = JSON.parse(readFileSync(modelPath, "utf8"));
  } catch (error) {
    fail(`cannot read model ${modelPath}: ${(error as Error).message}`, 1);
  }
  if (file.format !== MODEL_FORMAT)
    fail(`${modelPath} is not a Cartlift cart model`, 1);
  const model = cartModelFromJSON(file.model);
  const titles = file.titles ?? {};
  const title = (id: string) => (titles[id] ? ` ${titles[id]}` : "");
  const unknown = cart.filter((id) => !model.index.has(id));
  for (const id of cart)
    console.log(
      `cart: ${id}${title(id)}${unknown.includes(id) ? " (unknown: no history)" : ""}`,
    );
  const t = performance.now();
  const offers = topK(model, cart, k);
  const ms = performance.now() - t;
  offers.forEach((offer, i) => {
    const evidence = explain(model, cart, offer.id);
    const reason = evidence
      ? `bought with ${evidence.because} in ${Math.round((100 * evidence.ordersWithBoth) / evidence.ordersWith)}% of its orders (${evidence.ordersWithBoth} of ${evidence.ordersWith})`
      : `popular: in ${model.orderCounts[model.index.get(offer.id)!]} of ${model.trainOrders} orders`;
    console.log(
      `${String(i + 1).padStart(2)}. ${offer.id.padEnd(8)} score ${offer.score.toFixed(4)}  ${title(offer.id).trim()}  — ${reason}`,
    );
  });
  console.log(`(ranked in ${ms.toFixed(2)} ms)`);
}

const pct = (x: number) => x.toFixed(4);

function printStrategy(s: StrategyResult): void {
  const { a, b } = s;
  console.log(`\n== ${s.name} (train ${s.trainMs.toFixed(0)} ms)`);
  console.log(
    `A  cases ${a.cases}  checksum ${a.checksum}  hidden outside catalog ${a.hiddenOutsideCatalog}`,
  );
  console.log(
    `A  HR@5 ${pct(a.hr5)}  HR@10 ${pct(a.hr10)}  NDCG@10 ${pct(a.ndcg10)}  MRR ${pct(a.mrr)}  coverage@10 ${pct(a.coverage10)}`,
  );
  console.log(
    `A  HR@10 by cart size: ${a.byCartSize.map((x) => `${x.label}: ${pct(x.hr10)} (${x.cases})`).join("  ")}`,
  );
  console.log(
    `B  queries ${b.queries} (${b.queriesOutsideCatalog} outside catalog) in ${b.orders} orders  coverage@10 ${pct(b.coverage10)}`,
  );
  console.log(
    `B  micro  P@5 ${pct(b.micro.p5)}  R@10 ${pct(b.micro.r10)}  NDCG@10 ${pct(b.micro.ndcg10)}`,
  );
  console.log(
    `B  macro  P@5 ${pct(b.macro.p5)}  R@10 ${pct(b.macro.r10)}  NDCG@10 ${pct(b.macro.ndcg10)}`,
  );
}

/** `--set lambda=15 --set rp3Blend=1,0.5` -> partial cart-model options. */
function parseOverrides(pairs: string[]): Partial<CartModelOptions> {
  const out: Record<string, number | number[]> = {};
  for (const pair of pairs) {
    const [key, value] = pair.split("=", 2);
    if (!(key in DEFAULT_CART_MODEL_OPTIONS) || value === undefined)
      throw new UsageError(`--set ${pair}: unknown option or missing value`);
    const numbers = value.split(",").map(Number);
    if (numbers.some((x) => Number.isNaN(x)))
      throw new UsageError(`--set ${pair}: not a number`);
    out[key] = Array.isArray(
      DEFAULT_CART_MODEL_OPTIONS[key as keyof CartModelOptions],
    )
      ? numbers
      : numbers[0];
  }
  return out as Partial<CartModelOptions>;
}

/**
 * The per-shop choice (decision 021) on shops of four kinds: the shared export, its 150 best
 * sellers, a synthetic shop of mostly one-item orders, and the demo shop (dated from a fixed day,
 * so every run sees the same orders). Each shop's backtest sees its train orders only.
 */
function printServedChoices(
  orders: OrdersCsvResult["orders"],
  split: "test" | "validation",
  threads: number,
): void {
  const bounds = SPLITS[split];
  const window = {
    evaluateFrom: bounds.evalFrom,
    evaluateBefore: bounds.evalBefore,
  };
  const single = singleItemShop();
  const demo = generateDemoShop({
    now: new Date("2026-01-01T00:00:00Z"),
  }).orders.map((o) => ({
    id: o.id,
    createdAt: o.createdAt,
    items: o.lines.map((l) => l.productId),
  }));
  const sets: DataSet[] = [
    { name: `shared (${split})`, orders, ...window },
    {
      name: `shared, 150 best sellers (${split})`,
      orders: restrictToBestSellers(orders, bounds.trainBefore, 150),
      ...window,
    },
    {
      name: "synthetic one-item shop",
      orders: single,
      evaluateFrom: lastShareFrom(single),
    },
    { name: "demo shop", orders: demo, evaluateFrom: lastShareFrom(demo) },
  ];
  console.log(
    "\n== per-shop choice: served vs the best simple list (protocol A)",
  );
  for (const set of sets) {
    const r = evaluateServedChoice(set, threads);
    console.log(
      `data set ${r.name}: ${r.trainOrders} train orders, ${r.cases} cases; serves carts ${r.chosen.cart}, ` +
        `product pages ${r.chosen.product}; model ${pct(r.model)}; simple lists ${r.simple.map((s) => `${s.method} ${pct(s.hr10)}`).join(", ")}`,
    );
    console.log(servedLine(r));
  }
}

const foldsUsage = () =>
  new UsageError(
    "--folds must be 1 to 4 (the season grid's round) or personal",
  );

/**
 * The season grid (decision 028), or the personal grid's last round on Protocol C (decision 023),
 * on rolling-origin folds: the orders of the test window are dropped before anything else, so no
 * choice made here can have seen them.
 */
async function evaluateOnFolds(
  ordersPath: string,
  round: string,
  threads: number,
): Promise<void> {
  const grid: readonly FoldCandidate[] | undefined =
    SEASON_GRIDS[Number(round) as keyof typeof SEASON_GRIDS];
  if (!grid && round !== "personal") throw foldsUsage();
  const started = performance.now();
  const { orders } = await loadOrders(ordersPath);
  const history = orders.filter((o) => o.createdAt < SPLITS.test.trainBefore);
  if (round === "personal") {
    const report = evaluateProtocolCFolds(
      history,
      PERSONAL_FOLD_GRID,
      undefined,
      threads,
    );
    console.log(
      `\n== personal grid: protocol C HR@10 per rolling-origin fold (${history.length} orders before ${SPLITS.test.trainBefore})`,
    );
    console.log(
      `fold cases ${report.folds.map((f) => `${f.name} (${f.cases})`).join("  ")}`,
    );
    console.log(
      `cart-only ${report.folds.map((f) => pct(f.cartOnly)).join("  ")}`,
    );
    PERSONAL_FOLD_GRID.forEach((options, k) =>
      console.log(
        `personal ${JSON.stringify(options)} HR@10 ${report.folds.map((f) => pct(f.hr10[k])).join("  ")}  ` +
          `mean / cart-only ${report.meanRatio[k].toFixed(3)}`,
      ),
    );
    console.log(
      `\nevaluate --folds took ${((performance.now() - started) / 1000).toFixed(1)} s`,
    );
    return;
  }
  if (!grid) throw foldsUsage();
  const report = evaluateFolds(history, undefined, grid, threads);
  console.log(
    `\n== season grid, round ${round}: protocol A HR@10 per rolling-origin fold (${history.length} orders before ${SPLITS.test.trainBefore})`,
  );
  const cells = (values: number[]) => values.map(pct).join("  ");
  console.log(
    `${"fold".padEnd(24)} ${report.folds.map((f) => `${f.name} (${f.cases})`).join("  ")}`,
  );
  report.candidates.forEach((c, k) => {
    const m = report.mean[k];
    console.log(
      `${c.name.padEnd(24)} ${cells(report.folds.map((f) => f.hr10[k]))}  mean ${pct(m.hr10)}  ` +
        `/EASE^R ${m.ratio.toFixed(3)}  beats default on ${m.beatsDefault} of ${report.folds.length}  ` +
        `training ${m.fitRatio.toFixed(2)} ×`,
    );
  });
  console.log(
    `${"EASE^R(λ=50)".padEnd(24)} ${cells(report.folds.map((f) => f.easeHr10))}  mean ${pct(report.easeMean)}`,
  );
  console.log(
    `\nevaluate --folds took ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

async function evaluate(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      orders: { type: "string" },
      split: { type: "string", default: "test" },
      "no-baselines": { type: "boolean", default: false },
      threads: { type: "string" },
      exact: { type: "boolean", default: false },
      set: { type: "string", multiple: true, default: [] },
      storefront: { type: "boolean", default: false },
      "tune-baselines": { type: "boolean", default: false },
      "tune-personal": { type: "boolean", default: false },
      folds: { type: "string" },
    },
  });
  const ordersPath = required(values.orders, "orders");
  if (values.folds !== undefined)
    return evaluateOnFolds(
      ordersPath,
      values.folds,
      positiveInt(values.threads, "threads", 2),
    );
  const split = values.split;
  if (split !== "test" && split !== "validation") {
    throw new UsageError("--split must be test or validation");
  }
  for (const flag of ["tune-baselines", "tune-personal"] as const)
    if (values[flag] && split !== "validation")
      throw new UsageError(`--${flag}: settings are chosen on validation`);
  const threads = positiveInt(values.threads, "threads", 2);
  const started = performance.now();
  // Titles and prices as they were before the scored period.
  const { orders, titles, unitPrices } = await loadOrders(
    ordersPath,
    SPLITS[split].trainBefore,
  );
  const overrides = parseOverrides(values.set ?? []);
  if (values.exact) overrides.neighbours = Infinity;
  if (Object.keys(overrides).length > 0)
    console.log(`model options: ${JSON.stringify(overrides)}`);
  const report = evaluateCartModel(orders, split, {
    model: { ...overrides, threads },
    baselines: !values["no-baselines"],
    // The shared export is in pounds sterling.
    storefront: values.storefront
      ? { titles, unitPrices, currency: "GBP" }
      : undefined,
    tuneBaselines: values["tune-baselines"],
    tunePersonal: values["tune-personal"],
  });
  console.log(
    `split ${split}: ${report.trainOrders} train orders, ${report.evaluationOrders} evaluation orders; ` +
      `back-fill: train popularity (orders desc, then SKU asc); MRR over the full ranking`,
  );
  const t = report.timings;
  console.log(
    `cartlift fit ${t.totalMs?.toFixed(0)} ms (prepare ${t.prepareMs?.toFixed(0)}, inverse ${t.invertMs?.toFixed(0)}, ` +
      `extract ${t.extractMs?.toFixed(0)}), ${t.easeItems} items in the linear model`,
  );
  for (const s of report.strategies) printStrategy(s);
  if (report.baselineGrid) {
    console.log("\n== baseline grid (protocol A HR@10)");
    for (const g of report.baselineGrid)
      console.log(`${g.name.padEnd(24)} ${pct(g.hr10)}`);
  }
  const c = report.protocolC;
  console.log(
    `\nprotocol C: ${c.cases} cases of returning customers, checksum ${c.checksum}; ` +
      `personal HR@5 ${pct(c.personal.hr5)} NDCG@10 ${pct(c.personal.ndcg10)}, ` +
      `cart-only HR@5 ${pct(c.cartOnly.hr5)} NDCG@10 ${pct(c.cartOnly.ndcg10)}`,
  );
  for (const g of c.grid ?? [])
    console.log(`personal ${JSON.stringify(g.options)} HR@10 ${pct(g.hr10)}`);
  console.log(
    `protocol C HR@10 ${pct(c.personal.hr10)} cart-only ${pct(c.cartOnly.hr10)} cases ${c.cases}`,
  );
  const best = bestBaseline(report.strategies);
  if (best) {
    console.log(
      `\nprotocol A HR@10 ${pct(report.strategies[0].a.hr10)} best-baseline ${best.name} ${pct(best.a.hr10)}`,
    );
  }
  printServedChoices(orders, split, threads);
  console.log(
    `\nevaluate took ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case "train":
      return train(rest);
    case "recommend":
      return recommend(rest);
    case "evaluate":
      return evaluate(rest);
    case undefined:
    case "help":
    case "--help":
      throw new UsageError("no command given");
    default:
      throw new UsageError(`unknown command: ${command}`);
  }
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")
    ) {
      fail(`${(error as Error).message}\n${USAGE}`, 2);
    }
    if (
      error instanceof OrdersCsvError ||
      error instanceof CartModelFormatError
    ) {
      fail(`error: ${error.message}`, 1);
    }
    throw error;
  },
);
