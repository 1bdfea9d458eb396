import { queryObjects } from "node:v8";
import { Worker } from "node:worker_threads";
import prisma from "~/db.server";
import { env } from "~/env.server";
import { acquireLease, releaseLease } from "~/services/platform/lease.server";
import { log } from "~/services/platform/log.server";
import {
  type RankingModel,
  applyCatalogChanges,
  buildRankingModel,
  type CatalogChanges,
  withNewOrders,
} from "~/engine/ranking";
import type { Method } from "~/engine/backtest";
import {
  type TrainedModel,
  completionScorer,
  personalCompletionScorer,
  type ModelEvidence,
  deserialiseModels,
  methodScorer,
  storedEvidence,
  serialiseModels,
  servedMethod,
  trainModels,
} from "~/engine/shop-model";
import type {
  CartCompletionScorer,
  EngineOrder,
  Placement,
} from "~/engine/types";
import {
  type CustomerProfiles,
  type RebuyStats,
  buildCustomerProfiles,
  rebuyStats,
} from "~/engine/customer-profile";
import { orderTime } from "~/engine/copurchase";
import type { Shopper } from "~/engine/personal";
import {
  type ReplenishmentModel,
  buildReplenishment,
} from "~/engine/replenishment";
import {
  loadCatalog,
  loadCatalogChanges,
  loadOrderTable,
  loadOrders,
} from "~/services/catalog/shop-data.server";
import { forgetServingState } from "~/services/storefront/serving-cache.server";

/** Models kept per shop: the serving one plus the previous, as a fallback. */
const KEEP_MODELS = 2;

/**
 * The shop was redacted (or never installed) while a job wrote for it (a model in training, an
 * import batch): nothing of that write is stored.
 */
export class ShopGoneError extends Error {
  constructor(shop: string) {
    super(`Shop ${shop} no longer exists; nothing more is stored for it`);
    this.name = "ShopGoneError";
  }
}

/**
 * A stored model's JSON is written in parts of at most this many characters: the first in
 * RecommendationModel.data, the rest as RecommendationModelPart rows. The database client holds
 * several copies of a statement's values at once (its request, the compiled query, the driver's
 * copy), which for a million orders' model in one statement came to about 470 MB; a part costs a
 * few MB (decision 018, "Measured").
 */
export const MODEL_PART_CHARS = 1_000_000;

/**
 * `text` cut into parts of at most `size` UTF-16 code units, never between the two halves of a
 * surrogate pair (a lone half would not survive the database's UTF-8) unless `size` is 1.
 */
export function textParts(text: string, size = MODEL_PART_CHARS): string[] {
  const parts: string[] = [];
  let at = 0;
  do {
    let end = Math.min(at + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && end - at > 1 && last >= 0xd800 && last <= 0xdbff)
      end--;
    parts.push(text.slice(at, end));
    at = end;
  } while (at < text.length);
  return parts;
}

/** A stored model's JSON: its first part and the rest, in order. */
function modelText(row: { data: string; parts: { data: string }[] }): string {
  return [row.data, ...row.parts.map((p) => p.data)].join("");
}

/** Selects what `modelText` needs. */
const MODEL_TEXT = {
  data: true,
  parts: { orderBy: { part: "asc" }, select: { data: true } },
} as const;

/** A stored model's JSON, as `serialiseModels` wrote it; null when there is no such model. */
export async function storedModelText(
  shop: string,
  id: string,
): Promise<string | null> {
  const row = await prisma.recommendationModel.findFirst({
    where: { shop, id },
    select: MODEL_TEXT,
  });
  return row && modelText(row);
}

/**
 * Stores trained models as the shop's serving model and prunes all but the last KEEP_MODELS.
 * The first write marks the Shop row, which locks it until commit: shop/redact deletes that row
 * first (privacy.server.ts), so either the redaction waits and then deletes this model too, or
 * it went first and this finds no shop and stores nothing. Deletion always wins.
 */
