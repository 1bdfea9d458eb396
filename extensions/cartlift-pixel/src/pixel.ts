// Cartlift's web pixel. Shopify runs it in the strict sandbox (a web worker, no DOM) and hands it
// the customer events of the store and of checkout. It sends a compact copy of four of them to
// the app (app/routes/pixel.events.tsx), which joins them with the offers the shopper saw.
//
// The types below are the part of Shopify's web pixel API (@shopify/web-pixels-extension) this
// file reads; src/index.ts hands `pixel` to the package's `register`, which checks they match.

export interface Money {
  amount: number;
  currencyCode: string;
}
interface KeyValue {
  key: string;
  value: string;
}
interface Variant {
  id: string | null;
  price: Money;
  product: { id: string | null };
}
interface CartLine {
  cost: { totalAmount: Money };
  merchandise: Variant;
  quantity: number;
}
interface Cart {
  attributes?: KeyValue[];
  cost: { totalAmount: Money };
  lines: CartLine[];
}
interface CheckoutLine {
  finalLinePrice: Money;
  properties?: KeyValue[];
  quantity: number;
  variant: Variant | null;
}
interface Checkout {
  attributes: KeyValue[];
  currencyCode: string | null;
  lineItems: CheckoutLine[] | null;
  order: { id: string | null } | null;
}
/** A subscribed event's common fields; `data` is the standard event's own. */
export interface PixelEvent {
  id: string;
  clientId: string;
  data?: unknown;
}
export interface Consent {
  analyticsProcessingAllowed: boolean;
}
export interface PixelApi {
  settings: Record<string, unknown>;
  init: {
    customerPrivacy: Consent;
    data: { cart: Partial<Cart> | null };
  };
  analytics: {
    subscribe(name: string, callback: (event: PixelEvent) => void): unknown;
  };
  browser: { localStorage: { getItem(key: string): Promise<string | null> } };
  customerPrivacy: {
    subscribe(
      name: "visitorConsentCollected",
      callback: (event: { customerPrivacy: Consent }) => void,
    ): unknown;
  };
}

/** One line of an event as the app stores it: ids, quantity and the line's amount. */
export interface Line {
  product?: string;
  variant?: string;
  quantity: number;
  amount: string;
  token?: string;
}
export interface CompactEvent {
  id: string;
  name: string;
  currency: string;
  order?: string;
  lines: Line[];
}
export interface Batch {
  shop: string;
  key: string;
  client: string;
  visitor?: string;
  events: CompactEvent[];
}

export type Post = (url: string, body: string) => Promise<unknown>;

/** What the storefront script writes: its visitor id (cart attribute, localStorage) and the offer token (line property). */
const VISITOR = "_cartlift_visitor";
const TOKEN = "_cartlift";
const VISITOR_ID = /^[a-f0-9]{32}$/;

/** "gid://shopify/ProductVariant/123" or "123" -> "123". */
function numericId(id: string | null | undefined): string | undefined {
  const match = /(\d{1,20})$/.exec(id ?? "");
  return match ? match[1] : undefined;
}

const amount = (money: Money) => String(money.amount);

function variantLine(
  variant: Variant,
  quantity: number,
  total: Money,
  token?: string,
): Line {
  return {
    product: numericId(variant.product.id),
    variant: numericId(variant.id),
    quantity,
    amount: amount(total),
    ...(token ? { token } : {}),
  };
}

const valueOf = (pairs: KeyValue[] | null | undefined, key: string) =>
  pairs?.find((p) => p.key === key)?.value;

/** The compact form of a subscribed event, or null when it has nothing to send (an empty cart). */
export function compact(
  name: string,
  event: PixelEvent,
): { event: CompactEvent; visitor?: string } | null {
  const base = { id: event.id, name };
  const data = (event.data ?? {}) as Record<string, unknown>;
  switch (name) {
    case "product_viewed": {
      const variant = data.productVariant as Variant;
      return {
        event: {
          ...base,
          currency: variant.price.currencyCode,
          lines: [variantLine(variant, 1, variant.price)],
        },
      };
    }
    case "product_added_to_cart": {
      const line = data.cartLine as CartLine | null;
      if (!line) return null;
      return {
        event: {
          ...base,
          currency: line.cost.totalAmount.currencyCode,
          lines: [
            variantLine(line.merchandise, line.quantity, line.cost.totalAmount),
          ],
        },
      };
    }
    case "cart_viewed": {
      const cart = data.cart as Cart | null;
      if (!cart || cart.lines.length === 0) return null;
      return {
        event: {
          ...base,
          currency: cart.cost.totalAmount.currencyCode,
          lines: cart.lines.map((l) =>
            variantLine(l.merchandise, l.quantity, l.cost.totalAmount),
          ),
        },
        visitor: valueOf(cart.attributes, VISITOR),
      };
    }
    case "checkout_completed": {
      const checkout = data.checkout as Checkout;
      const lines = (checkout.lineItems ?? []).filter((l) => l.variant);
      if (lines.length === 0) return null;
      const order = numericId(checkout.order?.id);
      return {
        event: {
          ...base,
          currency:
            checkout.currencyCode ?? lines[0].finalLinePrice.currencyCode,
          ...(order ? { order } : {}),
          lines: lines.map((l) =>
            variantLine(
              l.variant as Variant,
              l.quantity,
              l.finalLinePrice,
              valueOf(l.properties, TOKEN),
            ),
          ),
        },
        visitor: valueOf(checkout.attributes, VISITOR),
      };
    }
    default:
      return null;
  }
}

export const SUBSCRIBED = [
  "product_viewed",
  "product_added_to_cart",
  "cart_viewed",
  "checkout_completed",
] as const;

/**
 * The pixel: sends nothing unless the shopper allows analytics (Shopify loads the pixel only
 * then, as its extension settings require, and a decision changed on the page is followed
 * here too), and reads the storefront visitor id only once that is so.
 */
export function pixel(post: Post) {
  return ({
    settings,
    init,
    analytics,
    browser,
    customerPrivacy,
  }: PixelApi) => {
    const shop = String(settings.shop ?? "");
    const key = String(settings.key ?? "");
    const endpoint = String(settings.endpoint ?? "");
    if (!shop || !key || !endpoint) return;
    let allowed = init.customerPrivacy.analyticsProcessingAllowed === true;
    customerPrivacy.subscribe("visitorConsentCollected", (event) => {
      allowed = event.customerPrivacy.analyticsProcessingAllowed === true;
    });
    const cartVisitor = valueOf(init.data.cart?.attributes, VISITOR);

    const visitorId = async (fromEvent?: string) => {
      const candidates = [fromEvent, cartVisitor];
      try {
        candidates.push(
          (await browser.localStorage.getItem(VISITOR)) ?? undefined,
        );
      } catch {
        // Storage blocked: the cart attribute, if any, still names the visitor.
      }
      return candidates.find((v) => v && VISITOR_ID.test(v));
    };

    for (const name of SUBSCRIBED)
      analytics.subscribe(name, async (event: PixelEvent) => {
        if (!allowed) return;
        const message = compact(name, event);
        if (!message) return;
        const visitor = await visitorId(message.visitor);
        // Consent may have been withdrawn while storage answered.
        if (!allowed) return;
        const batch: Batch = {
          shop,
          key,
          client: event.clientId,
          ...(visitor ? { visitor } : {}),
          events: [message.event],
        };
        try {
          await post(endpoint, JSON.stringify(batch));
        } catch {
          // The app unreachable: analytics is best effort, the shopper never notices.
        }
      });
  };
}
