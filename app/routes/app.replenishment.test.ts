import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { HttpResponse, graphql } from "msw";
import type { ActionFunctionArgs } from "@remix-run/node";
import {
  API_KEY,
  API_SECRET_KEY,
  getJwt,
  setUpValidSession,
} from "@shopify/shopify-api/test-helpers";
import { mswServer } from "../../test/msw";
import prisma from "~/db.server";
import { sessionStorage } from "~/shopify.server";
import { saveOrders } from "~/services/catalog/orders.server";
import { action } from "~/routes/app.replenishment";

// Publishing reminders writes to real customers, so the page asks first: "preview" only reads and
// counts, and "publish" writes only the counts the merchant confirmed.

const SHOP = "remind.myshopify.com";
const BROWSER =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";
const admin = graphql.link(`https://${SHOP}/admin/api/2025-10/graphql.json`);
const DAY = 86_400_000;

async function post(form: Record<string, string>) {
  const { token } = await getJwt(SHOP.split(".")[0], API_KEY, API_SECRET_KEY);
  const request = new Request(
    "https://my-test-app.myshopify.io/app/replenishment",
    {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "User-Agent": BROWSER },
      body: new URLSearchParams(form),
    },
  );
  const result = await action({
    request,
    params: {},
    context: {},
  } as ActionFunctionArgs);
  // Remix's `data()` carries its status in `init`, its body in `data`.
  const wrapped = result as { data?: unknown; init?: { status?: number } };
  return wrapped.init
    ? { status: wrapped.init.status ?? 200, body: wrapped.data }
    : { status: 200, body: result };
}

// Customers 1-4 re-order coffee every 20 to 40 days; 1 and 2 are due now (3 bought days ago, 4
// lapsed), and all four agreed to email.
let writes: string[] = [];
beforeAll(async () => {
  await prisma.shop.create({ data: { shop: SHOP } });
  await prisma.product.create({
    data: {
      shop: SHOP,
      id: "7",
      title: "House coffee",
      handle: "house-coffee",
      updatedAt: new Date(),
    },
  });
  const history: Record<string, number[]> = {
    "1": [121, 96, 61, 31],
    "2": [123, 97, 63, 31],
    "3": [95, 75, 35, 5],
    "4": [290, 268, 230, 200],
  };
  let id = 0;
  await saveOrders(
    SHOP,
    Object.entries(history).flatMap(([customerId, days]) =>
      days.map((d) => {
        id += 1;
        const at = new Date(Date.now() - d * DAY);
        return {
          id: String(id),
          name: `#${id}`,
          createdAt: at,
          sourceUpdatedAt: at,
          cancelledAt: null,
          currency: "USD",
          subtotalMinor: 1800,
          totalMinor: 1800,
          customerId,
          lines: [
            {
              id: `${id}0`,
              productId: "7",
              variantId: "70",
              quantity: 1,
              priceMinor: 1800,
              offerToken: null,
            },
          ],
        };
      }),
    ),
  );
});

beforeEach(async () => {
  await sessionStorage.storeSession(
    setUpValidSession({
      shop: SHOP,
      isOnline: false,
      scope:
        "read_products,read_orders,read_customers,write_discounts,write_customers",
      expires: new Date(Date.now() + 3_600_000),
    }),
  );
  writes = [];
  mswServer.use(
    admin.query("CartliftReplenishmentCustomers", () =>
      HttpResponse.json({
        data: {
          orders: {
            nodes: ["1", "2", "3", "4"].map((id) => ({
              customer: {
                id: `gid://shopify/Customer/${id}`,
                emailMarketingConsent: { marketingState: "SUBSCRIBED" },
                smsMarketingConsent: null,
                metafield: null,
              },
            })),
            pageInfo: { hasNextPage: false, endCursor: null },
          },
        },
      }),
    ),
    admin.mutation("CartliftMetafieldsSet", ({ variables }) => {
      for (const m of variables.metafields as { ownerId: string }[])
        writes.push(m.ownerId);
      return HttpResponse.json({
        data: { metafieldsSet: { metafields: [], userErrors: [] } },
      });
    }),
    admin.mutation("CartliftReplenishmentDelete", () =>
      HttpResponse.json({
        data: { metafieldsDelete: { deletedMetafields: [], userErrors: [] } },
      }),
    ),
  );
});

describe("publishing replenishment reminders", () => {
  it("counts the customers to write without writing any", async () => {
    const { status, body } = await post({ intent: "preview" });
    expect(status).toBe(200);
    expect(body).toMatchObject({
      preview: { customers: 4, written: 2, withoutConsent: 0, cleared: 0 },
      summary: null,
    });
    expect(writes).toEqual([]);
  });

  it("refuses to publish without confirmed counts", async () => {
    const { status } = await post({ intent: "publish" });
    expect(status).toBe(400);
    expect(writes).toEqual([]);
  });

  it("writes nothing when the confirmed counts no longer hold, and returns the new ones", async () => {
    const { status, body } = await post({
      intent: "publish",
      written: "1",
      cleared: "0",
    });
    expect(status).toBe(409);
    expect(body).toMatchObject({ preview: { written: 2 }, summary: null });
    expect(writes).toEqual([]);
  });

  it("writes the confirmed customers once the merchant confirms", async () => {
    const { status, body } = await post({
      intent: "publish",
      written: "2",
      cleared: "0",
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ summary: { written: 2 }, error: null });
    expect(writes.sort()).toEqual([
      "gid://shopify/Customer/1",
      "gid://shopify/Customer/2",
    ]);
  });
});

describe("sending the due next offers", () => {
  it("hands the session's shop's due offers to Flow, and no other shop's", async () => {
    const due = new Date(Date.now() - DAY);
    for (const shop of [SHOP, "other.myshopify.com"]) {
      // The order says its buyer accepts marketing: only such orders' offers are sent.
      await prisma.order.create({
        data: {
          shop,
          id: "901",
          name: "#901",
          createdAt: due,
          sourceUpdatedAt: due,
          currency: "USD",
          subtotalMinor: 1000,
          totalMinor: 1000,
          acceptsMarketing: true,
        },
      });
      await prisma.nextOfferSend.create({
        data: {
          shop,
          orderId: "901",
          customerKey: "k",
          productId: "7",
          anchorProductId: "7",
          reason: "replenish",
          dueAt: due,
        },
      });
    }
    const payloads: unknown[] = [];
    mswServer.use(
      admin.mutation("CartliftFlowTrigger", ({ variables }) => {
        payloads.push(variables.payload);
        return HttpResponse.json({
          data: { flowTriggerReceive: { userErrors: [] } },
        });
      }),
    );
    const { status, body } = await post({ intent: "send" });
    expect(status).toBe(200);
    expect(body).toMatchObject({ sent: { sent: 1, failed: 0 }, error: null });
    expect(payloads).toEqual([
      {
        order_id: 901,
        product_id: 7,
        "Offer reason": "replenish",
        "Due date": due.toISOString().slice(0, 10),
      },
    ]);
    const other = await prisma.nextOfferSend.findUniqueOrThrow({
      where: {
        shop_orderId: { shop: "other.myshopify.com", orderId: "901" },
      },
    });
    expect(other.status).toBe("pending");
  });
});
