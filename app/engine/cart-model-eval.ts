import {
  scoreCart,
  scoreProduct,
  trainCartModel,
  type CartModel,
  type CartModelOptions,
  type TrainTimings,
} from "./cart-model";
import {
  cooccurrenceScorer,
  evaluateProtocolA,
  evaluateProtocolB,
  popularityScorer,
  protocolACases,
  splitOrders,
  type ResultA,
  type ResultB,
  type ScorerFactory,
  type SplitName,
} from "./protocol";
import type { OrderInput } from "./cart-model";

/**
 * Adapts a cart model to the protocol's catalog order: "cart" scores carts
 * (protocol A), "product" a product page (protocol B, one query item).
 */
export function cartModelScorer(
  model: CartModel,
  placement: "cart" | "product" = "cart",
): ScorerFactory {
  return (catalog) => {
    const position = Int32Array.from(model.items, () => -1);
    catalog.forEach((sku, c) => {
      const i = model.index.get(sku);
      if (i !== undefined) position[i] = c;
    });
    return (cart) => {
      const scores =
        placement === "product" && cart.length === 1
          ? scoreProduct(model, cart[0])
          : scoreCart(model, cart);
      const out = new Float64Array(catalog.length);
      for (let i = 0; i < scores.length; i++)
        if (position[i] >= 0) out[position[i]] = scores[i];
      return out;
    };
  };
}

export interface StrategyResult {
  name: string;
  trainMs: number;
  a: ResultA;
  b: ResultB;
}

export interface EvaluationReport {
  split: SplitName;
  trainOrders: number;
  evaluationOrders: number;
  timings: Partial<TrainTimings>;
  strategies: StrategyResult[];
}

export interface EvaluationOptions {
  model?: Partial<CartModelOptions>;
  baselines?: boolean;
}

/** Trains on the split's train orders only and scores both protocols. */
export function evaluateCartModel(
  orders: readonly OrderInput[],
  split: SplitName,
  options: EvaluationOptions = {},
): EvaluationReport {
  const data = splitOrders(orders, split);
  const cases = protocolACases(data.evaluation);
  const strategies: StrategyResult[] = [];
  const run = (name: string, factory: () => [ScorerFactory, ScorerFactory]) => {
    const t = performance.now();
    const [cart, product] = factory();
    const trainMs = performance.now() - t;
    strategies.push({
      name,
      trainMs,
      a: evaluateProtocolA(data, cart, cases),
      b: evaluateProtocolB(data, product),
    });
  };
  const timings: Partial<TrainTimings> = {};
  run("cartlift", () => {
    const model = trainCartModel(data.train, options.model, timings);
    return [cartModelScorer(model, "cart"), cartModelScorer(model, "product")];
  });
  if (options.baselines !== false) {
    run("popularity", () => [popularityScorer, popularityScorer]);
    run("co-occurrence", () => {
      const scorer = cooccurrenceScorer(data.train);
      return [scorer, scorer];
    });
  }
  return {
    split,
    trainOrders: data.train.length,
    evaluationOrders: data.evaluation.length,
    timings,
    strategies,
  };
}
