import prisma from "~/db.server";
import { parseStringList } from "~/services/platform/string-list";
import { rankOffers } from "~/engine/ranking";
import { servedWeights } from "~/engine/strategies";
import type {
  MerchantBundle,
  MerchantRule,
  Offer,
  Reason,
  Placement,
  RecommendationContext,
} from "~/engine/types";
import type { Shopper } from "~/engine/personal";
import {
  type Recommender,
  recommenderFor,
} from "~/services/model/model.server";
import { env } from "~/env.server";
import { cachedForShop } from "./serving-cache.server";
import type { LazyVisitorKey } from "~/services/measurement/attribution.server";
import { AnswerMemo, stateId } from "./answer-memo.server";
import {
  NO_POLICY,
  type PlacementPolicy,
  placementPolicy,
} from "~/services/experiments/placement-policy.server";

export interface PlacementSettings {
  enabled: boolean;
  maxOffers: number;
  strategy: string;
  showReasons: boolean;
  priceBandPct: number;
}

export const DEFAULT_PLACEMENT_SETTINGS: Record<Placement, PlacementSettings> =
  {
    product_fbt: {
      enabled: true,
      maxOffers: 2,
      strategy: "blended",
      showReasons: true,
      priceBandPct: 50,
    },
    product_upgrade: {
      enabled: true,
      maxOffers: 1,
      strategy: "blended",
      showReasons: true,
      priceBandPct: 50,
    },
    cart: {
      enabled: true,
      maxOffers: 4,
      strategy: "blended",
      showReasons: true,
      priceBandPct: 50,
    },
    drawer: {
      enabled: true,
      maxOffers: 3,
      strategy: "blended",
      showReasons: true,
      priceBandPct: 50,
    },
    post_purchase: {
      enabled: true,
      maxOffers: 1,
      strategy: "blended",
      showReasons: true,
      priceBandPct: 50,
    },
  };

export async function placementSettings(
  shop: string,
  placement: Placement,
): Promise<PlacementSettings> {
  // All of the shop's placements in one cached read: one row per placement, a handful at most.
  const rows = await cachedForShop(shop, "placements", async () => {
    const found = await prisma.placementSetting.findMany({
      where: { shop },
      select: {
        placement: true,
        enabled: true,
        maxOffers: true,
        strategy: true,
        showReasons: true,
        priceBandPct: true,
      },
    });
    return new Map(
      found.map(
        ({ placement: p, ...settings }): [string, PlacementSettings] => [
          p,
          settings,
        ],
      ),
    );
  });
  return rows.get(placement) ?? DEFAULT_PLACEMENT_SETTINGS[placement];
}

/** Stored upsell rules in the engine's shape. */
export function merchantRules(shop: string): Promise<MerchantRule[]> {
  return cachedForShop(shop, "rules", () => loadMerchantRules(shop));
}

async function loadMerchantRules(shop: string): Promise<MerchantRule[]> {
  const rows = await prisma.upsellRule.findMany({
    where: { shop, active: true },
    select: {
      id: true,
      triggerType: true,
      triggerValue: true,
      action: true,
      targetProductIds: true,
      priority: true,
    },
    orderBy: { priority: "desc" },
  });
  return rows.flatMap((row): MerchantRule[] => {
    const when =
      row.triggerType === "product"
        ? ({ type: "product", productId: row.triggerValue } as const)
        : row.triggerType === "collection"
          ? ({ type: "collection", collection: row.triggerValue } as const)
          : row.triggerType === "tag"
            ? ({ type: "tag", tag: row.triggerValue } as const)
            : ({ type: "any" } as const);
    const targets = parseStringList(row.targetProductIds);
    return targets.map((productId, i) =>
      row.action === "exclude"
        ? {
            id: `${row.id}:${i}`,
            when,
            priority: row.priority,
            action: "exclude",
            target: { type: "product", productId },
          }
        : {
            id: `${row.id}:${i}`,
            when,
            priority: row.priority,
            action: "pin",
            productId,
          },
    );
  });
}

/**
 * The shop's global settings, parsed once per cache load: exclusions (tags, and products as
 * rules) and whether signed-in shoppers get personal offers.
 */
function shopSettings(shop: string) {
  return cachedForShop(shop, "exclusions", async () => {
    const row = await prisma.shop.findUnique({
      where: { shop },
      select: {
        excludedTags: true,
        excludedProductIds: true,
        personalisation: true,
      },
    });
    const excludedProducts = parseStringList(row?.excludedProductIds ?? "[]");
    return {
      personalisation: row?.personalisation ?? true,
      excludedTags: parseStringList(row?.excludedTags ?? "[]"),
      excludeRules: excludedProducts.map((productId): MerchantRule => ({
        id: `shop-exclude:${productId}`,
        when: { type: "any" },
        priority: 0,
        action: "exclude",
        target: { type: "product", productId },
      })),
    };
  });
}

/** An offer as a placement shows it: without its reason where the settings hide reasons. */
export type ShownOffer = Omit<Offer, "reason"> & { reason: Reason | null };

export interface RecommendationResult {
  settings: PlacementSettings;
  /** Whether the ranking came from the answer memo. */
  memo: "hit" | "miss" | "off";
  offers: ShownOffer[];
  modelId: string | null;
  /** Experiment arm and learned count behind these offers (decision 012); NO_POLICY without a visitor. */
  policy: PlacementPolicy;
  /** The answer memo's key of this ranking, null when nothing was ranked: see `answerView`. */
  memoKey: string | null;
}

