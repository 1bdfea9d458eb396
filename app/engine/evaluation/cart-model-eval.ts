import { cartModelScorer } from "../backtest";
import {
  trainCartModel,
  type CartModel,
  type CartModelOptions,
  type TrainTimings,
} from "../cart-model";
import {
  cooccurrenceScorer,
  evaluateProtocolA,
  evaluateProtocolB,
  popularityScorer,
  protocolACases,
  splitOrders,
  trainPopularity,
  type ResultA,
  type ResultB,
  type ScorerFactory,
  type SplitName,
} from "./protocol";
import type { OrderInput } from "../cart-model";
import { buildRankingModel, rankOffers, type RankingModel } from "../ranking";
import { completionScorer, trainModels } from "../shop-model";
import type { CartCompletionScorer, CatalogProduct } from "../types";
import {
  evaluateProtocolC,
  PERSONAL_GRID,
  type CustomerOrder,
  type ProtocolCResult,
} from "./protocol-c";
import {
  EASE_BASELINE_LAMBDA,
  EASE_BASELINE_LAMBDAS,
  easeBaselineOptions,
  RP3_BASELINE,
  RP3_BASELINE_GRID,
  rp3BaselineOptions,
} from "./baselines";

/** What an order export says of each SKU, for the storefront ranking's catalog. */
export interface CatalogDescription {
  titles: ReadonlyMap<string, string>;
  /** Minor units. */
  unitPrices: ReadonlyMap<string, number>;
  currency: string;
}

/** Offers per list when the storefront ranking is scored: what the protocols' top 10 need. */
const STOREFRONT_LIST = 10;

/**
 * The storefront's own ranking, as shipped (`rankOffers`: the default blend of the cart model,
 * co-purchase evidence, content and popularity, then diversification), on a protocol: its offers
 * score from STOREFRONT_LIST down to 1, everything after them falls to the protocol's back-fill.
 */
export function storefrontScorer(
  ranking: RankingModel,
  completion: CartCompletionScorer,
  placement: "cart" | "product_fbt",
): ScorerFactory {
  return (catalog) => {
    const position = new Map(catalog.map((sku, c) => [sku, c]));
    return (cart) => {
      const offers = rankOffers(ranking, {
        placement,
        context:
          placement === "cart"
            ? { type: "cart", productIds: cart }
            : { type: "product", productId: cart[0] },
        limit: STOREFRONT_LIST,
        completion,
      });
      const out = new Float64Array(catalog.length);
      offers.forEach((offer, k) => {
        const c = position.get(offer.productId);
        if (c !== undefined) out[c] = STOREFRONT_LIST - k;
      });
      return out;
    };
  };
}

/** Train orders and their SKUs as a shop's orders and products, then the shop's models. */
function storefrontScorers(
  train: readonly OrderInput[],
  catalog: readonly string[],
  description: CatalogDescription,
): [ScorerFactory, ScorerFactory] {
  const price = (sku: string) => ({
    amount: description.unitPrices.get(sku) ?? 0,
    currency: description.currency,
  });
  const products: CatalogProduct[] = catalog.map((sku) => ({
    id: sku,
    title: description.titles.get(sku) ?? sku,
    handle: sku.toLowerCase(),
    productType: "",
    vendor: "",
    tags: [],
    collections: [],
    variants: [
      {
        id: sku,
        productId: sku,
        title: "",
        sku,
        options: [],
        price: price(sku),
        inventoryQuantity: null,
        availableForSale: true,
      },
    ],
  }));
  const { cartModel, copurchase } = trainModels(
    train.map((o) => ({
      id: o.id,
      // The export's local times carry no offset: read them as UTC, like the cart model does.
      createdAt: `${o.createdAt}Z`,
      lines: [...new Set(o.items)].map((sku) => ({
        productId: sku,
        quantity: 1,
        price: price(sku),
      })),
    })),
  );
  const ranking = buildRankingModel({ products, copurchase });
  const completion = completionScorer(cartModel);
  return [
    storefrontScorer(ranking, completion, "cart"),
    storefrontScorer(ranking, completion, "product_fbt"),
  ];
}

export interface StrategyResult {
  name: string;
  /** One of the reference baselines the model is compared with. */
  baseline: boolean;
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
  /** Protocol C: the cart model with and without the customers' own histories. */
  protocolC: ProtocolCResult;
  /** Protocol A HR@10 of every baseline setting tried, when asked to tune them. */
  baselineGrid?: { name: string; hr10: number }[];
}

