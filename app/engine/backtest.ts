import {
  type CartModel,
  type CartModelOptions,
  type ItemOrders,
  type OrderInput,
  type PackedOrders,
  itemsOf,
  scoreCart,
  scoreProduct,
  timeOf,
  trainCartModel,
} from "./cart-model";
import {
  type EvaluationSplit,
  evaluateProtocolAEach,
  evaluateProtocolBEach,
  fixedScorer,
  protocolACases,
  type PerCase,
  type ScorerFactory,
  trainPopularity,
} from "./evaluation/protocol";

// The shop's own backtest, run at every training (docs/decisions/021): rolling origin on its most
// recent orders, every candidate trained on the orders before them, both protocols (A: complete a
// cart; B: a product page), and the choice of what each placement serves, with a guard against noise.

const DAY_MS = 86_400_000;

/** Windows of the recent-popularity lists, in days before the newest order. */
export const RECENT_WINDOWS = [7, 30, 90] as const;
export type RecentMethod = `recent-${(typeof RECENT_WINDOWS)[number]}`;

/** The lists a merchant could have built by hand: the bar the model has to clear. */
export const SIMPLE_METHODS = [
  "popularity",
  ...RECENT_WINDOWS.map((d): RecentMethod => `recent-${d}`),
  "co-occurrence",
] as const satisfies readonly string[];
export type SimpleMethod = "popularity" | RecentMethod | "co-occurrence";

/** Blends of the model with one simple list: each part scaled to a best of 1, then weighted. */
export const BLENDS = {
  "model+recent-30": { model: 0.8, "recent-30": 0.2 },
} as const satisfies Record<
  string,
  Partial<Record<"model" | SimpleMethod, number>>
>;
export type BlendMethod = keyof typeof BLENDS;
export type Method = "model" | SimpleMethod | BlendMethod;
export const METHODS: readonly Method[] = [
  "model",
  ...(SIMPLE_METHODS as readonly SimpleMethod[]),
  ...(Object.keys(BLENDS) as BlendMethod[]),
];

export function isMethod(value: unknown): value is Method {
  return (METHODS as readonly unknown[]).includes(value);
}

/** Where a method is judged: "cart" on Protocol A (carts, drawer, post-purchase), "product" on B. */
export type BacktestPlacement = "cart" | "product";

export interface BacktestOptions {
  /** Most recent multi-item orders scored, at most. */
  maxCases: number;
  /**
   * ...holding at most this many cart items in all: a case costs in proportion to its cart (its
   * items' co-occurrence rows and neighbours), and a wholesale cart holds dozens.
   */
  maxCartItems: number;
  /** ...and at most this share of the shop's multi-item orders, so most of the history trains. */
  maxShare: number;
  /** Fewer cases than this and there is no backtest: the model serves. */
  minCases: number;
  /**
   * Product pages are judged on the most recent of those orders only: each order asks one query
   * per product in it, so a wholesale order costs dozens, and the order is the unit of the interval.
   */
  maxProductOrders: number;
  /** z of the guard and of the intervals shown (two-sided 95%). */
  z: number;
  /**
   * The backtest's cart model keeps at most this many items in its linear part (the served one
   * keeps 5,000): the backtest must cost a fraction of a training, and the cap only makes the
   * model look worse, which the guard then has to overcome to keep it (never the other way).
   */
  modelMaxItems: number;
  threads?: number;
}

export const DEFAULT_BACKTEST_OPTIONS: BacktestOptions = {
  maxCases: 500,
  maxCartItems: 8000,
  maxShare: 0.25,
  minCases: 30,
  maxProductOrders: 100,
  z: 1.96,
  modelMaxItems: 800,
};

export interface Interval {
  mean: number;
  low: number;
  high: number;
}

export interface MethodScore {
  method: Method;
  hr10: Interval;
  ndcg10: Interval;
}

export interface PlacementBacktest {
  /** Protocol A cases, or Protocol B orders (each the mean of its product-page queries). */
  cases: number;
  scores: MethodScore[];
  chosen: Method;
}

