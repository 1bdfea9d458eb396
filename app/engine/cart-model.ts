import { DenseSpdMatrix } from "./linalg";

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
  /** Items bought in fewer train orders get no learned neighbours (only back-fill). */
  minItemOrders: number;
  /** Orders with more distinct items are left out of training. */
  maxBasketSize: number;
  /** Order weight basketSize^-basketPower: big baskets say less per pair. */
  basketPower: number;
  /** Half-life of the order weight in days before the newest order; 0 = no decay. */
  halfLifeDays: number;
  /** Neighbours kept per item. */
  neighbours: number;
  /** RP3beta: transition probabilities raised to alpha, target popularity^-beta. */
  rp3Alpha: number;
  rp3Beta: number;
  /** Share of RP3beta in the score, by cart size 1, 2, 3, 4 (larger carts: EASE only). */
  rp3Blend: readonly number[];
  /** Threads for the dense inverse (caller included). */
  threads?: number;
}

export const DEFAULT_CART_MODEL_OPTIONS: CartModelOptions = {
  lambda: 25,
  minItemOrders: 1,
  maxBasketSize: Infinity,
  basketPower: 0,
  halfLifeDays: 0,
  neighbours: 100,
  rp3Alpha: 1,
  rp3Beta: 0.5,
  rp3Blend: [0, 0, 0, 0],
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
  rp3Blend: number[];
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

function parseUtc(createdAt: string): number {
  // The exports carry no offset; treating them as UTC keeps the result
  // independent of the machine's time zone.
  const t = Date.parse(
    /[zZ]|[+-]\d\d:?\d\d$/.test(createdAt) ? createdAt : `${createdAt}Z`,
  );
  return Number.isNaN(t) ? 0 : t;
}

/** Keeps the `k` largest values of a dense row (excluding `self`), largest first. */
function topOfRow(
  row: Float64Array | Float32Array,
  length: number,
  self: number,
  k: number,
  outIds: number[],
  outWeights: number[],
): void {
  const ids: number[] = [];
  let floor = -Infinity;
  for (let j = 0; j < length; j++) {
    const v = row[j];
    if (j === self || !(v > 0) || (ids.length === k && v <= floor)) continue;
    let p = ids.length === k ? k - 1 : ids.length;
    if (ids.length === k) ids.pop();
    // Ties keep the lower (more popular) index first, matching the back-fill.
    while (p > 0 && v > row[ids[p - 1]]) p--;
    ids.splice(p, 0, j);
    if (ids.length === k) floor = row[ids[k - 1]];
  }
  for (const j of ids) {
    outIds.push(j);
    outWeights.push(row[j]);
  }
}

function toRows(
  n: number,
  perRow: (i: number, ids: number[], weights: number[]) => void,
) {
  const offsets = new Uint32Array(n + 1);
  const ids: number[] = [];
  const weights: number[] = [];
  for (let i = 0; i < n; i++) {
    perRow(i, ids, weights);
    offsets[i + 1] = ids.length;
  }
  return {
    offsets,
    ids: Uint32Array.from(ids),
    weights: Float32Array.from(weights),
  };
}

export function trainCartModel(
  orders: readonly OrderInput[],
  options: Partial<CartModelOptions> = {},
  timings?: Partial<TrainTimings>,
): CartModel {
  const opts: CartModelOptions = { ...DEFAULT_CART_MODEL_OPTIONS, ...options };
  if (!(opts.lambda > 0)) throw new RangeError("lambda must be positive");
  if (!(opts.neighbours >= 1))
    throw new RangeError("neighbours must be at least 1");
  const t0 = performance.now();

  const baskets = orders.map((o) => [...new Set(o.items)]);
  const counts = new Map<string, number>();
  for (const basket of baskets)
    for (const id of basket) counts.set(id, (counts.get(id) ?? 0) + 1);
  const items = [...counts.keys()].sort((a, b) => {
    const d = counts.get(b)! - counts.get(a)!;
    return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
  });
  const index = new Map<string, number>();
  items.forEach((id, i) => index.set(id, i));
  const orderCounts = Uint32Array.from(items, (id) => counts.get(id)!);
  const nItems = items.length;

  // Dense indices of the items the linear model learns; popularity order
  // makes them a prefix of `items`.
  let n = 0;
  while (n < nItems && orderCounts[n] >= opts.minItemOrders) n++;

  let newest = 0;
  for (const o of orders) newest = Math.max(newest, parseUtc(o.createdAt));
  const matrix = new DenseSpdMatrix(Math.max(n, 1), { threads: opts.threads });
  const ld = matrix.ld;
  const gram = matrix.data;
  const co = new Uint32Array(n * n);
  const walk = new Float64Array(n * n);
  const degree = new Float64Array(n);
  let trainOrders = 0;
  const ids = new Int32Array(Math.max(1, ...baskets.map((b) => b.length)));
  for (let u = 0; u < orders.length; u++) {
    const basket = baskets[u];
    if (basket.length > opts.maxBasketSize) continue;
    trainOrders++;
    let m = 0;
    for (const id of basket) {
      const i = index.get(id)!;
      if (i < n) ids[m++] = i;
    }
    if (m === 0) continue;
    // Sorted, so each pair is visited once, in the lower triangle.
    const sorted = ids.subarray(0, m).sort();
    let w = basket.length ** -opts.basketPower;
    if (opts.halfLifeDays > 0) {
      w *=
        0.5 **
        ((newest - parseUtc(orders[u].createdAt)) / DAY_MS / opts.halfLifeDays);
    }
    const step = m ** -opts.rp3Alpha;
    for (let x = 0; x < m; x++) {
      const a = sorted[x];
      degree[a]++;
      const ra = a * ld;
      const ca = a * n;
      for (let y = 0; y <= x; y++) {
        const b = sorted[y];
        gram[ra + b] += w;
        co[ca + b]++;
        walk[ca + b] += step;
      }
    }
  }
  // co and walk are symmetric: mirror the lower triangle.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      co[j * n + i] = co[i * n + j];
      walk[j * n + i] = walk[i * n + j];
    }
  }
  for (let i = 0; i < n; i++) gram[i * ld + i] += opts.lambda;
  const t1 = performance.now();

  if (n > 0) matrix.invert();
  const t2 = performance.now();

  // B[i][j] = -P[i][j] / P[j][j]; only the strongest neighbours are kept.
  const diag = new Float64Array(n);
  for (let j = 0; j < n; j++) diag[j] = gram[j * ld + j];
  const row = new Float64Array(n);
  const ease = toRows(nItems, (i, ids, weights) => {
    if (i >= n) return;
    const base = i * ld;
    for (let j = 0; j < n; j++) row[j] = -gram[base + j] / diag[j];
    topOfRow(row, n, i, opts.neighbours, ids, weights);
  });
  const coCounts = new Uint32Array(ease.ids.length);
  for (let i = 0; i < n; i++) {
    for (let k = ease.offsets[i]; k < ease.offsets[i + 1]; k++)
      coCounts[k] = co[i * n + ease.ids[k]];
  }
  // RP3beta: W[i][j] = deg_i^-α · Σ_u |u|^-α x_ui x_uj · deg_j^-β.
  const damp = Float64Array.from(degree, (d) =>
    d > 0 ? d ** -opts.rp3Beta : 0,
  );
  const rp3 = toRows(nItems, (i, ids, weights) => {
    if (i >= n || degree[i] === 0) return;
    const from = degree[i] ** -opts.rp3Alpha;
    for (let j = 0; j < n; j++) row[j] = from * walk[i * n + j] * damp[j];
    topOfRow(row, n, i, opts.neighbours, ids, weights);
  });
  const t3 = performance.now();
  if (timings) {
    timings.prepareMs = t1 - t0;
    timings.invertMs = t2 - t1;
    timings.extractMs = t3 - t2;
    timings.totalMs = t3 - t0;
    timings.easeItems = n;
  }

  const { threads: _threads, ...stored } = opts;
  return {
    version: 1,
    items,
    orderCounts,
    trainOrders,
    ease,
    coCounts,
    rp3,
    rp3Blend: [...opts.rp3Blend],
    options: stored,
    index,
  };
}

