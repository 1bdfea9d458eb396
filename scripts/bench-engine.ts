/**
 * Engine benchmark: training time and peak memory on the full shared data set,
 * recommend latency per cart, and a same-run baseline (the raw co-occurrence
 * model) for a machine-independent ratio; customer profiles of the whole file and a returning
 * customer's recommend latency with a 50-order history. `npm test` runs it once on a tiny
 * order file (test/bench), to prove it runs, not to judge its figures.
 *   npm run bench:engine -- [--orders FILE] [--threads N] [--carts N]
 */
import { loadavg } from "node:os";
import { resourceUsage } from "node:process";
import { parseArgs } from "node:util";
import {
  cartModelToJSON,
  topK,
  trainCartModel,
  type TrainTimings,
} from "../app/engine/cart-model";
import {
  buildCustomerProfiles,
  rebuyStats,
} from "../app/engine/customer-profile";
import { readOrdersCsv } from "../app/engine/evaluation/orders-csv";
import { personalCartScores } from "../app/engine/personal";
import { buildReplenishment } from "../app/engine/replenishment";
import { fnv1a32 } from "../app/engine/hash";
import { trainModels } from "../app/engine/shop-model";
import {
  cooccurrenceScorer,
  trainPopularity,
} from "../app/engine/evaluation/protocol";

const { values } = parseArgs({
  options: {
    orders: { type: "string", default: "../shared/data/online-retail.csv.gz" },
    threads: { type: "string", default: "2" },
    carts: { type: "string", default: "5000" },
  },
});
const threads = Number(values.threads);
const cartCount = Number(values.carts);
if (
  !Number.isInteger(threads) ||
  threads < 1 ||
  !Number.isInteger(cartCount) ||
  cartCount < 1
) {
  process.stderr.write(
    "usage: npm run bench:engine -- [--orders FILE] [--threads N] [--carts N]\n",
  );
  process.exit(2);
}

const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
let peakRss = process.memoryUsage().rss;
const sampler = setInterval(() => {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}, 20);
sampler.unref();

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const t0 = performance.now();
const { orders, unitPrices } = await readOrdersCsv(values.orders);
const readMs = performance.now() - t0;
const rssBefore = process.memoryUsage().rss;
console.log(
  `orders: ${orders.length} (read in ${readMs.toFixed(0)} ms), rss ${mb(rssBefore)}`,
);

// Training runs synchronously, so the sampler cannot tick inside it;
// resourceUsage().maxRSS is the kernel's peak for the whole process.
const runs: Partial<TrainTimings>[] = [];
for (let r = 0; r < 3; r++) {
  const timings: Partial<TrainTimings> = {};
  trainCartModel(orders, { threads }, timings);
  runs.push(timings);
  console.log(
    `train #${r + 1}: ${timings.totalMs!.toFixed(0)} ms (prepare ${timings.prepareMs!.toFixed(0)}, ` +
      `inverse ${timings.invertMs!.toFixed(0)}, extract ${timings.extractMs!.toFixed(0)}; ${timings.easeItems} items)`,
  );
}
const trainMs = Math.min(...runs.map((t) => t.totalMs!));
const maxRss = resourceUsage().maxRSS * 1024;
peakRss = Math.max(peakRss, maxRss);

// The app's training (cart model and co-purchase evidence, `trainModels`) without and with the
// shop's backtest (decision 021), alternated so a change in the machine's load hits both alike.
const shopOrders = orders.map((o) => ({
  id: o.id,
  // The export's local times carry no offset: read them as UTC, like the cart model does.
  createdAt: `${o.createdAt}Z`,
  customerKey: o.customerId,
  lines: o.items.map((productId, i) => ({
    productId,
    quantity: 1,
    price: {
      amount: o.prices[i] ?? unitPrices.get(productId) ?? 0,
      currency: "GBP",
    },
  })),
}));
const withoutMs: number[] = [];
const withMs: number[] = [];
// Within one training with the backtest: its share, which a change of load between two runs
// cannot skew.
const inRunRatios: number[] = [];
let choice = "";
for (let r = 0; r < 2; r++) {
  let t = performance.now();
  trainModels(shopOrders, { backtest: false });
  withoutMs.push(performance.now() - t);
  t = performance.now();
  const timings: { backtestMs?: number } = {};
  const trained = trainModels(shopOrders, { backtest: { threads } }, timings);
  withMs.push(performance.now() - t);
  inRunRatios.push(withMs[r] / (withMs[r] - timings.backtestMs!));
  const report = trained.choice?.backtest;
  choice = report
    ? `${report.cart.cases} cases from ${report.cutoff}; carts ${report.cart.chosen}, product pages ${report.product.chosen}`
    : "no backtest (too few orders)";
  console.log(
    `shop training #${r + 1}: ${withoutMs[r].toFixed(0)} ms without the backtest, ${withMs[r].toFixed(0)} ms with it ` +
      `(backtest ${timings.backtestMs!.toFixed(0)} ms: ratio within that run ${inRunRatios[r].toFixed(2)})`,
  );
}
const shopWithout = Math.min(...withoutMs);
const shopWith = Math.min(...withMs);

const t1 = performance.now();
const cooc = cooccurrenceScorer(orders)(trainPopularity(orders).catalog);
const coocMs = performance.now() - t1;

