import { describe, expect, it } from "vitest";
import { buildCoPurchase, compareIds } from "./copurchase";
import {
  buildContentIndex,
  contentSimilarity,
  popularProducts,
  similarProducts,
  titleTokens,
} from "./content";
import type { CatalogProduct } from "./types";

function product(
  id: string,
  fields: Partial<Omit<CatalogProduct, "id" | "variants">> & {
    price?: number;
  } = {},
): CatalogProduct {
  return {
    id,
    title: fields.title ?? id,
    handle: id,
    productType: fields.productType ?? "",
    vendor: fields.vendor ?? "",
    tags: fields.tags ?? [],
    collections: fields.collections ?? [],
    variants: [
      {
        id: `${id}-v`,
        productId: id,
        title: "Default",
        sku: id.toUpperCase(),
        options: [],
        price: { amount: fields.price ?? 1_000, currency: "USD" },
        inventoryQuantity: 5,
        availableForSale: true,
      },
    ],
  };
}

const catalog = [
  product("mug-blue", {
    title: "Blue Ceramic Mug",
    productType: "Mug",
    vendor: "Clayworks",
    tags: ["kitchen"],
  }),
  product("mug-red", {
    title: "Red Ceramic Mug",
    productType: "Mug",
    vendor: "Clayworks",
    tags: ["kitchen"],
  }),
  product("mug-steel", {
    title: "Steel Travel Mug",
    productType: "Mug",
    vendor: "Roadware",
    tags: ["travel"],
  }),
  product("mug-gold", {
    title: "Gold Ceramic Mug",
    productType: "Mug",
    vendor: "Clayworks",
    tags: ["kitchen"],
    price: 9_000,
  }),
  product("socks", {
    title: "Wool Socks",
    productType: "Apparel",
    vendor: "Knitco",
    tags: ["winter"],
  }),
  product("scarf", {
    title: "Wool Scarf",
    productType: "Apparel",
    vendor: "Knitco",
    tags: ["winter"],
  }),
];

describe("content similarity", () => {
  it("finds neighbours for a product nobody has bought yet", () => {
    const index = buildContentIndex(catalog);
    const similar = similarProducts(index, "mug-blue");
    expect(similar[0].productId).toBe("mug-red");
    expect(similar.map((s) => s.productId)).not.toContain("socks");
  });

  it("ranks shared type, vendor and tags above a shared type alone", () => {
    const index = buildContentIndex(catalog);
    expect(contentSimilarity(index, "mug-blue", "mug-red")).toBeGreaterThan(
      contentSimilarity(index, "mug-blue", "mug-steel"),
    );
  });

  it("lowers similarity when prices are far apart", () => {
    const index = buildContentIndex(catalog);
    expect(contentSimilarity(index, "mug-blue", "mug-red")).toBeGreaterThan(
      contentSimilarity(index, "mug-blue", "mug-gold"),
    );
  });

  it("is symmetric and zero for unknown or identical products", () => {
    const index = buildContentIndex(catalog);
    expect(contentSimilarity(index, "socks", "scarf")).toBeCloseTo(
      contentSimilarity(index, "scarf", "socks"),
      12,
    );
    expect(contentSimilarity(index, "socks", "socks")).toBe(0);
    expect(contentSimilarity(index, "socks", "nope")).toBe(0);
  });

  it("finds the same nearest products as comparing against every product, in a catalog of look-alikes", () => {
    // Many products share one profile (type, vendor, tags, title words) and differ in price.
    const lookAlikes = Array.from({ length: 120 }, (_, i) =>
      product(`p${i}`, {
        title: ["Blue Ceramic Mug", "Red Ceramic Mug", "Steel Travel Mug"][
          i % 3
        ],
        productType: i % 4 === 0 ? "Cup" : "Mug",
        vendor: ["Clayworks", "Roadware"][i % 2],
        tags: i % 5 === 0 ? ["kitchen", "gift"] : ["kitchen"],
        price: 500 + ((i * 37) % 11) * 400,
      }),
    );
    const index = buildContentIndex(lookAlikes);
    expect(index.profiles.size).toBeLessThan(lookAlikes.length / 4);
    for (const anchor of ["p0", "p7", "p33", "p119"]) {
      const everyProduct = lookAlikes
        .map((p) => ({
          productId: p.id,
          similarity: contentSimilarity(index, anchor, p.id),
        }))
        .filter((s) => s.productId !== anchor && s.similarity >= 0.05)
        .sort(
          (x, y) =>
            y.similarity - x.similarity || compareIds(x.productId, y.productId),
        );
      expect(similarProducts(index, anchor, { limit: 10 })).toEqual(
        everyProduct.slice(0, 10),
      );
      expect(similarProducts(index, anchor)).toEqual(everyProduct);
    }
  });

  it("tokenises titles without stopwords, bare numbers or plural noise", () => {
    expect(titleTokens("Set of 4 Café Mugs & the Glasses, Berries")).toEqual([
      "cafe",
      "mug",
      "glass",
      "berry",
    ]);
  });
});

describe("popularity fallback", () => {
  it("is never empty even without any orders", () => {
    const list = popularProducts(catalog, undefined);
    expect(list).toHaveLength(catalog.length);
    expect(list.every((p) => p.weight === 0)).toBe(true);
  });

  it("puts best sellers first and keeps products without orders after them", () => {
    const stats = buildCoPurchase([
      {
        id: "1",
        createdAt: "2024-01-01",
        lines: [
          {
            productId: "scarf",
            quantity: 1,
            price: { amount: 1, currency: "USD" },
          },
        ],
      },
      {
        id: "2",
        createdAt: "2024-01-02",
        lines: [
          {
            productId: "scarf",
            quantity: 1,
            price: { amount: 1, currency: "USD" },
          },
        ],
      },
      {
        id: "3",
        createdAt: "2024-01-03",
        lines: [
          {
            productId: "socks",
            quantity: 1,
            price: { amount: 1, currency: "USD" },
          },
        ],
      },
    ]);
    const ids = popularProducts(catalog, stats).map((p) => p.productId);
    expect(ids.slice(0, 2)).toEqual(["scarf", "socks"]);
    expect(ids).toHaveLength(catalog.length);
  });

  it("can be scoped to a product type", () => {
    const ids = popularProducts(catalog, undefined, {
      productType: "apparel",
    }).map((p) => p.productId);
    expect(ids).toEqual(["scarf", "socks"]);
  });
});
