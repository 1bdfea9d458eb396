import { describe, expect, it } from "vitest";
import { trainCartModel } from "./cart-model";
import { buildCustomerProfiles, rebuyStats } from "./customer-profile";
import {
  DEFAULT_REPLENISHMENT_CONFIG,
  type ReplenishmentModel,
} from "./replenishment";
import { buildCoPurchase } from "./copurchase";
import { ownership } from "./personal";
import { mulberry32 } from "./random";
import {
  buildRankingModel,
  rankOffers,
  withNewOrders,
  type RankRequest,
} from "./ranking";
import { completionScorer, trainModels } from "./shop-model";
import type {
  CartCompletionScorer,
  CatalogProduct,
  EngineOrder,
  MerchantBundle,
  MerchantRule,
} from "./types";

type Spec = Partial<Omit<CatalogProduct, "id" | "variants">> & {
  price?: number;
  stock?: number | null;
  options?: { name: string; value: string; price: number }[];
};

function product(id: string, spec: Spec = {}): CatalogProduct {
  const variants = spec.options ?? [
    { name: "Title", value: "Default", price: spec.price ?? 1_000 },
  ];
  return {
    id,
    title: spec.title ?? id,
    handle: id,
    productType: spec.productType ?? "",
    vendor: spec.vendor ?? "",
    tags: spec.tags ?? [],
    collections: spec.collections ?? [],
    variants: variants.map((o, i) => ({
      id: `${id}-v${i}`,
      productId: id,
      title: o.value,
      sku: `${id}-${i}`,
      options: [{ name: o.name, value: o.value }],
      price: { amount: o.price, currency: "USD" },
      inventoryQuantity: spec.stock === undefined ? 10 : spec.stock,
      availableForSale: true,
    })),
  };
}

const catalog: CatalogProduct[] = [
  product("coffee-maker", {
    title: "Coffee Maker",
    productType: "Appliance",
    vendor: "Brewco",
    collections: ["kitchen"],
    price: 8_000,
  }),
  product("filters", {
    title: "Paper Filters",
    productType: "Consumable",
    vendor: "Brewco",
    collections: ["kitchen"],
    price: 500,
  }),
  product("beans", {
    title: "House Beans",
    productType: "Coffee",
    vendor: "Roastery",
    collections: ["kitchen"],
    price: 1_500,
  }),
  product("beans-dark", {
    title: "Dark Beans",
    productType: "Coffee",
    vendor: "Roastery",
    collections: ["kitchen"],
    price: 1_500,
  }),
  product("grinder", {
    title: "Burr Grinder",
    productType: "Appliance",
    vendor: "Grindy",
    stock: 0,
    price: 6_000,
  }),
  product("mug", {
    title: "Mug",
    productType: "Mug",
    vendor: "Clayworks",
    collections: ["kitchen", "gifts"],
    price: 1_200,
  }),
  product("gift-card", {
    title: "Gift Card",
    productType: "Gift Card",
    tags: ["gift-card"],
    price: 2_500,
  }),
  product("tote", {
    title: "Tote Bag",
    productType: "Bag",
    vendor: "Sewn",
    collections: ["gifts"],
    price: 1_800,
  }),
  product("kettle", {
    title: "Electric Kettle",
    productType: "Appliance",
    vendor: "Brewco",
    collections: ["kitchen"],
    price: 7_000,
  }),
  product("phone", {
    title: "Phone",
    productType: "Phone",
    vendor: "Fruit",
    options: [
      { name: "Storage", value: "128GB", price: 79_900 },
      { name: "Storage", value: "256GB", price: 89_900 },
    ],
  }),
];

let seq = 0;
function orders(count: number, ...productIds: string[]): EngineOrder[] {
  return Array.from({ length: count }, () => {
    seq += 1;
    return {
      id: `o${seq}`,
      createdAt: new Date(Date.UTC(2024, 0, 1) + seq * 3_600_000),
      lines: productIds.map((productId) => ({
        productId,
        quantity: 1,
        price: { amount: 1_000, currency: "USD" },
      })),
    };
  });
}

const history = [
  ...orders(20, "coffee-maker", "filters"),
  ...orders(15, "coffee-maker", "beans"),
  ...orders(12, "coffee-maker", "beans-dark"),
  ...orders(18, "coffee-maker", "grinder"),
  ...orders(10, "coffee-maker"),
  ...orders(3, "coffee-maker", "mug"),
  ...orders(5, "filters", "beans"),
  ...orders(30, "mug"),
  ...orders(40, "gift-card"),
  ...orders(4, "tote"),
];

const model = buildRankingModel({
  products: catalog,
  copurchase: buildCoPurchase(history),
});
const onCoffeeMaker = (extra: Partial<RankRequest> = {}): RankRequest => ({
  placement: "product_fbt",
  context: { type: "product", productId: "coffee-maker" },
  ...extra,
});
const ids = (request: RankRequest, m = model) =>
  rankOffers(m, request).map((o) => o.productId);

