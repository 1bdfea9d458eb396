import prisma from "~/db.server";
import {
  type CartModel,
  cartModelFromJSON,
  cartModelToJSON,
  scoreCart,
  trainCartModel,
} from "~/engine/cart-model";
import {
  type CoPurchaseStats,
  buildCoPurchase,
  coPurchaseFromJSON,
  coPurchaseToJSON,
} from "~/engine/copurchase";
import { type RankingModel, buildRankingModel } from "~/engine/ranking";
import type { CartCompletionScorer, EngineOrder } from "~/engine/types";
import { loadCatalog, loadOrders } from "./shop-data.server";

/** Models kept per shop: the serving one plus the previous, as a fallback. */
const KEEP_MODELS = 2;

export interface TrainedModel {
  cartModel: CartModel;
  copurchase: CoPurchaseStats;
}

/** The pure half: orders -> models. */
export function trainModels(orders: readonly EngineOrder[]): TrainedModel {
  const cartModel = trainCartModel(
    orders.map((o) => ({
      id: o.id,
      createdAt: new Date(o.createdAt).toISOString(),
      items: o.lines.map((l) => l.productId),
    })),
  );
  return { cartModel, copurchase: buildCoPurchase(orders) };
}

/** Trains on the shop's whole history and stores the result as the serving model. */
export async function trainShop(
  shop: string,
): Promise<{ id: string; orders: number; trainMs: number }> {
  const started = performance.now();
  const [orders, products] = await Promise.all([
    loadOrders(shop),
    prisma.product.count({ where: { shop } }),
  ]);
  const { cartModel, copurchase } = trainModels(orders);
  const trainMs = Math.round(performance.now() - started);
  const row = await prisma.recommendationModel.create({
    data: {
      shop,
      orders: orders.length,
      products,
      trainMs,
      data: JSON.stringify({
        cartModel: cartModelToJSON(cartModel),
        copurchase: coPurchaseToJSON(copurchase),
      }),
    },
    select: { id: true, createdAt: true },
  });
  const stale = await prisma.recommendationModel.findMany({
    where: { shop },
    orderBy: { createdAt: "desc" },
    skip: KEEP_MODELS,
    select: { id: true },
  });
  await prisma.recommendationModel.deleteMany({
    where: { shop, id: { in: stale.map((s) => s.id) } },
  });
  await prisma.shop.update({
    where: { shop },
    data: { trainedAt: row.createdAt },
  });
  return { id: row.id, orders: orders.length, trainMs };
}

export interface Recommender {
  ranking: RankingModel;
  completion?: CartCompletionScorer;
  modelId: string | null;
}

/** Adapts the cart model to the ranker's scorer interface. */
export function completionScorer(model: CartModel): CartCompletionScorer {
  return (cart) => {
    const scores = scoreCart(model, cart);
    const result = new Map<string, number>();
    scores.forEach((score, i) => {
      if (score > 0) result.set(model.items[i], score);
    });
    return result;
  };
}

interface CacheEntry {
  recommender: Promise<Recommender>;
  loadedAt: number;
}

/**
 * Serving state is cached per shop for a short while: stock and catalog changes show up within
 * CACHE_MS, and a model trained by another instance is picked up just as fast (the database is
 * the source of truth; nothing here must survive a restart).
 */
const CACHE_MS = 30_000;
const cache = new Map<string, CacheEntry>();

async function buildRecommender(shop: string): Promise<Recommender> {
  const [products, latest] = await Promise.all([
    loadCatalog(shop),
    prisma.recommendationModel.findFirst({
      where: { shop },
      orderBy: { createdAt: "desc" },
      select: { id: true, data: true },
    }),
  ]);
  if (!latest)
    return { ranking: buildRankingModel({ products }), modelId: null };
  const data = JSON.parse(latest.data) as {
    cartModel: unknown;
    copurchase: unknown;
  };
  const cartModel = cartModelFromJSON(data.cartModel);
  return {
    ranking: buildRankingModel({
      products,
      copurchase: coPurchaseFromJSON(data.copurchase),
    }),
    completion: completionScorer(cartModel),
    modelId: latest.id,
  };
}

export function recommenderFor(
  shop: string,
  now = Date.now(),
): Promise<Recommender> {
  const hit = cache.get(shop);
  if (hit && now - hit.loadedAt < CACHE_MS) return hit.recommender;
  const recommender = buildRecommender(shop);
  cache.set(shop, { recommender, loadedAt: now });
  // A failed load is not cached: the next request tries again.
  recommender.catch(() => cache.delete(shop));
  return recommender;
}

/** Drops the cached serving state, e.g. after training or a settings change in this instance. */
export function forgetRecommender(shop: string): void {
  cache.delete(shop);
}
