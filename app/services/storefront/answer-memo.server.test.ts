import { describe, expect, it, vi } from "vitest";
import { trainModels } from "~/engine/shop-model";
import type { Placement, RecommendationContext } from "~/engine/types";
import { engineOrder as order, seedSmallShop } from "../../../test/fixtures";
import {
  forgetRecommender,
  recommenderFor,
  refreshRecommender,
  storeModel,
} from "~/services/model/model.server";
import { saveGlobal } from "~/services/merchandising/settings.server";
import { verifyOfferToken } from "~/services/measurement/attribution.server";
import { AnswerMemo, stateId } from "./answer-memo.server";
import { type StorefrontRequest, storefrontAnswer } from "./offers.server";
import { recommend } from "./recommendations.server";

describe("answer memo bounds", () => {
  it("drops the least recently used entry beyond its entry bound", () => {
    const memo = new AnswerMemo<string>(2, 1_000_000);
    memo.answer("a", () => "A");
    memo.answer("b", () => "B");
    expect(memo.answer("a", () => "fresh").memo).toBe("hit");
    memo.answer("c", () => "C");
    expect(memo.size).toBe(2);
    expect(memo.answer("a", () => "fresh").value).toBe("A");
    expect(memo.answer("b", () => "fresh")).toEqual({
      value: "fresh",
      memo: "miss",
    });
  });

  it("keeps its bytes under its byte bound, and never keeps an answer larger than it", () => {
    const memo = new AnswerMemo<string>(100, 200);
    for (const key of ["k1", "k2", "k3", "k4"])
      memo.answer(key, () => "x".repeat(30));
    expect(memo.sizeBytes).toBeLessThanOrEqual(200);
    expect(memo.size).toBe(2);
    const big = () => "x".repeat(500);
    memo.answer("big", big);
    expect(memo.answer("big", big).memo).toBe("miss");
    expect(memo.size).toBe(2);
  });

  it("computes every answer when it has no room (turned off)", () => {
    const memo = new AnswerMemo<number>(0, 1_000_000);
    let computed = 0;
    memo.answer("a", () => ++computed);
    expect(memo.answer("a", () => ++computed)).toEqual({
      value: 2,
      memo: "off",
    });
  });

  it("forgets the entries whose key it is told to, and only those", () => {
    const memo = new AnswerMemo<string>(10, 1_000_000);
    for (const key of ['["a","c1"]', '["b","c1"]', '["a",null]'])
      memo.answer(key, () => key);
    const bytes = memo.sizeBytes;
    expect(memo.forget((key) => key.includes('"c1"'))).toBe(2);
    expect(memo.size).toBe(1);
    expect(memo.sizeBytes).toBeLessThan(bytes);
    expect(memo.answer('["a",null]', () => "fresh").memo).toBe("hit");
    expect(memo.answer('["a","c1"]', () => "fresh").memo).toBe("miss");
  });

  it("keeps a view with its entry, counted in its bytes, and drops it with the entry", () => {
    const memo = new AnswerMemo<string>(1, 1_000_000);
    let made = 0;
    const view = () => memo.view("a", "v", () => `view ${++made}`);
    // No entry to keep it with: made each time.
    expect([view(), view()]).toEqual(["view 1", "view 2"]);
    memo.answer("a", () => "A");
    const bytes = memo.sizeBytes;
    expect([view(), view()]).toEqual(["view 3", "view 3"]);
    expect(memo.sizeBytes).toBe(bytes + 2 * ("v".length + '"view 3"'.length));
    // "b" takes the only place: "a" goes, and its view with it.
    memo.answer("b", () => "B");
    memo.answer("a", () => "A");
    expect(view()).toBe("view 4");
  });

  it("drops older entries when a view takes it over its byte bound", () => {
    const memo = new AnswerMemo<string>(10, 100);
    memo.answer("a", () => "A");
    memo.answer("b", () => "B");
    memo.view("b", "v", () => "x".repeat(40));
    expect(memo.answer("a", () => "fresh").memo).toBe("miss");
    expect(memo.sizeBytes).toBeLessThanOrEqual(100);
  });

  it("names each object by its identity", () => {
    const a = {};
    expect(stateId(a)).toBe(stateId(a));
    expect(stateId(a)).not.toBe(stateId({}));
  });
});

const SHOP = "answer-memo.myshopify.com";

const REQUESTS: { placement: Placement; context: RecommendationContext }[] = [
  ...[
    ["1"],
    ["2"],
    ["3"],
    ["1", "2"],
    ["2", "1"],
    ["1", "3"],
    ["1", "2", "3"],
  ].map((productIds) => ({
    placement: "cart" as const,
    context: { type: "cart" as const, productIds },
  })),
  ...["1", "2", "3"].map((productId) => ({
    placement: "product_fbt" as const,
    context: { type: "product" as const, productId },
  })),
];

async function seedTrained(pairs: string[][], shop = SHOP) {
  const orders = pairs.map((ids, k) => order(`o${k}`, ids));
  return storeModel(shop, trainModels(orders), {
    orders: orders.length,
    products: 3,
    trainMs: 0,
  });
}

