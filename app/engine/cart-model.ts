import { DenseSpdMatrix } from "./linalg";
import { decodeArray, encodeArray } from "./base64-arrays";

/**
 * Cart-completion model: "what else goes in this cart?".
 *
 * An item-item linear model, EASE^R (Steck 2019): B = I - P·diag(1/diag P)
 * with P = (XᵀWX + λI)⁻¹, where X is the order×item matrix and W weighs
 * orders (recent ones more, huge wholesale baskets less). For small carts it
 * is blended with RP3beta, a popularity-damped random walk that does better
 * when the cart holds one or two items. Only the strongest neighbours of each
 * item are kept, so the model is small to store and a cart scores in
 * microseconds. Items are opaque strings (SKUs, product ids).
 */

export interface OrderInput {
  id: string;
  /** ISO 8601, fixed width, so that string order is time order. */
  createdAt: string;
  customerId?: string;
  /** Item ids; repeats are ignored. */
  items: readonly string[];
}

export interface CartModelOptions {
  /** L2 weight of EASE^R. */
  lambda: number;
  /**
   * Items bought in fewer train orders get no learned neighbours (only
   * back-fill). The floor only bites past the `minItemOrdersFrom` most
   * popular items: it exists to bound the O(n³) fit on big catalogs, and a
   * small shop, whose products are each in a handful of orders, must still
   * get a model.
   */
  minItemOrders: number;
  minItemOrdersFrom: number;
  /**
   * The same floor for the linear model alone, whose fit grows with the cube of its items:
   * items between the two floors keep their walk and product-page neighbours.
   */
  easeMinItemOrders: number;
  /**
   * At most this many of the most popular items enter the linear model, whose fit needs n² memory
   * and n³ time: 5,000 items is 200 MB and seconds; 50,000 would be 20 GB. The long tail beyond it
   * keeps its walk and co-purchase neighbours and the popularity back-fill.
   */
  maxItems: number;
  /** Orders with more distinct items are left out of training. */
  maxBasketSize: number;
  /** Order weight basketSize^-basketPower: big baskets say less per pair. */
  basketPower: number;
  /** Half-life of the order weight in days before the newest order; 0 = no decay. */
  halfLifeDays: number;
  /**
   * A second linear fit of the same items, merged into the weights before the strongest of each
   * row are kept: B = (1 − mixShare)·B + mixShare·B', where B' weighs orders by
   * basketSize^-mixBasketPower, halved every mixHalfLifeDays (0 = no decay), with L2 weight
   * mixLambda. Two views of the same orders (another time scale, another regularisation) in one
   * set of neighbours, scored like one model. 0 = one fit.
   */
  mixShare: number;
  mixLambda: number;
  mixBasketPower: number;
  mixHalfLifeDays: number;
  /**
   * EASE^R weights kept per item: the largest by magnitude, negative ones
   * included (they push down what a big cart argues against); Infinity
   * keeps the whole row, which scores exactly like the dense model.
   */
  neighbours: number;
  /** Neighbours kept per item for RP3beta and the product-page lists. */
  walkNeighbours: number;
  /** RP3beta: transition probabilities raised to alpha, target popularity^-beta. */
  rp3Alpha: number;
  rp3Beta: number;
  /** Share of RP3beta in the score, by cart size 1, 2, 3, 4 (larger carts: EASE only). */
  rp3Blend: readonly number[];
  /**
   * Weight of a recency-weighted popularity prior added to every score: the
   * catalog turns over with the seasons, and what sold lately sells next.
   */
  priorWeight: number;
  /** Half-life in days of that prior; 0 = plain order counts. */
  priorHalfLifeDays: number;
  /**
   * Product-page ("frequently bought together") lists: co-purchase counts
   * times popularity^-fbtBeta, plus fbtPrior times the recency prior. A
   * product page has no cart to complete, and shoppers there respond to
   * what is commonly bought along, so it gets its own, broader scorer.
   */
  fbtBeta: number;
  fbtPrior: number;
  /** Co-purchase weight of an order for those lists: basketSize^-fbtBasketPower, halved every fbtHalfLifeDays (0 = no decay). */
  fbtBasketPower: number;
  fbtHalfLifeDays: number;
  /** Threads for the dense inverse (caller included). */
  threads?: number;
}

/**
 * Tuned on the validation split of the shared Online Retail data (train
 * before 2011-08-09, score 2011-08-09 .. 2011-10-08), never on test; see
 * docs/decisions/004-engine-linear-algebra.md for the grid. The order
 * half-life and the basket power were chosen on four rolling-origin folds
 * before the test window, on average over the folds
 * (docs/decisions/028-season-validation.md). A larger linear model (floor 5,
 * 200 weights per item) gained one standard error on those folds for 1.35 × the
 * training and 1.7 × the stored model, and was not taken
 * (docs/decisions/029-more-items-in-the-linear-model.md).
 */
