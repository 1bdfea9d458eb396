import { type ItemOrders, itemsOf } from "../cart-model";
import { fnv1a32 } from "../hash";
/**
 * Offline evaluation protocols A (cart completion) and B (single-item
 * cross-sell), the ones docs/decisions/004-engine-linear-algebra.md reports.
 * Everything here is deterministic: splits compare timestamps as strings,
 * the hidden item comes from FNV-1a, ties break by train popularity.
 */

export const SEED = 42;

export interface ProtocolOrder {
  id: string;
  createdAt: string;
  items: readonly string[];
}

export type SplitName = "test" | "validation";

interface SplitBounds {
  trainBefore: string;
  evalFrom: string;
  evalBefore?: string;
}

export const SPLITS: Record<SplitName, SplitBounds> = {
  test: { trainBefore: "2011-10-09T00:00:00", evalFrom: "2011-10-09T00:00:00" },
  validation: {
    trainBefore: "2011-08-09T00:00:00",
    evalFrom: "2011-08-09T00:00:00",
    evalBefore: "2011-10-09T00:00:00",
  },
};

export interface Split<O extends ProtocolOrder = ProtocolOrder> {
  /** A named split of the shared data, or a shop's own (the backtest's rolling origin). */
  name: string;
  train: O[];
  evaluation: O[];
}

/**
 * What Protocols A and B read of a split: the train orders only for their popularity (the catalog
 * and its back-fill order), so they may be packed, as a shop's backtest holds them.
 */
export interface EvaluationSplit {
  train: ItemOrders;
  evaluation: readonly ProtocolOrder[];
}

export function splitOrders<O extends ProtocolOrder>(
  orders: readonly O[],
  name: SplitName,
): Split<O> {
  const bounds = SPLITS[name];
  const train: O[] = [];
  const evaluation: O[] = [];
  for (const order of orders) {
    // String comparison on purpose: the format is fixed-width, and Date would
    // bring the local time zone in.
    if (order.createdAt < bounds.trainBefore) train.push(order);
    if (
      order.createdAt >= bounds.evalFrom &&
      (bounds.evalBefore === undefined || order.createdAt < bounds.evalBefore)
    ) {
      evaluation.push(order);
    }
  }
  return { name, train, evaluation };
}

function distinctSorted(items: readonly string[]): string[] {
  return [...new Set(items)].sort();
}

/** Catalog in back-fill order: train order count descending, then SKU ascending. */
export interface Popularity {
  catalog: string[];
  counts: Map<string, number>;
}

// Every protocol run on one train set ranks over the same catalog: a backtest scores a dozen
// methods on one split, so it is counted once per train array (or packed train orders).
const popularityOf = new WeakMap<ItemOrders, Popularity>();

export function trainPopularity(train: ItemOrders): Popularity {
  let known = popularityOf.get(train);
  if (!known) popularityOf.set(train, (known = countPopularity(train)));
  return known;
}

function countPopularity(train: ItemOrders): Popularity {
  const counts = new Map<string, number>();
  for (let u = 0; u < train.length; u++) {
    for (const sku of new Set(itemsOf(train, u)))
      counts.set(sku, (counts.get(sku) ?? 0) + 1);
  }
  const catalog = [...counts.keys()].sort((a, b) => {
    const d = counts.get(b)! - counts.get(a)!;
    return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
  });
  return { catalog, counts };
}

export interface CaseA {
  orderId: string;
  createdAt: string;
  /** Distinct SKUs, ascending. */
  skus: string[];
  hiddenIndex: number;
  hidden: string;
  cart: string[];
}