describe("storefront answers from the memo", () => {
  it("equal the answers of a fresh ranking, and a merchant's or a model's change is never answered from it", async () => {
    await seedSmallShop(SHOP);
    await seedTrained([
      ["1", "2"],
      ["1", "2"],
      ["1", "3"],
    ]);
    const answers = async () => {
      const results = [];
      for (const request of REQUESTS)
        results.push(await recommend(SHOP, request));
      return results;
    };

    const first = await answers();
    expect(first.map((r) => r.memo)).toEqual(REQUESTS.map(() => "miss"));
    const memoised = await answers();
    expect(memoised.map((r) => r.memo)).toEqual(REQUESTS.map(() => "hit"));
    expect(memoised.map((r) => r.offers)).toEqual(first.map((r) => r.offers));
    // A state rebuilt from the database ranks afresh, to the same offers.
    forgetRecommender(SHOP);
    const rebuilt = await answers();
    expect(rebuilt.map((r) => r.memo)).toEqual(REQUESTS.map(() => "miss"));
    expect(rebuilt.map((r) => r.offers)).toEqual(first.map((r) => r.offers));

    // The merchant excludes product 2: the next answers are ranked again, without it.
    await saveGlobal(SHOP, {
      marginFloorPct: "10",
      attributionWindowDays: "30",
      excludedTags: "",
      excludedProductIds: JSON.stringify(["2"]),
    });
    const excluded = await answers();
    expect(excluded.map((r) => r.memo)).toEqual(REQUESTS.map(() => "miss"));
    expect(
      excluded.flatMap((r) => r.offers.map((o) => o.productId)),
    ).not.toContain("2");
    expect(excluded.some((r) => r.offers.length > 0)).toBe(true);

    // A new model (1 now goes with 3) replaces the serving state: answered from it, not the memo.
    const warm = await recommenderFor(SHOP);
    await seedTrained([
      ["1", "3"],
      ["1", "3"],
      ["1", "3"],
    ]);
    refreshRecommender(SHOP);
    await vi.waitFor(async () =>
      expect(await recommenderFor(SHOP)).not.toBe(warm),
    );
    const retrained = await answers();
    expect(retrained.map((r) => r.memo)).toEqual(REQUESTS.map(() => "miss"));
    forgetRecommender(SHOP);
    expect((await answers()).map((r) => r.offers)).toEqual(
      retrained.map((r) => r.offers),
    );
  });
});

const STOREFRONT = "answer-memo-liquid.myshopify.com";

const STOREFRONT_REQUESTS: StorefrontRequest[] = [
  ...[["1"], ["1", "2"], ["3", "1"]].map((cart) => ({
    placement: "cart" as const,
    cart,
    showReasons: true,
  })),
  { placement: "drawer", cart: ["1"], showReasons: false },
  ...["1", "2"].map((productId) => ({
    placement: "product_fbt" as const,
    productId,
    cart: [],
    showReasons: true,
  })),
  {
    placement: "product_fbt",
    productId: "1",
    variantId: "91",
    cart: [],
    showReasons: false,
  },
];

describe("storefront Liquid kept beside the memo's offers", () => {
  it("is what a fresh rendering gives, with each request's own tokens", async () => {
    await seedSmallShop(STOREFRONT);
    await seedTrained(
      [
        ["1", "2"],
        ["1", "2"],
        ["1", "3"],
        ["2", "3"],
      ],
      STOREFRONT,
    );
    const second = (s: number) => new Date(Date.UTC(2026, 11, 1, 0, 0, s));
    const answers = async (now: Date) => {
      const results = [];
      for (const request of STOREFRONT_REQUESTS)
        results.push(await storefrontAnswer(STOREFRONT, request, now));
      return results;
    };

    const first = await answers(second(0));
    expect(first.map((a) => a.memo)).toEqual(
      STOREFRONT_REQUESTS.map(() => "miss"),
    );
    const memoised = await answers(second(5));
    expect(memoised.map((a) => a.memo)).toEqual(
      STOREFRONT_REQUESTS.map(() => "hit"),
    );
    // A state rebuilt from the database ranks and renders afresh, at the same time.
    forgetRecommender(STOREFRONT);
    const fresh = await answers(second(5));
    expect(fresh.map((a) => a.memo)).toEqual(
      STOREFRONT_REQUESTS.map(() => "miss"),
    );
    expect(memoised.map((a) => a.liquid)).toEqual(fresh.map((a) => a.liquid));

    // The memo's Liquid carries the tokens of the request it answers, not those it was made with.
    const tokens = memoised.flatMap((a) =>
      [...a.liquid.matchAll(/data-token="([^"]+)"/g)].map((m) => m[1]),
    );
    expect(tokens.length).toBeGreaterThan(STOREFRONT_REQUESTS.length);
    for (const token of tokens)
      expect(verifyOfferToken(STOREFRONT, token)?.issuedAt).toEqual(second(5));
    expect(memoised.map((a) => a.liquid)).not.toEqual(
      first.map((a) => a.liquid),
    );
  });
});
