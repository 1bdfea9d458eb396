import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HttpResponse, graphql } from "msw";
import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { mswServer } from "../../../test/msw";
import prisma from "~/db.server";
import { sessionStorage, unauthenticated } from "~/shopify.server";
import { DEMO_SHOP, generateDemoShop } from "../../../demo/shop";
import { demoAdminHandlers } from "../../../demo/admin-api";
import { importShop } from "~/services/catalog/import.server";
import { forgetRecommender, trainShop } from "~/services/model/model.server";
import {
  acceptSuggestion,
  dismissSuggestion,
  listSuggestions,
} from "./suggestions.server";

// Onboarding end to end at the service level: import the synthetic shop through Admin GraphQL
// (MSW, with a THROTTLED answer on the way), train, then review suggestions.

const SCOPES = "read_products,read_orders,read_customers,write_discounts";
// The merchant granted the whole order history (read_all_orders) and unit costs (read_inventory).
const GRANTED = `${SCOPES},read_all_orders,read_inventory`;
const demo = generateDemoShop({
  orders: 1200,
  now: new Date("2026-11-25T00:00:00Z"),
});
const admin = graphql.link(
  new RegExp(`^https://${DEMO_SHOP.replaceAll(".", "\\.")}/admin/api/`),
);

async function client() {
  return (await unauthenticated.admin(DEMO_SHOP)).admin.graphql;
}

describe("import, training and suggestions", () => {
  const waits: number[] = [];
  beforeAll(async () => {
    await sessionStorage.storeSession(
      setUpValidSession({ shop: DEMO_SHOP, isOnline: false, scope: SCOPES }),
    );
  });
  // Handlers are reset after every test (test/setup.ts): install the synthetic shop each time.
  beforeEach(() => {
    mswServer.use(...demoAdminHandlers(demo, { scopes: GRANTED }));
  });

  it("backs off on THROTTLED and imports the whole catalog and order history", async () => {
    // The second bulk status query is throttled once; the import waits and asks again.
    let statusQueries = 0;
    mswServer.use(
      admin.query("CartliftBulkStatus", () => {
        statusQueries++;
        if (statusQueries !== 2) return undefined;
        return HttpResponse.json({
          errors: [{ message: "Throttled", extensions: { code: "THROTTLED" } }],
          extensions: {
            cost: {
              requestedQueryCost: 400,
              throttleStatus: { currentlyAvailable: 100, restoreRate: 100 },
            },
          },
        });
      }),
    );
    const progress: string[] = [];
    const result = await importShop(DEMO_SHOP, await client(), {
      sleep: async (ms) => void waits.push(ms),
      onProgress: (p) => progress.push(p.status),
    });
    expect(result).toMatchObject({
      status: "done",
      products: demo.products.length,
      orders: demo.orders.length,
    });
    // The library raises THROTTLED as an error without the cost figures: exponential backoff.
    expect(waits).toEqual([1000]);
    expect(progress[0]).toBe("products");
    expect(progress.at(-1)).toBe("done");
  });

  it("offers bundles, cross-sells and upgrades with evidence after training", async () => {
    await trainShop(DEMO_SHOP);
    forgetRecommender(DEMO_SHOP);
    const { trained, suggestions } = await listSuggestions(DEMO_SHOP);
    expect(trained).toBe(true);
    const kinds = new Set(suggestions.map((s) => s.kind));
    expect(kinds).toEqual(new Set(["bundle", "cross_sell", "upgrade"]));
    const bundle = suggestions.find((s) => s.kind === "bundle")!;
    expect(bundle.evidence.orders).toBeGreaterThanOrEqual(5);
    expect(bundle.evidence.lift).toBeGreaterThan(1.2);
    expect(bundle.evidence.support).toBeGreaterThan(0);
    // Each product's picture, as the catalog import stored it, beside its title.
    const pictures = new Map(
      (
        await prisma.product.findMany({
          where: { shop: DEMO_SHOP, id: { in: bundle.productIds } },
          select: { id: true, imageUrl: true },
        })
      ).map((p) => [p.id, p.imageUrl]),
    );
    expect(bundle.imageUrls).toEqual(
      bundle.productIds.map((id) => pictures.get(id)),
    );
    expect(bundle.imageUrls.every(Boolean)).toBe(true);
    expect(Number.isInteger(bundle.margin.amount)).toBe(true);
    // The suggested discount keeps the default 20% margin floor.
    expect(bundle.margin.amount * 10_000).toBeGreaterThanOrEqual(
      2_000 * bundle.price.amount,
    );
    // Each list is ranked by its money figure per 100 orders; a cross-sell's is today's evidence.
    for (const kind of ["bundle", "cross_sell"] as const) {
      const figures = suggestions
        .filter((s) => s.kind === kind)
        .map((s) => s.marginPer100Orders!);
      expect(figures).toEqual([...figures].sort((x, y) => y - x));
    }
    const crossSell = suggestions.find((s) => s.kind === "cross_sell")!;
    expect(crossSell.marginPer100Orders).toBe(
      Math.round(100 * crossSell.evidence.support! * crossSell.margin.amount),
    );
    // The best bundle's discount adds margin; upgrades have no such figure.
    expect(bundle.marginPer100Orders).toBeGreaterThan(0);
    const upgrades = suggestions.filter((s) => s.kind === "upgrade");
    expect(upgrades.length).toBeGreaterThan(0);
    expect(upgrades.every((s) => s.marginPer100Orders === null)).toBe(true);
  });

  it("turns an accepted bundle into an active bundle and keeps dismissed ones away after retraining", async () => {
    const { suggestions } = await listSuggestions(DEMO_SHOP);
    const [first, second] = suggestions.filter((s) => s.kind === "bundle");
    const created = await acceptSuggestion(DEMO_SHOP, first.key);
    expect(
      await prisma.bundle.findUnique({
        where: { id: created!.id },
        select: {
          status: true,
          source: true,
          discountValue: true,
          productIds: true,
        },
      }),
    ).toMatchObject({
      status: "active",
      source: "suggested",
      discountValue: first.discountBps,
      productIds: JSON.stringify(first.productIds),
    });
    await dismissSuggestion(DEMO_SHOP, second.key);

    await trainShop(DEMO_SHOP);
    forgetRecommender(DEMO_SHOP);
    const after = (await listSuggestions(DEMO_SHOP)).suggestions.map(
      (s) => s.key,
    );
    expect(after).not.toContain(first.key);
    expect(after).not.toContain(second.key);
    // Another shop sees none of this shop's decisions.
    expect(
      await prisma.suggestionDecision.count({
        where: { shop: "other.myshopify.com" },
      }),
    ).toBe(0);
  });
});
