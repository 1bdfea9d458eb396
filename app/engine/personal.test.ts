import { describe, expect, it } from "vitest";
import { scoreCart, trainCartModel } from "./cart-model";
import { buildCustomerProfiles } from "./customer-profile";
import {
  DEFAULT_PERSONAL_OPTIONS,
  ownership,
  personalCartScores,
} from "./personal";
import type { ReplenishmentModel } from "./replenishment";

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

describe("personal cart scores", () => {
  it("holds back what the customer owns unless it is a consumable due again", () => {
    const profile = shopperWho([
      { id: "Y1", daysAgo: 5 },
      { id: "Y2", daysAgo: 31 },
      { id: "Y3", daysAgo: 2 },
    ]);
    const shopper = { profile, now: NOW, replenishment };
    expect(ownership(shopper, "due")).toEqual({
      held: new Set(["Y1", "Y3"]),
      due: new Map([["Y2", "due"]]),
    });
    const scores = personalCartScores(model, ["X0"], shopper);
    const at = (id: string) => scores[model.index.get(id)!];
    expect(at("Y1")).toBe(-Infinity);
    expect(at("Y3")).toBe(-Infinity);
    // The due consumable comes forward, past what only the history speaks for.
    expect(at("Y2")).toBeGreaterThan(at("X3"));
    expect(at("Y2")).toBeGreaterThan(at("X1"));
    expect(at("Y2")).toBeGreaterThanOrEqual(DEFAULT_PERSONAL_OPTIONS.dueWeight);
    // Too early: held back like any other owned product when only due ones come back...
    const early = shopperWho([{ id: "Y2", daysAgo: 3 }]);
    expect(
      ownership({ profile: early, now: NOW, replenishment }, "due").held,
    ).toEqual(new Set(["Y2"]));
    // ...and offered again, though not brought forward, when any consumable may be.
    const again = ownership(
      { profile: early, now: NOW, replenishment },
      "consumable",
    );
    expect(again.held.size + again.due.size).toBe(0);
  });

  it("adds what goes with the customer's past purchases to the cart's own scores", () => {
    const profile = shopperWho([{ id: "Y3", daysAgo: 10 }]);
    const plain = scoreCart(model, ["X0"]);
    const withHistory = { ...DEFAULT_PERSONAL_OPTIONS, historyWeight: 0.5 };
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
