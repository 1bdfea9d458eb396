import { describe, expect, it } from "vitest";
import { type Batch, type PixelApi, type PixelEvent, pixel } from "./pixel";

const VISITOR = "0123456789abcdef0123456789abcdef";
const SETTINGS = {
  shop: "pixel-shop.myshopify.com",
  key: "k".repeat(22),
  endpoint: "https://app.example/pixel/events",
};
const eur = (amount: number) => ({ amount, currencyCode: "EUR" });
const variant = (product: number, price: number) => ({
  id: `gid://shopify/ProductVariant/${product}01`,
  price: eur(price),
  product: { id: `gid://shopify/Product/${product}` },
});

/** Shopify's side of the sandbox, played by hand: events and consent are published by the test. */
function sandbox({
  consent,
  stored = VISITOR,
  settings = SETTINGS,
}: {
  consent: boolean;
  stored?: string | null;
  settings?: Record<string, unknown>;
}) {
  const handlers = new Map<string, (event: PixelEvent) => void>();
  let consentHandler:
    | ((e: {
        customerPrivacy: { analyticsProcessingAllowed: boolean };
      }) => void)
    | null = null;
  const sent: { url: string; batch: Batch }[] = [];
  const storageReads: string[] = [];
  const api: PixelApi = {
    settings,
    init: {
      customerPrivacy: { analyticsProcessingAllowed: consent },
      data: { cart: null },
    },
    analytics: {
      subscribe: (name, callback) => handlers.set(name, callback),
    },
    browser: {
      localStorage: {
        getItem: async (key) => {
          storageReads.push(key);
          return stored;
        },
      },
    },
    customerPrivacy: {
      subscribe: (_name, callback) => (consentHandler = callback),
    },
  };
  pixel(async (url, body) => {
    sent.push({ url, batch: JSON.parse(body) });
  })(api);
  let seq = 0;
  return {
    sent,
    storageReads,
    subscribed: () => [...handlers.keys()],
    async publish(name: string, data: unknown) {
      seq += 1;
      handlers.get(name)?.({
        id: `event-${seq}`,
        clientId: "client-1234",
        data,
      });
      // The handler awaits storage before posting.
      await new Promise((resolve) => setTimeout(resolve, 0));
    },
    decide(analyticsProcessingAllowed: boolean) {
      consentHandler?.({ customerPrivacy: { analyticsProcessingAllowed } });
    },
  };
}

const addToCart = {
  cartLine: {
    cost: { totalAmount: eur(39.8) },
    merchandise: variant(11, 19.9),
    quantity: 2,
  },
};

describe("the web pixel", () => {
  it("subscribes to product views, cart views, adds and completed checkouts", () => {
    expect(sandbox({ consent: true }).subscribed()).toEqual([
      "product_viewed",
      "product_added_to_cart",
      "cart_viewed",
      "checkout_completed",
    ]);
  });

  it("sends an add with numeric ids, the line's amount, its currency and the event id", async () => {
    const s = sandbox({ consent: true });
    await s.publish("product_added_to_cart", addToCart);
    expect(s.sent).toEqual([
      {
        url: SETTINGS.endpoint,
        batch: {
          shop: SETTINGS.shop,
          key: SETTINGS.key,
          client: "client-1234",
          visitor: VISITOR,
          events: [
            {
              id: "event-1",
              name: "product_added_to_cart",
              currency: "EUR",
              lines: [
                { product: "11", variant: "1101", quantity: 2, amount: "39.8" },
              ],
            },
          ],
        },
      },
    ]);
  });

  it("sends a completed checkout with its order id and each line's offer token", async () => {
    const s = sandbox({ consent: true, stored: null });
    await s.publish("checkout_completed", {
      checkout: {
        attributes: [{ key: "_cartlift_visitor", value: VISITOR }],
        currencyCode: "EUR",
        order: { id: "gid://shopify/Order/5001" },
        lineItems: [
          {
            finalLinePrice: eur(25),
            properties: [{ key: "_cartlift", value: "1~drawer~signed.mac" }],
            quantity: 1,
            variant: variant(12, 25),
          },
          { finalLinePrice: eur(10), quantity: 1, variant: variant(13, 10) },
          { finalLinePrice: eur(5), quantity: 1, variant: null },
        ],
      },
    });
    const [{ batch }] = s.sent;
    expect(batch.visitor).toBe(VISITOR);
    expect(batch.events[0]).toEqual({
      id: "event-1",
      name: "checkout_completed",
      currency: "EUR",
      order: "5001",
      lines: [
        {
          product: "12",
          variant: "1201",
          quantity: 1,
          amount: "25",
          token: "1~drawer~signed.mac",
        },
        { product: "13", variant: "1301", quantity: 1, amount: "10" },
      ],
    });
  });

  it("sends a product view and a cart view, and nothing for an empty cart", async () => {
    const s = sandbox({ consent: true });
    await s.publish("product_viewed", { productVariant: variant(11, 19.9) });
    await s.publish("cart_viewed", {
      cart: { cost: { totalAmount: eur(0) }, lines: [] },
    });
    await s.publish("cart_viewed", {
      cart: {
        cost: { totalAmount: eur(39.8) },
        lines: [addToCart.cartLine],
      },
    });
    expect(s.sent.map((m) => m.batch.events[0].name)).toEqual([
      "product_viewed",
      "cart_viewed",
    ]);
  });

  it("sends nothing and reads no storage without analytics consent", async () => {
    const s = sandbox({ consent: false });
    await s.publish("product_viewed", { productVariant: variant(11, 19.9) });
    await s.publish("product_added_to_cart", addToCart);
    expect(s.sent).toEqual([]);
    expect(s.storageReads).toEqual([]);
  });

  it("starts when the shopper allows analytics on the page, and stops when they withdraw", async () => {
    const s = sandbox({ consent: false });
    await s.publish("product_added_to_cart", addToCart);
    s.decide(true);
    await s.publish("product_added_to_cart", addToCart);
    s.decide(false);
    await s.publish("product_added_to_cart", addToCart);
    expect(s.sent.map((m) => m.batch.events[0].id)).toEqual(["event-2"]);
  });

  it("does not send an event whose consent was withdrawn while storage answered", async () => {
    const s = sandbox({ consent: true });
    const pending = s.publish("product_added_to_cart", addToCart);
    s.decide(false);
    await pending;
    expect(s.sent).toEqual([]);
  });

  it("leaves out a visitor id that is not the storefront script's", async () => {
    const s = sandbox({ consent: true, stored: "not-a-visitor" });
    await s.publish("product_added_to_cart", addToCart);
    expect(s.sent[0].batch).not.toHaveProperty("visitor");
  });

  it("stays silent when its settings are incomplete", async () => {
    const s = sandbox({
      consent: true,
      settings: { ...SETTINGS, key: "" },
    });
    await s.publish("product_added_to_cart", addToCart);
    expect(s.subscribed()).toEqual([]);
    expect(s.sent).toEqual([]);
  });
});
