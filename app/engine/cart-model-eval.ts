import {
  scoreCart,
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

/** Adapts a cart model to the protocol's catalog order. */
export function cartModelScorer(model: CartModel): ScorerFactory {
  return (catalog) => {
    const position = Int32Array.from(model.items, () => -1);
    catalog.forEach((sku, c) => {
      const i = model.index.get(sku);
      if (i !== undefined) position[i] = c;
    });
    return (cart) => {
      const scores = scoreCart(model, cart);
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
  const run = (name: string, factory: () => ScorerFactory) => {
    const t = performance.now();
    const scorer = factory();
    const trainMs = performance.now() - t;
    strategies.push({
      name,
      trainMs,
      a: evaluateProtocolA(data, scorer, cases),
      b: evaluateProtocolB(data, scorer),
    });
  };
  const timings: Partial<TrainTimings> = {};
  run("cartlift", () =>
    cartModelScorer(trainCartModel(data.train, options.model, timings)),
  );
  if (options.baselines !== false) {
    run("popularity", () => popularityScorer);
    run("co-occurrence", () => cooccurrenceScorer(data.train));
  }
  return {
    split,
    trainOrders: data.train.length,
    evaluationOrders: data.evaluation.length,
    timings,
    strategies,
  };
}
