import { describe, expect, it } from "vitest";
import {
  trainCartModel as trainWithDefaults,
  cartModelFromJSON,
  cartModelToJSON,
  CartModelFormatError,
  DEFAULT_CART_MODEL_OPTIONS,
  explain,
  modelledItems,
  scoreCart,
  scoreProduct,
  topK,
  type CartModelOptions,
  type OrderInput,
} from "./cart-model";

// Plain EASE^R unless a test says otherwise, so that expectations can be
// worked out by hand; the tuned defaults are for real catalogs.
const PLAIN: Partial<CartModelOptions> = {
  minItemOrders: 1,
  basketPower: 0,
  rp3Blend: [],
};
const trainCartModel = (
  orders: readonly OrderInput[],
  options: Partial<CartModelOptions> = {},
) => trainWithDefaults(orders, { ...PLAIN, ...options });

let sequence = 0;
function order(items: string[], createdAt = "2011-06-01T10:00:00"): OrderInput {
  sequence++;
  return { id: String(sequence), createdAt, items };
}

function repeat(
  times: number,
  items: string[],
  createdAt?: string,
): OrderInput[] {
  return Array.from({ length: times }, () => order(items, createdAt));
}

/** Plain Gauss-Jordan inverse, independent of the blocked kernel. */
function inverse(a: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [
    ...row,
    ...row.map((_, j) => (i === j ? 1 : 0)),
  ]);
  for (let c = 0; c < n; c++) {
    const pivot = m[c][c];
    for (let j = 0; j < 2 * n; j++) m[c][j] /= pivot;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r][c];
      for (let j = 0; j < 2 * n; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row) => row.slice(n));
}

const shop: OrderInput[] = [
  ...repeat(6, ["mug", "tea"]),
  ...repeat(4, ["mug", "tea", "spoon"]),
  ...repeat(3, ["mug", "coaster"]),
  ...repeat(2, ["tea", "honey"]),
  ...repeat(5, ["candle"]),
  order(["candle", "matches"]),
];