export interface BacktestReport {
  /** Orders from this time on were scored; everything before it trained the candidates. */
  cutoff: string;
  trainOrders: number;
  testOrders: number;
  cart: PlacementBacktest;
  product: PlacementBacktest;
}

/** Mean and normal-approximation interval of per-case values. */
export function interval(values: ArrayLike<number>, z: number): Interval {
  const n = values.length;
  if (n === 0) return { mean: 0, low: 0, high: 0 };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (values[i] - mean) ** 2;
  const se = n > 1 ? Math.sqrt(ss / (n - 1) / n) : 0;
  return { mean, low: mean - z * se, high: mean + z * se };
}

/**
 * The guard: the model serves unless another method beats it on the same cases beyond the interval
 * of the paired difference (mean difference − z·SE > 0). Among those that do, the best mean wins,
 * ties to the earlier method in METHODS. Deterministic: no resampling.
 */
export function chooseMethod(
  perCase: ReadonlyMap<Method, ArrayLike<number>>,
  z = DEFAULT_BACKTEST_OPTIONS.z,
): Method {
  const base = perCase.get("model");
  if (!base || base.length === 0) return "model";
  let chosen: Method = "model";
  let best = -Infinity;
  for (const method of METHODS) {
    const values = perCase.get(method);
    if (method === "model" || !values) continue;
    const diff = Float64Array.from(values, (v, i) => v - base[i]);
    const { mean, low } = interval(diff, z);
    if (low > 0 && mean > best) {
      chosen = method;
      best = mean;
    }
  }
  return chosen;
}

/**
 * A cart model's scores in the protocol's catalog order: "cart" for Protocol A, "product" for B.
 * Each cart's scores are written over the last cart's, as the co-occurrence scorer's.
 */
export function cartModelScorer(
  model: CartModel,
  placement: BacktestPlacement = "cart",
): ScorerFactory {
  return (catalog) => {
    const position = Int32Array.from(model.items, () => -1);
    catalog.forEach((sku, c) => {
      const i = model.index.get(sku);
      if (i !== undefined) position[i] = c;
    });
    // A model trained on the protocol's train orders lists its items in the catalog's own order.
    const same =
      catalog.length === model.items.length &&
      position.every((c, i) => c === i);
    const scores = new Float64Array(model.items.length);
    const out = same ? scores : new Float64Array(catalog.length);
    return (cart) => {
      if (placement === "product" && cart.length === 1)
        scoreProduct(model, cart[0], scores);
      else scoreCart(model, cart, scores);
      if (!same)
        for (let i = 0; i < scores.length; i++)
          if (position[i] >= 0) out[position[i]] = scores[i];
      return out;
    };
  };
}

/** Orders per item within each of RECENT_WINDOWS' days before the newest order, in one pass. */
export function recentCounts(
  orders: ItemOrders,
): Record<RecentMethod, Map<string, number>> {
  const times = Float64Array.from({ length: orders.length }, (_, u) =>
    timeOf(orders, u),
  );
  let newest = 0;
  for (const t of times) newest = Math.max(newest, t);
  const windows = RECENT_WINDOWS.map((days) => ({
    from: newest - days * DAY_MS,
    counts: new Map<string, number>(),
  }));
  const widest = Math.min(...windows.map((w) => w.from));
  for (let u = 0; u < orders.length; u++) {
    if (times[u] < widest) continue;
    const items = new Set(itemsOf(orders, u));
    for (const { from, counts } of windows) {
      if (times[u] < from) continue;
      for (const item of items) counts.set(item, (counts.get(item) ?? 0) + 1);
    }
  }
  return Object.fromEntries(
    RECENT_WINDOWS.map((days, w) => [`recent-${days}`, windows[w].counts]),
  ) as Record<RecentMethod, Map<string, number>>;
}

function countsScorer(counts: ReadonlyMap<string, number>): ScorerFactory {
  return fixedScorer((catalog) =>
    Float64Array.from(catalog, (sku) => counts.get(sku) ?? 0),
  );
}

