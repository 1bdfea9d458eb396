import { Prisma } from "@prisma/client";
import { describe, expect, it } from "vitest";
import prisma, { amountsAsNumbers } from "./db.server";

describe("64-bit amounts at the data-access boundary", () => {
  it("reads every BigInt column of the data model as a number (sessions belong to the Shopify library)", () => {
    const bigints = Prisma.dmmf.datamodel.models
      .filter((model) => model.name !== "Session")
      .flatMap((model) =>
        model.fields
          .filter((field) => field.type === "BigInt")
          .map(
            (field) =>
              `${model.name.charAt(0).toLowerCase()}${model.name.slice(1)}.${field.name}`,
          ),
      );
    const converted = Object.entries(amountsAsNumbers).flatMap(
      ([model, fields]) => Object.keys(fields).map((f) => `${model}.${f}`),
    );
    expect(bigints.length).toBeGreaterThan(10);
    expect(converted.sort()).toEqual(bigints.sort());
  });

  it("hands back numbers, null for empty nullable columns", async () => {
    const shop = "wide.myshopify.com";
    await prisma.product.create({
      data: {
        shop,
        id: "1",
        title: "P",
        handle: "p",
        updatedAt: new Date(),
        variants: {
          create: {
            id: "11",
            title: "Default",
            priceMinor: Number.MAX_SAFE_INTEGER,
            currency: "USD",
          },
        },
      },
    });
    const variant = await prisma.variant.findFirstOrThrow({
      where: { shop },
      select: { priceMinor: true, costMinor: true },
    });
    expect(variant.priceMinor).toBe(Number.MAX_SAFE_INTEGER);
    expect(typeof variant.priceMinor).toBe("number");
    expect(variant.costMinor).toBeNull();
  });
});

describe.runIf(process.env.CARTLIFT_TEST_DATABASE !== "postgres")(
  "the embedded SQLite database",
  () => {
    it("writes ahead to a log and still syncs each commit", async () => {
      const [journal] = await prisma.$queryRawUnsafe<
        { journal_mode: string }[]
      >("PRAGMA journal_mode");
      const [sync] =
        await prisma.$queryRawUnsafe<{ synchronous: bigint }[]>(
          "PRAGMA synchronous",
        );
      expect(journal.journal_mode).toBe("wal");
      // 2 is FULL: an acknowledged webhook's order survives a power loss.
      expect(Number(sync.synchronous)).toBe(2);
    });

    it("lets a transaction wait for the one writer longer than Prisma's 2 s before failing", async () => {
      let started!: () => void;
      const holding = new Promise<void>((resolve) => (started = resolve));
      const first = prisma.$transaction(async (tx) => {
        await tx.$queryRawUnsafe("SELECT 1");
        started();
        await new Promise((resolve) => setTimeout(resolve, 2_500));
        return "first";
      });
      await holding;
      const second = prisma.$transaction(async (tx) => {
        await tx.$queryRawUnsafe("SELECT 1");
        return "second";
      });
      expect(await Promise.all([first, second])).toEqual(["first", "second"]);
    });
  },
);