const model = trainCartModel(orders, { threads });
// Carts drawn deterministically from real orders: 1 to 8 of their items.
const carts: string[][] = [];
for (let i = 0; carts.length < cartCount; i++) {
  const o = orders[fnv1a32(`cart:${i}`) % orders.length];
  const size = 1 + (fnv1a32(`size:${i}`) % Math.min(8, o.items.length));
  carts.push(o.items.slice(0, size));
}
for (const cart of carts.slice(0, 200)) topK(model, cart, 10);
const latencies: number[] = [];
for (const cart of carts) {
  const t = performance.now();
  topK(model, cart, 10);
  latencies.push(performance.now() - t);
}
latencies.sort((a, b) => a - b);
const coocLatencies: number[] = [];
for (const cart of carts.slice(0, 1000)) {
  const t = performance.now();
  cooc(cart);
  coocLatencies.push(performance.now() - t);
}
coocLatencies.sort((a, b) => a - b);

const storedBytes = JSON.stringify(cartModelToJSON(model)).length;

// Customer profiles of every customer in the file, in one pass.
const profileRuns: number[] = [];
let profiles = buildCustomerProfiles([]);
for (let r = 0; r < 3; r++) {
  const t = performance.now();
  profiles = buildCustomerProfiles(shopOrders);
  profileRuns.push(performance.now() - t);
}
// A returning customer's recommend: each customer with 50 orders or more, profiled on exactly 50.
const replenishment = buildReplenishment(shopOrders);
const rebuy = rebuyStats(profiles);
const byCustomer = new Map<string, typeof shopOrders>();
for (const o of shopOrders) {
  if (!o.customerKey) continue;
  const list = byCustomer.get(o.customerKey) ?? [];
  list.push(o);
  byCustomer.set(o.customerKey, list);
}
// A small file may have no such customer: then its longest histories stand in.
const histories = [...byCustomer.values()].sort((a, b) => b.length - a.length);
const historyLength = Math.min(50, histories[0]?.length ?? 0);
const shoppers = histories
  .filter((list) => list.length >= historyLength)
  .map((list) => {
    const history = list.slice(0, historyLength);
    return {
      profile: buildCustomerProfiles(history).get(history[0].customerKey!)!,
      now: Date.parse(history[historyLength - 1].createdAt) + 86_400_000,
      replenishment,
      rebuy,
    };
  });
const personal = (i: number) => {
  const cart = carts[i];
  const shopper = shoppers[i % shoppers.length];
  return topK(
    model,
    cart,
    10,
    undefined,
    personalCartScores(model, cart, shopper),
  );
};
// A file without customers has no personal recommend to time.
const personalCarts = shoppers.length > 0 ? carts.length : 0;
for (let i = 0; i < Math.min(200, personalCarts); i++) personal(i);
const personalLatencies: number[] = [];
for (let i = 0; i < personalCarts; i++) {
  const t = performance.now();
  personal(i);
  personalLatencies.push(performance.now() - t);
}
personalLatencies.sort((a, b) => a - b);

console.log("\n== engine benchmark");
console.log(
  `machine: load average ${loadavg()
    .map((x) => x.toFixed(2))
    .join(" / ")} (1/5/15 min) at the end of the run`,
);
console.log(
  `train (best of 3, ${threads} thread(s)): ${trainMs.toFixed(0)} ms`,
);
console.log(
  `shop training (best of 2): ${shopWithout.toFixed(0)} ms without the backtest, ${shopWith.toFixed(0)} ms with it -> ratio ${(shopWith / shopWithout).toFixed(2)}; within a run ${Math.min(...inRunRatios).toFixed(2)}-${Math.max(...inRunRatios).toFixed(2)} (backtest: ${choice})`,
);
console.log(
  `peak memory: maxRSS ${mb(maxRss)} (rss before training ${mb(rssBefore)})`,
);
console.log(
  `baseline co-occurrence model build: ${coocMs.toFixed(0)} ms -> cart model / baseline = ${(trainMs / coocMs).toFixed(2)}`,
);
console.log(
  `recommend top-10 per cart (${carts.length} carts): p50 ${quantile(latencies, 0.5).toFixed(3)} ms, ` +
    `p99 ${quantile(latencies, 0.99).toFixed(3)} ms, max ${latencies.at(-1)!.toFixed(3)} ms`,
);
console.log(
  `baseline co-occurrence scoring per cart: p50 ${quantile(coocLatencies, 0.5).toFixed(3)} ms, ` +
    `p99 ${quantile(coocLatencies, 0.99).toFixed(3)} ms`,
);
console.log(
  `stored model: ${(storedBytes / 1e6).toFixed(1)} MB (${model.ease.ids.length} EASE^R weights)`,
);
console.log(
  `customer profiles (best of 3): ${profiles.size} customers in ${Math.min(...profileRuns).toFixed(0)} ms`,
);
if (personalCarts > 0)
  console.log(
    `personal recommend top-10 per cart (${carts.length} carts, ${shoppers.length} customers with a ${historyLength}-order history): ` +
      `p50 ${quantile(personalLatencies, 0.5).toFixed(3)} ms, p99 ${quantile(personalLatencies, 0.99).toFixed(3)} ms, ` +
      `max ${personalLatencies.at(-1)!.toFixed(3)} ms`,
  );
console.log(`total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
process.exit(0);
