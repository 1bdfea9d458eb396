import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { mulberry32 } from "~/engine/random";
import {
  deserialiseModels,
  serialiseModels,
  trainModels,
} from "~/engine/shop-model";
import type { EngineOrder } from "~/engine/types";
import { redactShop } from "~/services/privacy/privacy.server";
import { seedSmallShop } from "../../../test/fixtures";
import {
  MODEL_PART_CHARS,
  storeModel,
  storedModelText,
  textParts,
} from "./model.server";

/** 200 orders of 40 products out of 1,000: about 150,000 co-purchase pairs, a model of several parts. */
function manyPairs(): EngineOrder[] {
  const rng = mulberry32(3);
  return Array.from({ length: 200 }, (_, o) => ({
    id: `o${o}`,
    createdAt: new Date(Date.UTC(2026, 0, 1 + o)),
    lines: Array.from({ length: 40 }, () => ({
      productId: `p${Math.floor(rng() * 1000)}`,
      quantity: 1,
      price: { amount: 1000, currency: "USD" },
    })),
  }));
}

const trained = trainModels(manyPairs(), { backtest: false });
const text = serialiseModels(trained);
const meta = { orders: 200, products: 1000, trainMs: 0 };

const partsOf = (shop: string) =>
  prisma.recommendationModelPart.count({ where: { shop } });

describe("a model larger than a part", () => {
  it("is stored in parts and reads back as the same model", async () => {
    const shop = "model-parts.myshopify.com";
    await seedSmallShop(shop);
    expect(text.length).toBeGreaterThan(2 * MODEL_PART_CHARS);
    const { id } = await storeModel(shop, trained, meta);
    expect(await partsOf(shop)).toBe(
      Math.ceil(text.length / MODEL_PART_CHARS) - 1,
    );
    const stored = await storedModelText(shop, id);
    expect(stored).toBe(text);
    const restored = deserialiseModels(stored!);
    expect(restored.copurchase).toEqual(trained.copurchase);
    expect(serialiseModels(restored)).toBe(text);
  });

  it("loses its parts with the model when pruned, and to a redaction", async () => {
    const shop = "model-parts-pruned.myshopify.com";
    await seedSmallShop(shop);
    const perModel = Math.ceil(text.length / MODEL_PART_CHARS) - 1;
    const first = await storeModel(shop, trained, meta);
    await storeModel(shop, trained, meta);
    await storeModel(shop, trained, meta);
    // Two models are kept; the first went with its parts.
    expect(await prisma.recommendationModel.count({ where: { shop } })).toBe(2);
    expect(await partsOf(shop)).toBe(2 * perModel);
    expect(await storedModelText(shop, first.id)).toBeNull();
    await redactShop(shop);
    expect(await partsOf(shop)).toBe(0);
  });
});

describe("textParts", () => {
  it("cuts a text into parts that join back to it", () => {
    expect(textParts("abcdefg", 3)).toEqual(["abc", "def", "g"]);
    expect(textParts("abc", 3)).toEqual(["abc"]);
    expect(textParts("", 3)).toEqual([""]);
  });

  it("never cuts between the halves of a surrogate pair", () => {
    const parts = textParts("ab😀cd😀", 3);
    expect(parts).toEqual(["ab", "😀c", "d😀"]);
    // Each part survives UTF-8, as the database stores it.
    for (const part of parts)
      expect(Buffer.from(part, "utf8").toString("utf8")).toBe(part);
  });
});
