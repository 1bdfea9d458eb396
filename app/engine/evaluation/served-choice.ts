import {
  type Method,
  SIMPLE_METHODS,
  type SimpleMethod,
  backtest,
  candidateScorers,
} from "../backtest";
import { type OrderInput, trainCartModel } from "../cart-model";
import { evaluateProtocolA, protocolACases, type Split } from "./protocol";

/** A shop's orders and where its scored window starts. */
export interface DataSet {
  name: string;
  orders: readonly OrderInput[];
  evaluateFrom: string;
  /** End of the scored window (exclusive); all later orders when absent. */
  evaluateBefore?: string;
}

export interface ServedChoiceResult {
  name: string;
  trainOrders: number;
  cases: number;
  /** What the shop's own backtest (train orders only) chose for carts and product pages. */
  chosen: { cart: Method; product: Method };
  /** Protocol A HR@10 of the chosen cart method, trained on all train orders. */
  served: number;
  /** The cart model's, for comparison. */
  model: number;
  simple: { method: SimpleMethod; hr10: number }[];
  /** The best simple list in the same run, ties to the earlier one. */
  bestSimple: { method: SimpleMethod; hr10: number };
}

/**
 * The per-shop choice as the app makes it, scored on a window it never saw: the backtest runs on
 * the train orders alone (its own rolling origin inside them), then the chosen method and every
 * simple list are trained on all train orders and score Protocol A on the window.
 */
export function evaluateServedChoice(
  data: DataSet,
  threads?: number,
): ServedChoiceResult {
  const split: Split<OrderInput> = {
    name: data.name,
    train: [],
    evaluation: [],
  };
  for (const o of data.orders) {
    if (o.createdAt < data.evaluateFrom) split.train.push(o);
    else if (
      data.evaluateBefore === undefined ||
      o.createdAt < data.evaluateBefore
    )
      split.evaluation.push(o);
  }
  const report = backtest(split.train, { threads });
  const chosen = {
    cart: report?.cart.chosen ?? "model",
    product: report?.product.chosen ?? "model",
  };
  const scorers = candidateScorers(
    split.train,
    trainCartModel(split.train, { threads }),
  );
  const cases = protocolACases(split.evaluation);
  const hr10 = (method: Method) =>
    evaluateProtocolA(split, scorers[method].cart, cases).hr10;
  const simple = (SIMPLE_METHODS as readonly SimpleMethod[]).map((method) => ({
    method,
    hr10: hr10(method),
  }));
  const bestSimple = simple.reduce((best, s) =>
    s.hr10 > best.hr10 ? s : best,
  );
  return {
    name: data.name,
    trainOrders: split.train.length,
    cases: cases.length,
    chosen,
    served: hr10(chosen.cart),
    model: hr10("model"),
    simple,
    bestSimple,
  };
}

/** The line `npm run engine -- evaluate` prints per data set. */
export function servedLine(result: ServedChoiceResult): string {
  return `protocol A HR@10 ${result.served.toFixed(4)} best-simple ${result.bestSimple.method} ${result.bestSimple.hr10.toFixed(4)}`;
}