describe("ranking cross-sells", () => {
  it("leads with the strongest co-purchase and says how often it is bought together", () => {
    const offers = rankOffers(model, onCoffeeMaker());
    expect(offers).toHaveLength(2);
    expect(offers[0]).toMatchObject({
      productId: "filters",
      variantId: "filters-v0",
      kind: "cross_sell",
    });
    // 20 of the coffee maker's 78 orders.
    expect(offers[0].reason.text).toBe("Bought together by 25.6% of buyers");
    expect(offers[0].breakdown.copurchase).toBeGreaterThan(0);
    expect(offers[0].score).toBeCloseTo(
      Object.values(offers[0].breakdown).reduce((a, b) => a + b, 0),
      12,
    );
  });

  it("takes in orders that arrive after training as if it had been trained on them", () => {
    const arrived = orders(25, "mug", "tote");
    const updated = withNewOrders(model, arrived);
    const retrained = buildRankingModel({
      products: catalog,
      copurchase: buildCoPurchase([...history, ...arrived]),
    });
    for (const productId of ["mug", "tote", "coffee-maker"]) {
      const request = onCoffeeMaker({
        context: { type: "product", productId },
        limit: 6,
      });
      expect(rankOffers(updated, request)).toEqual(
        rankOffers(retrained, request),
      );
    }
    expect(
      ids(
        onCoffeeMaker({ context: { type: "product", productId: "mug" } }),
        updated,
      )[0],
    ).toBe("tote");
    // The model it started from is unchanged.
    expect(
      ids(onCoffeeMaker({ context: { type: "product", productId: "mug" } }))[0],
    ).not.toBe("tote");
  });

  it("never offers out-of-stock products, however strong the evidence", () => {
    expect(ids(onCoffeeMaker({ limit: 12 }))).not.toContain("grinder");
  });

  it("never offers what is already in the cart, and reacts to the whole cart", () => {
    const cart = ids({
      placement: "cart",
      context: { type: "cart", productIds: ["coffee-maker", "filters"] },
    });
    expect(cart).not.toContain("coffee-maker");
    expect(cart).not.toContain("filters");
    expect(cart[0]).toBe("beans");
    const offers = rankOffers(model, {
      placement: "cart",
      context: { type: "cart", productIds: ["coffee-maker", "filters"] },
    });
    expect(offers[0].reason.text).toBe("Often added with items in your cart");
  });

  it("caps the count per placement", () => {
    expect(
      ids(
        onCoffeeMaker({
          placement: "post_purchase",
          context: { type: "order", productIds: ["coffee-maker"] },
        }),
      ),
    ).toHaveLength(1);
    expect(ids(onCoffeeMaker({ placement: "drawer" }))).toHaveLength(3);
    expect(ids(onCoffeeMaker({ placement: "cart" }))).toHaveLength(4);
  });

  it("shows at most one of two near-identical products while others are available", () => {
    const cart = ids(onCoffeeMaker({ placement: "cart" }));
    expect(cart).toContain("beans");
    expect(cart).not.toContain("beans-dark");
    // beans-dark outscores mug on evidence; diversity is what kept it out.
    const all = rankOffers(model, onCoffeeMaker({ limit: 12 }));
    const score = (id: string) => all.find((o) => o.productId === id)!.score;
    expect(score("beans-dark")).toBeGreaterThan(score("mug"));
    expect(cart).toContain("mug");
    // When the list would run short, the near-duplicate comes back.
    expect(all.map((o) => o.productId)).toContain("beans-dark");
  });

  it("excludes products tagged as never-offer", () => {
    const all = ids({
      placement: "cart",
      context: { type: "cart", productIds: ["mug"] },
      limit: 12,
      excludeTags: ["Gift-Card"],
    });
    expect(all).not.toContain("gift-card");
    expect(all.length).toBeGreaterThan(0);
  });

  it("uses an injected cart-completion model and passes it the cart", () => {
    const seen: string[][] = [];
    const offers = rankOffers(model, {
      placement: "cart",
      context: { type: "cart", productIds: ["coffee-maker"] },
      completion: (cart) => {
        seen.push([...cart]);
        const scores = new Map([
          ["tote", 5],
          ["filters", 1],
        ]);
        return {
          top: (limit) =>
            [...scores]
              .map(([productId, score]) => ({ productId, score }))
              .slice(0, limit),
          score: (productId) => scores.get(productId) ?? 0,
        };
      },
    });
    expect(seen).toEqual([["coffee-maker"]]);
    expect(offers[0].productId).toBe("tote");
    expect(offers[0].breakdown.completion).toBeGreaterThan(
      offers[1].breakdown.completion,
    );
  });
});

