import { cartModelScorer } from "../backtest";
import {
  trainCartModel,
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
  /** Also score the storefront's ranking as shipped, on this description of the catalog. */
  storefront?: CatalogDescription;
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