function addRows(rows: NeighbourRows, i: number, scores: Float64Array): void {
  const { offsets, ids, weights } = rows;
  for (let k = offsets[i]; k < offsets[i + 1]; k++)
    scores[ids[k]] += weights[k];
}

function maxOf(values: Float64Array): number {
  let m = 0;
  for (let j = 0; j < values.length; j++) if (values[j] > m) m = values[j];
  return m;
}

/**
 * Scores over `model.items` for a cart (higher is better). Unknown cart ids
 * contribute nothing; a cart of only unknown ids scores all zeros, which
 * `topK` turns into the popularity back-fill.
 */
export function scoreCart(
  model: CartModel,
  cart: readonly string[],
): Float64Array {
  const n = model.items.length;
  const known: number[] = [];
  for (const id of new Set(cart)) {
    const i = model.index.get(id);
    if (i !== undefined) known.push(i);
  }
  const ease = new Float64Array(n);
  for (const i of known) addRows(model.ease, i, ease);
  const share = known.length >= 1 ? (model.rp3Blend[known.length - 1] ?? 0) : 0;
  if (share <= 0) return ease;
  const walk = new Float64Array(n);
  for (const i of known) addRows(model.rp3, i, walk);
  // Both parts are scaled to a maximum of 1 so that the share means the same
  // whatever the magnitudes of the two models.
  const me = maxOf(ease);
  const mw = maxOf(walk);
  const a = me > 0 ? (1 - share) / me : 0;
  const b = mw > 0 ? share / mw : 0;
  for (let j = 0; j < n; j++) ease[j] = a * ease[j] + b * walk[j];
  return ease;
}