describe("offers a shopper would take", () => {
  const tent = (id: string, price: number) =>
    product(id, { title: `Tent ${id}`, productType: "Tent", price });
  const gear = [
    tent("tent-a", 26_000),
    tent("tent-b", 24_000),
    product("pad", { title: "Sleeping Pad", productType: "Pad", price: 6_000 }),
    product("lamp", { title: "Headlamp", productType: "Lamp", price: 3_000 }),
    product("socks", { title: "Socks", productType: "Socks", price: 1_500 }),
    product("socks-wool", {
      title: "Wool Socks",
      productType: "Socks",
      price: 2_000,
    }),
  ];
  const gearHistory = [
    ...orders(12, "tent-a", "pad"),
    ...orders(8, "tent-b", "lamp"),
    ...orders(4, "pad", "lamp"),
    // Two tents in one order, twice: a party's tents, or chance; not enough to call it a pair.
    ...orders(2, "tent-a", "tent-b"),
    ...orders(30, "tent-a"),
    ...orders(30, "tent-b"),
    // Hikers buy two kinds of socks together, far beyond chance.
    ...orders(9, "socks", "socks-wool"),
    ...orders(3, "socks"),
    ...orders(3, "socks-wool"),
  ];
  const gearModel = buildRankingModel({
    products: gear,
    copurchase: buildCoPurchase(gearHistory),
  });
  const rank = (request: RankRequest) =>
    rankOffers(gearModel, { limit: 12, ...request });

  it("offers no second product of a kind already in the cart unless the shop's orders pair them", () => {
    const withTent = rank({
      placement: "cart",
      context: { type: "cart", productIds: ["tent-a"] },
    }).map((o) => o.productId);
    expect(withTent).toContain("pad");
    expect(withTent).not.toContain("tent-b");
    const onTentPage = rank({
      placement: "product_fbt",
      context: { type: "product", productId: "tent-b" },
    }).map((o) => o.productId);
    expect(onTentPage).not.toContain("tent-a");
    const withSocks = rank({
      placement: "cart",
      context: { type: "cart", productIds: ["socks"] },
    }).map((o) => o.productId);
    expect(withSocks[0]).toBe("socks-wool");
  });

  it("still offers a second of a kind the merchant pinned", () => {
    const pin: MerchantRule = {
      id: "pin",
      priority: 1,
      action: "pin",
      productId: "tent-b",
      when: { type: "any" },
    };
    expect(
      rank({
        placement: "cart",
        context: { type: "cart", productIds: ["tent-a"] },
        rules: [pin],
      })[0].productId,
    ).toBe("tent-b");
  });

  it("after checkout offers nothing dearer than half the order, and speaks of the order, not a cart", () => {
    const afterPad = rank({
      placement: "post_purchase",
      context: { type: "order", productIds: ["pad"] },
    });
    // A $60 order: the $30 headlamp and the socks fit, the tents do not.
    expect(afterPad.map((o) => o.productId).sort()).toEqual([
      "lamp",
      "socks",
      "socks-wool",
    ]);
    const afterTwoPads = rank({
      placement: "post_purchase",
      context: {
        type: "order",
        productIds: ["pad"],
        lines: [{ productId: "pad", variantId: "pad-v0", quantity: 9 }],
      },
    });
    // Nine pads make a $540 order: a $260 tent is inside half of it.
    expect(afterTwoPads.map((o) => o.productId)).toContain("tent-a");
    // The placement's price band sets the share: a fifth of a $240 tent is $48, under the pad.
    const afterTent = rank({
      placement: "post_purchase",
      context: { type: "order", productIds: ["tent-b"] },
      maxIncreaseBps: 2_000,
    });
    expect(afterTent.map((o) => o.productId)).not.toContain("pad");
    expect(afterTent[0]).toMatchObject({
      productId: "lamp",
      reason: { text: "Often bought with Tent tent-b" },
    });
    // The pad goes with both the tent and the headlamp just ordered.
    expect(
      rank({
        placement: "post_purchase",
        context: { type: "order", productIds: ["tent-a", "lamp"] },
      })[0],
    ).toMatchObject({
      productId: "pad",
      reason: { text: "Often bought with what you just ordered" },
    });
  });
});