describe("trainCartModel", () => {
  it("learns the EASE^R closed form B = I - P·diag(1/diag P)", () => {
    const lambda = 2;
    const model = trainCartModel(shop, { lambda, neighbours: 50, threads: 1 });
    const n = model.items.length;
    const x = shop.map((o) =>
      model.items.map((id) => (o.items.includes(id) ? 1 : 0)),
    );
    const g = model.items.map((_, i) =>
      model.items.map(
        (_, j) =>
          x.reduce((s, row) => s + row[i] * row[j], 0) + (i === j ? lambda : 0),
      ),
    );
    const p = inverse(g);
    for (let i = 0; i < n; i++) {
      const kept = new Map<number, number>();
      for (let k = model.ease.offsets[i]; k < model.ease.offsets[i + 1]; k++) {
        kept.set(model.ease.ids[k], model.ease.weights[k]);
      }
      for (let j = 0; j < n; j++) {
        const b = i === j ? 0 : -p[i][j] / p[j][j];
        // Every weight is kept when the row fits, negative ones included:
        // dropping them (as an earlier version did) lost 0.015 HR@10.
        if (Math.abs(b) > 1e-7) expect(kept.get(j)).toBeCloseTo(b, 6);
        else expect(kept.has(j)).toBe(false);
      }
    }
  });

  it("scores a cart exactly like the dense EASE^R model when rows are whole", () => {
    const lambda = 2;
    const model = trainCartModel(shop, { lambda, threads: 1 });
    const n = model.items.length;
    const x = shop.map((o) =>
      model.items.map((id) => (o.items.includes(id) ? 1 : 0)),
    );
    const p = inverse(
      model.items.map((_, i) =>
        model.items.map(
          (_, j) =>
            x.reduce((s, row) => s + row[i] * row[j], 0) +
            (i === j ? lambda : 0),
        ),
      ),
    );
    for (const cart of [
      ["mug", "candle"],
      ["tea", "spoon", "honey"],
    ]) {
      const scores = scoreCart(model, cart);
      const rows = cart.map((id) => model.index.get(id)!);
      for (let j = 0; j < n; j++) {
        const exact = rows.reduce(
          (s, i) => s + (i === j ? 0 : -p[i][j] / p[j][j]),
          0,
        );
        expect(scores[j]).toBeCloseTo(exact, 6);
      }
    }
    // A coaster is bought with a mug but never with tea or a spoon: the
    // negative weights must rank it below items the cart says nothing about.
    const cart = scoreCart(model, ["tea", "spoon"]);
    expect(cart[model.index.get("coaster")!]).toBeLessThan(0);
  });

  it("keeps the strongest weights by magnitude when rows are cut", () => {
    const full = trainCartModel(shop, { lambda: 2, threads: 1 });
    const cut = trainCartModel(shop, { lambda: 2, neighbours: 2, threads: 1 });
    for (let i = 0; i < full.items.length; i++) {
      const all = [
        ...full.ease.weights.slice(
          full.ease.offsets[i],
          full.ease.offsets[i + 1],
        ),
      ].sort((a, b) => Math.abs(b) - Math.abs(a));
      const kept = [
        ...cut.ease.weights.slice(cut.ease.offsets[i], cut.ease.offsets[i + 1]),
      ];
      expect(kept).toEqual(all.slice(0, 2));
    }
  });

  it("orders items by popularity so the back-fill is the most bought first", () => {
    const model = trainCartModel(shop, { threads: 1 });
    expect(model.items.slice(0, 3)).toEqual(["mug", "tea", "candle"]);
    expect(model.orderCounts[0]).toBe(13);
  });

  it("gives the same model for the same orders", () => {
    const a = JSON.stringify(
      cartModelToJSON(trainCartModel(shop, { threads: 1 })),
    );
    const b = JSON.stringify(
      cartModelToJSON(trainCartModel(shop, { threads: 2 })),
    );
    expect(b).toBe(a);
  });

  it("learns no neighbours for items below the order-count floor", () => {
    const model = trainCartModel(shop, {
      minItemOrders: 3,
      easeMinItemOrders: 3,
      minItemOrdersFrom: 0,
      threads: 1,
    });
    const matches = model.index.get("matches")!;
    expect(model.ease.offsets[matches + 1] - model.ease.offsets[matches]).toBe(
      0,
    );
    // It still exists, so it can be back-filled and be a cart item.
    expect(topK(model, ["matches"], 3).map((s) => s.id)).toEqual([
      "mug",
      "tea",
      "candle",
    ]);
  });

  it("keeps walk neighbours for items below the linear model's own floor", () => {
    // mug 13, tea 12, candle 6, spoon 4, coaster 3 orders: the walks take all five, the
    // linear model (whose fit grows with the cube of its items) only the first three.
    const model = trainCartModel(shop, {
      minItemOrders: 3,
      easeMinItemOrders: 6,
      minItemOrdersFrom: 0,
      threads: 1,
    });
    const rows = (r: typeof model.ease, id: string) => {
      const i = model.index.get(id)!;
      return [...r.ids.subarray(r.offsets[i], r.offsets[i + 1])].map(
        (j) => model.items[j],
      );
    };
    expect(rows(model.ease, "spoon")).toEqual([]);
    expect(rows(model.rp3, "spoon")).toEqual(
      expect.arrayContaining(["mug", "tea"]),
    );
    expect(rows(model.rp3, "coaster")).toEqual(["mug"]);
    for (const id of ["mug", "tea", "candle"])
      expect(rows(model.ease, id)).not.toEqual(
        expect.arrayContaining(["spoon"]),
      );
    expect(rows(model.ease, "mug")).toContain("tea");
  });

  it("builds walk and product-page rows only for the items asked about, the rest as before", () => {
    const options = {
      minItemOrders: 3,
      easeMinItemOrders: 6,
      minItemOrdersFrom: 0,
      rp3Blend: [1],
      threads: 1,
    };
    const full = trainCartModel(shop, options);
    // tea is in the linear model, coaster is not; the others are asked about.
    const asked = new Set(["mug", "candle", "spoon"]);
    const scoped = trainWithDefaults(
      shop,
      { ...PLAIN, ...options },
      undefined,
      {
        rowsFor: asked,
      },
    );
    const row = (m: typeof full, r: "rp3" | "fbt", id: string) => {
      const i = m.index.get(id)!;
      const { offsets, ids, weights } = m[r];
      return {
        ids: [...ids.subarray(offsets[i], offsets[i + 1])],
        weights: [...weights.subarray(offsets[i], offsets[i + 1])],
      };
    };
    for (const r of ["rp3", "fbt"] as const)
      for (const id of full.items) {
        if (asked.has(id)) expect(row(scoped, r, id)).toEqual(row(full, r, id));
        else expect(row(scoped, r, id).ids).toEqual([]);
      }
    expect(row(full, "rp3", "tea").ids.length).toBeGreaterThan(0);
    expect(scoped.ease).toEqual(full.ease);
    for (const id of asked)
      expect(scoreCart(scoped, [id])).toEqual(scoreCart(full, [id]));
  });

  it("leaves out the reasons' order counts of a model that is never served, and scores as before", () => {
    const options = {
      ...PLAIN,
      minItemOrders: 3,
      minItemOrdersFrom: 0,
      threads: 1,
    };
    const served = trainWithDefaults(shop, options);
    const unserved = trainWithDefaults(shop, options, undefined, {
      reasons: false,
    });
    expect(served.coCounts.length).toBe(served.ease.ids.length);
    expect(served.coCounts.length).toBeGreaterThan(0);
    expect(unserved.coCounts).toEqual(new Uint32Array(0));
    expect(unserved.ease).toEqual(served.ease);
    for (const id of served.items)
      expect(scoreCart(unserved, [id])).toEqual(scoreCart(served, [id]));
  });

  it("lets recent orders outweigh old ones under time decay", () => {
    const orders = [
      ...repeat(5, ["lamp", "old-shade"], "2010-01-01T10:00:00"),
      ...repeat(5, ["lamp", "new-shade"], "2011-06-01T10:00:00"),
      ...repeat(3, ["old-shade"], "2011-06-01T10:00:00"),
    ];
    const flat = trainCartModel(orders, { halfLifeDays: 0, threads: 1 });
    const decayed = trainCartModel(orders, { halfLifeDays: 60, threads: 1 });
    const weight = (m: typeof flat, id: string) =>
      scoreCart(m, ["lamp"])[m.index.get(id)!];
    expect(weight(decayed, "new-shade")).toBeGreaterThan(
      weight(decayed, "old-shade"),
    );
    expect(
      weight(decayed, "new-shade") / weight(decayed, "old-shade"),
    ).toBeGreaterThan(weight(flat, "new-shade") / weight(flat, "old-shade"));
  });

  it("weighs orders by recency and basket size by default (the season folds' choice)", () => {
    // Two shades bought with the lamp equally often, one set of orders a year older; a vase bought
    // with the lamp as often as the old shade and as long ago, but in big baskets.
    const orders = [
      ...repeat(6, ["lamp", "old-shade"], "2010-06-01T10:00:00"),
      ...repeat(6, ["lamp", "new-shade"], "2011-06-01T10:00:00"),
      ...repeat(
        6,
        ["lamp", "vase", "a", "b", "c", "d", "e", "f"],
        "2010-06-01T10:00:00",
      ),
    ];
    const scores = (options: Partial<CartModelOptions>) => {
      const model = trainWithDefaults(orders, {
        minItemOrders: 1,
        rp3Blend: [],
        threads: 1,
        ...options,
      });
      const s = scoreCart(model, ["lamp"]);
      return (id: string) => s[model.index.get(id)!];
    };
    const byDefault = scores({});
    expect(byDefault("new-shade")).toBeGreaterThan(2 * byDefault("old-shade"));
    const flat = scores({ halfLifeDays: 0 });
    expect(flat("new-shade")).toBeCloseTo(flat("old-shade"), 9);
    // Big baskets count for less than small ones, but less so than under the former power 0.5.
    const vaseShare = (score: (id: string) => number) =>
      score("vase") / score("old-shade");
    expect(vaseShare(byDefault)).toBeLessThan(
      vaseShare(scores({ basketPower: 0 })),
    );
    expect(vaseShare(byDefault)).toBeGreaterThan(
      vaseShare(scores({ basketPower: 0.5 })),
    );
  });

  it("merges a second fit into the weights: its share of each, before rows are cut", () => {
    const orders = [
      ...shop,
      ...repeat(
        3,
        ["mug", "honey", "spoon", "tea", "candle"],
        "2011-08-01T10:00:00",
      ),
    ];
    const fit = (options: Partial<CartModelOptions>) =>
      trainCartModel(orders, {
        lambda: 2,
        halfLifeDays: 30,
        threads: 1,
        ...options,
      });
    const first = fit({});
    const second = fit({ lambda: 5, basketPower: 0.5, halfLifeDays: 0 });
    const secondView = {
      mixLambda: 5,
      mixBasketPower: 0.5,
      mixHalfLifeDays: 0,
    };
    const cart = ["tea", "spoon"];
    const scores = (model: typeof first) => scoreCart(model, cart);
    // All of the second view is the second model; a quarter of it is the weighted sum.
    const all = scores(fit({ mixShare: 1, ...secondView }));
    const quarter = scores(fit({ mixShare: 0.25, ...secondView }));
    const a = scores(first);
    const b = scores(second);
    for (let j = 0; j < a.length; j++) {
      expect(all[j]).toBeCloseTo(b[j], 6);
      expect(quarter[j]).toBeCloseTo(0.75 * a[j] + 0.25 * b[j], 6);
    }
    // Two views that differ make a model unlike either.
    expect(quarter).not.toEqual(a);
    // The strongest merged weights are kept, not each fit's own strongest.
    const cut = fit({ mixShare: 0.25, ...secondView, neighbours: 2 });
    const merged = fit({ mixShare: 0.25, ...secondView });
    for (let i = 0; i < merged.items.length; i++) {
      const row = (m: typeof merged) =>
        Array.from(
          { length: m.ease.offsets[i + 1] - m.ease.offsets[i] },
          (_, k) => Math.abs(m.ease.weights[m.ease.offsets[i] + k]),
        );
      const kept = row(cut);
      const strongest = row(merged)
        .sort((x, y) => y - x)
        .slice(0, kept.length);
      expect(kept.sort((x, y) => y - x)).toEqual(strongest);
    }
    expect(() => fit({ mixShare: 1.5 })).toThrow(RangeError);
  });

  it("drops baskets above the size cap from training", () => {
    const orders = [...shop, order(["mug", "a", "b", "c", "d", "e"])];
    const model = trainCartModel(orders, { maxBasketSize: 5, threads: 1 });
    expect(model.trainOrders).toBe(shop.length);
    expect(topK(model, ["mug"], 3).map((s) => s.id)).not.toContain("a");
  });
});

