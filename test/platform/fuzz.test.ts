import fc from "fast-check";
import { Prisma } from "@prisma/client";
import { describe, expect, it } from "vitest";
import {
  API_KEY,
  API_SECRET_KEY,
  getHmac,
  getJwt,
} from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import { proxiedQuery } from "../../demo/proxy-signature";
import { loader as recommendations } from "~/routes/proxy.recommendations";
import { action as events } from "~/routes/proxy.events";
import { action as ordersWebhook } from "~/routes/webhooks.orders";
import { action as productsWebhook } from "~/routes/webhooks.products";
import { action as inventoryWebhook } from "~/routes/webhooks.inventory_items";
import { action as refundsWebhook } from "~/routes/webhooks.refunds";
import { action as complianceWebhook } from "~/routes/webhooks.compliance";
import { action as postPurchaseOffer } from "~/routes/api.post-purchase.offer";
import { action as signChangeset } from "~/routes/api.post-purchase.sign-changeset";

/**
 * Hostile input for every public endpoint: correctly signed requests whose content is junk.
 * Whatever arrives, the answer is never a 5xx, and a refused request writes nothing.
 */

const SHOP = "fuzz-shop.myshopify.com";
const APP = "https://my-test-app.myshopify.io";
const BROWSER =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";
const RUNS = 40;

type Handler = (args: {
  request: Request;
  params: Record<string, string>;
  context: object;
}) => Promise<Response>;

async function answer(handler: Handler, request: Request): Promise<Response> {
  try {
    return await handler({ request, params: {}, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** Rows in every table: a refused request must leave this unchanged. */
/**
 * Rows of every table that holds data. Rate-limit counts are not data: they are written in the
 * background, a second after the requests they count (a refused request included).
 */
async function rowCount(): Promise<number> {
  const counts = await Promise.all(
    Prisma.dmmf.datamodel.models
      .filter((m) => m.name !== "RateLimitWindow")
      .map((m) =>
        (prisma as unknown as Record<string, { count(): Promise<number> }>)[
          m.name.charAt(0).toLowerCase() + m.name.slice(1)
        ].count(),
      ),
  );
  return counts.reduce((a, b) => a + b, 0);
}

const junkValue = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.integer().map(String),
  fc.constantFrom(
    "",
    "0",
    "-1",
    "1e309",
    "NaN",
    "{{ shop.secret }}",
    "<script>",
    "'; DROP TABLE",
    "1,2,,3",
    "a".repeat(3000),
  ),
);
const junkJson = fc.oneof(
  fc.jsonValue(),
  fc.object(),
  fc.array(fc.anything()),
  junkValue,
);
let counter = 0;
const outcomes: Record<string, Record<number, number>> = {};
function tally(endpoint: string, status: number) {
  outcomes[endpoint] ??= {};
  outcomes[endpoint][status] = (outcomes[endpoint][status] ?? 0) + 1;
}

async function expectSafe(endpoint: string, send: () => Promise<Response>) {
  const before = await rowCount();
  const response = await send();
  tally(endpoint, response.status);
  expect(
    response.status,
    `${endpoint} answered ${response.status}`,
  ).toBeLessThan(500);
  if (response.status >= 400) expect(await rowCount()).toBe(before);
}

describe("hostile input to public endpoints", () => {
  it("app proxy recommendations: signed junk queries", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom(
            "placement",
            "product_id",
            "cart",
            "limit",
            "visitor",
            "x",
          ),
          junkValue,
        ),
        async (params) => {
          const query = proxiedQuery(new URLSearchParams(params), {
            shop: SHOP,
            secret: API_SECRET_KEY,
          });
          await expectSafe("proxy.recommendations", () =>
            answer(
              recommendations as Handler,
              new Request(`${APP}/proxy/recommendations?${query}`),
            ),
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it("app proxy events: signed junk bodies", async () => {
    await fc.assert(
      fc.asyncProperty(junkJson, async (body) => {
        const query = proxiedQuery(new URLSearchParams(), {
          shop: SHOP,
          secret: API_SECRET_KEY,
        });
        await expectSafe("proxy.events", () =>
          answer(
            events as Handler,
            new Request(`${APP}/proxy/events?${query}`, {
              method: "POST",
              headers: { "Content-Type": "text/plain" },
              body: typeof body === "string" ? body : JSON.stringify(body),
            }),
          ),
        );
      }),
      { numRuns: RUNS },
    );
  });

  const webhooks: [string, Handler, string][] = [
    ["orders/create", ordersWebhook as Handler, "/webhooks/orders"],
    ["products/update", productsWebhook as Handler, "/webhooks/products"],
    [
      "inventory_items/update",
      inventoryWebhook as Handler,
      "/webhooks/inventory_items",
    ],
    ["refunds/create", refundsWebhook as Handler, "/webhooks/refunds"],
    ["customers/redact", complianceWebhook as Handler, "/webhooks/compliance"],
  ];
  for (const [topic, handler, path] of webhooks) {
    it(`webhook ${topic}: correctly signed junk payloads`, async () => {
      await fc.assert(
        fc.asyncProperty(junkJson, async (payload) => {
          const body = JSON.stringify(payload) ?? "null";
          await expectSafe(`webhook ${topic}`, () =>
            answer(
              handler,
              new Request(`${APP}${path}`, {
                method: "POST",
                body,
                headers: {
                  "Content-Type": "application/json",
                  "X-Shopify-Hmac-Sha256": getHmac(body, API_SECRET_KEY),
                  "X-Shopify-Topic": topic,
                  "X-Shopify-Shop-Domain": SHOP,
                  "X-Shopify-API-Version": "2025-10",
                  "X-Shopify-Webhook-Id": `fuzz-${counter++}`,
                },
              }),
            ),
          );
        }),
        { numRuns: RUNS },
      );
    });
  }

  for (const [name, handler, path] of [
    [
      "post-purchase offer",
      postPurchaseOffer as Handler,
      "/api/post-purchase/offer",
    ],
    [
      "post-purchase sign-changeset",
      signChangeset as Handler,
      "/api/post-purchase/sign-changeset",
    ],
  ] as const) {
    it(`${name}: valid checkout token, junk bodies`, async () => {
      const { token } = await getJwt("fuzz-shop", API_KEY, API_SECRET_KEY, {
        input_data: {
          shop: { domain: SHOP },
          initialPurchase: { referenceId: "ref-1", lineItems: [] },
        },
      } as Parameters<typeof getJwt>[3]);
      await fc.assert(
        fc.asyncProperty(junkJson, async (body) => {
          await expectSafe(name, () =>
            answer(
              handler,
              new Request(`${APP}${path}`, {
                method: "POST",
                headers: {
                  Authorization: `Bearer ${token}`,
                  "User-Agent": BROWSER,
                  "Content-Type": "application/json",
                  Origin: "https://extensions.shopifycdn.com",
                },
                body: JSON.stringify(body) ?? "null",
              }),
            ),
          );
        }),
        { numRuns: RUNS },
      );
    });
  }

  it("reports what the fuzzing saw", () => {
    // Printed for the closing note: how many requests each endpoint got, by status.
    console.info(`fuzz outcomes: ${JSON.stringify(outcomes)}`);
    const total = Object.values(outcomes).flatMap((byStatus) =>
      Object.entries(byStatus),
    );
    expect(total.every(([status]) => Number(status) < 500)).toBe(true);
    expect(total.reduce((sum, [, n]) => sum + n, 0)).toBe(RUNS * 9);
  });
});