export async function storeModel(
  shop: string,
  trained: TrainedModel,
  meta: { orders: number; products: number; trainMs: number },
): Promise<{ id: string; createdAt: Date }> {
  // Serialised before the transaction: a large shop's takes seconds, with the Shop row unlocked.
  const [first, ...rest] = textParts(serialiseModels(trained));
  const createdAt = new Date();
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.shop.updateMany({
      where: { shop },
      data: { trainedAt: createdAt },
    });
    if (count === 0) throw new ShopGoneError(shop);
    const row = await tx.recommendationModel.create({
      data: { shop, createdAt, ...meta, data: first },
      select: { id: true, createdAt: true },
    });
    // One statement per part, in turn: one part's copies at a time.
    for (const [i, data] of rest.entries())
      await tx.recommendationModelPart.create({
        data: { shop, modelId: row.id, part: i + 1, data },
        select: { part: true },
      });
    const stale = await tx.recommendationModel.findMany({
      where: { shop },
      orderBy: { createdAt: "desc" },
      skip: KEEP_MODELS,
      select: { id: true },
    });
    await tx.recommendationModel.deleteMany({
      where: { shop, id: { in: stale.map((s) => s.id) } },
    });
    return row;
  });
}

/**
 * Trains on the shop's whole history and stores the result as the serving model. Runs once per
 * shop across instances (a lease); returns null when another instance is already training it.
 * The previous model keeps serving until the new one is stored, and stays when training fails.
 * The work runs in a worker thread: a million orders take half a minute of CPU, which must not
 * stall the storefront requests this process serves meanwhile, and a heap limit keeps an
 * outsized shop from taking the process down with it.
 */
export async function trainShop(
  shop: string,
  { maxHeapMb = env.TRAINING_MAX_HEAP_MB }: { maxHeapMb?: number } = {},
): Promise<TrainingResult | null> {
  if (!(await acquireLease(shop, "training"))) return null;
  try {
    return await inWorker({ shop }, maxHeapMb);
  } finally {
    await releaseLease(shop, "training");
  }
}

export interface TrainingResult {
  id: string;
  orders: number;
  trainMs: number;
  /** The process's memory as each step of the training ended, for `npm run bench:import`. */
  memory: PhaseMemory[];
}

/** Memory when a step ended: the process's RSS now and at its highest so far, the worker's heap. */
export interface PhaseMemory {
  phase: string;
  rss: number;
  maxRss: number;
  heapUsed: number;
  /** Off the heap: typed arrays' buffers and the like. */
  external: number;
}

export function phaseMemory(phase: string): PhaseMemory {
  const { rss, heapUsed, external } = process.memoryUsage();
  // ru_maxrss, in kB: the peak within the step, not only at its end.
  const maxRss = process.resourceUsage().maxRSS * 1024;
  return { phase, rss, maxRss, heapUsed, external };
}

/** What the training worker is given. */
export interface TrainingJob {
  shop: string;
}

/** The job itself, in the worker thread (training-worker.ts); null when the shop was deleted meanwhile. */
export async function trainAndStore(
  shop: string,
): Promise<TrainingResult | null> {
  const started = performance.now();
  const memory = [phaseMemory("start")];
  const phase = (name: string) => {
    // What a step leaves behind is garbage by the next: collected before it, not under its peak.
    collectGarbage();
    memory.push(phaseMemory(name));
  };
  const { trained, orders, products } = await trainOnOrders(shop, phase);
  phase("order table released");
  const trainMs = Math.round(performance.now() - started);
  try {
    const row = await storeModel(shop, trained, { orders, products, trainMs });
    phase("stored");
    return { id: row.id, orders, trainMs, memory };
  } catch (error) {
    if (error instanceof ShopGoneError) return null;
    throw error;
  }
}

/** A class with no instances: counting them is what `collectGarbage` asks of V8. */
class NoInstances {}

