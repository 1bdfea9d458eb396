import { describe, expect, it } from "vitest";
import { scoreCart, trainCartModel } from "./cart-model";
import { buildCustomerProfiles, rebuyStats } from "./customer-profile";
import {
  DEFAULT_PERSONAL_OPTIONS,
  ownership,
  personalCartScores,
  tierInBand,
} from "./personal";
import type { ReplenishmentModel } from "./replenishment";
import { completionScorer, personalCompletionScorer } from "./shop-model";

const DAY_MS = 86_400_000;
const NOW = Date.UTC(2024, 5, 1);

// Four pairs always bought together.
const model = trainCartModel(
  Array.from({ length: 80 }, (_, n) => ({
    id: String(n),
    createdAt: `2024-01-${String(1 + (n % 28)).padStart(2, "0")}T10:00:00`,
    items: [`X${n % 4}`, `Y${n % 4}`],
  })),
);

function shopperWho(bought: { id: string; daysAgo: number }[]) {
  const profiles = buildCustomerProfiles(
    bought.map(({ id, daysAgo }, k) => ({
      id: `o${k}`,
      createdAt: new Date(NOW - daysAgo * DAY_MS),
      customerKey: "ann",
      lines: [
        { productId: id, quantity: 1, price: { amount: 100, currency: "GBP" } },
      ],
    })),
  );
  return profiles.get("ann")!;
}

// Y2 is a consumable re-bought every 30 days or so.
const replenishment: ReplenishmentModel = {
  config: {
    minCustomers: 3,
    minIntervals: 5,
    minGapDays: 1,
    minRepeatShare: 0.2,
    confidenceZ: 1.645,
  },
  products: {
    Y2: {
      productId: "Y2",
      medianDays: 30,
      q1Days: 25,
      q3Days: 35,
      iqrDays: 10,
      intervals: 20,
      customers: 8,
      buyers: 10,
      repeatShare: 0.8,
      repeatShareLower: 0.55,
    },
  },
};

// Round 4's settings: each owned product's score scaled by its share, a due consumable brought
// forward; `mix: "cart"` is tested apart.
const SCALE = {
  ...DEFAULT_PERSONAL_OPTIONS,
  mix: "scale" as const,
  dueWeight: 0.25,
};
const DUE_ONLY = { ...SCALE, reoffer: "due" as const };

describe("personal cart scores", () => {
  it("holds back what the customer owns unless it is a consumable due again", () => {
    const profile = shopperWho([
      { id: "Y1", daysAgo: 5 },
      { id: "Y2", daysAgo: 31 },
      { id: "Y3", daysAgo: 2 },
    ]);
    const shopper = { profile, now: NOW, replenishment };
    expect(ownership(shopper, DUE_ONLY)).toEqual({
      held: new Set(["Y1", "Y3"]),
      due: new Map([["Y2", "due"]]),
      keep: new Map(),
    });
    const scores = personalCartScores(model, ["X0"], shopper, DUE_ONLY);
    const at = (id: string) => scores[model.index.get(id)!];
    expect(at("Y1")).toBe(-Infinity);
    expect(at("Y3")).toBe(-Infinity);
    // The due consumable comes forward, past what only the history speaks for.
    expect(at("Y2")).toBeGreaterThan(at("X3"));
    expect(at("Y2")).toBeGreaterThan(at("X1"));
    expect(at("Y2")).toBeGreaterThanOrEqual(DUE_ONLY.dueWeight);
    // Too early: held back like any other owned product when only due ones come back...
    const early = shopperWho([{ id: "Y2", daysAgo: 3 }]);
    expect(
      ownership({ profile: early, now: NOW, replenishment }, DUE_ONLY).held,
    ).toEqual(new Set(["Y2"]));
    // ...and offered again, though not brought forward, when any consumable may be.
    const again = ownership(
      { profile: early, now: NOW, replenishment },
      { ...SCALE, reoffer: "consumable" },
    );
    expect(again.held.size + again.due.size).toBe(0);
  });

  it("adds what goes with the customer's past purchases to the cart's own scores", () => {
    const profile = shopperWho([{ id: "Y3", daysAgo: 10 }]);
    const plain = scoreCart(model, ["X0"]);
    const withHistory = { ...SCALE, historyWeight: 0.5 };
    const personal = personalCartScores(
      model,
      ["X0"],
      { profile, now: NOW },
      withHistory,
    );
    const x3 = model.index.get("X3")!;
    const y0 = model.index.get("Y0")!;
    expect(personal[x3]).toBeGreaterThan(plain[x3]);
    expect(personal[x3]).toBeGreaterThan(0);
    // The cart still leads.
    expect(personal[y0]).toBeGreaterThan(personal[x3]);
    const none = personalCartScores(
      model,
      ["X0"],
      { profile, now: NOW },
      { ...withHistory, historyWeight: 0 },
    );
    expect(none[x3]).toBeLessThanOrEqual(plain[x3] / Math.max(...plain));
  });
});

