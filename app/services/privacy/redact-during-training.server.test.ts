import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { trainModels } from "~/engine/shop-model";
import {
  ShopGoneError,
  storeModel,
  trainShop,
} from "~/services/model/model.server";
import { engineOrder as order, seedSmallShop } from "../../../test/fixtures";
import { redactShop } from "./privacy.server";

const trained = trainModels([order("a", ["1", "2"]), order("b", ["2", "3"])]);
const meta = { orders: 2, products: 3, trainMs: 0 };

const leftOf = async (shop: string) => ({
  shops: await prisma.shop.count({ where: { shop } }),
  models: await prisma.recommendationModel.count({ where: { shop } }),
});

describe("shop/redact while the shop's model trains", () => {
  it("stores nothing when the redaction came first", async () => {
    const shop = "redact-first.myshopify.com";
    await seedSmallShop(shop);
    await redactShop(shop);
    await expect(storeModel(shop, trained, meta)).rejects.toThrow(
      ShopGoneError,
    );
    expect(await leftOf(shop)).toEqual({ shops: 0, models: 0 });
  });

  it("leaves no model whichever of the two commits first", async () => {
    // The redaction starts 0–4 ms after the model's transaction, so some runs interleave the
    // two transactions and some let either finish first: in every case nothing remains.
    for (let run = 0; run < 15; run++) {
      const shop = `redact-race-${run}.myshopify.com`;
      await seedSmallShop(shop);
      const [stored, redacted] = await Promise.allSettled([
        storeModel(shop, trained, meta),
        sleep(run % 5).then(() => redactShop(shop)),
      ]);
      expect(redacted.status).toBe("fulfilled");
      if (stored.status === "rejected")
        expect(stored.reason).toBeInstanceOf(ShopGoneError);
      expect(await leftOf(shop)).toEqual({ shops: 0, models: 0 });
    }
  });

  it("ends a training job in flight without a model when the shop is redacted meanwhile", async () => {
    const shop = "redact-training.myshopify.com";
    await seedSmallShop(shop);
    const training = trainShop(shop);
    // Time enough to take the lease; the worker thread takes far longer to start and train, so
    // the redaction lands while it trains.
    await sleep(100);
    expect(
      await prisma.shop.count({
        where: { shop, trainingLeaseHolder: { not: null } },
      }),
    ).toBe(1);
    await redactShop(shop);
    expect(await training).toBeNull();
    expect(await leftOf(shop)).toEqual({ shops: 0, models: 0 });
  });
});