/**
 * A full garbage collection of this thread's heap: in the worker between training's steps, and on
 * the main thread after an import's result is applied (`applyBulkResult`). The cart model's
 * dense matrix lives in WebAssembly memory (400 MB at its 5,000 items) that V8 does not weigh in
 * deciding when to collect: once the model was trained it stayed resident, dead, through the
 * co-purchase statistics, the backtest and the store, and so did the garbage of reading the
 * orders under the matrix (decision 018, "Measured"). `v8.queryObjects` counts objects "after a
 * full garbage collection" (Node's documentation), the one public call that collects.
 */
export function collectGarbage(): void {
  queryObjects(NoInstances, { format: "count" });
}

/**
 * Reads the shop's order table and trains on it. Only the number of orders outlives the table, so
 * that it can be collected while the model is serialised and stored (a million orders hold about
 * 225 MB; decision 018, "Measured").
 */
async function trainOnOrders(
  shop: string,
  phase: (name: string) => void,
): Promise<{ trained: TrainedModel; orders: number; products: number }> {
  const [table, products] = await Promise.all([
    loadOrderTable(shop),
    prisma.product.count({ where: { shop } }),
  ]);
  phase("order table");
  return {
    trained: trainModels(table, {}, { phase }),
    orders: table.length,
    products,
  };
}

/**
 * Runs `trainAndStore` in a worker thread started from its own entry (training-worker.ts): built
 * beside the server bundle as build/server/training-worker.js, so the worker loads the engine and
 * the database client, not the admin's React and Polaris; the TypeScript source (through tsx) in
 * development and tests.
 */
function inWorker(
  job: TrainingJob,
  maxHeapMb: number,
): Promise<TrainingResult | null> {
  const source = import.meta.url.endsWith(".ts");
  const entry = new URL(
    source ? "./training-worker.ts" : "./training-worker.js",
    import.meta.url,
  );
  const options = {
    workerData: job,
    resourceLimits: { maxOldGenerationSizeMb: maxHeapMb },
  };
  const worker = source
    ? new Worker(
        `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); });`,
        { ...options, eval: true },
      )
    : new Worker(entry, options);
  return new Promise<TrainingResult | null>((resolve, reject) => {
    worker.once(
      "message",
      (message: { result?: TrainingResult | null; error?: string }) => {
        if (message.result !== undefined) resolve(message.result);
        else reject(new Error(message.error ?? "training failed"));
      },
    );
    worker.once("error", reject);
    worker.once("exit", (code) =>
      reject(new Error(`training worker exited with code ${code}`)),
    );
  }).finally(() => void worker.terminate());
}

/**
 * What the shop's customers' own orders say (decision 023): each signed-in customer's profile, the
 * shop's re-buy counts and re-order intervals. Built from the orders with a customer key; orders
 * that arrive later are added to the profiles as they come (`addOrder` counts an order once).
 */
export interface Customers {
  profiles: CustomerProfiles;
  rebuy: RebuyStats;
  replenishment: ReplenishmentModel;
  /** Creation time (ms) of the newest order counted; null when there is none. */
  latestAt: number | null;
}

export interface Recommender {
  ranking: RankingModel;
  completion?: CartCompletionScorer;
  /** Absent only where a caller built a recommender by hand (benchmarks). */
  customers?: Customers;
  modelId: string | null;
  /** The cart model's scorer for a signed-in customer with history (decision 023). */
  personal?: (shopper: Shopper) => CartCompletionScorer;
  /** What the shop's last backtest chose for a placement, and its scorer (decision 021). */
  served?: (placement: Placement) => {
    method: Method;
    completion: CartCompletionScorer;
  };
}

/** Each placement's chosen method, its scorer built once per serving state. */
function servedBy(
  models: TrainedModel,
  completion: CartCompletionScorer,
): NonNullable<Recommender["served"]> {
  const scorers = new Map<Method, CartCompletionScorer>([
    ["model", completion],
  ]);
  return (placement) => {
    const method = servedMethod(models, placement);
    let scorer = scorers.get(method);
    if (!scorer) scorers.set(method, (scorer = methodScorer(models, method)));
    return { method, completion: scorer };
  };
}