/**
 * Raw co-occurrence with the cart (orders holding both, summed over cart items), rows built on
 * demand from item -> orders lists and kept sparse: only the items that occur in a cart or a
 * product page cost anything. Each cart's scores are written over the last cart's (read them
 * before asking for the next, as the protocols do).
 */
export function cooccurrence(train: ItemOrders): ScorerFactory {
  // Items are numbered in the protocols' catalog order (train popularity), so that a protocol's
  // scores are the sums themselves. Baskets and item -> orders lists are flat typed arrays (CSR):
  // the rows below are the hot loop.
  const index = new Map<string, number>();
  trainPopularity(train).catalog.forEach((sku, i) => index.set(sku, i));
  const basketStart = new Uint32Array(train.length + 1);
  let lines = 0;
  for (let u = 0; u < train.length; u++) lines += itemsOf(train, u).length;
  const basketItems = new Uint32Array(lines);
  // The last order each item was seen in: repeats within an order count once.
  const seenIn = new Int32Array(lines).fill(-1);
  lines = 0;
  for (let u = 0; u < train.length; u++) {
    for (const sku of itemsOf(train, u)) {
      const i = index.get(sku)!;
      if (seenIn[i] !== u) basketItems[lines++] = i;
      seenIn[i] = u;
    }
    basketStart[u + 1] = lines;
  }
  const items = basketItems.subarray(0, lines);
  const n = index.size;
  const orderStart = new Uint32Array(n + 1);
  for (const i of items) orderStart[i + 1]++;
  for (let i = 0; i < n; i++) orderStart[i + 1] += orderStart[i];
  const ordersOf = new Uint32Array(items.length);
  const fill = orderStart.slice(0, n);
  for (let u = 0; u < train.length; u++)
    for (let k = basketStart[u]; k < basketStart[u + 1]; k++)
      ordersOf[fill[items[k]]++] = u;
  // Scratch for one row: its counts by item, and which items it touched, so that a row costs the
  // sizes of the orders holding the item and nothing per catalog item.
  const scratch = new Uint32Array(n);
  const touched = new Uint32Array(n);
  // Shared by every catalog order asked for: both protocols and the blends build each row once.
  const rows = new Map<
    number,
    Uint32Array | { ids: Uint32Array; counts: Uint32Array }
  >();
  const rowOf = (i: number) => {
    let row = rows.get(i);
    if (row) return row;
    let size = 0;
    for (let o = orderStart[i]; o < orderStart[i + 1]; o++) {
      const u = ordersOf[o];
      for (let k = basketStart[u]; k < basketStart[u + 1]; k++) {
        const j = items[k];
        if (scratch[j]++ === 0) touched[size++] = j;
      }
    }
    // The item itself is in each of its orders: not a pair.
    scratch[i] = 0;
    // A row that holds most of the catalog is kept whole, counts by item: no bigger, and added up
    // in order rather than item by item.
    if (2 * size > n) {
      const whole = scratch.slice();
      for (let k = 0; k < size; k++) scratch[touched[k]] = 0;
      rows.set(i, whole);
      return whole;
    }
    const ids = new Uint32Array(size - 1);
    const counts = new Uint32Array(size - 1);
    let kept = 0;
    for (let k = 0; k < size; k++) {
      const j = touched[k];
      if (j === i) continue;
      ids[kept] = j;
      counts[kept++] = scratch[j];
      scratch[j] = 0;
    }
    rows.set(i, (row = { ids, counts }));
    return row;
  };
  return (catalog) => {
    const position = new Int32Array(n).fill(-1);
    catalog.forEach((sku, c) => {
      const i = index.get(sku);
      if (i !== undefined) position[i] = c;
    });
    // Rows are added up by item, then laid out in the catalog's order once per cart, unless the
    // catalog is the items' own order (the protocols'): then the sums are the scores.
    const same = catalog.length === n && position.every((c, i) => c === i);
    const scores = new Float64Array(catalog.length);
    const sum = same ? scores : new Float64Array(n);
    return (cart) => {
      if (same) scores.fill(0);
      for (const sku of cart) {
        const i = index.get(sku);
        if (i === undefined) continue;
        const row = rowOf(i);
        if (row instanceof Uint32Array)
          for (let j = 0; j < n; j++) sum[j] += row[j];
        else
          for (let k = 0; k < row.ids.length; k++)
            sum[row.ids[k]] += row.counts[k];
      }
      if (!same)
        for (let j = 0; j < n; j++) {
          if (position[j] >= 0) scores[position[j]] = sum[j];
          sum[j] = 0;
        }
      return scores;
    };
  };
}

