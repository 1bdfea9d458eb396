import {
  type CartModel,
  CartScorer,
  cartModelFromJSON,
  cartModelToJSON,
  productNeighbours,
  topK,
  trainCartModel,
} from "./cart-model";
import {
  type CoPurchaseStats,
  buildCoPurchase,
  compareIds,
  coPurchaseFromJSON,
  coPurchaseToJSON,
} from "./copurchase";
import {
  BLENDS,
  type BacktestPlacement,
  type BacktestReport,
  type BacktestOptions,
  type Interval,
  type Method,
  backtest,
  isMethod,
  recentCounts,
} from "./backtest";
import { type OrderTable, engineOrders, orderTable } from "./order-table";
import { type Shopper, personalCartScores } from "./personal";
import type {
  CartCompletion,
  CartCompletionScorer,
  EngineOrder,
  Placement,
} from "./types";

// A shop's models: the cart-completion model and the co-purchase evidence, trained together
// from its orders, stored together (RecommendationModel.data) and served together; with them the
// shop's backtest and what each placement serves (docs/decisions/021).

/** What the shop's own backtest chose at this training, and the lists it may serve. */
export interface ServingChoice {
  backtest: BacktestReport | null;
  cart: Method;
  product: Method;
  /** Best sellers of each recent window, best first: [productId, orders]. */
  recent: Record<string, [string, number][]>;
}

export interface TrainedModel {
  cartModel: CartModel;
  copurchase: CoPurchaseStats;
  /** Absent in models stored before backtests: the model serves everywhere. */
  choice?: ServingChoice;
}

/** Products kept per served list: more than any placement shows, and a pool to diversify. */
const LIST_LENGTH = 100;

/**
 * The pure half: orders -> models, then the backtest that decides what serves. The orders are
 * held as an OrderTable (a large shop's come that way from the database): the cart model reads its
 * typed arrays, the co-purchase statistics one order at a time, so no object per order is alive
 * while the cart model's dense matrix is.
 */
export function trainModels(
  orders: readonly EngineOrder[] | OrderTable,
  options: { backtest?: boolean | Partial<BacktestOptions> } = {},
  /** Filled with the time the backtest took, and told as each step ends, for the benches. */
  timings?: { backtestMs?: number; phase?: (name: string) => void },
): TrainedModel {
  const table = Array.isArray(orders)
    ? orderTable(orders as readonly EngineOrder[])
    : (orders as OrderTable);
  const cartModel = trainCartModel(table);
  timings?.phase?.("cart model");
  const copurchase = buildCoPurchase(engineOrders(table));
  timings?.phase?.("co-purchase statistics");
  if (options.backtest === false) return { cartModel, copurchase };
  const started = performance.now();
  // The backtest reads the table too: only its scored orders become objects.
  const report = backtest(
    table,
    typeof options.backtest === "object" ? options.backtest : {},
  );
  if (timings) timings.backtestMs = performance.now() - started;
  timings?.phase?.("backtest");
  const recent: ServingChoice["recent"] = {};
  for (const [method, counts] of Object.entries(recentCounts(table)))
    recent[method] = [...counts]
      .sort((a, b) => b[1] - a[1] || compareIds(a[0], b[0]))
      .slice(0, LIST_LENGTH);
  return {
    cartModel,
    copurchase,
    choice: {
      backtest: report,
      cart: report?.cart.chosen ?? "model",
      product: report?.product.chosen ?? "model",
      recent,
    },
  };
}

/** The stored form of a shop's models (RecommendationModel.data). */
export function serialiseModels({
  cartModel,
  copurchase,
  choice,
}: TrainedModel): string {
  return JSON.stringify({
    cartModel: cartModelToJSON(cartModel),
    copurchase: coPurchaseToJSON(copurchase),
    choice,
  });
}

export function deserialiseModels(data: string): TrainedModel {
  const parsed = JSON.parse(data) as {
    cartModel: unknown;
    copurchase: unknown;
    choice?: unknown;
  };
  return {
    cartModel: cartModelFromJSON(parsed.cartModel),
    copurchase: coPurchaseFromJSON(parsed.copurchase),
    choice: choiceFromJSON(parsed.choice),
  };
}

/** Our own JSON; a choice naming a method this version does not know serves the model. */
function choiceFromJSON(json: unknown): ServingChoice | undefined {
  const choice = json as Partial<ServingChoice> | undefined;
  return choice && isMethod(choice.cart) && isMethod(choice.product)
    ? {
        backtest: choice.backtest ?? null,
        cart: choice.cart,
        product: choice.product,
        recent: choice.recent ?? {},
      }
    : undefined;
}

/** The merchant's evidence from a stored model, without building its models. */
export function storedEvidence(data: string): ModelEvidence | null {
  return modelEvidence(
    choiceFromJSON((JSON.parse(data) as { choice?: unknown }).choice),
  );
}

/** What the merchant is shown of the backtest: Cartlift's picks for carts against the best sellers. */
export interface ModelEvidence {
  /** Orders scored (the last ones with two or more products). */
  orders: number;
  cutoff: string;
  /** Share of those orders whose hidden item the served cart method had in its top 10. */
  picks: Interval;
  bestSellers: Interval;
  served: { cart: Method; product: Method };
}

