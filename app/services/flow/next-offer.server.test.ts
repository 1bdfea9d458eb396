import { beforeAll, describe, expect, it } from "vitest";
import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { mswServer } from "../../../test/msw";
import { demoAdminHandlers } from "../../../demo/admin-api";
import prisma from "~/db.server";
import { sessionStorage, unauthenticated } from "~/shopify.server";
import { saveOrders } from "~/services/catalog/orders.server";
import {
  exportCustomerData,
  redactCustomer,
} from "~/services/privacy/privacy.server";
import {
  NextOfferMetafield,
  nextOfferSends,
  scheduleNextOffer,
  sendDueNextOffers,
} from "./next-offer.server";

const SHOP = "sequence.myshopify.com";
const OTHER = "elsewhere.myshopify.com";
const DAY = 86_400_000;
const now = new Date("2026-06-01T00:00:00Z");
const ago = (days: number) => new Date(now.getTime() - days * DAY);
const instant = { sleep: async () => {} };
const GRANTED =
  "read_products,read_orders,read_customers,write_orders,write_discounts";

let nextId = 1000;
function order(
  customerId: string | null,
  daysAgo: number,
  productIds: string[],
  id = String((nextId += 1)),
) {
  return {
    id,
    name: `#${id}`,
    createdAt: ago(daysAgo),
    sourceUpdatedAt: ago(daysAgo),
    cancelledAt: null,
    currency: "USD",
    subtotalMinor: 5000,
    totalMinor: 5000,
    customerId,
    lines: productIds.map((productId, i) => ({
      id: `${id}${i}`,
      productId,
      variantId: `${productId}0`,
      quantity: 1,
      priceMinor: 2500,
      offerToken: null,
    })),
  };
}

/** Campers buy a tent (1), then stakes (2) 14 days later; none buys a second tent. */
const history = (shop: string) =>
  saveOrders(
    shop,
    ["11", "12", "13", "14", "15"].flatMap((c, i) => [
      order(c, 200 - i, ["1"]),
      order(c, 186 - i, ["2"]),
    ]),
  );

/** The demo's Admin API stand-in, which validates as Shopify does, with this test's scopes. */
function shopify(scopes = GRANTED, shop = SHOP) {
  const flowRuns: { handle: string; payload: Record<string, unknown> }[] = [];
  mswServer.use(
    ...demoAdminHandlers(
      { shop, currency: "USD", products: [], orders: [] },
      { scopes, now, flowRuns },
    ),
  );
  return flowRuns;
}

async function graphqlFor(shop: string) {
  const { admin } = await unauthenticated.admin(shop);
  return admin.graphql;
}

beforeAll(async () => {
  for (const shop of [SHOP, OTHER]) {
    await sessionStorage.storeSession(
      setUpValidSession({ shop, isOnline: false, scope: GRANTED }),
    );
    await prisma.shop.create({ data: { shop } });
    for (const [id, title] of [
      ["1", "Ridge tent"],
      ["2", "Tent stakes"],
    ])
      await prisma.product.create({
        data: { shop, id, title, handle: title, updatedAt: now },
      });
    await history(shop);
  }
});

describe("scheduling the next offer after an order", () => {
  it("schedules what campers buy next at their typical lag and writes the order metafield", async () => {
    const metafields: unknown[] = [];
    shopify();
    mswServer.events.on("request:start", async ({ request }) => {
      const body = (await request.clone().json()) as {
        query: string;
        variables: { metafields?: unknown[] };
      };
      if (body.query.includes("metafieldsSet"))
        metafields.push(...(body.variables.metafields ?? []));
    });
    await saveOrders(SHOP, [order("21", 3, ["1"], "5001")]);
    const result = await scheduleNextOffer(
      SHOP,
      "5001",
      await graphqlFor(SHOP),
      now,
      instant,
    );
    mswServer.events.removeAllListeners();
    expect(result.offer).toMatchObject({
      productId: "2",
      reason: "bought_next",
      dueAt: new Date(ago(3).getTime() + 14 * DAY).toISOString(),
    });
    const send = await prisma.nextOfferSend.findUniqueOrThrow({
      where: { shop_orderId: { shop: SHOP, orderId: "5001" } },
    });
    expect(send).toMatchObject({
      status: "pending",
      metafieldWritten: true,
      lastError: null,
    });
    expect(metafields).toHaveLength(1);
    const written = metafields[0] as { ownerId: string; value: string };
    expect(written).toMatchObject({
      ownerId: "gid://shopify/Order/5001",
      namespace: "$app:cartlift",
      key: "next_offer",
      type: "json",
    });
    expect(NextOfferMetafield.parse(JSON.parse(written.value))).toMatchObject({
      productId: "gid://shopify/Product/2",
      productTitle: "Tent stakes",
      reason: "bought_next",
    });
  });

  it("schedules each order once, however often its webhooks arrive", async () => {
    shopify();
    const graphql = await graphqlFor(SHOP);
    await saveOrders(SHOP, [order("22", 2, ["1"], "5002")]);
    const first = await scheduleNextOffer(SHOP, "5002", graphql, now, instant);
    const again = await scheduleNextOffer(SHOP, "5002", graphql, now, instant);
    expect(first.status).toBe("scheduled");
    expect(again.status).toBe("already_scheduled");
    expect(
      await prisma.nextOfferSend.count({
        where: { shop: SHOP, orderId: "5002" },
      }),
    ).toBe(1);
  });

  it("keeps the send but records Shopify's refusal when write_orders was not granted", async () => {
    shopify("read_products,read_orders,read_customers,write_discounts");
    await saveOrders(SHOP, [order("23", 1, ["1"], "5003")]);
    await scheduleNextOffer(SHOP, "5003", await graphqlFor(SHOP), now, instant);
    const send = await prisma.nextOfferSend.findUniqueOrThrow({
      where: { shop_orderId: { shop: SHOP, orderId: "5003" } },
    });
    expect(send.status).toBe("pending");
    expect(send.metafieldWritten).toBe(false);
    expect(send.lastError).toMatch(/write_orders/);
  });

  it("schedules nothing for a guest, and cancels the send of a cancelled order", async () => {
    await saveOrders(SHOP, [order(null, 1, ["1"], "5004")]);
    expect((await scheduleNextOffer(SHOP, "5004", undefined, now)).status).toBe(
      "none",
    );

    await saveOrders(SHOP, [order("24", 1, ["1"], "5005")]);
    await scheduleNextOffer(SHOP, "5005", undefined, now);
    await saveOrders(SHOP, [
      {
        ...order("24", 1, ["1"], "5005"),
        cancelledAt: now,
        sourceUpdatedAt: now,
      },
    ]);
    expect((await scheduleNextOffer(SHOP, "5005", undefined, now)).status).toBe(
      "cancelled",
    );
    expect(
      (
        await prisma.nextOfferSend.findUniqueOrThrow({
          where: { shop_orderId: { shop: SHOP, orderId: "5005" } },
        })
      ).status,
    ).toBe("cancelled");
  });
});