export const DEFAULT_CART_MODEL_OPTIONS: CartModelOptions = {
  lambda: 10,
  minItemOrders: 5,
  minItemOrdersFrom: 1500,
  easeMinItemOrders: 10,
  maxItems: 5000,
  maxBasketSize: Infinity,
  basketPower: 0.25,
  halfLifeDays: 120,
  mixShare: 0,
  mixLambda: 50,
  mixBasketPower: 0,
  mixHalfLifeDays: 0,
  neighbours: 100,
  walkNeighbours: 50,
  rp3Alpha: 0.5,
  rp3Beta: 0.3,
  rp3Blend: [1, 0.5, 0.2],
  priorWeight: 0,
  priorHalfLifeDays: 30,
  fbtBeta: 0,
  fbtPrior: 0,
  fbtBasketPower: 0.25,
  fbtHalfLifeDays: 90,
};

/** Sparse rows: neighbours of item i are ids[offsets[i] .. offsets[i+1]). */
export interface NeighbourRows {
  offsets: Uint32Array;
  ids: Uint32Array;
  weights: Float32Array;
}

export interface CartModel {
  version: 1;
  /** Item ids by train popularity (order count desc, then id asc): index order is the back-fill. */
  items: string[];
  /** Train orders containing each item. */
  orderCounts: Uint32Array;
  /** Train orders used (after the basket-size filter). */
  trainOrders: number;
  ease: NeighbourRows;
  /** Orders that held both the item and each EASE neighbour, for reasons. */
  coCounts: Uint32Array;
  rp3: NeighbourRows;
  fbt: NeighbourRows;
  fbtPrior: number;
  rp3Blend: number[];
  /** Recency-weighted popularity per item, scaled to a maximum of 1. */
  prior: Float32Array;
  priorWeight: number;
  options: Omit<CartModelOptions, "threads">;
  /** Not serialised: id -> index. */
  index: Map<string, number>;
}

export interface TrainTimings {
  prepareMs: number;
  invertMs: number;
  extractMs: number;
  totalMs: number;
  easeItems: number;
}

const DAY_MS = 86_400_000;

export function parseUtc(createdAt: string): number {
  // The exports carry no offset; treating them as UTC keeps the result
  // independent of the machine's time zone.
  const t = Date.parse(
    /[zZ]|[+-]\d\d:?\d\d$/.test(createdAt) ? createdAt : `${createdAt}Z`,
  );
  return Number.isNaN(t) ? 0 : t;
}

/** CSR rows built one row at a time in typed arrays that grow as needed. */
class RowBuilder {
  readonly offsets: Uint32Array;
  private ids: Uint32Array;
  private weights: Float32Array;
  private length = 0;

  constructor(rows: number, capacity: number) {
    this.offsets = new Uint32Array(rows + 1);
    this.ids = new Uint32Array(Math.max(16, capacity));
    this.weights = new Float32Array(Math.max(16, capacity));
  }

  push(id: number, weight: number): void {
    if (this.length === this.ids.length) {
      const ids = new Uint32Array(this.ids.length * 2);
      ids.set(this.ids);
      this.ids = ids;
      const weights = new Float32Array(this.weights.length * 2);
      weights.set(this.weights);
      this.weights = weights;
    }
    this.ids[this.length] = id;
    this.weights[this.length++] = weight;
  }

  get size(): number {
    return this.length;
  }

  idAt(k: number): number {
    return this.ids[k];
  }

  /** Closes row `i` (rows must be closed in order; skipped rows stay empty). */
  endRow(i: number): void {
    this.offsets[i + 1] = this.length;
  }

  finish(rows: number, lastClosed: number): NeighbourRows {
    for (let i = lastClosed + 1; i < rows; i++)
      this.offsets[i + 1] = this.length;
    return {
      offsets: this.offsets,
      ids: this.ids.slice(0, this.length),
      weights: this.weights.slice(0, this.length),
    };
  }
}

/**
 * Appends the `k` strongest entries of a dense row (excluding `self`) to
 * `out`, strongest first, ties in index (popularity) order. Strength is the
 * value itself (only positive values kept) or, when `signed`, its magnitude,
 * so that negative weights survive the cut. `ids`/`keys` are scratch space
 * of at least min(k, length) entries.
 */