describe("merchant rules", () => {
  // Distributes over the union so each rule kind keeps its own fields.
  type RuleInput<R = MerchantRule> = R extends MerchantRule
    ? Omit<R, "id" | "priority"> & { id?: string; priority?: number }
    : never;
  const rule = (r: RuleInput): MerchantRule =>
    ({ id: "r", priority: 0, ...r }) as MerchantRule;

  it("puts pinned products first when the trigger matches", () => {
    const pin = rule({
      action: "pin",
      productId: "tote",
      when: { type: "collection", collection: "kitchen" },
    });
    const offers = rankOffers(model, onCoffeeMaker({ rules: [pin] }));
    expect(offers.map((o) => o.productId)).toEqual(["tote", "filters"]);
    expect(offers[0].breakdown.pin).toBeGreaterThan(0);
    expect(offers[0].score).toBeGreaterThan(offers[1].score);
    expect(offers[0].reason.text).toBe("Picked by our team");
    // Trigger does not match a mug page.
    expect(
      ids({
        placement: "product_fbt",
        context: { type: "product", productId: "gift-card" },
        rules: [pin],
      }),
    ).not.toContain("tote");
  });

  it("orders several pins by priority and still respects the cap", () => {
    const rules = [
      rule({
        id: "a",
        action: "pin",
        productId: "tote",
        when: { type: "any" },
        priority: 1,
      }),
      rule({
        id: "b",
        action: "pin",
        productId: "kettle",
        when: { type: "any" },
        priority: 5,
      }),
      rule({
        id: "c",
        action: "pin",
        productId: "mug",
        when: { type: "any" },
        priority: 3,
      }),
    ];
    expect(ids(onCoffeeMaker({ rules }))).toEqual(["kettle", "mug"]);
  });

  it("does not pin what is out of stock or already in the cart", () => {
    const rules = [
      rule({
        id: "a",
        action: "pin",
        productId: "grinder",
        when: { type: "any" },
      }),
      rule({
        id: "b",
        action: "pin",
        productId: "coffee-maker",
        when: { type: "any" },
      }),
    ];
    expect(ids(onCoffeeMaker({ rules }))).toEqual(["filters", "beans"]);
  });

  it("excludes by product, tag or collection", () => {
    const byProduct = rule({
      action: "exclude",
      target: { type: "product", productId: "filters" },
      when: { type: "any" },
    });
    expect(ids(onCoffeeMaker({ rules: [byProduct], limit: 12 }))).not.toContain(
      "filters",
    );
    const byCollection = rule({
      action: "exclude",
      target: { type: "collection", collection: "kitchen" },
      when: { type: "any" },
    });
    const left = ids(onCoffeeMaker({ rules: [byCollection], limit: 12 }));
    expect(left.length).toBeGreaterThan(0);
    for (const id of left)
      expect(catalog.find((p) => p.id === id)!.collections).not.toContain(
        "kitchen",
      );
    const byTag = rule({
      action: "exclude",
      target: { type: "tag", tag: "GIFT-CARD" },
      when: { type: "any" },
    });
    const mugCart: RankRequest = {
      placement: "cart",
      context: { type: "cart", productIds: ["mug"] },
      limit: 12,
    };
    expect(ids(mugCart)).toContain("gift-card");
    expect(ids({ ...mugCart, rules: [byTag] })).not.toContain("gift-card");
  });

  it("lets an exclusion of equal or higher priority beat a pin", () => {
    const pin = rule({
      id: "p",
      action: "pin",
      productId: "tote",
      when: { type: "any" },
      priority: 1,
    });
    const ban = rule({
      id: "x",
      action: "exclude",
      target: { type: "product", productId: "tote" },
      when: { type: "any" },
      priority: 1,
    });
    expect(ids(onCoffeeMaker({ rules: [pin, ban] }))).not.toContain("tote");
    expect(
      ids(onCoffeeMaker({ rules: [{ ...pin, priority: 2 }, ban] })),
    ).toContain("tote");
  });

  it("offers only from a collection when told to", () => {
    const only = rule({
      action: "only_from_collection",
      collection: "gifts",
      when: { type: "any" },
    });
    expect(ids(onCoffeeMaker({ rules: [only], limit: 12 })).sort()).toEqual([
      "mug",
      "tote",
    ]);
  });

  it("applies a rule only in its placements", () => {
    const ban = rule({
      action: "exclude",
      target: { type: "product", productId: "filters" },
      when: { type: "any" },
      placements: ["cart"],
    });
    expect(ids(onCoffeeMaker({ rules: [ban] }))).toContain("filters");
    expect(
      ids(onCoffeeMaker({ rules: [ban], placement: "cart" })),
    ).not.toContain("filters");
  });
});

