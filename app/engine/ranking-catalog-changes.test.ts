import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { similarProducts } from "./content";
import { buildCoPurchase, compareIds } from "./copurchase";
import {
  applyCatalogChanges,
  buildRankingModel,
  rankOffers,
  type CatalogChanges,
  type RankRequest,
  type RankingModel,
} from "./ranking";
import type { CatalogProduct, EngineOrder } from "./types";
import { requestsOver } from "../../test/ranking-requests";

// A catalog changed product by product (applyCatalogChanges) must rank exactly as one built whole
// from the same products: same offers, prices, reasons and scores, to the last bit.

const TYPES = ["Tent", "Stove", "Mug", ""];
const VENDORS = ["Alpine", "Ridge", "Trail"];
const TAGS = ["camp", "winter", "gift", "sale"];
const WORDS = ["light", "pro", "steel", "down", "trail", "compact", "ultra"];
const SIZES = ["S", "M", "L", "XL"];

interface Fields {
  title: string;
  productType: string;
  vendor: string;
  tags: string[];
  variants: { price: number; stock: number | null; cost?: number }[];
}

function product(id: string, fields: Fields): CatalogProduct {
  return {
    id,
    title: fields.title,
    handle: id,
    productType: fields.productType,
    vendor: fields.vendor,
    tags: fields.tags,
    collections: [],
    variants: fields.variants.map((v, i) => ({
      id: `${id}-v${i}`,
      productId: id,
      title: SIZES[i],
      sku: "",
      options: [{ name: "Size", value: SIZES[i] }],
      price: { amount: v.price, currency: "USD" },
      cost:
        v.cost === undefined ? undefined : { amount: v.cost, currency: "USD" },
      inventoryQuantity: v.stock,
      availableForSale: true,
    })),
  };
}

const fields = fc.record({
  title: fc
    .array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 })
    .map((words) => words.join(" ")),
  productType: fc.constantFrom(...TYPES),
  vendor: fc.constantFrom(...VENDORS),
  tags: fc.subarray(TAGS),
  variants: fc.array(
    fc.record(
      {
        price: fc.integer({ min: 1_000, max: 3_000 }),
        stock: fc.constantFrom(0, 4, null),
        cost: fc.integer({ min: 200, max: 900 }),
      },
      { requiredKeys: ["price", "stock"] },
    ),
    { minLength: 1, maxLength: SIZES.length },
  ),
});

/** One catalog change; `at` picks a product among those present, whatever their number. */
const change = fc.oneof(
  fc.record({ kind: fc.constant("create" as const), fields }),
  fc.record({ kind: fc.constant("replace" as const), at: fc.nat(), fields }),
  fc.record({
    kind: fc.constant("reprice" as const),
    at: fc.nat(),
    price: fc.integer({ min: 1_000, max: 3_000 }),
  }),
  fc.record({ kind: fc.constant("sell out" as const), at: fc.nat() }),
  fc.record({ kind: fc.constant("rename" as const), at: fc.nat(), fields }),
  fc.record({ kind: fc.constant("remove" as const), at: fc.nat() }),
);
type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

/** Applies a batch of changes to `catalog`, and returns them as the serving state receives them. */
function applyTo(
  catalog: Map<string, CatalogProduct>,
  batch: readonly Change[],
  nextId: () => string,
): CatalogChanges {
  const touched = new Set<string>();
  for (const c of batch) {
    if (c.kind === "create") {
      const id = nextId();
      catalog.set(id, product(id, c.fields));
      touched.add(id);
      continue;
    }
    const ids = [...catalog.keys()];
    if (ids.length === 0) continue;
    const id = ids[c.at % ids.length];
    const was = catalog.get(id)!;
    touched.add(id);
    if (c.kind === "remove") catalog.delete(id);
    else if (c.kind === "replace") catalog.set(id, product(id, c.fields));
    else if (c.kind === "rename")
      catalog.set(id, { ...was, title: c.fields.title, tags: c.fields.tags });
    else
      catalog.set(id, {
        ...was,
        variants: was.variants.map((v, i) =>
          i > 0
            ? v
            : c.kind === "reprice"
              ? { ...v, price: { ...v.price, amount: c.price } }
              : { ...v, inventoryQuantity: 0 },
        ),
      });
  }
  return {
    upserted: [...touched].flatMap((id) => catalog.get(id) ?? []),
    removed: [...touched].filter((id) => !catalog.has(id)),
  };
}