function topOfRow(
  row: Float64Array,
  length: number,
  self: number,
  k: number,
  signed: boolean,
  out: RowBuilder,
  ids: Int32Array,
  keys: Float64Array,
): void {
  if (k >= length - 1) {
    // Whole row: nothing to select, index order is as deterministic.
    for (let j = 0; j < length; j++) {
      const v = row[j];
      if (j !== self && (signed ? v !== 0 : v > 0)) out.push(j, v);
    }
    return;
  }
  let size = 0;
  for (let j = 0; j < length; j++) {
    const v = row[j];
    const key = signed ? Math.abs(v) : v;
    if (!(key > 0) || j === self) continue;
    if (size === k) {
      if (!(key > keys[k - 1])) continue;
      size--;
    }
    let p = size;
    while (p > 0 && key > keys[p - 1]) {
      keys[p] = keys[p - 1];
      ids[p] = ids[p - 1];
      p--;
    }
    keys[p] = key;
    ids[p] = j;
    size++;
  }
  for (let q = 0; q < size; q++) out.push(ids[q], row[ids[q]]);
}

/** Transposes CSR lists (rows -> columns). */
function invert(start: Uint32Array, ids: Uint32Array, columns: number) {
  const counts = new Uint32Array(columns + 1);
  for (const j of ids) counts[j + 1]++;
  for (let j = 0; j < columns; j++) counts[j + 1] += counts[j];
  const out = new Uint32Array(ids.length);
  const fill = counts.slice(0, columns);
  for (let r = 0; r + 1 < start.length; r++) {
    for (let p = start[r]; p < start[r + 1]; p++) out[fill[ids[p]]++] = r;
  }
  return { start: counts, ids: out };
}

/** How many of the most popular items enter the linear model. */
export function modelledItems(
  orderCounts: ArrayLike<number>,
  opts: Pick<
    CartModelOptions,
    "minItemOrders" | "minItemOrdersFrom" | "maxItems"
  >,
): number {
  let n = 0;
  while (
    n < Math.min(orderCounts.length, opts.maxItems) &&
    (n < opts.minItemOrdersFrom || orderCounts[n] >= opts.minItemOrders)
  )
    n++;
  return n;
}

/** A model trained to answer known questions only, not to serve (the shop's backtest). */
export interface TrainScope {
  /**
   * Items whose walk and product-page neighbours will be asked for; the other items' rows stay
   * empty, which saves most of the walk's time on a big catalog. All items when absent.
   */
  rowsFor?: ReadonlySet<string>;
  /**
   * False: no `coCounts` (empty), the orders behind each reason a shopper is shown, which a model
   * that is never served never shows, and whose count is a pass over every item's orders.
   */
  reasons?: boolean;
}

/**
 * Orders in typed arrays, without an object per order (an OrderTable is one): order u was placed
 * at times[u] (ms, UTC) and holds the items keys[lineProduct[p]] for p from lineStart[u] up to
 * lineStart[u + 1].
 */
export interface PackedOrders {
  readonly length: number;
  readonly times: Float64Array;
  readonly lineStart: Uint32Array;
  readonly lineProduct: Uint32Array;
  readonly keys: readonly string[];
}

/**
 * Each order's distinct items as dense ids in first-seen order (repeats within an order count
 * once), from either form of the orders: one Map lookup per line item for objects, one array
 * lookup for packed orders.
 */
function denseLines(orders: readonly OrderInput[] | PackedOrders): {
  lineStart: Uint32Array;
  lineIds: Uint32Array;
  seenIds: string[];
  times: Float64Array;
} {
  const count = orders.length;
  const seenIds: string[] = [];
  const lineStart = new Uint32Array(count + 1);
  let lines = 0;
  let lineIds: Uint32Array;
  const add = (k: number, u: number, mark: Int32Array) => {
    if (mark[k] === u) return;
    mark[k] = u;
    lineIds[lines++] = k;
  };
  if (isPacked(orders)) {
    const { keys, lineProduct } = orders;
    lineIds = new Uint32Array(orders.lineStart[count]);
    const mark = new Int32Array(Math.max(16, lineIds.length)).fill(-1);
    const denseOf = new Int32Array(keys.length).fill(-1);
    for (let u = 0; u < count; u++) {
      for (let p = orders.lineStart[u]; p < orders.lineStart[u + 1]; p++) {
        const key = lineProduct[p];
        if (denseOf[key] < 0) {
          denseOf[key] = seenIds.length;
          seenIds.push(keys[key]);
        }
        add(denseOf[key], u, mark);
      }
      lineStart[u + 1] = lines;
    }
    return {
      lineStart,
      lineIds: lineIds.subarray(0, lines),
      seenIds,
      times: Float64Array.from(orders.times, (t) => (Number.isNaN(t) ? 0 : t)),
    };
  }
  const firstSeen = new Map<string, number>();
  for (const o of orders) lines += o.items.length;
  lineIds = new Uint32Array(lines);
  const mark = new Int32Array(Math.max(16, lines)).fill(-1);
  lines = 0;
  for (let u = 0; u < count; u++) {
    for (const id of orders[u].items) {
      let k = firstSeen.get(id);
      if (k === undefined) {
        k = seenIds.length;
        firstSeen.set(id, k);
        seenIds.push(id);
      }
      add(k, u, mark);
    }
    lineStart[u + 1] = lines;
  }
  return {
    lineStart,
    lineIds: lineIds.subarray(0, lines),
    seenIds,
    times: Float64Array.from(orders, (o) => parseUtc(o.createdAt)),
  };
}