describe("sending due offers to Shopify Flow", () => {
  it("sends only what is due, once, with the trigger's declared fields, and only for its own shop", async () => {
    await saveOrders(OTHER, [order("31", 20, ["1"], "6001")]);
    await scheduleNextOffer(OTHER, "6001", undefined, now);
    await saveOrders(SHOP, [order("32", 20, ["1"], "6001")]);
    await scheduleNextOffer(SHOP, "6001", undefined, now);

    const runs = shopify();
    const graphql = await graphqlFor(SHOP);
    const early = await sendDueNextOffers(SHOP, graphql, ago(7), instant);
    expect(early.sent).toBe(0);

    // Two runs at once (two instances) send each due offer once between them.
    const [a, b] = await Promise.all([
      sendDueNextOffers(SHOP, graphql, now, instant),
      sendDueNextOffers(SHOP, graphql, now, instant),
    ]);
    expect(a.sent + b.sent).toBe(1);
    expect(runs).toEqual([
      {
        handle: "cartlift-next-offer",
        payload: {
          order_id: 6001,
          product_id: 2,
          "Offer reason": "bought_next",
          "Due date": new Date(ago(20).getTime() + 14 * DAY)
            .toISOString()
            .slice(0, 10),
        },
      },
    ]);
    expect((await sendDueNextOffers(SHOP, graphql, now, instant)).sent).toBe(0);
    const other = await prisma.nextOfferSend.findUniqueOrThrow({
      where: { shop_orderId: { shop: OTHER, orderId: "6001" } },
    });
    expect(other.status).toBe("pending");

    const { recent, counts } = await nextOfferSends(SHOP);
    expect(counts.sent).toBe(1);
    expect(recent.find((s) => s.orderId === "6001")).toMatchObject({
      productTitle: "Tent stakes",
      status: "sent",
      sentAt: now.toISOString(),
    });
  });

  it("marks a send Flow refuses as failed with Flow's message, and does not retry it", async () => {
    await saveOrders(OTHER, [order("33", 30, ["1"], "6002")]);
    await scheduleNextOffer(OTHER, "6002", undefined, now);
    const runs: { handle: string; payload: Record<string, unknown> }[] = [];
    // A shop where the app's trigger is not deployed: Flow knows no such handle.
    mswServer.use(
      ...demoAdminHandlers(
        { shop: OTHER, currency: "USD", products: [], orders: [] },
        { scopes: GRANTED, now, triggers: [], flowRuns: runs },
      ),
    );
    const summary = await sendDueNextOffers(
      OTHER,
      await graphqlFor(OTHER),
      now,
      instant,
    );
    expect(summary.failed).toBeGreaterThanOrEqual(1);
    expect(runs).toHaveLength(0);
    const send = await prisma.nextOfferSend.findUniqueOrThrow({
      where: { shop_orderId: { shop: OTHER, orderId: "6002" } },
    });
    expect(send.status).toBe("failed");
    expect(send.lastError).toMatch(/Invalid handle/);
  });
});

describe("a customer's data request and redaction", () => {
  it("exports that customer's sends, then deletes them and keeps everyone else's", async () => {
    await saveOrders(SHOP, [
      order("41", 2, ["1"], "7001"),
      order("42", 2, ["1"], "7002"),
    ]);
    await scheduleNextOffer(SHOP, "7001", undefined, now);
    await scheduleNextOffer(SHOP, "7002", undefined, now);
    const exported = await exportCustomerData(SHOP, { customer: { id: "41" } });
    expect(exported.nextOffers).toEqual([
      expect.objectContaining({ orderId: "7001", productId: "2" }),
    ]);
    await redactCustomer(SHOP, { customer: { id: "41" } });
    const left = await prisma.nextOfferSend.findMany({
      where: { shop: SHOP, orderId: { in: ["7001", "7002"] } },
      select: { orderId: true },
    });
    expect(left).toEqual([{ orderId: "7002" }]);
  });
});