describe("scoring a cart", () => {
  const model = trainCartModel(shop, { lambda: 1, threads: 1 });

  it("offers the learned complements of the cart, never the cart itself", () => {
    const offers = topK(model, ["mug"], 3).map((s) => s.id);
    expect(offers[0]).toBe("tea");
    expect(offers).not.toContain("mug");
  });

  it("scores the whole cart: each cart item adds its learned neighbours", () => {
    const both = scoreCart(model, ["mug", "honey"]);
    const mug = scoreCart(model, ["mug"]);
    const honey = scoreCart(model, ["honey"]);
    both.forEach((v, j) => expect(v).toBeCloseTo(mug[j] + honey[j], 12));
    expect(topK(model, ["honey"], 1)[0].id).toBe("tea");
    expect(topK(model, ["coaster"], 1)[0].id).toBe("mug");
  });

  it("writes a cart's scores over whatever the array it is given held", () => {
    const into = new Float64Array(model.items.length).fill(7);
    expect(scoreCart(model, ["mug", "honey"], into)).toBe(into);
    expect(into).toEqual(scoreCart(model, ["mug", "honey"]));
    expect(scoreProduct(model, "tea", into)).toBe(into);
    expect(into).toEqual(scoreProduct(model, "tea"));
  });

  it("falls back to popularity for a cart of unknown items and never comes back short", () => {
    const offers = topK(model, ["never-seen"], 4).map((s) => s.id);
    expect(offers).toEqual(model.items.slice(0, 4));
  });

  it("leaves out excluded items", () => {
    const offers = topK(model, ["mug"], 3, new Set(["tea"])).map((s) => s.id);
    expect(offers).not.toContain("tea");
    expect(offers).toHaveLength(3);
  });

  it("follows RP3beta alone for one-item carts when its share is 1", () => {
    const blended = trainCartModel(shop, {
      lambda: 1,
      rp3Blend: [1],
      threads: 1,
    });
    const scores = scoreCart(blended, ["mug"]);
    const i = blended.index.get("mug")!;
    const { offsets, ids, weights } = blended.rp3;
    const max = Math.max(...weights.slice(offsets[i], offsets[i + 1]));
    for (let k = offsets[i]; k < offsets[i + 1]; k++) {
      expect(scores[ids[k]]).toBeCloseTo(weights[k] / max, 6);
    }
    // Two-item carts still use EASE only.
    expect(scoreCart(blended, ["mug", "tea"])).toEqual(
      scoreCart(model, ["mug", "tea"]),
    );
  });

  it("explains an offer with co-purchase counts", () => {
    expect(explain(model, ["mug"], "tea")).toEqual({
      because: "mug",
      ordersWith: 13,
      ordersWithBoth: 10,
    });
    expect(explain(model, ["mug"], "candle")).toBeNull();
  });
});

