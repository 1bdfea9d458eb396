import {
  type CartModel,
  cartModelFromJSON,
  cartModelToJSON,
  scoreCart,
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
