import {
  type CartModel,
  CartScorer,
  cartModelFromJSON,
  cartModelToJSON,
  productNeighbours,
  trainCartModel,
} from "./cart-model";
import {
  type CoPurchaseStats,
  buildCoPurchase,
  coPurchaseFromJSON,
  coPurchaseToJSON,
} from "./copurchase";
import type { CartCompletionScorer, EngineOrder } from "./types";

// A shop's models: the cart-completion model and the co-purchase evidence, trained together
// from its orders, stored together (RecommendationModel.data) and served together.

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

/** The stored form of a shop's models (RecommendationModel.data). */
export function serialiseModels({
  cartModel,
  copurchase,
}: TrainedModel): string {
  return JSON.stringify({
    cartModel: cartModelToJSON(cartModel),
    copurchase: coPurchaseToJSON(copurchase),
  });
}

export function deserialiseModels(data: string): TrainedModel {
  const parsed = JSON.parse(data) as {
    cartModel: unknown;
    copurchase: unknown;
  };
  return {
    cartModel: cartModelFromJSON(parsed.cartModel),
    copurchase: coPurchaseFromJSON(parsed.copurchase),
  };
}

/**
 * Adapts the cart model to the ranker's scorer interface, on learned neighbours only, so a
 * storefront request costs the same on any catalog: a product page gets the model's product-page
 * lists (`productNeighbours`, tuned on Protocol B, the product-page protocol), a cart or a placed
 * order gets `scoreCart`'s scores (`CartScorer`, tuned on Protocol A).
 */
export function completionScorer(model: CartModel): CartCompletionScorer {
  const scorer = new CartScorer(model);
  let byPrior: Uint32Array | undefined;
  return (cart, context) => {
    const page = context === "product" && cart.length === 1;
    const scores = page
      ? productNeighbours(model, cart[0])
      : scorer.neighbours(cart);
    // A product page without co-purchase neighbours (a new product) gets no prior here, unlike
    // `scoreProduct`: the ranker's cold-start signals, content similarity first, decide it.
    let priorWeight = model.priorWeight;
    if (page) priorWeight = scores.size > 0 ? model.fbtPrior : 0;
    const prior = (i: number) =>
      priorWeight > 0 ? priorWeight * model.prior[i] : 0;
    return {
      score: (productId) => {
        const i = model.index.get(productId);
        return i === undefined ? 0 : (scores.get(i) ?? 0) + prior(i);
      },
      top: (limit) => {
        // The `limit` best positive scores, ties by index: kept sorted while scanning.
        const best: [number, number][] = [];
        const keep = (i: number, score: number) => {
          if (!(score > 0)) return;
          let p = best.length;
          while (
            p > 0 &&
            (best[p - 1][1] < score ||
              (best[p - 1][1] === score && best[p - 1][0] > i))
          )
            p--;
          if (p < limit) {
            best.splice(p, 0, [i, score]);
            if (best.length > limit) best.pop();
          }
        };
        for (const [i, s] of scores) keep(i, s + prior(i));
        // Past the neighbours every item scores its prior: the best of those by prior.
        if (priorWeight > 0) {
          byPrior ??= Uint32Array.from(model.prior.keys()).sort(
            (x, y) => model.prior[y] - model.prior[x] || x - y,
          );
          let taken = 0;
          for (const i of byPrior) {
            if (taken === limit || !(model.prior[i] > 0)) break;
            if (!scores.has(i)) {
              keep(i, prior(i));
              taken++;
            }
          }
        }
        return best.map(([i, score]) => ({ productId: model.items[i], score }));
      },
    };
  };
}