/** What a shop's serving state was built from; it is rebuilt only when this changes. */
interface ServingVersion {
  modelId: string | null;
  /** The shop's catalog version: every catalog write bumps it (products.server.ts). */
  catalog: number | null;
  /** The newest order's creation time: an order webhook moves it. */
  orders: string;
  /** The shop's customers version: a customer redaction bumps it (privacy.server.ts). */
  customers: number | null;
}

interface Serving {
  recommender: Recommender & { customers: Customers };
  models: TrainedModel | null;
  version: ServingVersion;
}

interface CacheEntry {
  serving: Promise<Serving>;
  checkedAt: number;
  refreshing: boolean;
}

/**
 * Serving state is cached per shop. Every CHECK_MS a request starts a background check of the
 * stored model id and the catalog's version (small queries). The products written since the
 * version held are applied to the state as changes (`withChanges`); the state is rebuilt
 * only for a new model or a change of more than DELTA_SHARE of the catalog, and meanwhile the
 * previous state keeps serving. Nothing rebuilds it on a timer: every catalog write goes through
 * products.server.ts and bumps the version in its own transaction (the shop's row is locked until
 * it commits, so versions commit in order and none is skipped), and on a 50,000-product shop a
 * rebuild is seconds of this instance's CPU that its storefront requests would wait behind. Stock and
 * catalog changes and a model trained by another instance show up within CHECK_MS plus the
 * update (the database is the source of truth; nothing here must survive a restart).
 */
const CHECK_MS = 30_000;
/** Changed products applied to a serving state as changes; past this share of the catalog, a rebuild. */
const DELTA_SHARE = 0.03;
const DELTA_MIN = 50;
const cache = new Map<string, CacheEntry>();

async function servingVersion(shop: string): Promise<ServingVersion> {
  const [latest, catalog, orders] = await Promise.all([
    prisma.recommendationModel.findFirst({
      where: { shop },
      orderBy: { createdAt: "desc" },
      select: { id: true },
    }),
    prisma.shop.findUnique({
      where: { shop },
      select: { catalogVersion: true, customersVersion: true },
    }),
    prisma.order.aggregate({ where: { shop }, _max: { createdAt: true } }),
  ]);
  return {
    modelId: latest?.id ?? null,
    catalog: catalog?.catalogVersion ?? null,
    orders: orders._max.createdAt?.toISOString() ?? "",
    customers: catalog?.customersVersion ?? null,
  };
}

/** The newest creation time among `orders`, or `latest` when none is newer. */
function newest(orders: readonly EngineOrder[], latest: number | null) {
  let at = latest;
  for (const order of orders) at = Math.max(at ?? -Infinity, orderTime(order));
  return at;
}

/** Every order with a customer key, read afresh: at training and after a redaction. */
async function loadCustomers(
  shop: string,
  ranking: RankingModel,
): Promise<Customers> {
  const orders = await loadOrders(shop, { withCustomer: true });
  const profiles = buildCustomerProfiles(
    orders,
    (productId) => ranking.products.get(productId)?.productType ?? "",
  );
  return {
    profiles,
    rebuy: rebuyStats(profiles),
    replenishment: buildReplenishment(orders),
    latestAt: newest(orders, null),
  };
}

/**
 * Orders with a customer key stored since `customers` was built join the profiles now, so the
 * next answer to that customer counts them. Read from the newest one counted, that one included:
 * an order created in the same millisecond is not missed, and `addOrder` counts each once. The
 * re-buy counts and intervals are the shop's long-run figures: they wait for the next training.
 */
async function withArrivedCustomerOrders(
  shop: string,
  customers: Customers,
): Promise<Customers> {
  const arrived = await loadOrders(shop, {
    withCustomer: true,
    after:
      customers.latestAt === null
        ? undefined
        : new Date(customers.latestAt - 1),
  });
  for (const order of arrived) customers.profiles.addOrder(order);
  return { ...customers, latestAt: newest(arrived, customers.latestAt) };
}