/**
 * Each part's scores scaled to a best of 1 (when positive), then weighted and added. Like the
 * co-occurrence scorer, it writes each cart's scores over the last cart's: the protocols read them
 * before asking for the next, and a backtest asks thousands of times.
 */
export function blendScorers(
  parts: readonly { factory: ScorerFactory; weight: number }[],
): ScorerFactory {
  return (catalog) => {
    const scorers = parts.map(({ factory, weight }) => {
      const score = factory(catalog);
      // A part that is the same for every cart (a best-seller list) is scaled once.
      const scaled =
        score.fixed &&
        addScaled(new Float64Array(catalog.length), score.fixed, weight);
      return { score, weight, scaled };
    });
    const out = new Float64Array(catalog.length);
    return (cart) => {
      out.fill(0);
      for (const { score, weight, scaled } of scorers)
        if (scaled) for (let j = 0; j < out.length; j++) out[j] += scaled[j];
        else addScaled(out, score(cart), weight);
      return out;
    };
  };
}

/** Adds `s` scaled to a best of 1 (when positive) and weighted to `out`, and returns `out`. */
function addScaled(
  out: Float64Array,
  s: Float64Array,
  weight: number,
): Float64Array {
  let max = 0;
  for (let j = 0; j < s.length; j++) if (s[j] > max) max = s[j];
  if (max > 0)
    for (let j = 0; j < s.length; j++) out[j] += (weight * s[j]) / max;
  return out;
}

/**
 * A scorer that keeps the scores of the last cart it was asked about: the protocols ask every
 * method for one cart before the next (`evaluateProtocolAEach`, `evaluateProtocolBEach`), so a
 * blend gets the model's scores of that cart without scoring it again.
 */
function lastCartKept(factory: ScorerFactory): ScorerFactory {
  return (catalog) => {
    const score = factory(catalog);
    let lastCart: readonly string[] = [];
    let lastScores: Float64Array | undefined;
    return (cart) => {
      if (
        lastScores === undefined ||
        cart.length !== lastCart.length ||
        cart.some((sku, k) => sku !== lastCart[k])
      ) {
        lastScores = score(cart);
        lastCart = [...cart];
      }
      return lastScores;
    };
  };
}

/**
 * Every method's scorers, trained on `train`: the protocol ranks by them, ties (and every zero
 * score) by the train popularity, which is also what "popularity" is.
 */
export function candidateScorers(
  train: ItemOrders,
  model: CartModel,
): Record<Method, Record<BacktestPlacement, ScorerFactory>> {
  const same = (f: ScorerFactory) => ({ cart: f, product: f });
  const simple = {
    popularity: same(countsScorer(new Map())),
    "co-occurrence": same(cooccurrence(train)),
  } as Record<SimpleMethod, Record<BacktestPlacement, ScorerFactory>>;
  for (const [method, counts] of Object.entries(recentCounts(train)))
    simple[method as RecentMethod] = same(countsScorer(counts));
  const base = {
    model: {
      cart: lastCartKept(cartModelScorer(model, "cart")),
      product: lastCartKept(cartModelScorer(model, "product")),
    },
    ...simple,
  };
  const blend = (name: BlendMethod, placement: BacktestPlacement) =>
    blendScorers(
      Object.entries(BLENDS[name]).map(([part, weight]) => ({
        factory: base[part as "model" | SimpleMethod][placement],
        weight,
      })),
    );
  const blends = Object.fromEntries(
    (Object.keys(BLENDS) as BlendMethod[]).map((name) => [
      name,
      { cart: blend(name, "cart"), product: blend(name, "product") },
    ]),
  ) as Record<BlendMethod, Record<BacktestPlacement, ScorerFactory>>;
  return { ...base, ...blends };
}