/** Orders in either form, as the backtest and the protocols read them. */
export type ItemOrders = readonly OrderInput[] | PackedOrders;

function isPacked(orders: ItemOrders): orders is PackedOrders {
  return !Array.isArray(orders);
}

/** Order u's items, repeats kept: a new array for packed orders, dropped once read. */
export function itemsOf(orders: ItemOrders, u: number): readonly string[] {
  if (!isPacked(orders)) return orders[u].items;
  const { keys, lineStart, lineProduct } = orders;
  const items: string[] = [];
  for (let p = lineStart[u]; p < lineStart[u + 1]; p++)
    items.push(keys[lineProduct[p]]);
  return items;
}

/** Order u's creation time in ms (UTC), 0 when unreadable, from either form. */
export function timeOf(orders: ItemOrders, u: number): number {
  if (!isPacked(orders)) return parseUtc(orders[u].createdAt);
  const t = orders.times[u];
  return Number.isNaN(t) ? 0 : t;
}

export function trainCartModel(
  orders: readonly OrderInput[] | PackedOrders,
  options: Partial<CartModelOptions> = {},
  timings?: Partial<TrainTimings>,
  scope: TrainScope = {},
): CartModel {
  const opts: CartModelOptions = { ...DEFAULT_CART_MODEL_OPTIONS, ...options };
  if (!(opts.lambda > 0)) throw new RangeError("lambda must be positive");
  if (!(opts.mixShare >= 0 && opts.mixShare <= 1))
    throw new RangeError("mixShare must be between 0 and 1");
  if (opts.mixShare > 0 && !(opts.mixLambda > 0))
    throw new RangeError("mixLambda must be positive");
  if (!(opts.neighbours >= 1) || !(opts.walkNeighbours >= 1))
    throw new RangeError("neighbours must be at least 1");
  const t0 = performance.now();

  // Items get dense ids in first-seen order, then are renumbered by
  // popularity.
  const { lineStart, lineIds, seenIds, times } = denseLines(orders);
  const lines = lineIds.length;
  const seenCounts = new Uint32Array(seenIds.length);
  for (const k of lineIds) seenCounts[k]++;
  const byPopularity = Array.from(seenIds.keys()).sort((a, b) => {
    const d = seenCounts[b] - seenCounts[a];
    if (d !== 0) return d;
    const x = seenIds[a];
    const y = seenIds[b];
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const items = byPopularity.map((k) => seenIds[k]);
  const rankOf = new Uint32Array(seenIds.length);
  byPopularity.forEach((k, i) => (rankOf[k] = i));
  for (let p = 0; p < lineIds.length; p++) lineIds[p] = rankOf[lineIds[p]];
  const index = new Map<string, number>();
  items.forEach((id, i) => index.set(id, i));
  const orderCounts = Uint32Array.from(byPopularity, (k) => seenCounts[k]);
  const nItems = items.length;

  // Dense indices of the items the linear model learns; popularity order
  // makes them a prefix of `items`.
  const n = modelledItems(orderCounts, opts);

  let newest = 0;
  for (const t of times) newest = Math.max(newest, t);
  const recency = new Float64Array(nItems);
  for (let u = 0; u < orders.length; u++) {
    const w =
      opts.priorHalfLifeDays > 0
        ? 0.5 ** ((newest - times[u]) / DAY_MS / opts.priorHalfLifeDays)
        : 1;
    for (let p = lineStart[u]; p < lineStart[u + 1]; p++)
      recency[lineIds[p]] += w;
  }
  let recencyMax = 0;
  for (const v of recency) recencyMax = Math.max(recencyMax, v);
  const prior = Float32Array.from(recency, (v) =>
    recencyMax > 0 ? v / recencyMax : 0,
  );
  // Orders as sorted lists of model items, and items as lists of orders:
  // the matrices below are then built one row at a time, a row staying in
  // cache, instead of scattering every pair of every basket over 100 MB.
  const orderStart = [0];
  const orderItems = new Uint32Array(lines);
  let used = 0;
  const orderWeight: number[] = [];
  const orderMix: number[] = [];
  const orderStep: number[] = [];
  const orderFbt: number[] = [];
  let trainOrders = 0;
  for (let u = 0; u < orders.length; u++) {
    const size = lineStart[u + 1] - lineStart[u];
    if (size > opts.maxBasketSize) continue;
    trainOrders++;
    const from = used;
    for (let p = lineStart[u]; p < lineStart[u + 1]; p++)
      if (lineIds[p] < n) orderItems[used++] = lineIds[p];
    if (used === from) continue;
    orderItems.subarray(from, used).sort();
    const weight = (power: number, halfLife: number) =>
      size ** -power *
      (halfLife > 0 ? 0.5 ** ((newest - times[u]) / DAY_MS / halfLife) : 1);
    orderStart.push(used);
    orderWeight.push(weight(opts.basketPower, opts.halfLifeDays));
    orderMix.push(weight(opts.mixBasketPower, opts.mixHalfLifeDays));
    orderStep.push((used - from) ** -opts.rp3Alpha);
    orderFbt.push(weight(opts.fbtBasketPower, opts.fbtHalfLifeDays));
  }
  const orderList = orderItems.subarray(0, used);
  const itemOrders = invert(Uint32Array.from(orderStart), orderList, n);
  const degree = Float64Array.from(
    { length: n },
    (_, i) => itemOrders.start[i + 1] - itemOrders.start[i],
  );

  // The linear model learns a prefix of those: its fit is O(m³), the walks' only O(pairs).
  const m = modelledItems(orderCounts, {
    ...opts,
    minItemOrders: opts.easeMinItemOrders,
  });
  const matrix = new DenseSpdMatrix(Math.max(m, 1), { threads: opts.threads });
  const ld = matrix.ld;
  const gram = matrix.data;
  const mixMatrix =
    opts.mixShare > 0 && m > 0
      ? new DenseSpdMatrix(m, { threads: opts.threads })
      : undefined;
  const mixGram = mixMatrix?.data;
  const row = new Float64Array(n);
  const together = new Float64Array(n);
  const kWalk = Math.min(opts.walkNeighbours, n);
  const kEase = Math.min(opts.neighbours, m);
  const scratchIds = new Int32Array(Math.max(kWalk, kEase, 1));
  const scratchKeys = new Float64Array(Math.max(kWalk, kEase, 1));
  const fbtDamp = Float64Array.from(degree, (d) =>
    d > 0 ? d ** -opts.fbtBeta : 0,
  );
  // RP3beta: W[i][j] = deg_i^-α · Σ_u |u|^-α x_ui x_uj · deg_j^-β.
  const damp = Float64Array.from(degree, (d) =>
    d > 0 ? d ** -opts.rp3Beta : 0,
  );
  const rp3 = new RowBuilder(nItems, n * kWalk);
  const fbt = new RowBuilder(nItems, n * kWalk);
  for (let i = 0; i < n; i++) {
    const g = i * ld;
    const inEase = i < m;
    if (inEase) {
      gram[g + i] += opts.lambda;
      if (mixGram) mixGram[g + i] += opts.mixLambda;
    }
    const wanted = scope.rowsFor?.has(items[i]) ?? true;
    if (degree[i] === 0 || !(wanted || inEase)) {
      rp3.endRow(i);
      fbt.endRow(i);
      continue;
    }
    // An unwanted row only adds its orders to the Gram matrix; what it leaves in `row` and
    // `together` is cleared by the next wanted row.
    if (wanted) {
      row.fill(0);
      together.fill(0);
    }
    for (let k = itemOrders.start[i]; k < itemOrders.start[i + 1]; k++) {
      const u = itemOrders.ids[k];
      const w = orderWeight[u];
      const w2 = orderMix[u];
      const step = orderStep[u];
      const f = orderFbt[u];
      // Items of an order are sorted, so the lower triangle is a prefix.
      let p = orderStart[u];
      const end = orderStart[u + 1];
      for (; inEase && p < end; p++) {
        const j = orderList[p];
        if (j > i) break;
        row[j] += step;
        together[j] += f;
        gram[g + j] += w;
        if (mixGram) mixGram[g + j] += w2;
      }
      for (; wanted && p < end; p++) {
        const j = orderList[p];
        row[j] += step;
        together[j] += f;
      }
    }
    if (wanted) {
      for (let j = 0; j < n; j++) together[j] *= fbtDamp[j];
      topOfRow(together, n, i, kWalk, false, fbt, scratchIds, scratchKeys);
      const from = degree[i] ** -opts.rp3Alpha;
      for (let j = 0; j < n; j++) row[j] *= from * damp[j];
      topOfRow(row, n, i, kWalk, false, rp3, scratchIds, scratchKeys);
    }
    fbt.endRow(i);
    rp3.endRow(i);
  }
  const t1 = performance.now();

  if (m > 0) matrix.invert();
  mixMatrix?.invert();
  const t2 = performance.now();

  // B[i][j] = -P[i][j] / P[j][j]; the strongest weights of each row are
  // kept, with how many orders held both, for the reasons shown to shoppers.
  const share = mixMatrix ? opts.mixShare : 0;
  const invDiag = new Float64Array(m);
  const mixInvDiag = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    invDiag[j] = -(1 - share) / gram[j * ld + j];
    if (mixGram) mixInvDiag[j] = -share / mixGram[j * ld + j];
  }
  const ease = new RowBuilder(nItems, m * kEase);
  const co = new Uint32Array(n);
  const coList = new RowBuilder(0, m * kEase);
  for (let i = 0; i < m; i++) {
    const base = i * ld;
    for (let j = 0; j < m; j++) row[j] = gram[base + j] * invDiag[j];
    if (mixGram)
      for (let j = 0; j < m; j++) row[j] += mixGram[base + j] * mixInvDiag[j];
    const first = ease.size;
    topOfRow(row, m, i, kEase, true, ease, scratchIds, scratchKeys);
    ease.endRow(i);
    if (scope.reasons === false) continue;
    co.fill(0);
    for (let k = itemOrders.start[i]; k < itemOrders.start[i + 1]; k++) {
      const u = itemOrders.ids[k];
      for (let p = orderStart[u]; p < orderStart[u + 1]; p++)
        co[orderList[p]]++;
    }
    for (let k = first; k < ease.size; k++) coList.push(co[ease.idAt(k)], 0);
  }
  const easeRows = ease.finish(nItems, m - 1);
  const coCounts = coList.finish(0, -1).ids;
  const t3 = performance.now();
  if (timings) {
    timings.prepareMs = t1 - t0;
    timings.invertMs = t2 - t1;
    timings.extractMs = t3 - t2;
    timings.totalMs = t3 - t0;
    timings.easeItems = m;
  }

  const { threads: _threads, ...stored } = opts;
  return {
    version: 1,
    items,
    orderCounts,
    trainOrders,
    ease: easeRows,
    coCounts,
    rp3: rp3.finish(nItems, n - 1),
    fbt: fbt.finish(nItems, n - 1),
    fbtPrior: opts.fbtPrior,
    rp3Blend: [...opts.rp3Blend],
    prior,
    priorWeight: opts.priorWeight,
    options: stored,
    index,
  };
}

/**
 * Scores a model's carts on the learned neighbours of the cart's items only (a few hundred, on any
 * catalog), with scratch space kept between carts. Everything else scores its prior alone.
 */
export class CartScorer {
  private readonly ease: Float64Array;
  private readonly walk: Float64Array;

  constructor(private readonly model: CartModel) {
    this.ease = new Float64Array(model.items.length);
    this.walk = new Float64Array(model.items.length);
  }

  /** Learned score (before the prior) of each neighbour of the cart, by item index. */
  neighbours(cart: readonly string[]): Map<number, number> {
    const { model, ease, walk } = this;
    const known: number[] = [];
    for (const id of new Set(cart)) {
      const i = model.index.get(id);
      if (i !== undefined) known.push(i);
    }
    const touched = new Set<number>();
    const add = (rows: NeighbourRows, into: Float64Array) => {
      for (const i of known)
        for (let k = rows.offsets[i]; k < rows.offsets[i + 1]; k++) {
          into[rows.ids[k]] += rows.weights[k];
          touched.add(rows.ids[k]);
        }
      let max = 0;
      for (const j of touched) if (into[j] > max) max = into[j];
      return max;
    };
    const me = add(model.ease, ease);
    const share =
      known.length >= 1 ? (model.rp3Blend[known.length - 1] ?? 0) : 0;
    const scores = new Map<number, number>();
    if (share <= 0) {
      for (const j of touched) scores.set(j, ease[j]);
    } else {
      // Both parts are scaled to a maximum of 1 so that the share means the
      // same whatever the magnitudes of the two models.
      const mw = add(model.rp3, walk);
      const a = me > 0 ? (1 - share) / me : 0;
      const b = mw > 0 ? share / mw : 0;
      for (const j of touched) scores.set(j, a * ease[j] + b * walk[j]);
    }
    // The scratch arrays are zero again for the next cart.
    for (const j of touched) ease[j] = walk[j] = 0;
    return scores;
  }
}

/** The recency-weighted popularity part of every item's score. */
function priorScore(model: CartModel, i: number): number {
  return model.priorWeight > 0 ? model.priorWeight * model.prior[i] : 0;
}

/** The learned scores (before the prior) of a cart's neighbours, by item index. */
export function cartNeighbours(
  model: CartModel,
  cart: readonly string[],
): Map<number, number> {
  let scorer = scorers.get(model);
  if (!scorer) scorers.set(model, (scorer = new CartScorer(model)));
  return scorer.neighbours(cart);
}

/**
 * Scores over `model.items` for a cart (higher is better). Unknown cart ids
 * contribute nothing; a cart of only unknown ids scores all zeros, which
 * `topK` turns into the popularity back-fill. Written into `into` when given
 * (a caller scoring thousands of carts in turn), else into a new array.
 */
export function scoreCart(
  model: CartModel,
  cart: readonly string[],
  into?: Float64Array,
): Float64Array {
  const scores = into?.fill(0) ?? new Float64Array(model.items.length);
  if (model.priorWeight > 0)
    for (let i = 0; i < scores.length; i++) scores[i] = priorScore(model, i);
  for (const [j, s] of cartNeighbours(model, cart)) scores[j] += s;
  return scores;
}

/** One scorer (scratch space) per model for `scoreCart`. */
const scorers = new WeakMap<CartModel, CartScorer>();

/**
 * A product page's learned scores, by item index: what is commonly bought with `item`, scaled to
 * a best of 1. Empty for an item without co-purchase neighbours; what stands in for them is the
 * caller's choice (`scoreProduct`: the recency prior; the storefront: its cold-start signals).
 */
export function productNeighbours(
  model: CartModel,
  item: string,
): Map<number, number> {
  const scores = new Map<number, number>();
  const i = model.index.get(item);
  if (i === undefined) return scores;
  const { offsets, ids, weights } = model.fbt;
  let max = 0;
  for (let k = offsets[i]; k < offsets[i + 1]; k++)
    max = Math.max(max, weights[k]);
  if (max > 0)
    for (let k = offsets[i]; k < offsets[i + 1]; k++)
      scores.set(ids[k], weights[k] / max);
  return scores;
}

/**
 * Scores over `model.items` for a product page: the dense view of `productNeighbours`, plus
 * `fbtPrior` times the recency prior, or the prior alone for an item without neighbours. Written
 * into `into` when given, as `scoreCart`'s.
 */
export function scoreProduct(
  model: CartModel,
  item: string,
  into?: Float64Array,
): Float64Array {
  const out = into?.fill(0) ?? new Float64Array(model.items.length);
  const scores = productNeighbours(model, item);
  const priorWeight = scores.size > 0 ? model.fbtPrior : 1;
  if (priorWeight > 0)
    for (let j = 0; j < out.length; j++) out[j] = priorWeight * model.prior[j];
  for (const [j, s] of scores) out[j] += s;
  return out;
}

export interface ScoredItem {
  id: string;
  score: number;
}

/**
 * The k best items not in the cart (nor in `exclude`), ties and zero scores
 * filled in popularity order, so the list never comes back short while the
 * model knows enough items. `scores` (over `model.items`, -Infinity for
 * items never to offer) default to the cart's; the array is overwritten.
 */
export function topK(
  model: CartModel,
  cart: readonly string[],
  k: number,
  exclude: ReadonlySet<string> = new Set(),
  scores: Float64Array = scoreCart(model, cart),
): ScoredItem[] {
  // Excluded items get -Infinity instead of a string lookup per candidate.
  for (const id of [...cart, ...exclude]) {
    const i = model.index.get(id);
    if (i !== undefined) scores[i] = -Infinity;
  }
  const top: number[] = [];
  let floor = -Infinity;
  for (let j = 0; j < scores.length; j++) {
    const v = scores[j];
    if (v === -Infinity || (top.length === k && !(v > floor))) continue;
    if (top.length === k) top.pop();
    let p = top.length;
    while (p > 0 && v > scores[top[p - 1]]) p--;
    top.splice(p, 0, j);
    if (top.length === k) floor = scores[top[k - 1]];
  }
  return top.map((j) => ({ id: model.items[j], score: scores[j] }));
}

export interface Evidence {
  /** The cart item with the strongest learned link to the offer. */
  because: string;
  /** Train orders containing `because`, and those also containing the offer. */
  ordersWith: number;
  ordersWithBoth: number;
}

/** Why `item` was offered for `cart`, from co-purchase counts kept with the model. */
export function explain(
  model: CartModel,
  cart: readonly string[],
  item: string,
): Evidence | null {
  const target = model.index.get(item);
  if (target === undefined) return null;
  let best: Evidence | null = null;
  let bestWeight = 0;
  for (const id of new Set(cart)) {
    const i = model.index.get(id);
    if (i === undefined) continue;
    const { offsets, ids, weights } = model.ease;
    for (let k = offsets[i]; k < offsets[i + 1]; k++) {
      if (ids[k] !== target || !(weights[k] > bestWeight)) continue;
      bestWeight = weights[k];
      best = {
        because: id,
        ordersWith: model.orderCounts[i],
        ordersWithBoth: model.coCounts[k],
      };
    }
  }
  return best;
}

export interface SerializedCartModel {
  version: 1;
  items: string[];
  orderCounts: string;
  trainOrders: number;
  ease: { offsets: string; ids: string; weights: string };
  coCounts: string;
  rp3: { offsets: string; ids: string; weights: string };
  fbt: { offsets: string; ids: string; weights: string };
  fbtPrior: number;
  rp3Blend: number[];
  prior: string;
  priorWeight: number;
  options: Omit<CartModelOptions, "threads">;
}

const encodeRows = (rows: NeighbourRows) => ({
  offsets: encodeArray(rows.offsets),
  ids: encodeArray(rows.ids),
  weights: encodeArray(rows.weights),
});

const decodeRows = (rows: SerializedCartModel["ease"]): NeighbourRows => ({
  offsets: decodeArray(rows.offsets, Uint32Array),
  ids: decodeArray(rows.ids, Uint32Array),
  weights: decodeArray(rows.weights, Float32Array),
});

export function cartModelToJSON(model: CartModel): SerializedCartModel {
  // Infinity is not JSON; the option is stored as null-free by using a large number.
  const finite = (v: number) =>
    Number.isFinite(v) ? v : Number.MAX_SAFE_INTEGER;
  const options = {
    ...model.options,
    maxBasketSize: finite(model.options.maxBasketSize),
    neighbours: finite(model.options.neighbours),
  };
  return {
    version: 1,
    items: model.items,
    orderCounts: encodeArray(model.orderCounts),
    trainOrders: model.trainOrders,
    ease: encodeRows(model.ease),
    coCounts: encodeArray(model.coCounts),
    rp3: encodeRows(model.rp3),
    fbt: encodeRows(model.fbt),
    fbtPrior: model.fbtPrior,
    rp3Blend: model.rp3Blend,
    prior: encodeArray(model.prior),
    priorWeight: model.priorWeight,
    options,
  };
}

export class CartModelFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CartModelFormatError";
  }
}