/**
 * Orders stored after the ranking's co-purchase evidence was built (by a webhook, since the
 * training or the last refresh) join it now: the next answer reflects them without a retraining.
 * Orders are taken by creation time, newer than the newest one already counted, so none counts
 * twice; one created earlier but delivered late waits for the next training, as do cancellations.
 */
async function withArrivedOrders(
  shop: string,
  ranking: RankingModel,
): Promise<RankingModel> {
  const latest = ranking.copurchase?.latestTime;
  if (latest === undefined) return ranking;
  const arrived = await loadOrders(shop, {
    after: latest === null ? undefined : new Date(latest),
  });
  return withNewOrders(ranking, arrived);
}

/**
 * The previous state with what changed since it was built, when that is little: the orders that
 * arrived, the customers' new orders or a redaction, and the catalog's changes
 * (`applyCatalogChanges`), in time proportional to them. Null when a full rebuild is due instead:
 * the catalog version is unknown, or more products changed than DELTA_SHARE of the catalog (or
 * DELTA_MIN, for a small one).
 */
async function withChanges(
  shop: string,
  previous: Serving,
  version: ServingVersion,
  customersFor: (ranking: RankingModel) => Promise<Customers>,
): Promise<Serving | null> {
  const catalogMoved = previous.version.catalog !== version.catalog;
  const ordersMoved = previous.version.orders !== version.orders;
  if (
    !catalogMoved &&
    !ordersMoved &&
    previous.version.customers === version.customers
  )
    return previous;
  let changes: CatalogChanges | null = null;
  if (catalogMoved) {
    if (previous.version.catalog === null || version.catalog === null)
      return null;
    const size = previous.recommender.ranking.products.size;
    changes = await loadCatalogChanges(
      shop,
      previous.version.catalog,
      Math.max(DELTA_MIN, Math.floor(size * DELTA_SHARE)),
    );
    if (!changes) return null;
  }
  const [ranking, customers] = await Promise.all([
    ordersMoved
      ? withArrivedOrders(shop, previous.recommender.ranking)
      : previous.recommender.ranking,
    customersFor(previous.recommender.ranking),
  ]);
  // In place, and with nothing awaited until the new state replaces the previous one: no request
  // ranks on a half-changed catalog. The new recommender object is a new state for the memo.
  if (changes) applyCatalogChanges(ranking, changes);
  return {
    ...previous,
    recommender: { ...previous.recommender, ranking, customers },
    version,
  };
}

/** Builds the shop's serving state, reusing what did not change since `previous`. */
async function loadServing(shop: string, previous?: Serving): Promise<Serving> {
  const version = await servingVersion(shop);
  const sameModel = previous && previous.version.modelId === version.modelId;
  // Profiles are rebuilt with each new model and after a redaction; otherwise orders are added.
  const customersFor = (ranking: RankingModel) =>
    sameModel && previous.version.customers === version.customers
      ? withArrivedCustomerOrders(shop, previous.recommender.customers)
      : loadCustomers(shop, ranking);
  if (sameModel) {
    const updated = await withChanges(shop, previous, version, customersFor);
    if (updated) return updated;
  }
  const [products, stored] = await Promise.all([
    loadCatalog(shop),
    sameModel
      ? null
      : prisma.recommendationModel.findFirst({
          where: { shop },
          orderBy: { createdAt: "desc" },
          select: { id: true, ...MODEL_TEXT },
        }),
  ]);
  const models = sameModel
    ? previous.models
    : stored && deserialiseModels(modelText(stored));
  const modelId = sameModel ? version.modelId : (stored?.id ?? null);
  // The evidence that serves now: the stored model's, with the orders a previous state already
  // took in when the model is the same.
  const copurchase = sameModel
    ? previous.recommender.ranking.copurchase
    : models?.copurchase;
  const ranking = await withArrivedOrders(
    shop,
    buildRankingModel({ products, copurchase }),
  );
  const completion = models && completionScorer(models.cartModel);
  const customers = await customersFor(ranking);
  return {
    recommender:
      models && completion
        ? {
            ranking,
            completion,
            customers,
            modelId,
            personal: (shopper) =>
              personalCompletionScorer(models.cartModel, shopper, completion),
            served: servedBy(models, completion),
          }
        : { ranking, customers, modelId },
    models,
    version: { ...version, modelId },
  };
}