describe("the re-buy rule", () => {
  // The shop's customers buy Y1 once and never again, and come back for Y2.
  const rebuy = rebuyStats(
    buildCustomerProfiles(
      Array.from({ length: 20 }, (_, c) => [
        {
          id: `a${c}`,
          createdAt: new Date(NOW - 60 * DAY_MS),
          customerKey: `c${c}`,
          lines: ["Y1", "Y2"].map((productId) => ({
            productId,
            quantity: 1,
            price: { amount: 100, currency: "GBP" },
          })),
        },
        {
          id: `b${c}`,
          createdAt: new Date(NOW - 30 * DAY_MS),
          customerKey: `c${c}`,
          lines: [
            {
              productId: "Y2",
              quantity: 1,
              price: { amount: 100, currency: "GBP" },
            },
          ],
        },
      ]).flat(),
    ),
  );
  const options = {
    ...SCALE,
    reoffer: "rebuy" as const,
    rebuyPseudoCount: 2,
    dueWeight: 0,
  };
  const profile = shopperWho([
    { id: "Y1", daysAgo: 40 },
    { id: "Y2", daysAgo: 10 },
  ]);
  const shopper = { profile, now: NOW, rebuy };

  it("keeps an owned product's score as far as the shop's customers re-buy it", () => {
    // Y1 is X1's partner: the cart's best, until the customer owns one.
    const plain = scoreCart(model, ["X1"]);
    const y1 = model.index.get("Y1")!;
    expect(plain[y1]).toBe(Math.max(...plain));
    const scores = personalCartScores(model, ["X1"], shopper, options);
    expect(scores[y1]).toBeGreaterThan(0);
    expect(scores[y1]).toBeLessThan(0.1);
    // A staple the customer owns is still offered with the cart's score.
    const withStaple = personalCartScores(model, ["X2"], shopper, options);
    const y2 = model.index.get("Y2")!;
    expect(withStaple[y2]).toBeGreaterThan(0.9);
    // Without the shop's counts nothing owned is re-bought: held back.
    expect(ownership({ profile, now: NOW }, options).held).toEqual(
      new Set(["Y1", "Y2"]),
    );
  });

  it("re-offers only what the shop's customers are seen to re-buy under the proven rule", () => {
    const proven = { ...options, reoffer: "proven" as const, liftPower: 0.5 };
    const owned = ownership(shopper, proven);
    expect(owned.held).toEqual(new Set(["Y1"]));
    expect(owned.keep.get("Y2")).toBeGreaterThan(1);
    // A product the shop has no counts for is not proven: held back, as without the counts.
    const stranger = shopperWho([{ id: "Z9", daysAgo: 5 }]);
    expect(ownership({ ...shopper, profile: stranger }, proven).held).toEqual(
      new Set(["Z9"]),
    );
    expect(ownership({ profile, now: NOW }, proven).held).toEqual(
      new Set(["Y1", "Y2"]),
    );
  });

  it("brings forward what the customer re-buys, and not the durable", () => {
    const scores = personalCartScores(model, ["X3"], shopper, {
      ...options,
      repeatWeight: 1,
    });
    const without = personalCartScores(model, ["X3"], shopper, options);
    const at = (id: string) => scores[model.index.get(id)!];
    const y2 = model.index.get("Y2")!;
    expect(at("Y2")).toBeGreaterThan(without[y2] + 0.5);
    expect(at("Y2")).toBeGreaterThan(at("X1"));
    expect(at("Y1")).toBeLessThan(0.1);
    expect(at("Y1")).toBeLessThan(at("Y2"));
  });

  it("gives what the customer may re-buy the share of the scores that their cart gives to what they bought before, and never the durable", () => {
    const mixed = { ...DEFAULT_PERSONAL_OPTIONS, mix: "cart" as const };
    const y1 = model.index.get("Y1")!;
    const y2 = model.index.get("Y2")!;
    /** The staple's share of the scores outside the cart, held-back products aside. */
    const stapleShare = (cart: string[]) => {
      const scores = personalCartScores(model, cart, shopper, mixed);
      expect(scores[y1]).toBe(-Infinity);
      let total = 0;
      scores.forEach((v, j) => {
        if (!cart.includes(model.items[j]) && v > -Infinity) total += v;
      });
      return scores[y2] / total;
    };
    // None of the cart was bought before: (0 + 1) / (2 + 2) with the pseudo-count of 2.
    expect(stapleShare(["X2", "X3"])).toBeCloseTo(0.25, 10);
    // Half of it was (the durable, which stays held back): (1 + 1) / (2 + 2).
    expect(stapleShare(["Y1", "X3"])).toBeCloseTo(0.5, 10);
    // The durable is X1's partner, the cart's best without a customer: held back all the same.
    expect(personalCartScores(model, ["X1"], shopper, mixed)[y1]).toBe(
      -Infinity,
    );
  });

  it("serves a signed-in customer's cart with these scores, and their product page as anyone's", () => {
    const plain = completionScorer(model);
    const served = personalCompletionScorer(model, shopper, plain);
    const scores = personalCartScores(model, ["X1"], shopper);
    const cart = served(["X1"], "cart");
    expect(cart.personal).toBe(true);
    // The durable Y1, the cart's best for anyone, is held back: no score, not a candidate.
    expect(plain(["X1"], "cart").top(1)[0].productId).toBe("Y1");
    expect(cart.score("Y1")).toBe(0);
    const positive = model.items
      .map((productId, i) => ({ productId, score: scores[i] }))
      .filter((s) => s.productId !== "X1" && s.score > 0)
      .sort((x, y) => y.score - x.score);
    expect(positive.map((s) => s.productId)).toContain("Y2");
    expect(cart.top(Infinity)).toEqual(positive);
    expect(cart.score("Y2")).toBe(scores[model.index.get("Y2")!]);
    const page = served(["X1"], "product");
    expect(page.personal).toBeUndefined();
    expect(page.top(Infinity)).toEqual(plain(["X1"], "product").top(Infinity));
  });

  it("offers everything with the cart's own ranking when nothing is held back and every weight is 0", () => {
    const plain = scoreCart(model, ["X1"]);
    const best = Math.max(...plain);
    const scores = personalCartScores(model, ["X1"], shopper, {
      ...options,
      reoffer: "all",
    });
    expect([...scores]).toEqual([...plain].map((v) => v / best));
  });
});