export interface EvaluationOptions {
  model?: Partial<CartModelOptions>;
  baselines?: boolean;
  /** Also score the storefront's ranking as shipped, on this description of the catalog. */
  storefront?: CatalogDescription;
  /** Score the baselines' grids on Protocol A (to choose their settings on validation). */
  tuneBaselines?: boolean;
  /** Score the personal ranking's grid on Protocol C (to choose its settings on validation). */
  tunePersonal?: boolean;
}

const easeName = (lambda: number) => `EASE^R(λ=${lambda})`;
const rp3Name = (p: { alpha: number; beta: number }) =>
  `RP3beta(α=${p.alpha},β=${p.beta})`;

/** The best of the baselines on Protocol A HR@10 (the first of equals). */
export function bestBaseline(
  strategies: readonly StrategyResult[],
): StrategyResult | undefined {
  let best: StrategyResult | undefined;
  for (const s of strategies)
    if (s.baseline && (!best || s.a.hr10 > best.a.hr10)) best = s;
  return best;
}

/** Trains on the split's train orders only and scores both protocols. */
export function evaluateCartModel(
  orders: readonly CustomerOrder[],
  split: SplitName,
  options: EvaluationOptions = {},
): EvaluationReport {
  const data = splitOrders(orders, split);
  const cases = protocolACases(data.evaluation);
  const strategies: StrategyResult[] = [];
  const run = (
    name: string,
    factory: () => [ScorerFactory, ScorerFactory],
    baseline = false,
  ) => {
    const t = performance.now();
    const [cart, product] = factory();
    const trainMs = performance.now() - t;
    strategies.push({
      name,
      baseline,
      trainMs,
      a: evaluateProtocolA(data, cart, cases),
      b: evaluateProtocolB(data, product),
    });
  };
  const timings: Partial<TrainTimings> = {};
  let model: CartModel | undefined;
  run("cartlift", () => {
    model = trainCartModel(data.train, options.model, timings);
    return [cartModelScorer(model, "cart"), cartModelScorer(model, "product")];
  });
  const protocolC = evaluateProtocolC(
    model!,
    data,
    undefined,
    options.tunePersonal ? PERSONAL_GRID : undefined,
  );
  const { storefront } = options;
  if (storefront) {
    run("storefront", () =>
      storefrontScorers(
        data.train,
        trainPopularity(data.train).catalog,
        storefront,
      ),
    );
  }
  const { threads } = options.model ?? {};
  // A baseline scores product pages with its cart scorer: the textbook models have one scorer.
  const fitted = (opts: Partial<CartModelOptions>): ScorerFactory => {
    const model = trainCartModel(data.train, { ...opts, threads });
    return cartModelScorer(model, "cart");
  };
  if (options.baselines !== false) {
    run("popularity", () => [popularityScorer, popularityScorer], true);
    run(
      "co-occurrence",
      () => {
        const scorer = cooccurrenceScorer(data.train);
        return [scorer, scorer];
      },
      true,
    );
    run(
      easeName(EASE_BASELINE_LAMBDA),
      () => {
        const scorer = fitted(easeBaselineOptions(EASE_BASELINE_LAMBDA));
        return [scorer, scorer];
      },
      true,
    );
    run(
      rp3Name(RP3_BASELINE),
      () => {
        const scorer = fitted(
          rp3BaselineOptions(RP3_BASELINE.alpha, RP3_BASELINE.beta, data.train),
        );
        return [scorer, scorer];
      },
      true,
    );
  }
  const baselineGrid = options.tuneBaselines
    ? [
        ...EASE_BASELINE_LAMBDAS.map((lambda) => ({
          name: easeName(lambda),
          options: easeBaselineOptions(lambda),
        })),
        ...RP3_BASELINE_GRID.map((p) => ({
          name: rp3Name(p),
          options: rp3BaselineOptions(p.alpha, p.beta, data.train),
        })),
      ].map(({ name, options: opts }) => ({
        name,
        hr10: evaluateProtocolA(data, fitted(opts), cases).hr10,
      }))
    : undefined;
  return {
    split,
    trainOrders: data.train.length,
    evaluationOrders: data.evaluation.length,
    timings,
    strategies,
    protocolC,
    ...(baselineGrid ? { baselineGrid } : {}),
  };
}
