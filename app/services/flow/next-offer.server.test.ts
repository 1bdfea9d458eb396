import { beforeAll, describe, expect, it } from "vitest";
import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { mswServer } from "../../../test/msw";
import { demoAdminHandlers } from "../../../demo/admin-api";
import prisma from "~/db.server";
import { sessionStorage, unauthenticated } from "~/shopify.server";
import {
  OrderWebhookPayload,
  orderFromWebhook,
  saveOrders,
} from "~/services/catalog/orders.server";
import type { AdminGraphql } from "~/services/platform/admin-graphql.server";
import {
  exportCustomerData,
  redactCustomer,
} from "~/services/privacy/privacy.server";
import {
  CLAIM_TIMEOUT_MS,
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
  acceptsMarketing = true,
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
    acceptsMarketing,
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

describe("marketing consent", () => {
  it("reads consent from the order as Shopify sends it: the customer's email or SMS consent, else the checkout's box", () => {
    const payload = (extra: Record<string, unknown>) =>
      OrderWebhookPayload.parse({
        id: 1,
        name: "#1",
        created_at: now.toISOString(),
        updated_at: now.toISOString(),
        currency: "USD",
        subtotal_price: "1.00",
        total_price: "1.00",
        line_items: [],
        ...extra,
      });
    const consent = (state: string, buyer = true) =>
      orderFromWebhook(
        payload({
          customer: { id: 7, email_marketing_consent: { state } },
          buyer_accepts_marketing: buyer,
        }),
      ).acceptsMarketing;
    expect(consent("subscribed", false)).toBe(true);
    // Pending (not confirmed), unsubscribed: not consent, whatever the box said.
    expect(consent("pending")).toBe(false);
    expect(consent("unsubscribed")).toBe(false);
    const bySms = (email: string | null, sms: string, buyer = true) =>
      orderFromWebhook(
        payload({
          customer: {
            id: 7,
            email_marketing_consent: email === null ? null : { state: email },
            sms_marketing_consent: { state: sms },
          },
          buyer_accepts_marketing: buyer,
        }),
      ).acceptsMarketing;
    // Subscribed to texts is consent for a workflow that texts, whatever the email state.
    expect(bySms("not_subscribed", "subscribed", false)).toBe(true);
    expect(bySms(null, "subscribed", false)).toBe(true);
    expect(bySms("unsubscribed", "pending")).toBe(false);
    expect(bySms(null, "not_subscribed")).toBe(false);
    expect(
      orderFromWebhook(payload({ buyer_accepts_marketing: true }))
        .acceptsMarketing,
    ).toBe(true);
    expect(orderFromWebhook(payload({})).acceptsMarketing).toBe(false);
  });

  it("lists the pick of an order without consent as no consent: no metafield, never sent", async () => {
    const runs = shopify();
    const requests: string[] = [];
    mswServer.events.on("request:start", async ({ request }) => {
      requests.push(
        ((await request.clone().json()) as { query: string }).query,
      );
    });
    const graphql = await graphqlFor(SHOP);
    await saveOrders(SHOP, [order("51", 30, ["1"], "8001", false)]);
    const result = await scheduleNextOffer(SHOP, "8001", graphql, now, instant);
    expect(result.status).toBe("no_consent");
    const summary = await sendDueNextOffers(SHOP, graphql, now, instant);
    mswServer.events.removeAllListeners();
    expect(summary.sent).toBe(0);
    expect(runs).toHaveLength(0);
    expect(requests.filter((q) => q.includes("metafieldsSet"))).toEqual([]);
    const { recent, counts } = await nextOfferSends(SHOP);
    expect(counts.no_consent).toBeGreaterThanOrEqual(1);
    expect(recent.find((s) => s.orderId === "8001")).toMatchObject({
      status: "no_consent",
      productTitle: "Tent stakes",
      metafieldWritten: false,
    });
  });

  it("sends to a consenting buyer, and not once they withdrew consent before it was due", async () => {
    const runs = shopify();
    const graphql = await graphqlFor(SHOP);
    await saveOrders(SHOP, [
      order("52", 30, ["1"], "8002"),
      order("53", 30, ["1"], "8003"),
    ]);
    await scheduleNextOffer(SHOP, "8002", undefined, now);
    await scheduleNextOffer(SHOP, "8003", undefined, now);
    // orders/updated for 8003: the customer unsubscribed since.
    await saveOrders(SHOP, [
      { ...order("53", 30, ["1"], "8003", false), sourceUpdatedAt: ago(1) },
    ]);
    await sendDueNextOffers(SHOP, graphql, now, instant);
    expect(runs.map((r) => r.payload.order_id)).toContain(8002);
    expect(runs.map((r) => r.payload.order_id)).not.toContain(8003);
    const status = async (orderId: string) =>
      (
        await prisma.nextOfferSend.findUniqueOrThrow({
          where: { shop_orderId: { shop: SHOP, orderId } },
        })
      ).status;
    expect(await status("8002")).toBe("sent");
    expect(await status("8003")).toBe("no_consent");
  });
});

describe("a send whose job died after claiming it", () => {
  it("stays claimed within the timeout, then is claimed again and sent once", async () => {
    await saveOrders(OTHER, [order("61", 40, ["1"], "9001")]);
    await scheduleNextOffer(OTHER, "9001", undefined, now);
    const row = () =>
      prisma.nextOfferSend.findUniqueOrThrow({
        where: { shop_orderId: { shop: OTHER, orderId: "9001" } },
      });
    // The first job claims the send, then dies before Flow answers: its request never returns.
    const dying: AdminGraphql = () => new Promise<Response>(() => {});
    void sendDueNextOffers(OTHER, dying, now, instant);
    for (let i = 0; i < 200 && (await row()).status !== "sending"; i += 1)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await row()).toMatchObject({
      status: "sending",
      claimedAt: now,
      attempts: 1,
    });

    const runs: { handle: string; payload: Record<string, unknown> }[] = [];
    mswServer.use(
      ...demoAdminHandlers(
        { shop: OTHER, currency: "USD", products: [], orders: [] },
        { scopes: GRANTED, now, flowRuns: runs },
      ),
    );
    const graphql = await graphqlFor(OTHER);
    const minutes = (m: number) => new Date(now.getTime() + m * 60_000);
    const ours = () => runs.filter((r) => r.payload.order_id === 9001);
    // Within the timeout the claim may still be a live job: left alone.
    await sendDueNextOffers(OTHER, graphql, minutes(9), instant);
    expect(ours()).toHaveLength(0);
    expect((await row()).status).toBe("sending");
    // Past it the job is gone: claimed again, sent once, and not again.
    const later = minutes(CLAIM_TIMEOUT_MS / 60_000 + 1);
    await sendDueNextOffers(OTHER, graphql, later, instant);
    await sendDueNextOffers(OTHER, graphql, later, instant);
    expect(ours()).toHaveLength(1);
    expect(await row()).toMatchObject({
      status: "sent",
      attempts: 2,
      sentAt: later,
    });
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
