import { createHmac, randomInt } from "node:crypto";
import { mulberry32, pick } from "~/engine/random";
import type { Post } from "../extensions/cartlift-pixel/src/pixel";
import type { DemoProduct } from "./shop";
import {
  type DemoCheckoutItem,
  type DemoPixelEvent,
  type DemoWebPixels,
  publishPixelEvent,
} from "./web-pixel";

// Demo traffic for experiments: simulated shoppers who open the cart page through the real app
// proxy endpoint (so assignment, exposure logging and the hold-out's empty answer are the app's
// own), send the events the storefront script would (an impression per offer shown; a click and
// an add for the offer taken) through the real events endpoint, then some of them buy, delivered
// as signed orders/create webhooks carrying the visitor's cart attribute and, for offers they
// took, the offer's attribution token, exactly as Shopify would send them. The app's web pixel
// gets the customer events a real storefront publishes (the product viewed and added, the offer
// added, the checkout completed), with the consent the demo's privacy stand-in gives. Every run draws its
// own seed unless given one, so a second run adds new visitors and orders instead of replaying
// the first (whose webhooks the app would rightly ignore as redeliveries). The shopper model is a simulation with a deliberately large effect, so a demo
// run of a few thousand visitors reaches a verdict; real shops need far more traffic for +5%
// (docs/decisions/005-sequential-testing.md).

export interface ShopperModel {
  /** Probability that a visitor who sees no offers orders. */
  baseConversion: number;
  /** Probability that a visitor shown offers orders. */
  offerConversion: number;
  /** Probability that a buyer shown offers also buys the first one. */
  takeOffer: number;
  /**
   * Share of visitors in a region where the shop asks consent, who decline it: the pixel sends
   * nothing for them, as the privacy stand-in's "Consent required" without Accept.
   */
  declineAnalytics: number;
}

export const DEMO_SHOPPERS: ShopperModel = {
  baseConversion: 0.12,
  offerConversion: 0.16,
  takeOffer: 0.45,
  declineAnalytics: 0.2,
};

export interface TrafficOptions {
  shop: string;
  products: readonly DemoProduct[];
  visitors: number;
  /** Fixed for reproducible tests; by default a fresh one per run. */
  seed?: number;
  model?: ShopperModel;
  /** A storefront request under /apps/cartlift, signed and forwarded as Shopify's app proxy does. */
  proxy: (pathAndQuery: string, init?: RequestInit) => Promise<Response>;
  /** Delivers a webhook request (already signed) to the app and returns its response. */
  deliver: (request: Request) => Promise<Response>;
  appUrl: string;
  apiSecret: string;
  /** The app's web pixel (its settings as the app wrote them) and how its posts reach the app. */
  pixel?: { pixels: DemoWebPixels; post: Post };
}

export interface TrafficSummary {
  seed: number;
  visitors: number;
  shownOffers: number;
  orders: number;
  offersTaken: number;
}

const OFFER =
  /data-cartlift-offer data-product-id="(\d+)"[^>]*data-token="([^"]+)"/g;

/**
 * A signed orders webhook, as Shopify delivers it: orders/create by default, or orders/updated
 * (each update its own event, named by the order and its updated_at).
 */
export function orderWebhook(
  options: Pick<TrafficOptions, "shop" | "appUrl" | "apiSecret">,
  payload: Record<string, unknown>,
  topic: "orders/create" | "orders/updated" = "orders/create",
): Request {
  const body = JSON.stringify(payload);
  return new Request(`${options.appUrl}/webhooks/orders`, {
    method: "POST",
    body,
    headers: {
      "Content-Type": "application/json",
      "X-Shopify-Hmac-Sha256": createHmac("sha256", options.apiSecret)
        .update(body)
        .digest("base64"),
      "X-Shopify-Topic": topic,
      "X-Shopify-Shop-Domain": options.shop,
      "X-Shopify-API-Version": "2025-10",
      "X-Shopify-Webhook-Id":
        topic === "orders/create"
          ? `demo-${payload.id}`
          : `demo-${payload.id}-${String(payload.updated_at)}`,
    },
  });
}

/** Minor units as the decimal string Shopify's order payloads carry (two-decimal currencies). */
export const money = (minor: number) => (minor / 100).toFixed(2);

/** One unit of a product's first variant, as a cart line. */
function cartItem(product: DemoProduct) {
  const variant = product.variants[0];
  return {
    product_id: Number(product.id),
    variant_id: Number(variant.id),
    quantity: 1,
    price: variant.price,
    line_price: variant.price,
  };
}