export async function recommenderFor(
  shop: string,
  now = Date.now(),
): Promise<Recommender> {
  let entry = cache.get(shop);
  if (!entry) {
    const created = {
      serving: loadServing(shop),
      checkedAt: now,
      refreshing: false,
    };
    cache.set(shop, (entry = created));
    retrainCheck(shop);
    // A failed load is not cached: the next request tries again.
    created.serving.catch(() => {
      if (cache.get(shop) === created) cache.delete(shop);
    });
  } else if (now - entry.checkedAt >= CHECK_MS && !entry.refreshing) {
    refresh(shop, entry, now);
  }
  return (await entry.serving).recommender;
}

function refresh(shop: string, entry: CacheEntry, now: number): void {
  entry.refreshing = true;
  entry.checkedAt = now;
  retrainCheck(shop);
  entry.serving
    .then((previous) => loadServing(shop, previous))
    .then(
      (next) => {
        entry.serving = Promise.resolve(next);
      },
      (error: unknown) =>
        log.warn("serving state refresh failed; the previous one serves", {
          shop,
          error,
        }),
    )
    .finally(() => (entry.refreshing = false));
}

/**
 * Storefront traffic is when new orders arrive: check at each serving-state check whether enough
 * of them (or enough time) passed to retrain. Cheap (two counts) and never blocks the answer.
 */
function retrainCheck(shop: string): void {
  retrainIfDue(shop).catch((error: unknown) =>
    log.error("retrain check failed", { shop, error }),
  );
}

/**
 * After this instance stored a new model: the serving state is rebuilt in the background at once,
 * and the current one serves until it is ready.
 */
export function refreshRecommender(shop: string, now = Date.now()): void {
  const entry = cache.get(shop);
  // Nothing cached: the next request loads the new model anyway.
  if (!entry) return;
  // A refresh already running may have read the old model id: check again when it ends.
  if (entry.refreshing) entry.checkedAt = -Infinity;
  else refresh(shop, entry, now);
}

/**
 * A customer's redaction, in this instance: their profile goes from the serving state now, and the
 * state is checked on the next request (the redaction bumped the shop's customers version, so the
 * profiles are rebuilt from the database, where their orders no longer name them). Other
 * instances rebuild at their next check, within CHECK_MS.
 */
export async function forgetCustomer(
  shop: string,
  customerKey: string,
): Promise<void> {
  const entry = cache.get(shop);
  if (!entry) return;
  const serving = await entry.serving.catch(() => null);
  serving?.recommender.customers.profiles.forget(customerKey);
  entry.checkedAt = -Infinity;
}

/** Drops everything cached for the shop (its data is gone, or a test wants a cold start). */
export function forgetRecommender(shop: string): void {
  cache.delete(shop);
  forgetServingState(shop);
}

// Retraining. Nothing external schedules jobs for this app (one Node process per instance, no
// queue), so training is triggered where the app already runs code for the shop: when the
// import finishes, when the merchant opens the admin, and when the storefront asks for offers
// (at most once per serving-cache refresh). `shouldRetrain` decides; docs/decisions/008.

/** Retrain when the newest model is older than this... */
export const RETRAIN_AFTER_MS = 24 * 60 * 60 * 1000;
/** ...or when this many orders arrived since it was trained. */
export const RETRAIN_AFTER_NEW_ORDERS = 50;