function distinctCount(items: readonly string[]): number {
  return new Set(items).size;
}

/**
 * A shop's orders for its backtest: as objects, or packed with their ids (an OrderTable), which
 * the backtest then reads without an object per order (decision 018, "Measured").
 */
export type BacktestOrders =
  readonly OrderInput[] | (PackedOrders & { readonly ids: readonly string[] });

/** Order u's creation time as the protocols compare it (ISO 8601, fixed width). */
function createdAtOf(orders: BacktestOrders, u: number): string {
  return Array.isArray(orders)
    ? (orders as readonly OrderInput[])[u].createdAt
    : new Date(timeOf(orders, u)).toISOString();
}

/**
 * Where the shop's history splits: the earliest of its most recent multi-item orders (at most
 * maxCases, at most maxShare of them, their carts at most maxCartItems), or null when there are
 * too few for an interval.
 */
export function backtestCutoff(
  orders: BacktestOrders,
  options: Pick<
    BacktestOptions,
    "maxCases" | "maxCartItems" | "maxShare" | "minCases"
  >,
): string | null {
  const u = cutoffOrder(orders, options);
  return u === null ? null : createdAtOf(orders, u);
}

/** The order whose creation time is the backtest's cutoff (see `backtestCutoff`). */
function cutoffOrder(
  orders: ItemOrders,
  options: Pick<
    BacktestOptions,
    "maxCases" | "maxCartItems" | "maxShare" | "minCases"
  >,
): number | null {
  const multi: number[] = [];
  for (let u = 0; u < orders.length; u++) {
    const items = itemsOf(orders, u);
    if (items.some((item) => item !== items[0])) multi.push(u);
  }
  // A stable sort: orders of the same time stay in the shop's order.
  const times = multi.map((u) => timeOf(orders, u));
  const byTime = Array.from(multi.keys()).sort((a, b) => times[a] - times[b]);
  let take = 0;
  let items = 0;
  while (take < Math.min(options.maxCases, multi.length)) {
    // A case's cart is its order less the hidden item.
    const u = multi[byTime[multi.length - 1 - take]];
    items += distinctCount(itemsOf(orders, u)) - 1;
    if (items > options.maxCartItems) break;
    take++;
  }
  take = Math.min(take, Math.floor(multi.length * options.maxShare));
  if (take < options.minCases) return null;
  const cutoff = byTime[multi.length - take];
  // Everything before the cutoff trains; a shop whose orders all share one time has no "before".
  for (let u = 0; u < orders.length; u++)
    if (timeOf(orders, u) < times[cutoff]) return multi[cutoff];
  return null;
}

/**
 * The backtest's split at the cutoff: the train orders in the form they came (packed ones copied
 * into new columns, no object per order), the scored ones as objects (at most a quarter of the
 * shop's multi-item orders, and the single-item ones among them).
 */
function splitAt(
  orders: BacktestOrders,
  cutoff: number,
): { train: ItemOrders; evaluation: OrderInput[] } {
  const before = (u: number) => timeOf(orders, u) < cutoff;
  if (Array.isArray(orders)) {
    const list = orders as readonly OrderInput[];
    return {
      train: list.filter((_, u) => before(u)),
      evaluation: list.filter((_, u) => !before(u)),
    };
  }
  const packed = orders as Exclude<BacktestOrders, readonly OrderInput[]>;
  const evaluation: OrderInput[] = [];
  const kept: number[] = [];
  let lines = 0;
  for (let u = 0; u < packed.length; u++) {
    if (before(u)) {
      kept.push(u);
      lines += packed.lineStart[u + 1] - packed.lineStart[u];
    } else
      evaluation.push({
        id: packed.ids[u],
        createdAt: createdAtOf(packed, u),
        items: itemsOf(packed, u),
      });
  }
  const lineStart = new Uint32Array(kept.length + 1);
  const lineProduct = new Uint32Array(lines);
  kept.forEach((u, k) => {
    const lineEnd =
      lineStart[k] + packed.lineStart[u + 1] - packed.lineStart[u];
    lineProduct.set(
      packed.lineProduct.subarray(packed.lineStart[u], packed.lineStart[u + 1]),
      lineStart[k],
    );
    lineStart[k + 1] = lineEnd;
  });
  const train: PackedOrders = {
    length: kept.length,
    times: Float64Array.from(kept, (u) => packed.times[u]),
    lineStart,
    lineProduct,
    keys: packed.keys,
  };
  return { train, evaluation };
}

