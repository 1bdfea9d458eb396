import fc from "fast-check";
import type { ActionFunctionArgs } from "@remix-run/node";
import { Prisma } from "@prisma/client";
import { beforeEach, describe, expect, it } from "vitest";
import {
  API_KEY,
  API_SECRET_KEY,
  getHmac,
  getJwt,
} from "@shopify/shopify-api/test-helpers";
import { HttpResponse, graphql } from "msw";
import prisma from "~/db.server";
import { mswServer } from "../msw";
import { storeOfflineSession } from "../fixtures";
import { proxiedQuery } from "../../demo/proxy-signature";
import { loader as recommendations } from "~/routes/proxy.recommendations";
import { action as events } from "~/routes/proxy.events";
import { action as ordersWebhook } from "~/routes/webhooks.orders";
import { action as productsWebhook } from "~/routes/webhooks.products";
import { action as inventoryWebhook } from "~/routes/webhooks.inventory_items";
import { action as refundsWebhook } from "~/routes/webhooks.refunds";
import { action as complianceWebhook } from "~/routes/webhooks.compliance";
import { action as uninstalledWebhook } from "~/routes/webhooks.app.uninstalled";
import { action as scopesWebhook } from "~/routes/webhooks.app.scopes_update";
import { action as homeAction } from "~/routes/app._index";
import { action as bundleAction } from "~/routes/app.bundles.$id";
import { action as experimentAction } from "~/routes/app.experiments.$id";
import { action as experimentsAction } from "~/routes/app.experiments._index";
import { action as newExperimentAction } from "~/routes/app.experiments.new";
import { action as replenishmentAction } from "~/routes/app.replenishment";
import { action as ruleAction } from "~/routes/app.rules.$id";
import { action as settingsAction } from "~/routes/app.settings";
import { action as suggestionsAction } from "~/routes/app.suggestions";
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
/** Property tests run so far: the closing check counts RUNS requests for each. */
let properties = 0;
const runs = () => {
  properties += 1;
  return { numRuns: RUNS };
};

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
    "9".repeat(30),
    `${"9".repeat(28)}.99`,
    "1e5",
    "abc",
    "275760-09-13",
    "+275760-09-13T00:00:00Z",
    "2026-02-31",
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
      runs(),
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
      runs(),
    );
  });

  const webhooks: [string, Handler, string][] = [
    ["orders/create", ordersWebhook as Handler, "/webhooks/orders"],
    ["orders/updated", ordersWebhook as Handler, "/webhooks/orders"],
    ["products/update", productsWebhook as Handler, "/webhooks/products"],
    ["products/delete", productsWebhook as Handler, "/webhooks/products"],
    [
      "inventory_items/update",
      inventoryWebhook as Handler,
      "/webhooks/inventory_items",
    ],
    ["refunds/create", refundsWebhook as Handler, "/webhooks/refunds"],
    [
      "customers/data_request",
      complianceWebhook as Handler,
      "/webhooks/compliance",
    ],
    ["customers/redact", complianceWebhook as Handler, "/webhooks/compliance"],
    ["shop/redact", complianceWebhook as Handler, "/webhooks/compliance"],
    [
      "app/uninstalled",
      uninstalledWebhook as Handler,
      "/webhooks/app/uninstalled",
    ],
    [
      "app/scopes_update",
      scopesWebhook as Handler,
      "/webhooks/app/scopes_update",
    ],
  ];
  // Payloads shaped like Shopify's, with junk where the values go, so validation past the
  // first field is reached too.
  const junkLine = fc.record(
    {
      id: fc.oneof(fc.integer(), junkValue),
      line_item_id: fc.oneof(fc.integer(), junkValue),
      quantity: fc.oneof(fc.integer(), fc.double(), junkValue),
      current_quantity: fc.oneof(fc.integer(), fc.double(), junkValue),
      price: junkValue,
      product_id: fc.oneof(fc.integer(), junkValue),
    },
    { requiredKeys: [] },
  );
  const shapedPayload = fc.record(
    {
      id: fc.oneof(fc.integer({ min: 1 }), junkValue),
      order_id: fc.oneof(fc.integer({ min: 1 }), junkValue),
      name: junkValue,
      title: junkValue,
      handle: junkValue,
      created_at: fc.oneof(junkValue, fc.constant("2026-11-01T10:00:00Z")),
      updated_at: fc.oneof(junkValue, fc.constant("2026-11-01T10:00:00Z")),
      currency: fc.oneof(junkValue, fc.constantFrom("USD", "IDR", "usd")),
      subtotal_price: junkValue,
      total_price: junkValue,
      line_items: fc.array(junkLine, { maxLength: 3 }),
      refund_line_items: fc.array(junkLine, { maxLength: 3 }),
      variants: fc.array(junkLine, { maxLength: 3 }),
      shop_domain: fc.oneof(junkValue, fc.constant(SHOP)),
      customer: fc.record({ id: fc.oneof(fc.integer(), junkValue) }),
      current: fc.array(junkValue, { maxLength: 3 }),
    },
    { requiredKeys: [] },
  );
  const webhookBody = fc.oneof(
    junkJson.map((payload) => JSON.stringify(payload) ?? "null"),
    shapedPayload.map((payload) => JSON.stringify(payload)),
    junkValue,
  );
  for (const [topic, handler, path] of webhooks) {
    it(`webhook ${topic}: correctly signed junk bodies, JSON or not`, async () => {
      await fc.assert(
        fc.asyncProperty(
          webhookBody,
          fc.oneof(fc.constant(SHOP), junkValue),
          async (body, shop) => {
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
                    "X-Shopify-Shop-Domain": shop.replace(/[^\x20-\x7e]/g, ""),
                    "X-Shopify-API-Version": "2025-10",
                    "X-Shopify-Webhook-Id": `fuzz-${counter++}`,
                    "X-Shopify-Event-Id": `fuzz-event-${counter}`,
                  },
                }),
              ),
            );
          },
        ),
        runs(),
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
        runs(),
      );
    });
  }

  describe("admin actions", () => {
    type AdminHandler = (args: ActionFunctionArgs) => Promise<unknown>;
    /** Remix's `data()` results carry their status in `init`; plain objects are a 200. */
    const asResponse = (result: unknown) =>
      result instanceof Response
        ? result
        : new Response(null, {
            status:
              (result as { init?: { status?: number } } | null)?.init?.status ??
              200,
          });
    const admin: [string, AdminHandler, Record<string, string>][] = [
      ["app._index", homeAction, {}],
      ["app.bundles.$id new", bundleAction, { id: "new" }],
      ["app.bundles.$id", bundleAction, { id: "no-such-bundle" }],
      ["app.experiments.$id", experimentAction, { id: "x" }],
      ["app.experiments._index", experimentsAction, {}],
      ["app.experiments.new", newExperimentAction, {}],
      ["app.replenishment", replenishmentAction, {}],
      ["app.rules.$id new", ruleAction, { id: "new" }],
      ["app.settings", settingsAction, {}],
      ["app.suggestions", suggestionsAction, {}],
    ];
    // Field names the admin forms use, with junk or plausible values, so a form can get past
    // its first check.
    const fieldValue = fc.oneof(
      junkValue,
      fc.constantFrom(
        "delete",
        "global",
        "start",
        "stop",
        "accept",
        "dismiss",
        "restore",
        "preview",
        "percentage",
        "fixed_amount",
        "draft",
        "active",
        "true",
        "product_fbt",
        "cart",
        "rpv",
        '["1","2"]',
        "10",
      ),
    );
    const form = fc.dictionary(
      fc.constantFrom(
        "intent",
        "title",
        "name",
        "productIds",
        "discountType",
        "discountValue",
        "marginFloorPct",
        "status",
        "startsAt",
        "endsAt",
        "step",
        "done",
        "placement",
        "enabled",
        "key",
        "primaryMetric",
        "triggerType",
        "action",
        "maxOffers",
        "priceBandPct",
        "postPurchaseDiscountPct",
        "attributionWindowDays",
      ),
      fieldValue,
    );
    /** A body and the content type it claims. */
    const body = fc.oneof(
      form.map((fields) => ({
        type: "application/x-www-form-urlencoded",
        body: new URLSearchParams(fields).toString(),
      })),
      junkJson.map((value) => ({
        type: "application/json",
        body: JSON.stringify(value) ?? "null",
      })),
      fc.string().map((text) => ({
        type: "multipart/form-data; boundary=cartlift",
        body: `--cartlift\r\n${text}`,
      })),
      fc.constant({ type: "", body: "" }),
    );

    beforeEach(async () => {
      await storeOfflineSession(SHOP);
      await prisma.shop.upsert({
        where: { shop: SHOP },
        create: { shop: SHOP },
        update: {},
      });
      // Admin GraphQL is down for these tests: a write that gets that far must not turn it into a 5xx.
      mswServer.use(
        graphql.operation(() =>
          HttpResponse.json({ errors: [{ message: "Not in this test" }] }),
        ),
      );
    });

    for (const [name, handler, params] of admin) {
      it(`${name}: any body gets a 4xx or success, never a 5xx, and a refusal writes nothing`, async () => {
        const { token } = await getJwt("fuzz-shop", API_KEY, API_SECRET_KEY);
        await fc.assert(
          fc.asyncProperty(body, async ({ type, body }) => {
            const headers: Record<string, string> = {
              Authorization: `Bearer ${token}`,
              "User-Agent": BROWSER,
            };
            if (type) headers["Content-Type"] = type;
            await expectSafe(`admin ${name}`, async () => {
              try {
                return asResponse(
                  await handler({
                    request: new Request(`${APP}/app`, {
                      method: "POST",
                      headers,
                      body: body || undefined,
                    }),
                    params,
                    context: {},
                  }),
                );
              } catch (thrown) {
                if (thrown instanceof Response) return thrown;
                throw thrown;
              }
            });
          }),
          runs(),
        );
      });
    }
  });

  it("reports what the fuzzing saw", () => {
    // Printed for the closing note: how many requests each endpoint got, by status.
    console.info(`fuzz outcomes: ${JSON.stringify(outcomes)}`);
    const total = Object.values(outcomes).flatMap((byStatus) =>
      Object.entries(byStatus),
    );
    expect(total.every(([status]) => Number(status) < 500)).toBe(true);
    expect(total.reduce((sum, [, n]) => sum + n, 0)).toBe(RUNS * properties);
  });
});