describe("fallbacks and stability", () => {
  it("still offers something for a product nobody has bought yet", () => {
    // With the shop's own cart model too: it knows nothing of the kettle, so content decides.
    const shopCompletion = completionScorer(trainModels(history).cartModel);
    for (const completion of [undefined, shopCompletion]) {
      const offers = rankOffers(model, {
        placement: "product_fbt",
        context: { type: "product", productId: "kettle" },
        completion,
      });
      expect(offers).toHaveLength(2);
      // The kettle's vendor and collection bring its filters; the coffee maker is closer still,
      // but it is a second appliance (same kind) that nobody bought with a kettle.
      expect(offers[0].productId).toBe("filters");
      expect(offers.map((o) => o.productId)).not.toContain("coffee-maker");
    }
  });

  it("offers best sellers with their category when there is no other signal", () => {
    const offers = rankOffers(model, {
      placement: "cart",
      context: { type: "cart", productIds: ["unknown-product"] },
      excludeTags: ["gift-card"],
    });
    expect(offers[0]).toMatchObject({
      productId: "coffee-maker",
      reason: { text: "Popular in Appliance" },
    });
  });

  it("works for a new shop with no orders at all", () => {
    const fresh = buildRankingModel({ products: catalog });
    expect(
      ids(
        { placement: "cart", context: { type: "cart", productIds: [] } },
        fresh,
      ),
    ).toHaveLength(4);
  });

  it("gives the same output for the same input, whatever the catalog order", () => {
    const request: RankRequest = {
      placement: "cart",
      context: { type: "cart", productIds: ["coffee-maker", "mug"] },
    };
    expect(rankOffers(model, request)).toEqual(rankOffers(model, request));
    const reordered = buildRankingModel({
      products: [...catalog].reverse(),
      copurchase: buildCoPurchase(history),
    });
    expect(rankOffers(reordered, request)).toEqual(rankOffers(model, request));
  });

  it("gives the same offers whatever order the orders arrived in", () => {
    const request: RankRequest = {
      placement: "cart",
      context: { type: "cart", productIds: ["coffee-maker", "mug"] },
    };
    const shuffled = buildRankingModel({
      products: catalog,
      copurchase: buildCoPurchase([...history].reverse()),
    });
    const a = rankOffers(shuffled, request);
    const b = rankOffers(model, request);
    // Summing weights in another order may change the last bit of a float, nothing more.
    expect(a.map((o) => [o.productId, o.variantId, o.reason])).toEqual(
      b.map((o) => [o.productId, o.variantId, o.reason]),
    );
    a.forEach((o, i) => expect(o.score).toBeCloseTo(b[i].score, 12));
  });
});

describe("merchant bundles", () => {
  const bundle: MerchantBundle = {
    productIds: ["coffee-maker", "mug", "tote"],
    discountType: "percentage",
    discountValue: 1_000,
    currency: "USD",
  };
  const banMug: MerchantRule = {
    id: "no-mug",
    priority: 5,
    action: "exclude",
    target: { type: "product", productId: "mug" },
    when: { type: "any" },
  };

  it("offers the bundle's other products whole, instead of ranked offers, whatever the rules and limit", () => {
    const offers = rankOffers(
      model,
      onCoffeeMaker({ bundle, limit: 1, rules: [banMug] }),
    );
    expect(offers.map((o) => [o.productId, o.variantId, o.kind])).toEqual([
      ["mug", "mug-v0", "bundle"],
      ["tote", "tote-v0", "bundle"],
    ]);
    for (const o of offers)
      expect(o.reason.text).toBe("Save 10% when bought together");
  });

  it("ranks as usual when a product of the bundle cannot be sold", () => {
    const soldOut = { ...bundle, productIds: ["coffee-maker", "grinder"] };
    expect(ids(onCoffeeMaker({ bundle: soldOut }))).toEqual(
      ids(onCoffeeMaker()),
    );
    const alone = { ...bundle, productIds: ["coffee-maker"] };
    expect(ids(onCoffeeMaker({ bundle: alone }))).toEqual(ids(onCoffeeMaker()));
  });
});

describe("upsells", () => {
  it("offers the next tier up with its price reason and what a comparison shows", () => {
    const offers = rankOffers(model, {
      placement: "product_upgrade",
      context: { type: "product", productId: "phone", variantId: "phone-v0" },
    });
    expect(offers).toEqual([
      expect.objectContaining({
        productId: "phone",
        variantId: "phone-v1",
        kind: "upsell",
        reason: expect.objectContaining({
          text: "+$100 for double the storage",
        }),
        upgrade: {
          fromVariantId: "phone-v0",
          benefit: expect.objectContaining({ text: "double the storage" }),
          differences: [
            { attribute: "Storage", from: "128GB", to: "256GB" },
            { attribute: "Price", from: "$799", to: "$899" },
          ],
        },
      }),
    ]);
  });

  it("respects the price band", () => {
    const offers = rankOffers(model, {
      placement: "product_upgrade",
      context: { type: "product", productId: "phone", variantId: "phone-v0" },
      maxIncreaseBps: 1_000,
    });
    expect(offers).toEqual([]);
  });

  it("offers a dearer sibling that holds more unless a rule excludes it, never another appliance", () => {
    const request: RankRequest = {
      placement: "product_upgrade",
      context: { type: "product", productId: "kettle" },
    };
    // A coffee maker is dearer and of the same type, but nothing about it is a bigger kettle.
    expect(ids(request)).toEqual([]);
    const kettle = (id: string, volume: string, price: number) =>
      product(id, {
        title: `${volume} Kettle`,
        productType: "Appliance",
        options: [{ name: "Volume", value: volume, price }],
      });
    const kettles = buildRankingModel({
      products: [
        kettle("kettle", "1L", 7_000),
        kettle("kettle-xl", "1.7L", 9_000),
        catalog.find((p) => p.id === "coffee-maker")!,
      ],
    });
    expect(ids(request, kettles)).toEqual(["kettle-xl"]);
    const ban: MerchantRule = {
      id: "x",
      priority: 0,
      action: "exclude",
      target: { type: "product", productId: "kettle-xl" },
      when: { type: "any" },
    };
    expect(ids({ ...request, rules: [ban] }, kettles)).toEqual([]);
  });
});