const DAY_MS = 86_400_000;

/**
 * A signed-in customer as the ranking sees them: their profile, the shop's re-buy counts and
 * re-order intervals, and the day they ask (re-order windows are counted in days, so answers
 * within a day are alike and can be memoised). Undefined when they bought nothing yet: they get
 * the anonymous offers.
 */
export function shopperFor(
  recommender: Recommender,
  customerKey: string,
  now: number,
): Shopper | undefined {
  const customers = recommender.customers;
  const profile = customers?.profiles.get(customerKey);
  if (!customers || !profile || profile.products.size === 0) return undefined;
  return {
    profile,
    now: Math.floor(now / DAY_MS) * DAY_MS,
    replenishment: customers.replenishment,
    rebuy: customers.rebuy,
  };
}

const answers = new AnswerMemo<Offer[]>(
  env.ANSWER_MEMO_ENTRIES,
  env.ANSWER_MEMO_MB * 1_000_000,
);

/**
 * Work derived from a result's offers alone (the storefront's Liquid), kept in the answer memo
 * beside them under `name`, which holds everything else it depends on.
 */
export function answerView<V>(
  result: RecommendationResult,
  name: string,
  make: () => V,
): V {
  return result.memoKey === null
    ? make()
    : answers.view(result.memoKey, name, make);
}

/** A customer's redaction: no answer ranked for them is served again from this instance's memo. */
export function forgetCustomerAnswers(customerKey: string): number {
  const named = JSON.stringify(customerKey);
  return answers.forget((key) => key.includes(named));
}

/**
 * Offers for one placement, honouring the merchant's placement settings, rules and exclusions,
 * from one ranking: upsells carry their step up, and a merchant bundle (passed by the caller) that
 * can be sold whole comes back as the offers. With a storefront visitor's key, a running
 * experiment's arm (a hold-out gets no offers) or the learned offer count adjust strategy and
 * count; see placement-policy.server.ts.
 */
export async function recommend(
  shop: string,
  {
    placement,
    context,
    limit,
    visitorKey,
    customerKey,
    bundle,
    now = Date.now(),
  }: {
    placement: Placement;
    context: RecommendationContext;
    limit?: number;
    /** The visitor's key, or how to compute it: computed only when an experiment or the bandit reads it. */
    visitorKey?: LazyVisitorKey;
    /** The signed-in customer's pseudonymous key (pseudonym.server.ts customerKey). */
    customerKey?: string;
    bundle?: MerchantBundle;
    now?: number;
  },
): Promise<RecommendationResult> {
  const [placementSetting, rules, shopRow, recommender] = await Promise.all([
    placementSettings(shop, placement),
    merchantRules(shop),
    shopSettings(shop),
    recommenderFor(shop),
  ]);
  // A disabled placement shows nothing to anyone: no arm to assign, no exposure to log.
  const policy =
    visitorKey && placementSetting.enabled
      ? await placementPolicy(shop, placement, visitorKey)
      : NO_POLICY;
  const settings = {
    ...placementSetting,
    strategy: policy.strategy ?? placementSetting.strategy,
  };
  // Nothing ranked, so no widget at all: merchant bundles included (decision 012).
  if (!settings.enabled || policy.holdout)
    return {
      settings,
      memo: "off",
      offers: [],
      modelId: recommender.modelId,
      policy,
      memoKey: null,
    };
  // On the default strategy a placement serves what the shop's backtest chose (decision 021); a
  // strategy the merchant or an experiment picked is served as it is.
  const served =
    settings.strategy === "blended"
      ? recommender.served?.(placement)
      : undefined;
  // An arm's or the bandit's count is the thing under test: the block's own limit does not cut it.
  const count =
    policy.offerCount ??
    Math.min(limit ?? settings.maxOffers, settings.maxOffers);
  const shopper =
    customerKey && shopRow.personalisation
      ? shopperFor(recommender, customerKey, now)
      : undefined;
  // Everything the ranking below reads: the state objects by identity, the rest by value. A
  // customer's profile grows in place as their orders arrive, so its order count is its version;
  // anonymous shoppers and customers without history share the anonymous entries.
  const key = JSON.stringify([
    shop,
    stateId(recommender),
    stateId(rules),
    stateId(shopRow),
    placement,
    context,
    count,
    settings.strategy,
    settings.priceBandPct,
    bundle ?? null,
    shopper ? [customerKey, shopper.profile.orderIds.size, shopper.now] : null,
  ]);
  const { value: offers, memo } = answers.answer(key, () =>
    rankOffers(recommender.ranking, {
      placement,
      context,
      rules: [...rules, ...shopRow.excludeRules],
      limit: count,
      weights: servedWeights(settings.strategy, served?.method ?? "model"),
      // A signed-in customer's cart is scored with what they own when the model serves it.
      completion:
        shopper && (served?.method ?? "model") === "model"
          ? recommender.personal?.(shopper)
          : (served?.completion ?? recommender.completion),
      excludeTags: shopRow.excludedTags,
      maxIncreaseBps: settings.priceBandPct * 100,
      bundle,
      shopper,
    }),
  );
  return {
    settings,
    memo,
    modelId: recommender.modelId,
    policy,
    memoKey: key,
    offers: offers.map((offer) => ({
      ...offer,
      // The placement's setting hides the engine's explanations; a merchant bundle's line is the
      // merchant's own, hidden only by the storefront block's setting.
      reason:
        settings.showReasons || offer.kind === "bundle" ? offer.reason : null,
    })),
  };
}