export interface RetrainInput {
  /** The serving model, or null when the shop has never been trained. */
  latest: { createdAt: Date; orders: number } | null;
  /** Orders in the database now (not cancelled). */
  orders: number;
  importDone: boolean;
  now: Date;
}

/** Pure: is a (re)training due? Never before the import is done, so a half history never serves. */
export function shouldRetrain({
  latest,
  orders,
  importDone,
  now,
}: RetrainInput): boolean {
  if (!importDone) return false;
  if (!latest) return true;
  return (
    orders - latest.orders >= RETRAIN_AFTER_NEW_ORDERS ||
    (now.getTime() - latest.createdAt.getTime() >= RETRAIN_AFTER_MS &&
      orders !== latest.orders)
  );
}

const training = new Map<string, Promise<void>>();

export function isTraining(shop: string): boolean {
  return training.has(shop);
}

/**
 * Trains in the background unless a training for the shop already runs in this process; the new
 * model serves as soon as it is stored and loaded, the previous one until then.
 */
export function startTraining(shop: string): Promise<void> {
  const existing = training.get(shop);
  if (existing) return existing;
  const run = (async () => {
    // Yield first, so a caller that only wanted to start it (a loader) answers at once.
    await new Promise((resolve) => setImmediate(resolve));
    await trainShop(shop);
    refreshRecommender(shop);
  })()
    .catch((error: unknown) =>
      log.error(
        "training failed; the previous model keeps serving and training is retried later",
        {
          shop,
          error,
        },
      ),
    )
    .finally(() => training.delete(shop));
  training.set(shop, run);
  return run;
}

export interface TrainingStatus {
  state: "waiting" | "training" | "trained";
  trainedAt: Date | null;
  /** Orders and products the serving model learnt from, and how long training took. */
  model: { orders: number; products: number; trainMs: number } | null;
  /** What the last training's backtest showed, and what each placement serves (decision 021). */
  evidence: ModelEvidence | null;
}

/** The serving model's backtest evidence, read once per model (its JSON is megabytes). */
const evidenceByModel = new Map<string, ModelEvidence | null>();

async function evidenceOf(
  shop: string,
  modelId: string,
): Promise<ModelEvidence | null> {
  if (evidenceByModel.has(modelId)) return evidenceByModel.get(modelId)!;
  const text = await storedModelText(shop, modelId);
  const evidence = text === null ? null : storedEvidence(text);
  // Only the newest few matter; a long-running process must not keep every model's.
  if (evidenceByModel.size >= 100) evidenceByModel.clear();
  evidenceByModel.set(modelId, evidence);
  return evidence;
}

export async function trainingStatus(shop: string): Promise<TrainingStatus> {
  const latest = await prisma.recommendationModel.findFirst({
    where: { shop },
    orderBy: { createdAt: "desc" },
    select: {
      id: true,
      createdAt: true,
      orders: true,
      products: true,
      trainMs: true,
    },
  });
  return {
    evidence: latest ? await evidenceOf(shop, latest.id) : null,
    state: isTraining(shop) ? "training" : latest ? "trained" : "waiting",
    trainedAt: latest?.createdAt ?? null,
    model: latest && {
      orders: latest.orders,
      products: latest.products,
      trainMs: latest.trainMs,
    },
  };
}

/** Starts a training when one is due (see `shouldRetrain`); returns whether it did. */
export async function retrainIfDue(
  shop: string,
  now = new Date(),
): Promise<boolean> {
  if (isTraining(shop)) return false;
  const [state, latest, orders] = await Promise.all([
    prisma.shop.findUnique({ where: { shop }, select: { importStatus: true } }),
    prisma.recommendationModel.findFirst({
      where: { shop },
      orderBy: { createdAt: "desc" },
      select: { createdAt: true, orders: true },
    }),
    prisma.order.count({ where: { shop, cancelledAt: null } }),
  ]);
  const due = shouldRetrain({
    latest,
    orders,
    importDone: state?.importStatus === "done",
    now,
  });
  if (due) void startTraining(shop);
  return due;
}