describe("the upsell tier inside a customer's price band", () => {
  /** A customer who paid these amounts for lamps, the first `discounted` of them on discount. */
  const lampBuyer = (paid: number[], discounted = 0) =>
    buildCustomerProfiles(
      paid.map((amount, k) => ({
        id: `l${k}`,
        createdAt: new Date(NOW - (k + 1) * DAY_MS),
        customerKey: "ann",
        lines: [
          {
            productId: `lamp${k}`,
            quantity: 1,
            price: { amount, currency: "GBP" },
            discounted: k < discounted,
          },
        ],
      })),
      () => "Lamp",
    ).get("ann")!;

  it("takes a tier up to a quarter above the median paid and down to a fifth below, not beyond", () => {
    const ann = lampBuyer([3_000, 4_000, 5_000]);
    // The band of a $40 median is $32 to $50.
    expect(tierInBand(ann, "Lamp", [5_001, 5_000])).toBe(1);
    expect(tierInBand(ann, "Lamp", [3_199, 3_200])).toBe(1);
    expect(tierInBand(ann, "Lamp", [3_199, 5_001])).toBeUndefined();
  });

  it("takes the tier nearest the median on a ratio scale, the first of equals", () => {
    const ann = lampBuyer([4_000]);
    // −15% ($34) is nearer than +20% ($48) on a ratio scale: 1 / 0.85 = 1.18 against 1.2.
    expect(tierInBand(ann, "Lamp", [4_800, 3_400])).toBe(1);
    expect(tierInBand(ann, "Lamp", [4_400, 4_200])).toBe(1);
    // +25% and −20% are as far: 1.25 either way.
    expect(tierInBand(ann, "Lamp", [5_000, 3_200])).toBe(0);
    expect(tierInBand(ann, "Lamp", [3_200, 5_000])).toBe(0);
  });

  it("takes the cheapest tier inside the band for a customer who buys on discount more often than not", () => {
    const paid = [3_500, 4_000, 4_500];
    expect(tierInBand(lampBuyer(paid, 1), "Lamp", [4_800, 4_000])).toBe(1);
    expect(tierInBand(lampBuyer(paid, 2), "Lamp", [4_000, 3_300])).toBe(1);
    expect(tierInBand(lampBuyer(paid, 1), "Lamp", [4_000, 3_300])).toBe(0);
  });

  it("has no band for a type the customer never bought, nor for products without a type", () => {
    expect(tierInBand(lampBuyer([4_000]), "Tent", [4_000])).toBeUndefined();
    const untyped = buildCustomerProfiles(
      [
        {
          id: "u",
          createdAt: new Date(NOW),
          customerKey: "ann",
          lines: [
            {
              productId: "thing",
              quantity: 1,
              price: { amount: 4_000, currency: "GBP" },
            },
          ],
        },
      ],
      () => "",
    ).get("ann")!;
    expect(tierInBand(untyped, "", [4_000])).toBeUndefined();
    expect(tierInBand(untyped, "  ", [4_000])).toBeUndefined();
  });
});