describe("at catalog scale", () => {
  // 800 products in 40 families; orders mostly within a family. The cart model carries a
  // popularity prior, so every product it knows scores above zero for every cart: ranking all of
  // them is the full ranking the bounded candidate pool must agree with.
  const rng = mulberry32(7);
  const families = 40;
  const perFamily = 20;
  const bigCatalog = Array.from({ length: families * perFamily }, (_, i) =>
    product(`p${String(i).padStart(3, "0")}`, {
      title: `Item ${i % perFamily} of family ${Math.floor(i / perFamily)}`,
      productType: `type-${Math.floor(i / perFamily)}`,
      vendor: `vendor-${i % 7}`,
      price: 1_000 + (i % 13) * 250,
    }),
  );
  const bigHistory: EngineOrder[] = Array.from({ length: 6_000 }, (_, n) => {
    const family = Math.floor(rng() ** 2 * families);
    const size = 2 + Math.floor(rng() * 3);
    const items = new Set<string>();
    while (items.size < size) {
      const f = rng() < 0.8 ? family : Math.floor(rng() * families);
      items.add(bigCatalog[f * perFamily + Math.floor(rng() * perFamily)].id);
    }
    return {
      id: `b${n}`,
      createdAt: new Date(Date.UTC(2024, 0, 1) + n * 3_600_000),
      lines: [...items].map((productId) => ({
        productId,
        quantity: 1,
        price: { amount: 1_000, currency: "USD" },
      })),
    };
  });
  const bigModel = buildRankingModel({
    products: bigCatalog,
    copurchase: buildCoPurchase(bigHistory),
  });
  const scorer = completionScorer(
    trainCartModel(
      bigHistory.map((o) => ({
        id: o.id,
        createdAt: new Date(o.createdAt).toISOString(),
        items: o.lines.map((l) => l.productId),
      })),
      { priorWeight: 0.2 },
    ),
  );
  /** Counts the candidates whose completion score the ranker asks for, one per candidate. */
  const counting = (inner: CartCompletionScorer, everyProduct = false) => {
    const counter = { scored: 0 };
    const wrapped: CartCompletionScorer = (cart) => {
      const completion = inner(cart);
      return {
        top: (limit) => completion.top(everyProduct ? Infinity : limit),
        score: (productId) => {
          counter.scored++;
          return completion.score(productId);
        },
      };
    };
    return { counter, wrapped };
  };
  const carts = Array.from({ length: 12 }, (_, n) => [
    bigCatalog[(n * 97) % bigCatalog.length].id,
    bigCatalog[(n * 389 + 5) % bigCatalog.length].id,
  ]);
  // Wholesale-sized carts: 30 products from a few families.
  const bigCarts = Array.from({ length: 4 }, (_, n) =>
    Array.from(
      { length: 30 },
      (_, k) => bigCatalog[(n * 211 + k * 23) % bigCatalog.length].id,
    ),
  );

  it("offers the same as ranking every product the cart model scores", () => {
    for (const productIds of [...carts, ...bigCarts]) {
      const request = (completion: CartCompletionScorer): RankRequest => ({
        placement: "cart",
        context: { type: "cart", productIds },
        completion,
      });
      expect(rankOffers(bigModel, request(scorer))).toEqual(
        rankOffers(bigModel, request(counting(scorer, true).wrapped)),
      );
    }
  });

  it("scores a bounded number of candidates per request, whatever the catalog size", () => {
    for (const productIds of carts) {
      const bounded = counting(scorer);
      const full = counting(scorer, true);
      for (const { wrapped } of [bounded, full])
        rankOffers(bigModel, {
          placement: "cart",
          context: { type: "cart", productIds },
          completion: wrapped,
        });
      // Cart model 100, per anchor 60 partners and 30 neighbours, a few best sellers.
      const bound = 100 + 2 * 90 + 20;
      expect(bounded.counter.scored).toBeLessThanOrEqual(bound);
      expect(full.counter.scored).toBeGreaterThan(2 * bound);
    }
  });

  it("shares the pool among a big cart's products, so its size does not grow with the cart", () => {
    for (const productIds of bigCarts) {
      const { counter, wrapped } = counting(scorer);
      rankOffers(bigModel, {
        placement: "cart",
        context: { type: "cart", productIds },
        completion: wrapped,
      });
      // Cart model 100, 300 partners and 150 neighbours shared by the cart, a few best sellers;
      // 60 partners and 30 neighbours for each of 30 products would be 2,800.
      expect(counter.scored).toBeLessThanOrEqual(100 + 300 + 150 + 20);
    }
  });
});