/**
 * The backtest: candidates trained on the orders before the cutoff, scored on the orders from it,
 * and the method each placement serves. Null when the shop has too few orders for one.
 */
export function backtest(
  orders: BacktestOrders,
  options: Partial<BacktestOptions> = {},
  modelOptions: Partial<CartModelOptions> = {},
): BacktestReport | null {
  const opts = { ...DEFAULT_BACKTEST_OPTIONS, ...options };
  const at = cutoffOrder(orders, opts);
  if (at === null) return null;
  const cutoff = createdAtOf(orders, at);
  const split: EvaluationSplit & { evaluation: OrderInput[] } = splitAt(
    orders,
    timeOf(orders, at),
  );
  const model = trainCartModel(
    split.train,
    {
      ...modelOptions,
      maxItems: Math.min(
        modelOptions.maxItems ?? opts.modelMaxItems,
        opts.modelMaxItems,
      ),
      threads: opts.threads,
    },
    undefined,
    // Only the scored orders' items are ever asked about, and no reason is ever shown.
    {
      rowsFor: new Set(split.evaluation.flatMap((o) => o.items)),
      reasons: false,
    },
  );
  const scorers = candidateScorers(split.train, model);
  const cases = protocolACases(split.evaluation);
  const productOrders = new Set(
    cases.slice(-opts.maxProductOrders).map((c) => c.orderId),
  );
  const productSplit = {
    ...split,
    evaluation: split.evaluation.filter((o) => productOrders.has(o.id)),
  };
  const judge = (
    placement: BacktestPlacement,
    run: (factories: ScorerFactory[], perCase: PerCase[]) => number,
    metric: keyof PerCase,
  ): PlacementBacktest => {
    const perCase = METHODS.map(() => ({
      hr10: new Float64Array(cases.length),
      ndcg10: new Float64Array(cases.length),
    }));
    const count = run(
      METHODS.map((method) => scorers[method][placement]),
      perCase,
    );
    const per = new Map<Method, PerCase>(
      METHODS.map((method, m) => [
        method,
        {
          hr10: perCase[m].hr10.subarray(0, count),
          ndcg10: perCase[m].ndcg10.subarray(0, count),
        },
      ]),
    );
    return {
      cases: count,
      scores: METHODS.map((method) => ({
        method,
        hr10: interval(per.get(method)!.hr10, opts.z),
        ndcg10: interval(per.get(method)!.ndcg10, opts.z),
      })),
      chosen: chooseMethod(
        new Map([...per].map(([m, v]) => [m, v[metric]])),
        opts.z,
      ),
    };
  };
  return {
    cutoff,
    trainOrders: split.train.length,
    testOrders: split.evaluation.length,
    // Carts are judged on hits (did the next item bought make the list), product pages on NDCG per
    // order: its queries share one basket, so the order, not the query, is the independent unit.
    cart: judge(
      "cart",
      (factories, perCase) =>
        evaluateProtocolAEach(split, factories, cases, perCase)[0].cases,
      "hr10",
    ),
    product: judge(
      "product",
      (factories, perCase) =>
        evaluateProtocolBEach(productSplit, factories, perCase)[0].orders,
      "ndcg10",
    ),
  };
}