export function modelEvidence(
  choice: ServingChoice | undefined,
): ModelEvidence | null {
  const report = choice?.backtest;
  if (!choice || !report) return null;
  const hr10 = (method: Method) =>
    report.cart.scores.find((s) => s.method === method)?.hr10;
  const picks = hr10(choice.cart);
  const bestSellers = hr10("popularity");
  if (!picks || !bestSellers) return null;
  return {
    orders: report.cart.cases,
    cutoff: report.cutoff,
    picks,
    bestSellers,
    served: { cart: choice.cart, product: choice.product },
  };
}

/** Which backtest placement judges a storefront placement; upgrades are not ranked by these. */
export function backtestPlacement(placement: Placement): BacktestPlacement {
  return placement === "product_fbt" || placement === "product_upgrade"
    ? "product"
    : "cart";
}

/** The method a placement serves under the shop's last training (the model when none chose). */
export function servedMethod(
  models: Pick<TrainedModel, "choice">,
  placement: Placement,
): Method {
  return models.choice?.[backtestPlacement(placement)] ?? "model";
}

/** A fixed list as a completion scorer: the same best sellers whatever the cart. */
function listCompletion(
  entries: readonly (readonly [string, number])[],
): CartCompletion {
  const scores = new Map(entries);
  return {
    score: (productId) => scores.get(productId) ?? 0,
    top: (limit) =>
      entries
        .filter(([, score]) => score > 0)
        .slice(0, limit)
        .map(([productId, score]) => ({ productId, score })),
  };
}

/** Orders holding both, summed over the cart's products (the co-purchase counts). */
function cooccurrenceCompletion(
  stats: CoPurchaseStats,
  cart: readonly string[],
): CartCompletion {
  const scores = new Map<string, number>();
  for (const anchor of cart)
    for (const [partner, pair] of stats.pairs.get(anchor) ?? [])
      scores.set(partner, (scores.get(partner) ?? 0) + pair.orders);
  for (const anchor of cart) scores.delete(anchor);
  const ranked = [...scores].sort(
    (a, b) => b[1] - a[1] || compareIds(a[0], b[0]),
  );
  return listCompletion(ranked);
}

/**
 * The scorer of a method, for the ranker: the model as before, a list for the simple methods, and
 * for a blend each part scaled to a best of 1, then weighted, as the backtest scored it.
 */
export function methodScorer(
  models: TrainedModel,
  method: Method,
): CartCompletionScorer {
  if (method === "model") return completionScorer(models.cartModel);
  if (method === "popularity") {
    const { items, orderCounts } = models.cartModel;
    const list = items
      .slice(0, LIST_LENGTH)
      .map((id, i): [string, number] => [id, orderCounts[i]]);
    return () => listCompletion(list);
  }
  if (method === "co-occurrence")
    return (cart) => cooccurrenceCompletion(models.copurchase, cart);
  if (method in BLENDS) {
    const parts = Object.entries(BLENDS[method as keyof typeof BLENDS]).map(
      ([part, weight]) => ({
        scorer: methodScorer(models, part as Method),
        weight,
      }),
    );
    return (cart, context) => {
      const scored = parts.map(({ scorer, weight }) => {
        const completion = scorer(cart, context);
        const best = completion.top(1)[0]?.score ?? 0;
        return { completion, scale: best > 0 ? weight / best : 0 };
      });
      const score = (productId: string) =>
        scored.reduce((s, p) => s + p.scale * p.completion.score(productId), 0);
      return {
        score,
        top: (limit) => {
          const ids = new Set(
            scored.flatMap((p) =>
              p.completion.top(limit).map((o) => o.productId),
            ),
          );
          return [...ids]
            .map((productId) => ({ productId, score: score(productId) }))
            .filter((o) => o.score > 0)
            .sort(
              (a, b) =>
                b.score - a.score || compareIds(a.productId, b.productId),
            )
            .slice(0, limit);
        },
      };
    };
  }
  const list = models.choice?.recent[method] ?? [];
  return () => listCompletion(list);
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

/**
 * A signed-in customer's scorer: in a cart or after checkout, the cart model's scores mixed with
 * what the customer owns and re-buys (`personalCartScores`, the ranking Protocol C chose, decision
 * 023); on a product page `plain`'s, as Protocol B has no customers. The completion says it is
 * personal, so the ranker does not weigh the customer's re-buys into its scores a second time.
 */
export function personalCompletionScorer(
  model: CartModel,
  shopper: Shopper,
  plain: CartCompletionScorer,
): CartCompletionScorer {
  return (cart, context) => {
    if (context === "product" && cart.length === 1) return plain(cart, context);
    const scores = personalCartScores(model, cart, shopper);
    // Held-back products score -Infinity: nothing to offer, so nothing to add.
    const finite = (v: number) => (Number.isFinite(v) ? v : 0);
    return {
      personal: true,
      score: (productId) => {
        const i = model.index.get(productId);
        return i === undefined ? 0 : finite(scores[i]);
      },
      top: (limit) =>
        topK(model, cart, limit, undefined, Float64Array.from(scores))
          .filter((item) => item.score > 0)
          .map((item) => ({ productId: item.id, score: item.score })),
    };
  };
}