describe("tuned defaults", () => {
  it("still train and answer a small shop", () => {
    const model = trainWithDefaults(shop, { threads: 1 });
    expect(topK(model, ["mug"], 1)[0].id).toBe("tea");
    expect(topK(model, ["mug"], 5)).toHaveLength(5);
  });

  it("learn neighbours in a small shop whose products are each in few orders", () => {
    // 40 products, each in 2-4 orders: all below the order-count floor of
    // big catalogs, which used to leave such a shop with no learned model.
    const orders: OrderInput[] = [];
    for (let k = 0; k < 40; k += 2) {
      const pair = [`p${k}`, `p${k + 1}`];
      orders.push(...repeat(2 + ((k / 2) % 2), pair));
      orders.push(order([`p${k}`, `p${(k + 7) % 40}`]));
    }
    expect(
      Math.max(
        ...orders
          .flatMap((o) => o.items)
          .map((id) => orders.filter((o) => o.items.includes(id)).length),
      ),
    ).toBeLessThan(DEFAULT_CART_MODEL_OPTIONS.minItemOrders);
    const model = trainWithDefaults(orders, { threads: 1 });
    expect(model.ease.ids.length).toBeGreaterThan(0);
    expect(topK(model, ["p10"], 1)[0].id).toBe("p11");
    expect(topK(model, ["p21"], 1)[0].id).toBe("p20");
  });
});