describe("ranking for a signed-in customer", () => {
  const NOW = Date.UTC(2024, 5, 1);
  const DAY = 86_400_000;
  const profileOf = (bought: { productId: string; daysAgo: number }[]) =>
    buildCustomerProfiles(
      bought.map(({ productId, daysAgo }, k) => ({
        id: `p${k}`,
        createdAt: new Date(NOW - daysAgo * DAY),
        customerKey: "ann",
        lines: [
          { productId, quantity: 1, price: { amount: 500, currency: "USD" } },
        ],
      })),
    ).get("ann")!;
  // Filters are re-ordered about every 28 days.
  const replenishment: ReplenishmentModel = {
    config: DEFAULT_REPLENISHMENT_CONFIG,
    products: {
      filters: {
        productId: "filters",
        medianDays: 28,
        q1Days: 21,
        q3Days: 35,
        iqrDays: 14,
        intervals: 40,
        customers: 12,
        buyers: 15,
        repeatShare: 0.8,
        repeatShareLower: 0.6,
      },
    },
  };
  // Forty customers come back for filters and never for beans; forty more buy beans in their
  // second order.
  const rebuy = rebuyStats(
    buildCustomerProfiles(
      Array.from({ length: 80 }, (_, c) =>
        [
          c < 40 ? ["coffee-maker", "beans", "filters"] : ["coffee-maker"],
          c < 40 ? ["filters"] : ["beans"],
        ].map((ids, k) => ({
          id: `r${c}-${k}`,
          createdAt: new Date(NOW - (200 - 30 * k) * DAY),
          customerKey: `c${c}`,
          lines: ids.map((productId) => ({
            productId,
            quantity: 1,
            price: { amount: 500, currency: "USD" },
          })),
        })),
      ).flat(),
    ),
  );
  const cart = (extra: Partial<RankRequest> = {}): RankRequest => ({
    placement: "cart",
    context: { type: "cart", productIds: ["coffee-maker"] },
    limit: 4,
    ...extra,
  });

  it("gives a customer with no history exactly the anonymous offers", () => {
    const empty = buildCustomerProfiles([
      {
        id: "e1",
        createdAt: new Date(NOW - DAY),
        customerKey: "ann",
        lines: [],
      },
    ]).get("ann")!;
    for (const request of [cart(), onCoffeeMaker()])
      expect(
        JSON.stringify(
          rankOffers(model, {
            ...request,
            shopper: { profile: empty, now: NOW, replenishment },
          }),
        ),
      ).toBe(JSON.stringify(rankOffers(model, request)));
  });

  it("offers what the customer owns as far as the shop's customers re-buy it, and brings a consumable that is due forward with the customer's own purchase as the reason", () => {
    const anonymous = ids(cart());
    expect(anonymous).toContain("beans");
    expect(anonymous[0]).toBe("filters");
    const owner = profileOf([
      { productId: "beans", daysAgo: 40 },
      { productId: "filters", daysAgo: 30 },
    ]);
    const offers = rankOffers(
      model,
      cart({ shopper: { profile: owner, now: NOW, replenishment, rebuy } }),
    );
    // Nobody re-buys beans: they keep a quarter of their score at most.
    const beans = (list: typeof offers) =>
      list.find((o) => o.productId === "beans");
    const owned = beans(offers);
    expect(
      owned === undefined ||
        owned.score < 0.25 * beans(rankOffers(model, cart()))!.score,
    ).toBe(true);
    expect(offers[0].productId).toBe("filters");
    expect(offers[0].reason.key).toBe("reasons.bought_before");
    expect(offers[0].reason.params.month).toEqual({
      month: new Date(NOW - 30 * DAY).toISOString().slice(0, 7),
      withYear: false,
    });
    expect(offers[0].breakdown.due).toBeGreaterThan(0);
    // Bought a week ago: not due yet, so no reminder, but a consumable may still be offered.
    const early = rankOffers(
      model,
      cart({
        shopper: {
          profile: profileOf([{ productId: "filters", daysAgo: 7 }]),
          now: NOW,
          replenishment,
          rebuy,
        },
      }),
    );
    expect(early[0].productId).toBe("filters");
    expect(early[0].breakdown.due).toBeUndefined();
    // Still bought before: the reason says so, never a re-order it is not due for.
    expect(early[0].reason.key).toBe("reasons.bought_before");
  });

  it("weighs a customer's re-buys once when the completion is already personal", () => {
    const shopper = {
      profile: profileOf([{ productId: "filters", daysAgo: 7 }]),
      now: NOW,
      replenishment,
      rebuy,
    };
    const share = ownership(shopper).keep.get("filters")!;
    expect(share).not.toBeCloseTo(1, 2);
    const scores = new Map([
      ["filters", 1],
      ["beans", 0.5],
    ]);
    const completion =
      (personal: boolean): CartCompletionScorer =>
      () => ({
        ...(personal ? { personal: true as const } : {}),
        score: (id) => scores.get(id) ?? 0,
        top: () =>
          [...scores].map(([productId, score]) => ({ productId, score })),
      });
    const filters = (personal: boolean) =>
      rankOffers(
        model,
        cart({ shopper, completion: completion(personal) }),
      ).find((o) => o.productId === "filters")!.breakdown;
    const once = filters(true);
    const twice = filters(false);
    expect(twice.completion).toBeCloseTo(once.completion * share, 10);
    expect(twice.copurchase).toBeCloseTo(once.copurchase, 10);
    expect(once.completion).toBeGreaterThan(0);
  });
});

