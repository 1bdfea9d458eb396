import {
  type CartModel,
  type NeighbourRows,
  cartModelFromJSON,
  cartModelToJSON,
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
 * Adapts the cart model to the ranker's scorer interface. A cart's scores are `scoreCart`'s, but
 * computed only where they can differ from the popularity prior: on the learned neighbours of the
 * cart's items (a few hundred), not over every modelled item (up to 50,000 on a big shop), so a
 * storefront request costs the same on any catalog. A test pins them to `scoreCart`.
 */
export function completionScorer(model: CartModel): CartCompletionScorer {
  const n = model.items.length;
  const ease = new Float64Array(n);
  const walk = new Float64Array(n);
  const w = model.priorWeight;
  let byPrior: Uint32Array | undefined;
  const priorOf = (i: number) => (w > 0 ? w * model.prior[i] : 0);
  return (cart) => {
    const known: number[] = [];
    for (const id of new Set(cart)) {
      const i = model.index.get(id);
      if (i !== undefined) known.push(i);
    }
    const touched = new Set<number>();
    const add = (rows: NeighbourRows, into: Float64Array) => {
      let max = 0;
      for (const i of known) {
        for (let k = rows.offsets[i]; k < rows.offsets[i + 1]; k++) {
          into[rows.ids[k]] += rows.weights[k];
          touched.add(rows.ids[k]);
        }
      }
      for (const j of touched) if (into[j] > max) max = into[j];
      return max;
    };
    const me = add(model.ease, ease);
    const share =
      known.length >= 1 ? (model.rp3Blend[known.length - 1] ?? 0) : 0;
    const scores = new Map<number, number>();
    if (share <= 0) {
      for (const j of touched) scores.set(j, ease[j] + priorOf(j));
    } else {
      const mw = add(model.rp3, walk);
      const a = me > 0 ? (1 - share) / me : 0;
      const b = mw > 0 ? share / mw : 0;
      for (const j of touched)
        scores.set(j, a * ease[j] + b * walk[j] + priorOf(j));
    }
    // The scratch arrays are zero again for the next cart.
    for (const j of touched) ease[j] = walk[j] = 0;
    return {
      score: (productId) => {
        const i = model.index.get(productId);
        return i === undefined ? 0 : (scores.get(i) ?? priorOf(i));
      },
      top: (limit) => {
        const best = [...scores].filter(([, s]) => s > 0);
        // Past the neighbours every item scores its prior: the best of those by prior.
        if (w > 0) {
          byPrior ??= Uint32Array.from(model.prior.keys()).sort(
            (x, y) => model.prior[y] - model.prior[x] || x - y,
          );
          let taken = 0;
          for (const i of byPrior) {
            if (taken === limit || !(model.prior[i] > 0)) break;
            if (!scores.has(i)) {
              best.push([i, priorOf(i)]);
              taken++;
            }
          }
        }
        return best
          .sort(([x, sx], [y, sy]) => sy - sx || x - y)
          .slice(0, limit)
          .map(([i, score]) => ({ productId: model.items[i], score }));
      },
    };
  };
}