/** The storefront script's beacon: one batch per page, retried when the app asks to slow down. */
async function sendEvents(
  options: Pick<TrafficOptions, "proxy">,
  visitor: string,
  events: { type: string; token: string }[],
) {
  if (events.length === 0) return;
  const body = JSON.stringify({ visitor, events });
  for (let attempt = 0; ; attempt += 1) {
    const response = await options.proxy("/events", {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body,
    });
    if (response.ok) return;
    if (response.status !== 429 || attempt >= 50)
      throw new Error(`The events endpoint answered ${response.status}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function simulateExperimentTraffic(
  options: TrafficOptions,
): Promise<TrafficSummary> {
  const model = options.model ?? DEMO_SHOPPERS;
  const seed = options.seed ?? randomInt(2 ** 31);
  const rng = mulberry32(seed);
  // Browsers and consent from a stream of their own: the shoppers' choices stay the seed's.
  const browserRng = mulberry32(seed ^ 0x5bd1e995);
  const inStock = options.products.filter((p) =>
    p.variants.some((v) => v.inventoryQuantity > 0),
  );
  const byId = new Map(options.products.map((p) => [p.id, p]));
  const summary: TrafficSummary = {
    seed,
    visitors: 0,
    shownOffers: 0,
    orders: 0,
    offersTaken: 0,
  };
  // Order ids far above the synthetic history's, so they never collide with imported orders, and
  // from the clock (10,000 per second of the start), so runs never reuse each other's ids: a run
  // places far fewer than 10,000 orders a second.
  let orderId = 10_000_000_000 + Math.floor(Date.now() / 1000) * 10_000;
  for (let i = 0; i < options.visitors; i += 1) {
    const visitor = Array.from({ length: 32 }, () =>
      Math.floor(rng() * 16).toString(16),
    ).join("");
    const anchor = pick(rng, inStock);
    const query = new URLSearchParams({
      placement: "cart",
      cart: anchor.id,
      visitor,
    });
    const response = await options.proxy(`/recommendations?${query}`);
    if (!response.ok)
      throw new Error(`The app proxy answered ${response.status}`);
    const offers = [...(await response.text()).matchAll(OFFER)].map((m) => ({
      productId: m[1],
      token: m[2],
    }));
    summary.visitors += 1;
    if (offers.length > 0) summary.shownOffers += 1;
    const converts =
      rng() <
      (offers.length > 0 ? model.offerConversion : model.baseConversion);
    const first = offers[0] && byId.get(offers[0].productId);
    const takes = converts && first !== undefined && rng() < model.takeOffer;
    await sendEvents(options, visitor, [
      ...offers.map((o) => ({ type: "impression", token: o.token })),
      ...(takes
        ? ["click", "add"].map((type) => ({ type, token: offers[0].token }))
        : []),
    ]);
    // The same visitor's customer events, to the real pixel code: the anchor viewed and added,
    // then the offer added.
    const client = Array.from({ length: 32 }, () =>
      Math.floor(browserRng() * 16).toString(16),
    ).join("");
    const analyticsAllowed = browserRng() >= model.declineAnalytics;
    const publish = (event: DemoPixelEvent) =>
      options.pixel
        ? publishPixelEvent(
            options.pixel.pixels,
            options.pixel.post,
            {
              client,
              analyticsAllowed,
              currency: "USD",
              cartAttributes: { _cartlift_visitor: visitor },
            },
            event,
          )
        : Promise.resolve();
    await publish({ name: "product_viewed", item: cartItem(anchor) });
    await publish({ name: "product_added_to_cart", item: cartItem(anchor) });
    if (takes && first)
      await publish({ name: "product_added_to_cart", item: cartItem(first) });
    if (!converts) continue;
    const lines = [{ product: anchor, token: null as string | null }];
    if (takes && first) {
      lines.push({ product: first, token: offers[0].token });
      summary.offersTaken += 1;
    }
    orderId += 1;
    // Placed now: after the visitor's exposure, as a real order would be.
    const createdAt = new Date().toISOString();
    const items = lines.map((line, n) => {
      const variant = line.product.variants[0];
      return {
        id: orderId * 10 + n,
        product_id: Number(line.product.id),
        variant_id: Number(variant.id),
        quantity: 1,
        price: money(variant.price),
        discount_allocations: [],
        properties: line.token
          ? [{ name: "_cartlift", value: line.token }]
          : [],
      };
    });
    const subtotal = lines.reduce((s, l) => s + l.product.variants[0].price, 0);
    const payload = {
      id: orderId,
      name: `#D${orderId % 100_000}`,
      created_at: createdAt,
      updated_at: createdAt,
      cancelled_at: null,
      currency: "USD",
      subtotal_price: money(subtotal),
      total_price: money(subtotal),
      customer: null,
      note_attributes: [{ name: "_cartlift_visitor", value: visitor }],
      line_items: items,
    };
    // Shopify retries a webhook the app failed (a busy database, say); so does the simulation.
    let delivered = await options.deliver(orderWebhook(options, payload));
    for (let retry = 0; delivered.status >= 500 && retry < 3; retry += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      delivered = await options.deliver(orderWebhook(options, payload));
    }
    if (!delivered.ok)
      throw new Error(`The orders webhook answered ${delivered.status}`);
    summary.orders += 1;
    await publish({
      name: "checkout_completed",
      orderId: String(orderId),
      items: lines.map((line): DemoCheckoutItem => ({
        ...cartItem(line.product),
        properties: line.token ? { _cartlift: line.token } : {},
      })),
    });
  }
  return summary;
}
