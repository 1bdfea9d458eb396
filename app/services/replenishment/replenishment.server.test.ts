import { beforeAll, describe, expect, it } from "vitest";
import { HttpResponse, graphql } from "msw";
import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { mswServer } from "../../../test/msw";
import prisma from "~/db.server";
import { sessionStorage, unauthenticated } from "~/shopify.server";
import { saveOrders } from "~/services/catalog/orders.server";
import {
  ReplenishmentMetafield,
  replenishmentOverview,
  syncReplenishmentMetafields,
} from "./replenishment.server";

const SHOP = "replenish.myshopify.com";
const admin = graphql.link(`https://${SHOP}/admin/api/2025-10/graphql.json`);
const now = new Date("2026-06-01T00:00:00Z");
const day = (n: number) => new Date(now.getTime() - n * 86_400_000);

// Customers 1-4 re-order coffee (product 7) every 20 to 40 days (median 30, IQR 25.75-34.25, so
// the due window runs from 25.75 to 47 days). Customers 1 and 2 last bought 31 days ago (due);
// 3 bought 5 days ago (not yet); 4 bought 200 days ago (lapsed, not nagged).
const HISTORY: Record<string, number[]> = {
  "1": [121, 96, 61, 31],
  "2": [123, 97, 63, 31],
  "3": [95, 75, 35, 5],
  "4": [290, 268, 230, 200],
};

let orderId = 0;
function order(customerId: string, daysAgo: number) {
  orderId += 1;
  return {
    id: String(orderId),
    name: `#${orderId}`,
    createdAt: day(daysAgo),
    sourceUpdatedAt: day(daysAgo),
    cancelledAt: null,
    currency: "USD",
    subtotalMinor: 1800,
    totalMinor: 1800,
    customerId,
    lines: [
      {
        id: `${orderId}0`,
        productId: "7",
        variantId: "70",
        quantity: 1,
        priceMinor: 1800,
        offerToken: null,
      },
    ],
  };
}

beforeAll(async () => {
  await sessionStorage.storeSession(
    setUpValidSession({
      shop: SHOP,
      isOnline: false,
      scope:
        "read_products,read_orders,read_customers,write_customers,write_discounts",
    }),
  );
  await prisma.shop.create({ data: { shop: SHOP } });
  await prisma.product.create({
    data: {
      shop: SHOP,
      id: "7",
      title: "House coffee",
      handle: "house-coffee",
      updatedAt: now,
    },
  });
  await saveOrders(
    SHOP,
    Object.entries(HISTORY).flatMap(([c, days]) =>
      days.map((d) => order(c, d)),
    ),
  );
});

describe("replenishment reminders", () => {
  it("lists the customers due by pseudonymous key, never a Shopify id", async () => {
    const overview = await replenishmentOverview(SHOP, now);
    expect(overview.intervals).toHaveLength(1);
    expect(overview.intervals[0]).toMatchObject({
      productId: "7",
      productTitle: "House coffee",
      medianDays: 30,
    });
    expect(overview.due).toHaveLength(2);
    for (const d of overview.due) {
      expect(d.customerKey).toMatch(/^[0-9a-f]{32}$/);
      expect(d).toMatchObject({
        productId: "7",
        productTitle: "House coffee",
        status: "due",
      });
    }
  });

  it("writes the metafield only for due customers with marketing consent and clears stale ones", async () => {
    const calls: { operation: string; variables: Record<string, unknown> }[] =
      [];
    const customer = (
      id: string,
      email: string,
      sms: string,
      metafield: boolean,
    ) => ({
      customer: {
        id: `gid://shopify/Customer/${id}`,
        emailMarketingConsent: { marketingState: email },
        smsMarketingConsent: sms ? { marketingState: sms } : null,
        metafield: metafield ? { id: `gid://shopify/Metafield/${id}` } : null,
      },
    });
    mswServer.use(
      admin.query("CartliftReplenishmentCustomers", ({ variables }) => {
        calls.push({ operation: "customers", variables });
        const first = variables.cursor === null;
        return HttpResponse.json({
          data: {
            orders: first
              ? {
                  // 1: due, email consent. 2: due, no consent but an old metafield. 3: not due,
                  // consented, old metafield. A guest order has no customer.
                  nodes: [
                    customer("1", "SUBSCRIBED", "", false),
                    { customer: null },
                    customer("2", "UNSUBSCRIBED", "NOT_SUBSCRIBED", true),
                  ],
                  pageInfo: { hasNextPage: true, endCursor: "page2" },
                }
              : {
                  nodes: [
                    customer("3", "SUBSCRIBED", "", true),
                    customer("1", "SUBSCRIBED", "", false),
                  ],
                  pageInfo: { hasNextPage: false, endCursor: null },
                },
          },
        });
      }),
      admin.mutation("CartliftMetafieldsSet", ({ variables }) => {
        calls.push({ operation: "set", variables });
        return HttpResponse.json({
          data: {
            metafieldsSet: { metafields: [{ id: "m1" }], userErrors: [] },
          },
        });
      }),
      admin.mutation("CartliftReplenishmentDelete", ({ variables }) => {
        calls.push({ operation: "delete", variables });
        return HttpResponse.json({
          data: { metafieldsDelete: { deletedMetafields: [], userErrors: [] } },
        });
      }),
    );
    const { admin: client } = await unauthenticated.admin(SHOP);
    const summary = await syncReplenishmentMetafields(
      SHOP,
      client.graphql,
      now,
    );
    expect(summary).toEqual({
      customers: 3,
      written: 1,
      withoutConsent: 1,
      cleared: 2,
    });

    expect(calls[0].variables.query).toMatch(/^created_at:>='\d{4}-\d\d-\d\dT/);
    const set = calls.find((c) => c.operation === "set")!.variables
      .metafields as {
      ownerId: string;
      namespace: string;
      key: string;
      type: string;
      value: string;
    }[];
    expect(set).toHaveLength(1);
    expect(set[0]).toMatchObject({
      ownerId: "gid://shopify/Customer/1",
      namespace: "cartlift",
      key: "replenishment_due",
      type: "json",
    });
    const value = ReplenishmentMetafield.parse(JSON.parse(set[0].value));
    expect(value.items).toEqual([
      expect.objectContaining({
        productId: "7",
        productTitle: "House coffee",
        productHandle: "house-coffee",
        status: "due",
      }),
    ]);
    const removed = calls.find((c) => c.operation === "delete")!.variables
      .metafields as { ownerId: string }[];
    expect(removed.map((r) => r.ownerId).sort()).toEqual([
      "gid://shopify/Customer/2",
      "gid://shopify/Customer/3",
    ]);
    // Shopify customer ids were only used inside the request: nothing in the database holds one.
    expect(
      await prisma.order.count({
        where: { shop: SHOP, customerKey: { in: ["1", "2", "3", "4"] } },
      }),
    ).toBe(0);
  });
});
