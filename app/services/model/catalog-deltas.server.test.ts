import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import prisma from "~/db.server";
import { rankOffers, type RankRequest } from "~/engine/ranking";
import { trainModels } from "~/engine/shop-model";
import type { EngineOrder } from "~/engine/types";
import {
  type ProductInput,
  deleteProduct,
  saveInventoryItemCost,
  saveProducts,
} from "~/services/catalog/products.server";
import { requestsOver } from "../../../test/ranking-requests";
import {
  type Recommender,
  forgetRecommender,
  recommenderFor,
  refreshRecommender,
  storeModel,
} from "./model.server";

// A serving state kept current by catalog changes (creates, updates, stock, costs, archiving,
// deletes, written by the app's own catalog writes) answers as a state built whole from the same
// database.

const WORDS = ["light", "pro", "steel", "down", "trail", "compact"];
const SIZES = ["S", "M", "L"];

const fields = fc.record({
  title: fc
    .array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 })
    .map((words) => words.join(" ")),
  productType: fc.constantFrom("Tent", "Stove", "Mug", ""),
  vendor: fc.constantFrom("Alpine", "Ridge"),
  tags: fc.subarray(["camp", "winter", "gift"]),
  status: fc.constantFrom("ACTIVE", "ACTIVE", "ACTIVE", "ARCHIVED"),
  prices: fc.array(fc.integer({ min: 1_000, max: 3_000 }), {
    minLength: 1,
    maxLength: SIZES.length,
  }),
  stock: fc.constantFrom(0, 5, null),
});
type Fields = typeof fields extends fc.Arbitrary<infer T> ? T : never;

let clock = Date.UTC(2026, 10, 1);
/** Every write is newer than the last, as a webhook's copy is. */
const nextTime = () => new Date((clock += 1_000));

const input = (id: string, f: Fields): ProductInput => ({
  id,
  title: f.title,
  handle: id,
  productType: f.productType,
  vendor: f.vendor,
  tags: f.tags,
  status: f.status,
  imageUrl: null,
  updatedAt: nextTime(),
  variants: f.prices.map((price, i) => ({
    id: `${id}-v${i}`,
    title: SIZES[i],
    sku: "",
    options: [{ name: "Size", value: SIZES[i] }],
    priceMinor: price,
    compareAtMinor: null,
    inventoryQuantity: f.stock,
    availableForSale: f.stock !== 0,
    position: i + 1,
    inventoryItemId: `item-${id}-${i}`,
  })),
});

const change = fc.oneof(
  fc.record({ kind: fc.constant("create" as const), fields }),
  fc.record({ kind: fc.constant("update" as const), at: fc.nat(), fields }),
  fc.record({
    kind: fc.constant("cost" as const),
    at: fc.nat(),
    cost: fc.integer({ min: 100, max: 2_500 }),
  }),
  fc.record({ kind: fc.constant("delete" as const), at: fc.nat() }),
);
type Change = typeof change extends fc.Arbitrary<infer T> ? T : never;

async function write(shop: string, c: Change, nextId: () => string) {
  if (c.kind === "create")
    return saveProducts(shop, [input(nextId(), c.fields)], "USD");
  const ids = (
    await prisma.product.findMany({
      where: { shop },
      select: { id: true },
      orderBy: { id: "asc" },
    })
  ).map((p) => p.id);
  if (ids.length === 0) return;
  const id = ids[c.at % ids.length];
  if (c.kind === "update")
    return saveProducts(shop, [input(id, c.fields)], "USD");
  if (c.kind === "cost")
    return saveInventoryItemCost(shop, {
      id: `item-${id}-0`,
      cost: (c.cost / 100).toFixed(2),
    });
  return deleteProduct(shop, id);
}

const history = fc
  .array(
    fc.uniqueArray(fc.integer({ min: 0, max: 24 }), {
      minLength: 1,
      maxLength: 3,
    }),
    { minLength: 10, maxLength: 60 },
  )
  .map((baskets) =>
    baskets.map((basket, i): EngineOrder => ({
      id: `o${i}`,
      createdAt: new Date(Date.UTC(2026, 9, 1) + i * 3_600_000),
      lines: basket.map((n) => ({
        productId: `p${n}`,
        quantity: 1,
        price: { amount: 1_500, currency: "USD" },
      })),
    })),
  );

const answers = (recommender: Recommender, requests: RankRequest[]) =>
  requests.map((request) =>
    rankOffers(recommender.ranking, {
      ...request,
      completion: recommender.completion,
    }),
  );

/** The shop's serving state once it has taken in the write just made. */
async function refreshed(shop: string, previous: Recommender) {
  refreshRecommender(shop);
  await vi.waitFor(async () =>
    expect(await recommenderFor(shop)).not.toBe(previous),
  );
  return recommenderFor(shop);
}

let run = 0;

describe("catalog changes in a shop's serving state", () => {
  it("give the offers of a state rebuilt from the same database, for any catalog and changes", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fields, { minLength: 5, maxLength: 25 }),
        history,
        fc.array(change, { minLength: 1, maxLength: 6 }),
        fc.array(fc.array(fc.nat(), { minLength: 1, maxLength: 3 }), {
          minLength: 2,
          maxLength: 4,
        }),
        async (initial, orders, changes, picks) => {
          const shop = `catalog-deltas-${++run}.myshopify.com`;
          await prisma.shop.create({ data: { shop, importStatus: "done" } });
          await saveProducts(
            shop,
            initial.map((f, i) => input(`p${i}`, f)),
            "USD",
          );
          let created = initial.length;
          const nextId = () => `p${created++}`;
          await storeModel(shop, trainModels(orders), {
            orders: orders.length,
            products: initial.length,
            trainMs: 0,
          });
          const first = await recommenderFor(shop);
          const ids = async () =>
            (
              await prisma.product.findMany({
                where: { shop },
                select: { id: true },
                orderBy: { id: "asc" },
              })
            ).map((p) => `${p.id}`);
          const asked = async () =>
            requestsOver([...(await ids()), "gone"], picks, (id) => `${id}-v0`);
          // Warm caches are what a change could leave stale.
          answers(first, await asked());
          let state = first;
          for (const c of changes) {
            await write(shop, c, nextId);
            state = await refreshed(shop, state);
            // Applied to the state that served, not rebuilt.
            expect(state.ranking).toBe(first.ranking);
            answers(state, await asked());
          }
          forgetRecommender(shop);
          const rebuilt = await recommenderFor(shop);
          expect(rebuilt.ranking).not.toBe(first.ranking);
          const requests = await asked();
          expect(answers(state, requests)).toEqual(answers(rebuilt, requests));
          forgetRecommender(shop);
        },
      ),
      { numRuns: 12 },
    );
  }, 240_000);
});