describe("the size of the linear model", () => {
  it("takes at most maxItems of the most popular items, whatever their order counts", () => {
    const counts = [90, 80, 70, 60, 50, 40];
    expect(
      modelledItems(counts, {
        minItemOrders: 1,
        minItemOrdersFrom: 0,
        maxItems: 4,
      }),
    ).toBe(4);
    expect(
      modelledItems(counts, {
        minItemOrders: 1,
        minItemOrdersFrom: 0,
        maxItems: 100,
      }),
    ).toBe(6);
  });

  it("leaves items past the cap with no learned neighbours but still answers with back-fill", () => {
    const model = trainWithDefaults(shop, { threads: 1, maxItems: 2 });
    const learned = model.items.slice(2);
    for (const id of learned) {
      const i = model.index.get(id)!;
      expect(model.ease.offsets[i + 1] - model.ease.offsets[i]).toBe(0);
    }
    expect(topK(model, [learned[0]], 3)).toHaveLength(3);
  });
});

describe("product page lists", () => {
  it("rank by co-purchase and fall back to recent popularity for unknown items", () => {
    const model = trainCartModel(shop, { threads: 1 });
    const scores = scoreProduct(model, "tea");
    const best = [...scores.keys()].sort((a, b) => scores[b] - scores[a]);
    expect(model.items[best[0]]).toBe("mug");
    expect(scores[model.index.get("tea")!]).toBe(0);
    const cold = scoreProduct(model, "never-seen");
    expect(Math.max(...cold)).toBe(1);
  });
});

describe("serialisation", () => {
  it("round-trips through JSON and scores exactly as before", () => {
    const model = trainCartModel(shop, { rp3Blend: [0.5, 0.2], threads: 1 });
    const loaded = cartModelFromJSON(
      JSON.parse(JSON.stringify(cartModelToJSON(model))),
    );
    for (const cart of [["mug"], ["mug", "tea"], ["candle"], ["unknown"]]) {
      expect(scoreCart(loaded, cart)).toEqual(scoreCart(model, cart));
    }
    expect(loaded.options.maxBasketSize).toBeGreaterThan(1e15);
  });

  it("rejects something that is not a cart model", () => {
    expect(() => cartModelFromJSON({ version: 2 })).toThrow(
      CartModelFormatError,
    );
    const json = cartModelToJSON(trainCartModel(shop, { threads: 1 }));
    expect(() =>
      cartModelFromJSON({ ...json, items: json.items.slice(1) }),
    ).toThrow(CartModelFormatError);
  });
});