export function cartModelFromJSON(json: unknown): CartModel {
  const data = json as Partial<SerializedCartModel> | null;
  if (
    !data ||
    typeof data !== "object" ||
    data.version !== 1 ||
    !Array.isArray(data.items)
  ) {
    throw new CartModelFormatError("not a version 1 cart model");
  }
  try {
    const items = data.items.map(String);
    const model: CartModel = {
      version: 1,
      items,
      orderCounts: decodeArray(data.orderCounts!, Uint32Array),
      trainOrders: Number(data.trainOrders),
      ease: decodeRows(data.ease!),
      coCounts: decodeArray(data.coCounts!, Uint32Array),
      rp3: decodeRows(data.rp3!),
      fbt: decodeRows(data.fbt!),
      fbtPrior: Number(data.fbtPrior ?? 0),
      rp3Blend: (data.rp3Blend ?? []).map(Number),
      prior: decodeArray(data.prior!, Float32Array),
      priorWeight: Number(data.priorWeight ?? 0),
      options: data.options!,
      index: new Map(items.map((id, i) => [id, i])),
    };
    const n = items.length;
    for (const rows of [model.ease, model.rp3, model.fbt]) {
      if (
        rows.offsets.length !== n + 1 ||
        rows.offsets[n] !== rows.ids.length
      ) {
        throw new CartModelFormatError(
          "neighbour rows do not match the item list",
        );
      }
      if (
        rows.weights.length !== rows.ids.length ||
        rows.ids.some((j) => j >= n)
      ) {
        throw new CartModelFormatError(
          "neighbour ids or weights are inconsistent",
        );
      }
    }
    if (
      model.orderCounts.length !== n ||
      model.prior.length !== n ||
      model.coCounts.length !== model.ease.ids.length
    ) {
      throw new CartModelFormatError("counts do not match the item list");
    }
    return model;
  } catch (error) {
    if (error instanceof CartModelFormatError) throw error;
    throw new CartModelFormatError(`corrupt cart model: ${String(error)}`);
  }
}
