import { randomUUID } from "node:crypto";
import { minorToDecimal } from "../app/engine/money";
import {
  type PixelApi,
  type PixelEvent,
  type Post,
  pixel,
} from "../extensions/cartlift-pixel/src/pixel";

// Shopify's part for the app's web pixel in the demo: the pixel's settings as the app wrote them
// (webPixelCreate, answered by demo/admin-api.ts), and the customer events of the demo store
// published to the real pixel code, which posts to the app as it would from Shopify's sandbox.

/** The shop's web pixel record, as Shopify keeps it. */
export class DemoWebPixels {
  settings: Record<string, unknown> | null = null;
  readonly id = "gid://shopify/WebPixel/1";
}

/** A cart line as the demo's Ajax cart answers it (prices in minor units of the cart currency). */
export interface DemoCartItem {
  product_id: number;
  variant_id: number;
  quantity: number;
  price: number;
  line_price: number;
}

const money = (minor: number, currency: string) => ({
  amount: Number(minorToDecimal(minor, currency)),
  currencyCode: currency,
});

const variant = (item: DemoCartItem, currency: string) => ({
  id: `gid://shopify/ProductVariant/${item.variant_id}`,
  price: money(item.price, currency),
  product: { id: `gid://shopify/Product/${item.product_id}` },
});

const cartLine = (item: DemoCartItem, currency: string) => ({
  cost: { totalAmount: money(item.line_price, currency) },
  merchandise: variant(item, currency),
  quantity: item.quantity,
});

export interface DemoPixelContext {
  /** The shopper's browser, as Shopify's client id (the demo's cart token). */
  client: string;
  /** Whether the shopper allows analytics (the demo's privacy stand-in decides). */
  analyticsAllowed: boolean;
  currency: string;
  cartAttributes: Record<string, string>;
}

/** A checkout line: a cart line with the line-item properties it carried (the offer token). */
export interface DemoCheckoutItem extends DemoCartItem {
  properties: Record<string, string>;
}

export type DemoPixelEvent =
  | { name: "product_viewed"; item: DemoCartItem }
  | { name: "product_added_to_cart"; item: DemoCartItem }
  | { name: "cart_viewed"; items: DemoCartItem[] }
  | { name: "checkout_completed"; orderId: string; items: DemoCheckoutItem[] };

const pairs = (record: Record<string, string>) =>
  Object.entries(record).map(([key, value]) => ({ key, value }));

/**
 * Publishes one customer event to a fresh instance of the pixel, as Shopify does on each page:
 * the pixel decides from the consent and settings it is given whether anything is sent.
 */
export async function publishPixelEvent(
  pixels: DemoWebPixels,
  post: Post,
  context: DemoPixelContext,
  event: DemoPixelEvent,
): Promise<void> {
  if (!pixels.settings) return;
  const handlers = new Map<string, (e: PixelEvent) => unknown>();
  const api: PixelApi = {
    settings: pixels.settings,
    init: {
      customerPrivacy: {
        analyticsProcessingAllowed: context.analyticsAllowed,
      },
      data: {
        cart: {
          attributes: pairs(context.cartAttributes),
        },
      },
    },
    analytics: { subscribe: (name, callback) => handlers.set(name, callback) },
    // The page's storage is the browser's; the cart attribute names the visitor here.
    browser: { localStorage: { getItem: async () => null } },
    customerPrivacy: { subscribe: () => undefined },
  };
  pixel(post)(api);
  const c = context.currency;
  const data =
    event.name === "product_viewed"
      ? { productVariant: variant(event.item, c) }
      : event.name === "product_added_to_cart"
        ? { cartLine: cartLine(event.item, c) }
        : event.name === "checkout_completed"
          ? {
              checkout: {
                attributes: pairs(context.cartAttributes),
                currencyCode: c,
                order: { id: `gid://shopify/Order/${event.orderId}` },
                lineItems: event.items.map((i) => ({
                  finalLinePrice: money(i.line_price, c),
                  properties: pairs(i.properties),
                  quantity: i.quantity,
                  variant: variant(i, c),
                })),
              },
            }
          : {
              cart: {
                attributes: [],
                cost: {
                  totalAmount: money(
                    event.items.reduce((sum, i) => sum + i.line_price, 0),
                    c,
                  ),
                },
                lines: event.items.map((i) => cartLine(i, c)),
              },
            };
  await handlers.get(event.name)?.({
    id: randomUUID(),
    clientId: context.client,
    data,
  });
}