/** Orders over p0..p59: products created later (p40 on) may have a history too. */
const history = fc
  .array(
    fc.uniqueArray(fc.integer({ min: 0, max: 59 }), {
      minLength: 1,
      maxLength: 4,
    }),
    { minLength: 5, maxLength: 80 },
  )
  .map((baskets) =>
    baskets.map((basket, i): EngineOrder => ({
      id: `o${i}`,
      createdAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000),
      lines: basket.map((n) => ({
        productId: `p${n}`,
        quantity: 1,
        price: { amount: 1_500, currency: "USD" },
      })),
    })),
  );

const requests = (ids: readonly string[], picks: number[][]) =>
  requestsOver(ids, picks, (id) => `${id}-v0`);

const rebuild = (
  catalog: Map<string, CatalogProduct>,
  orders: readonly EngineOrder[],
) =>
  buildRankingModel({
    products: [...catalog.values()].sort((a, b) => compareIds(a.id, b.id)),
    copurchase: buildCoPurchase(orders),
  });

const offers = (model: RankingModel, all: readonly RankRequest[]) =>
  all.map((request) => rankOffers(model, request));

describe("catalog changes applied to a ranking model", () => {
  it("rank as a model built whole from the changed catalog, for any catalog and changes", () => {
    fc.assert(
      fc.property(
        fc.array(fields, { minLength: 3, maxLength: 40 }),
        history,
        fc.array(fc.array(change, { minLength: 1, maxLength: 3 }), {
          minLength: 1,
          maxLength: 8,
        }),
        fc.array(fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), {
          minLength: 1,
          maxLength: 4,
        }),
        (initial, orders, batches, picks) => {
          const catalog = new Map(
            initial.map((f, i) => [`p${i}`, product(`p${i}`, f)]),
          );
          let created = initial.length;
          const nextId = () => `p${created++}`;
          const model = rebuild(catalog, orders);
          // Caches warmed before each change are what a change could leave stale.
          offers(model, requests([...catalog.keys()], picks));
          for (const batch of batches) {
            applyCatalogChanges(model, applyTo(catalog, batch, nextId));
            const now = requests([...catalog.keys()], picks);
            expect(offers(model, now)).toEqual(
              offers(rebuild(catalog, orders), now),
            );
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("each kind of catalog change", () => {
  const base: Fields = {
    title: "trail",
    productType: "Mug",
    vendor: "Alpine",
    tags: [],
    variants: [{ price: 1_500, stock: 4 }],
  };
  const start = () =>
    new Map([
      [
        "tent",
        product("tent", { ...base, title: "ultra tent", productType: "Tent" }),
      ],
      [
        "stove",
        product("stove", {
          ...base,
          title: "compact stove",
          productType: "Stove",
        }),
      ],
      ["mug", product("mug", { ...base, title: "steel mug", tags: ["camp"] })],
      [
        "cup",
        product("cup", {
          ...base,
          title: "steel cup",
          vendor: "Ridge",
          tags: ["camp"],
        }),
      ],
      [
        "pot",
        product("pot", {
          ...base,
          title: "down pot",
          productType: "Pot",
          vendor: "Forge",
        }),
      ],
    ]);
  const orders: EngineOrder[] = [
    ["tent", "stove"],
    ["tent", "stove", "mug"],
    ["tent", "pot"],
    ["stove", "pot"],
  ].map((basket, i) => ({
    id: `o${i}`,
    createdAt: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000),
    lines: basket.map((productId) => ({
      productId,
      quantity: 1,
      price: { amount: 1_500, currency: "USD" },
    })),
  }));
  const asked = (catalog: Map<string, CatalogProduct>) =>
    requests(
      [...catalog.keys(), "gone"],
      [[0], [1], [2], [0, 1], [2, 3], [4, 0, 2]],
    );

  /** Applies `edit` as changes to a warm model: its offers, which must equal a rebuild's. */
  function afterChange(edit: (catalog: Map<string, CatalogProduct>) => void): {
    model: RankingModel;
    ranked: (request: RankRequest) => string[];
  } {
    const catalog = start();
    const model = rebuild(catalog, orders);
    offers(model, asked(catalog));
    const before = new Map(catalog);
    edit(catalog);
    const ids = new Set([...before.keys(), ...catalog.keys()]);
    applyCatalogChanges(model, {
      upserted: [...ids].flatMap((id) =>
        catalog.get(id) !== before.get(id) ? (catalog.get(id) ?? []) : [],
      ),
      removed: [...ids].filter((id) => !catalog.has(id)),
    });
    expect(offers(model, asked(catalog))).toEqual(
      offers(rebuild(catalog, orders), asked(catalog)),
    );
    const ranked = (request: RankRequest) =>
      rankOffers(model, request).map((o) => `${o.productId}@${o.price.amount}`);
    return { model, ranked };
  }
  const fbt = (productId: string): RankRequest => ({
    placement: "product_fbt",
    context: { type: "product", productId },
    limit: 4,
  });

  it("a new price is the offer's price", () => {
    const { ranked } = afterChange((c) =>
      c.set(
        "stove",
        product("stove", {
          ...base,
          title: "compact stove",
          productType: "Stove",
          variants: [{ price: 1_900, stock: 4 }],
        }),
      ),
    );
    expect(ranked(fbt("tent"))).toContain("stove@1900");
  });

  it("a product that sold out, was archived or was deleted is no longer offered", () => {
    const { ranked: soldOut } = afterChange((c) =>
      c.set("stove", {
        ...c.get("stove")!,
        variants: c
          .get("stove")!
          .variants.map((v) => ({ ...v, inventoryQuantity: 0 })),
      }),
    );
    expect(soldOut(fbt("tent")).join()).not.toContain("stove");
    const { ranked: deleted } = afterChange((c) => c.delete("stove"));
    expect(deleted(fbt("tent")).join()).not.toContain("stove");
  });

  it("a new product is offered, and is an anchor", () => {
    const { ranked } = afterChange((c) =>
      c.set(
        "kettle",
        product("kettle", {
          ...base,
          title: "steel kettle",
          productType: "Kettle",
          tags: ["camp"],
        }),
      ),
    );
    expect(ranked(fbt("mug")).join()).toContain("kettle");
    expect(ranked(fbt("kettle")).length).toBeGreaterThan(0);
  });

  it("a new title and tags move the product's content neighbours", () => {
    const neighbours = (model: RankingModel) =>
      similarProducts(model.content, "mug").map((s) => s.productId);
    expect(neighbours(rebuild(start(), orders))).not.toContain("pot");
    const { model } = afterChange((c) =>
      c.set("pot", { ...c.get("pot")!, title: "steel pot", tags: ["camp"] }),
    );
    expect(neighbours(model)).toContain("pot");
  });

  it("a new variant is an upgrade", () => {
    const upgrade: RankRequest = {
      placement: "product_upgrade",
      context: { type: "product", productId: "stove", variantId: "stove-v0" },
    };
    const { ranked } = afterChange((c) =>
      c.set(
        "stove",
        product("stove", {
          ...base,
          title: "compact stove",
          productType: "Stove",
          variants: [
            { price: 1_500, stock: 4 },
            { price: 1_800, stock: 4 },
          ],
        }),
      ),
    );
    expect(ranked(upgrade)).toEqual(["stove@1800"]);
  });
});