function byTimeThenId(a: ProtocolOrder, b: ProtocolOrder): number {
  if (a.createdAt !== b.createdAt) return a.createdAt < b.createdAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function protocolACases(evaluation: readonly ProtocolOrder[]): CaseA[] {
  const cases: CaseA[] = [];
  for (const order of [...evaluation].sort(byTimeThenId)) {
    const skus = distinctSorted(order.items);
    if (skus.length < 2) continue;
    const hiddenIndex = fnv1a32(`${SEED}:${order.id}`) % skus.length;
    cases.push({
      orderId: order.id,
      createdAt: order.createdAt,
      skus,
      hiddenIndex,
      hidden: skus[hiddenIndex],
      cart: skus.filter((_, i) => i !== hiddenIndex),
    });
  }
  return cases;
}

export function hiddenChecksum(cases: readonly CaseA[]): number {
  return fnv1a32(cases.map((c) => c.hidden).join("|"));
}

/**
 * Scores for every catalog SKU (aligned with the catalog array given to the
 * factory), higher is better. Scores of cart SKUs are ignored.
 */
export type CartScorer = ((
  cart: readonly string[],
  /** Protocol A's case, for scorers that read more than the cart (Protocol C's customer). */
  which?: CaseA,
) => Float64Array) & {
  /**
   * The scores, when they are the same for every cart (a best-seller list): the protocols then
   * rank the catalog once per run and read each list off that ranking, less the cart.
   */
  readonly fixed?: Float64Array;
};
export type ScorerFactory = (catalog: readonly string[]) => CartScorer;

/** A scorer whose scores do not depend on the cart: `scores` of the catalog, computed once. */
export function fixedScorer(
  scores: (catalog: readonly string[]) => Float64Array,
): ScorerFactory {
  return (catalog) => {
    const fixed = scores(catalog);
    return Object.assign(() => fixed, { fixed });
  };
}

export const CART_SIZE_BUCKETS = [
  { label: "1", min: 1, max: 1 },
  { label: "2-4", min: 2, max: 4 },
  { label: "5-9", min: 5, max: 9 },
  { label: "10-19", min: 10, max: 19 },
  { label: "20+", min: 20, max: Infinity },
] as const;

export interface BucketResult {
  label: string;
  cases: number;
  hr10: number;
  ndcg10: number;
}

export interface ResultA {
  cases: number;
  checksum: number;
  hiddenOutsideCatalog: number;
  hr5: number;
  hr10: number;
  ndcg10: number;
  mrr: number;
  coverage10: number;
  byCartSize: BucketResult[];
}

export interface MetricsB {
  p5: number;
  r10: number;
  ndcg10: number;
}

export interface ResultB {
  queries: number;
  orders: number;
  queriesOutsideCatalog: number;
  micro: MetricsB;
  macro: MetricsB;
  coverage10: number;
}

/**
 * The whole catalog ranked by scores that are the same for every cart: best first, ties to the
 * earlier catalog item, as `Ranker` orders them.
 */
interface Ranking {
  order: Uint32Array;
  /** Each catalog item's place in `order`. */
  position: Uint32Array;
}

/**
 * Ranking shared by both protocols. Candidates are ordered by score, ties by
 * back-fill position (the popularity order of the catalog array itself).
 */
class Ranker {
  readonly index = new Map<string, number>();
  private readonly excluded: Uint8Array;

  constructor(readonly catalog: readonly string[]) {
    catalog.forEach((sku, i) => this.index.set(sku, i));
    this.excluded = new Uint8Array(catalog.length);
  }

  private mark(cart: readonly string[], value: 0 | 1): void {
    for (const sku of cart) {
      const i = this.index.get(sku);
      if (i !== undefined) this.excluded[i] = value;
    }
  }

  /** The ranking of a scorer's fixed scores; none for a scorer whose scores follow the cart. */
  rankFixed({ fixed: scores }: CartScorer): Ranking | undefined {
    if (!scores) return undefined;
    const order = Uint32Array.from(scores.keys()).sort(
      (a, b) => scores[b] - scores[a] || a - b,
    );
    const position = new Uint32Array(order.length);
    order.forEach((j, p) => (position[j] = p));
    return { order, position };
  }

  /**
   * 1-based rank of catalog item `target` among non-cart items; read off `ranking`, when given,
   * as the items ranked before the target less those of the cart.
   */
  rankOf(
    scores: Float64Array,
    cart: readonly string[],
    target: number,
    ranking?: Ranking,
  ): number {
    if (ranking) {
      const { position } = ranking;
      let better = position[target];
      this.mark(cart, 1);
      for (const sku of cart) {
        const i = this.index.get(sku);
        // Unmarked as counted: a repeated item counts once.
        if (i === undefined || !this.excluded[i]) continue;
        this.excluded[i] = 0;
        if (i !== target && position[i] < position[target]) better--;
      }
      return better + 1;
    }
    this.mark(cart, 1);
    const s = scores[target];
    let better = 0;
    for (let j = 0; j < scores.length; j++) {
      if (this.excluded[j] || j === target) continue;
      const v = scores[j];
      if (v > s || (v === s && j < target)) better++;
    }
    this.mark(cart, 0);
    return better + 1;
  }

  /** The k best non-cart items; read off `ranking`, when given, in its order. */
  topK(
    scores: Float64Array,
    cart: readonly string[],
    k: number,
    ranking?: Ranking,
  ): number[] {
    this.mark(cart, 1);
    const top: number[] = [];
    if (ranking) {
      for (const j of ranking.order) {
        if (top.length === k) break;
        if (!this.excluded[j]) top.push(j);
      }
      this.mark(cart, 0);
      return top;
    }
    for (let j = 0; j < scores.length; j++) {
      if (this.excluded[j]) continue;
      const v = scores[j];
      if (top.length === k) {
        const last = top[k - 1];
        // Equal scores keep the earlier (more popular) item, so only strictly
        // better scores displace it.
        if (!(v > scores[last])) continue;
        top.pop();
      }
      let p = top.length;
      while (p > 0 && v > scores[top[p - 1]]) p--;
      top.splice(p, 0, j);
    }
    this.mark(cart, 0);
    return top;
  }
}

function bucketOf(cartSize: number): number {
  return CART_SIZE_BUCKETS.findIndex(
    (b) => cartSize >= b.min && cartSize <= b.max,
  );
}

/**
 * Each case's (or order's) own value of a metric, in case order: what a paired comparison of two
 * rankings and an interval over cases need.
 */
export interface PerCase {
  hr10: Float64Array;
  ndcg10: Float64Array;
}

export function evaluateProtocolA(
  split: Split,
  factory: ScorerFactory,
  cases: readonly CaseA[] = protocolACases(split.evaluation),
  perCase?: PerCase,
): ResultA {
  return evaluateProtocolAEach(
    split,
    [factory],
    cases,
    perCase && [perCase],
  )[0];
}

/**
 * Protocol A for several scorers in one pass over the cases: each case asks every scorer for the
 * same cart in turn, so a scorer can reuse another's scores of that cart (a blend, its parts').
 */
export function evaluateProtocolAEach(
  split: EvaluationSplit,
  factories: readonly ScorerFactory[],
  cases: readonly CaseA[] = protocolACases(split.evaluation),
  perCase?: readonly PerCase[],
): ResultA[] {
  const { catalog } = trainPopularity(split.train);
  const ranker = new Ranker(catalog);
  const runs = factories
    .map((factory) => factory(catalog))
    .map((score) => ({
      score,
      ranking: ranker.rankFixed(score),
      inTop10: new Uint8Array(catalog.length),
      bucketHits: new Array<number>(CART_SIZE_BUCKETS.length).fill(0),
      bucketNdcg: new Array<number>(CART_SIZE_BUCKETS.length).fill(0),
      hr5: 0,
      hr10: 0,
      ndcg: 0,
      mrr: 0,
    }));
  const bucketCases = new Array<number>(CART_SIZE_BUCKETS.length).fill(0);
  let outside = 0;
  for (const [k, c] of cases.entries()) {
    const b = bucketOf(c.cart.length);
    bucketCases[b]++;
    const target = ranker.index.get(c.hidden);
    if (target === undefined) outside++;
    for (const [m, run] of runs.entries()) {
      const scores = run.score(c.cart, c);
      for (const j of ranker.topK(scores, c.cart, 10, run.ranking))
        run.inTop10[j] = 1;
      if (target === undefined) continue;
      const rank = ranker.rankOf(scores, c.cart, target, run.ranking);
      run.mrr += 1 / rank;
      if (rank <= 5) run.hr5++;
      if (rank <= 10) {
        run.hr10++;
        const gain = 1 / Math.log2(rank + 1);
        if (perCase) {
          perCase[m].hr10[k] = 1;
          perCase[m].ndcg10[k] = gain;
        }
        run.ndcg += gain;
        run.bucketHits[b]++;
        run.bucketNdcg[b] += gain;
      }
    }
  }
  const n = cases.length;
  const div = (a: number, d: number) => (d === 0 ? 0 : a / d);
  const checksum = hiddenChecksum(cases);
  return runs.map((run) => ({
    cases: n,
    checksum,
    hiddenOutsideCatalog: outside,
    hr5: div(run.hr5, n),
    hr10: div(run.hr10, n),
    ndcg10: div(run.ndcg, n),
    mrr: div(run.mrr, n),
    coverage10: div(
      run.inTop10.reduce((a, v) => a + v, 0),
      catalog.length,
    ),
    byCartSize: CART_SIZE_BUCKETS.map((bucket, i) => ({
      label: bucket.label,
      cases: bucketCases[i],
      hr10: div(run.bucketHits[i], bucketCases[i]),
      ndcg10: div(run.bucketNdcg[i], bucketCases[i]),
    })),
  }));
}

const IDCG: number[] = [0];
for (let k = 1; k <= 10; k++) IDCG.push(IDCG[k - 1] + 1 / Math.log2(k + 1));

/** Metrics of one query's top-10 list (catalog indices) against its relevant set. */
export function queryMetricsB(
  top10: readonly string[],
  relevant: ReadonlySet<string>,
): MetricsB {
  let hits5 = 0;
  let hits10 = 0;
  let dcg = 0;
  for (let k = 0; k < Math.min(10, top10.length); k++) {
    if (!relevant.has(top10[k])) continue;
    hits10++;
    if (k < 5) hits5++;
    dcg += 1 / Math.log2(k + 2);
  }
  const size = relevant.size;
  return {
    p5: hits5 / 5,
    r10: size === 0 ? 0 : hits10 / size,
    ndcg10: size === 0 ? 0 : dcg / IDCG[Math.min(size, 10)],
  };
}

/** `perOrder`, when given, gets each order's mean over its queries (the macro unit). */
export function evaluateProtocolB(
  split: Split,
  factory: ScorerFactory,
  perOrder?: PerCase,
): ResultB {
  return evaluateProtocolBEach(split, [factory], perOrder && [perOrder])[0];
}

/**
 * Protocol B for several scorers in one pass over the orders: each query asks every scorer for the
 * same product in turn, as Protocol A's cases do.
 */
export function evaluateProtocolBEach(
  split: EvaluationSplit,
  factories: readonly ScorerFactory[],
  perOrder?: readonly PerCase[],
): ResultB[] {
  const { catalog } = trainPopularity(split.train);
  const ranker = new Ranker(catalog);
  const runs = factories
    .map((factory) => factory(catalog))
    .map((score) => ({
      score,
      ranking: ranker.rankFixed(score),
      // A top-10 list depends only on the query SKU, so each is computed once.
      lists: new Map<string, string[]>(),
      micro: { p5: 0, r10: 0, ndcg10: 0 },
      macro: { p5: 0, r10: 0, ndcg10: 0 },
    }));
  let queries = 0;
  let orders = 0;
  let outside = 0;
  for (const order of [...split.evaluation].sort(byTimeThenId)) {
    const basket = distinctSorted(order.items);
    if (basket.length < 2) continue;
    orders++;
    const sums = runs.map(() => ({ p5: 0, r10: 0, ndcg10: 0, hits: 0 }));
    // One set per order: each query takes its own item out, then puts it back.
    const relevant = new Set(basket);
    for (const q of basket) {
      if (!ranker.index.has(q)) outside++;
      relevant.delete(q);
      const cart = [q];
      for (const [m, run] of runs.entries()) {
        let list = run.lists.get(q);
        if (!list) {
          list = ranker
            .topK(run.score(cart), cart, 10, run.ranking)
            .map((j) => catalog[j]);
          run.lists.set(q, list);
        }
        const metrics = queryMetricsB(list, relevant);
        const sum = sums[m];
        if (metrics.r10 > 0) sum.hits++;
        sum.p5 += metrics.p5;
        sum.r10 += metrics.r10;
        sum.ndcg10 += metrics.ndcg10;
      }
      relevant.add(q);
    }
    for (const [m, { micro, macro }] of runs.entries()) {
      const sum = sums[m];
      if (perOrder) {
        perOrder[m].hr10[orders - 1] = sum.hits / basket.length;
        perOrder[m].ndcg10[orders - 1] = sum.ndcg10 / basket.length;
      }
      micro.p5 += sum.p5;
      micro.r10 += sum.r10;
      micro.ndcg10 += sum.ndcg10;
      macro.p5 += sum.p5 / basket.length;
      macro.r10 += sum.r10 / basket.length;
      macro.ndcg10 += sum.ndcg10 / basket.length;
    }
    queries += basket.length;
  }
  const scale = (m: MetricsB, d: number): MetricsB => ({
    p5: d === 0 ? 0 : m.p5 / d,
    r10: d === 0 ? 0 : m.r10 / d,
    ndcg10: d === 0 ? 0 : m.ndcg10 / d,
  });
  return runs.map(({ lists, micro, macro }) => {
    const covered = new Set<string>();
    for (const list of lists.values()) for (const sku of list) covered.add(sku);
    return {
      queries,
      orders,
      queriesOutsideCatalog: outside,
      micro: scale(micro, queries),
      macro: scale(macro, orders),
      coverage10: catalog.length === 0 ? 0 : covered.size / catalog.length,
    };
  });
}

/** Baseline: train popularity only (every score equal, so the back-fill decides). */
export const popularityScorer: ScorerFactory = fixedScorer(
  (catalog) => new Float64Array(catalog.length),
);

/**
 * Baseline: raw co-occurrence counts with the cart, summed over cart items.
 * Built from the train orders, which the closure captures.
 */
export function cooccurrenceScorer(
  train: readonly ProtocolOrder[],
): ScorerFactory {
  return (catalog) => {
    const index = new Map<string, number>();
    catalog.forEach((sku, i) => index.set(sku, i));
    const n = catalog.length;
    const rows = new Map<number, Float64Array>();
    for (const order of train) {
      const ids = [...new Set(order.items)]
        .map((s) => index.get(s))
        .filter((i): i is number => i !== undefined);
      for (const a of ids) {
        let row = rows.get(a);
        if (!row) rows.set(a, (row = new Float64Array(n)));
        for (const b of ids) if (b !== a) row[b]++;
      }
    }
    return (cart) => {
      const scores = new Float64Array(n);
      for (const sku of cart) {
        const i = index.get(sku);
        const row = i === undefined ? undefined : rows.get(i);
        if (!row) continue;
        for (let j = 0; j < n; j++) scores[j] += row[j];
      }
      return scores;
    };
  };
}