describe("upsell tiers for a signed-in customer", () => {
  // A 2-person tent at $200 with a 3-person at $240 and a 4-person at $290: both inside the
  // upgrade's +50% step, and today's offer is the smaller step.
  const tents = buildRankingModel({
    products: [
      product("tent", {
        title: "Trail Tent",
        productType: "Tent",
        options: [
          { name: "Capacity", value: "2-person", price: 20_000 },
          { name: "Capacity", value: "3-person", price: 24_000 },
          { name: "Capacity", value: "4-person", price: 29_000 },
        ],
      }),
      product("old-tent", { productType: "Tent", price: 30_000 }),
      product("mug", { productType: "Mug", price: 1_200 }),
      product("untyped", { price: 29_000 }),
    ],
  });
  const typeOf = (id: string) => tents.products.get(id)?.productType ?? "";
  /** A customer's orders, one line each: what they paid, and whether it was on discount. */
  const customer = (
    lines: { productId: string; paid: number; discounted?: boolean }[],
  ) => ({
    profile: buildCustomerProfiles(
      lines.map(({ productId, paid, discounted }, k) => ({
        id: `t${k}`,
        createdAt: new Date(Date.UTC(2024, 0, 1 + 30 * k)),
        customerKey: "ann",
        lines: [
          {
            productId,
            quantity: 1,
            price: { amount: paid, currency: "USD" },
            discounted,
          },
        ],
      })),
      typeOf,
    ).get("ann")!,
    now: Date.UTC(2024, 11, 1),
  });
  const upgrade = (extra: Partial<RankRequest> = {}): RankRequest => ({
    placement: "product_upgrade",
    context: { type: "product", productId: "tent", variantId: "tent-v0" },
    ...extra,
  });
  const tiers = (request: RankRequest) =>
    rankOffers(tents, request).map((o) => o.variantId);

  it("offers a loyal high spender the tier nearest what they pay, and says so", () => {
    expect(tiers(upgrade({ limit: 2 }))).toEqual(["tent-v1", "tent-v2"]);
    // Tents at $280, $300 and $290: a median of $290, the 4-person's price.
    const loyal = customer(
      [28_000, 30_000, 29_000].map((paid) => ({
        productId: "old-tent",
        paid,
        discounted: false,
      })),
    );
    const offers = rankOffers(tents, upgrade({ shopper: loyal, limit: 2 }));
    expect(offers.map((o) => o.variantId)).toEqual(["tent-v2", "tent-v1"]);
    expect(offers[0].reason).toMatchObject({
      key: "reasons.upgrade_in_range",
      text: "+$90 for double the capacity, in your usual price range",
    });
    expect(offers[0].breakdown.band).toBe(1);
    expect(offers[0].score).toBeGreaterThan(offers[1].score);
    // The tier after it is today's, unchanged.
    expect(offers[1]).toEqual(rankOffers(tents, upgrade())[0]);
  });

  it("offers a bargain hunter the cheaper tier inside the same band", () => {
    // Both paid a median of $280 for tents; the 4-person ($290) is nearer, the 3-person ($240)
    // cheaper, and both are inside the band ($224 to $350).
    const paid = [27_000, 28_000, 29_000];
    const fullPrice = customer(
      paid.map((p) => ({ productId: "old-tent", paid: p, discounted: false })),
    );
    const bargainHunter = customer(
      paid.map((p, k) => ({
        productId: "old-tent",
        paid: p,
        discounted: k > 0,
      })),
    );
    expect(tiers(upgrade({ shopper: fullPrice }))).toEqual(["tent-v2"]);
    const offers = rankOffers(tents, upgrade({ shopper: bargainHunter }));
    expect(offers.map((o) => o.variantId)).toEqual(["tent-v1"]);
    expect(offers[0].reason.text).toBe(
      "+$40 for the 3-person, in your usual price range",
    );
  });

  it("gives today's tiers, byte for byte, without a band for the type or a tier inside it", () => {
    const anonymous = JSON.stringify(rankOffers(tents, upgrade({ limit: 2 })));
    const shoppers = [
      // Never bought a tent.
      customer([{ productId: "mug", paid: 1_200 }]),
      // Paid $290 for products without a type: no band for tents.
      customer([{ productId: "untyped", paid: 29_000 }]),
      // Pays $150 for a tent: every tier is above the band, so nothing dearer comes forward.
      customer([{ productId: "old-tent", paid: 15_000 }]),
      // Pays $500: the tiers are below the band.
      customer([{ productId: "old-tent", paid: 50_000 }]),
    ];
    for (const shopper of shoppers)
      expect(
        JSON.stringify(rankOffers(tents, upgrade({ shopper, limit: 2 }))),
      ).toBe(anonymous);
  });
});