export interface ScoredItem {
  id: string;
  score: number;
}

/**
 * The k best items not in the cart (nor in `exclude`), ties and zero scores
 * filled in popularity order, so the list never comes back short while the
 * model knows enough items.
 */
export function topK(
  model: CartModel,
  cart: readonly string[],
  k: number,
  exclude: ReadonlySet<string> = new Set(),
): ScoredItem[] {
  const scores = scoreCart(model, cart);
  const skip = new Set(cart);
  const top: number[] = [];
  for (let j = 0; j < scores.length; j++) {
    const id = model.items[j];
    if (skip.has(id) || exclude.has(id)) continue;
    const v = scores[j];
    if (top.length === k) {
      if (!(v > scores[top[k - 1]])) continue;
      top.pop();
    }
    let p = top.length;
    while (p > 0 && v > scores[top[p - 1]]) p--;
    top.splice(p, 0, j);
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
  rp3Blend: number[];
  options: Omit<CartModelOptions, "threads">;
}

// Typed arrays travel as little-endian base64: a tenth of the size of JSON
// number lists, and bit-exact, so a loaded model scores like the trained one.
function encode(array: Uint32Array | Float32Array): string {
  return Buffer.from(array.buffer, array.byteOffset, array.byteLength).toString(
    "base64",
  );
}

function decode<T extends Uint32Array | Float32Array>(
  text: string,
  make: new (buffer: ArrayBuffer) => T,
): T {
  const bytes = Buffer.from(text, "base64");
  const copy = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(copy).set(bytes);
  return new make(copy);
}

const encodeRows = (rows: NeighbourRows) => ({
  offsets: encode(rows.offsets),
  ids: encode(rows.ids),
  weights: encode(rows.weights),
});

const decodeRows = (rows: SerializedCartModel["ease"]): NeighbourRows => ({
  offsets: decode(rows.offsets, Uint32Array),
  ids: decode(rows.ids, Uint32Array),
  weights: decode(rows.weights, Float32Array),
});

export function cartModelToJSON(model: CartModel): SerializedCartModel {
  // Infinity is not JSON; the option is stored as null-free by using a large number.
  const options = {
    ...model.options,
    maxBasketSize: Number.isFinite(model.options.maxBasketSize)
      ? model.options.maxBasketSize
      : Number.MAX_SAFE_INTEGER,
  };
  return {
    version: 1,
    items: model.items,
    orderCounts: encode(model.orderCounts),
    trainOrders: model.trainOrders,
    ease: encodeRows(model.ease),
    coCounts: encode(model.coCounts),
    rp3: encodeRows(model.rp3),
    rp3Blend: model.rp3Blend,
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
      orderCounts: decode(data.orderCounts!, Uint32Array),
      trainOrders: Number(data.trainOrders),
      ease: decodeRows(data.ease!),
      coCounts: decode(data.coCounts!, Uint32Array),
      rp3: decodeRows(data.rp3!),
      rp3Blend: (data.rp3Blend ?? []).map(Number),
      options: data.options!,
      index: new Map(items.map((id, i) => [id, i])),
    };
    const n = items.length;
    for (const rows of [model.ease, model.rp3]) {
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
