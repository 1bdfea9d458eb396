import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import {
  signOfferToken,
  visitorKey,
} from "~/services/measurement/attribution.server";
import { pixelKey } from "~/services/measurement/pixel-events.server";
import { action, loader } from "./pixel.events";

const SHOP = "pixel-shop.myshopify.com";
const OTHER = "pixel-other.myshopify.com";
const APP = "https://my-test-app.myshopify.io";

let clients = 0;
/** A fresh Shopify client id, so one test's requests do not spend another's rate limit. */
const newClient = () => `client-${String(++clients).padStart(8, "0")}`;

const offerToken = (shop: string, productId: string) =>
  signOfferToken(shop, {
    placement: "drawer",
    strategy: "blended",
    kind: "cross_sell",
    productId,
    modelId: "model-1",
    arm: "",
  });

function batch(overrides: Record<string, unknown> = {}) {
  return {
    shop: SHOP,
    key: pixelKey(SHOP),
    client: newClient(),
    visitor: "visitor-0001",
    events: [
      {
        id: `event-${clients}`,
        name: "product_added_to_cart",
        currency: "EUR",
        lines: [
          {
            product: "11",
            variant: "1101",
            quantity: 2,
            amount: "39.9",
            token: offerToken(SHOP, "11"),
          },
        ],
      },
    ],
    ...overrides,
  };
}

function post(body: unknown, init: RequestInit = {}) {
  const request = new Request(`${APP}/pixel/events`, {
    method: "POST",
    headers: { "Content-Type": "text/plain;charset=UTF-8" },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...init,
  });
  return action({ request, params: {}, context: {} });
}

const rows = () => prisma.pixelEvent.count();

beforeAll(async () => {
  await prisma.shop.createMany({ data: [{ shop: SHOP }, { shop: OTHER }] });
});

describe("POST /pixel/events", () => {
  it("stores an event's lines with amounts in minor units and pseudonymous keys", async () => {
    const body = batch();
    const response = await post(body);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ stored: 1 });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const [row] = await prisma.pixelEvent.findMany({
      where: { shop: SHOP, eventId: body.events[0].id },
    });
    expect(row).toMatchObject({
      type: "product_added_to_cart",
      productId: "11",
      variantId: "1101",
      quantity: 2,
      amountMinor: 3990,
      currency: "EUR",
      visitorKey: visitorKey(SHOP, "visitor-0001"),
      offerToken: body.events[0].lines[0].token,
    });
    expect(row.clientKey).not.toContain(body.client);
  });

  it("stores an event id once, also when the same batch arrives twice at once", async () => {
    const body = batch();
    const before = await rows();
    const answers = await Promise.all([post(body), post(body), post(body)]);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    const stored = await Promise.all(answers.map((a) => a.json()));
    expect(stored.map((s) => s.stored).sort()).toEqual([0, 0, 1]);
    expect(await rows()).toBe(before + 1);
  });

  it("drops a token forged, from another shop or for another product, and keeps the event", async () => {
    const tokens = [
      `${offerToken(SHOP, "11").slice(0, -3)}AAA`,
      offerToken(OTHER, "11"),
      offerToken(SHOP, "12"),
    ];
    for (const token of tokens) {
      const body = batch();
      body.events[0].lines[0].token = token;
      expect((await post(body)).status).toBe(202);
      const row = await prisma.pixelEvent.findFirstOrThrow({
        where: { shop: SHOP, eventId: body.events[0].id },
      });
      expect(row.offerToken).toBeNull();
    }
  });

  it("keeps a checkout's order id and every line", async () => {
    const body = batch({
      events: [
        {
          id: "checkout-1",
          name: "checkout_completed",
          currency: "JPY",
          order: "5001",
          lines: [
            { product: "11", variant: "1101", quantity: 1, amount: "1500" },
            { product: "12", variant: "1201", quantity: 3, amount: "4500.0" },
          ],
        },
      ],
    });
    expect((await post(body)).status).toBe(202);
    const stored = await prisma.pixelEvent.findMany({
      where: { shop: SHOP, eventId: "checkout-1" },
      orderBy: { line: "asc" },
    });
    expect(
      stored.map((r) => [r.line, r.orderId, r.amountMinor, r.quantity]),
    ).toEqual([
      [0, "5001", 1500, 1],
      [1, "5001", 4500, 3],
    ]);
  });

  it("refuses a key that is not the shop's, and a shop that is not installed", async () => {
    const before = await rows();
    for (const body of [
      batch({ key: pixelKey(OTHER) }),
      batch({ key: "x".repeat(22) }),
      batch({
        shop: "not-installed.myshopify.com",
        key: pixelKey("not-installed.myshopify.com"),
      }),
    ]) {
      const response = await post(body);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({
        error: "Unknown shop or pixel key",
      });
    }
    expect(await rows()).toBe(before);
  });

  it("answers bad input with a 4xx that says why, and stores nothing", async () => {
    const before = await rows();
    const notJson = await post("{");
    expect([notJson.status, await notJson.json()]).toEqual([
      400,
      { error: "The body must be JSON" },
    ]);
    const badAmount = batch();
    badAmount.events[0].lines[0].amount = "-1";
    const invalid = await post(badAmount);
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).issues).toEqual([
      "events.0.lines.0.amount: must be a non-negative decimal amount",
    ]);
    const huge = await post("x".repeat(40_000));
    expect(huge.status).toBe(413);
    const get = await loader();
    expect(get.status).toBe(405);
    expect(await rows()).toBe(before);
  });

  it("answers the CORS preflight", async () => {
    const response = await post("", { method: "OPTIONS", body: null });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Methods")).toBe("POST");
  });

  it("limits one browser to 30 batches in 20 seconds", async () => {
    const client = newClient();
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) {
      const body = batch({ client });
      statuses.push((await post(body)).status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 202)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});

describe("hostile input to /pixel/events", () => {
  const expectSafe = async (body: unknown) => {
    const before = await rows();
    const response = await post(
      typeof body === "string" ? body : JSON.stringify(body),
    );
    expect(response.status).toBeLessThan(500);
    if (response.status !== 202) expect(await rows()).toBe(before);
  };

  it("never answers 5xx to junk and writes nothing for it", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.jsonValue(), fc.string(), fc.array(fc.anything())),
        expectSafe,
      ),
      { numRuns: 60 },
    );
  });

  it("never answers 5xx to a valid batch with one field replaced by junk", async () => {
    const junk = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom(
        "",
        "1e309",
        "9".repeat(30),
        `${"9".repeat(15)}.999999`,
        -1,
        1.5,
        "XXX",
        "a".repeat(600),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          "shop",
          "key",
          "client",
          "visitor",
          "id",
          "name",
          "currency",
          "order",
          "product",
          "variant",
          "quantity",
          "amount",
          "token",
        ),
        junk,
        async (field, value) => {
          const body = batch() as Record<string, unknown> & {
            events: Record<string, unknown>[];
          };
          const event = body.events[0];
          const line = (event.lines as Record<string, unknown>[])[0];
          if (field in body) body[field] = value;
          else if (["id", "name", "currency", "order"].includes(field))
            event[field] = value;
          else line[field] = value;
          await expectSafe(body);
        },
      ),
      { numRuns: 80 },
    );
  });
});
