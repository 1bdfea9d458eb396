import { describe, expect, it, vi } from "vitest";
import prisma from "~/db.server";
import { seedSmallShop } from "../../../test/fixtures";
import { importUnderLease } from "~/services/catalog/import.server";
import { acquireLease, releaseLease } from "./lease.server";
import {
  forgetRecommender,
  recommenderFor,
  trainShop,
} from "~/services/model/model.server";

const acquireTrainingLease = (shop: string, holder?: string, now?: Date) =>
  acquireLease(shop, "training", holder, now);
const releaseTrainingLease = (shop: string, holder?: string) =>
  releaseLease(shop, "training", holder);

async function seedShop(SHOP: string) {
  await seedSmallShop(SHOP, new Date());
  await prisma.order.create({
    data: {
      shop: SHOP,
      id: "100",
      name: "#100",
      createdAt: new Date("2026-10-01T00:00:00Z"),
      sourceUpdatedAt: new Date("2026-10-01T00:00:00Z"),
      currency: "USD",
      subtotalMinor: 2000,
      totalMinor: 2000,
      lines: {
        create: ["1", "2"].map((productId) => ({
          id: `${SHOP}:l${productId}`,
          productId,
          quantity: 1,
          priceMinor: 1000,
        })),
      },
    },
  });
}

describe("training lease", () => {
  it("lets exactly one of several instances take the lease at once", async () => {
    const SHOP = `lease-0.myshopify.com`;
    await seedShop(SHOP);
    const results = await Promise.all(
      ["a", "b", "c", "d"].map((holder) => acquireTrainingLease(SHOP, holder)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = ["a", "b", "c", "d"][results.indexOf(true)];
    await releaseTrainingLease(SHOP, "not-the-holder");
    expect(await acquireTrainingLease(SHOP, "e")).toBe(false);
    await releaseTrainingLease(SHOP, winner);
    expect(await acquireTrainingLease(SHOP, "e")).toBe(true);
  });

  it("hands an expired lease (a crashed holder) to the next instance", async () => {
    const SHOP = `lease-1.myshopify.com`;
    await seedShop(SHOP);
    expect(
      await acquireTrainingLease(
        SHOP,
        "crashed",
        new Date("2026-01-01T00:00:00Z"),
      ),
    ).toBe(true);
    expect(
      await acquireTrainingLease(
        SHOP,
        "next",
        new Date("2026-01-01T00:05:00Z"),
      ),
    ).toBe(false);
    expect(
      await acquireTrainingLease(
        SHOP,
        "next",
        new Date("2026-01-01T00:11:00Z"),
      ),
    ).toBe(true);
  });

  it("skips training while another instance holds the lease, and trains once it is free", async () => {
    const SHOP = `lease-2.myshopify.com`;
    await seedShop(SHOP);
    expect(await acquireTrainingLease(SHOP, "other-instance")).toBe(true);
    expect(await trainShop(SHOP)).toBeNull();
    expect(
      await prisma.recommendationModel.count({ where: { shop: SHOP } }),
    ).toBe(0);
    await releaseTrainingLease(SHOP, "other-instance");
    const trained = await trainShop(SHOP);
    expect(trained).toMatchObject({ orders: 1 });
    expect((await recommenderFor(SHOP)).modelId).toBe(trained?.id);
    // The lease is released after training.
    expect(await acquireTrainingLease(SHOP, "later")).toBe(true);
  });

  it("keeps serving the last good model when training fails, and releases the lease", async () => {
    const SHOP = `lease-3.myshopify.com`;
    await seedShop(SHOP);
    const good = await trainShop(SHOP);
    expect(good).not.toBeNull();
    // A heap too small for the training worker: it dies, the process (this test) does not.
    await expect(trainShop(SHOP, { maxHeapMb: 8 })).rejects.toThrow();
    expect(
      await prisma.recommendationModel.findMany({
        where: { shop: SHOP },
        select: { id: true },
      }),
    ).toEqual([{ id: good!.id }]);
    forgetRecommender(SHOP);
    expect((await recommenderFor(SHOP)).modelId).toBe(good!.id);
    expect(await acquireTrainingLease(SHOP, "next-instance")).toBe(true);
  });
});

describe("import lease", () => {
  const unreachable = () =>
    vi.fn(() =>
      Promise.reject(new Error("Admin API not reachable in this test")),
    );

  it("leaves a shop alone while another instance imports it, and imports it once the lease is free", async () => {
    const SHOP = "import-lease.myshopify.com";
    await prisma.shop.create({ data: { shop: SHOP } });
    expect(await acquireLease(SHOP, "import", "other-instance")).toBe(true);
    const graphql = unreachable();
    expect(await importUnderLease(SHOP, graphql)).toBe(false);
    expect(graphql).not.toHaveBeenCalled();

    await releaseLease(SHOP, "import", "other-instance");
    await expect(importUnderLease(SHOP, graphql)).rejects.toThrow(
      "not reachable",
    );
    expect(graphql).toHaveBeenCalled();
    // A failed import releases the lease: the next start (on any instance) resumes it.
    expect(await acquireLease(SHOP, "import", "next-instance")).toBe(true);
  });

  it("takes the lease on a first install, before the shop has a row", async () => {
    const SHOP = "import-first.myshopify.com";
    const graphql = unreachable();
    await expect(importUnderLease(SHOP, graphql)).rejects.toThrow();
    expect(graphql).toHaveBeenCalled();
    expect(
      await prisma.shop.findUnique({
        where: { shop: SHOP },
        select: { importLeaseHolder: true },
      }),
    ).toEqual({ importLeaseHolder: null });
  });
});
