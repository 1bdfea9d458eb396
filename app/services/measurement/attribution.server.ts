import { timingSafeEqual } from "node:crypto";
import { hmacSha256 } from "~/services/platform/hmac.server";
import prisma from "~/db.server";
import { env } from "~/env.server";

// Attribution tokens ride on storefront offers, into the cart as the `_cartlift` line-item
// property and back in order webhooks. Shoppers can see and edit line-item properties, so the
// token is signed with the app secret and bound to the shop: a forged or edited token, or one
// copied from another shop, attributes nothing.

const VERSION = "1";
const SEPARATOR = "~";
/** 128 bits of HMAC: forging is out of reach, and the property stays short. */
const MAC_BYTES = 16;
/** A field may not contain the separator; ids, placements and strategies never do. */
const FIELD = /^[A-Za-z0-9_:-]{0,64}$/;

export interface OfferAttribution {
  placement: string;
  strategy: string;
  /** cross_sell | upsell | bundle | replenish */
  kind: string;
  productId: string;
  modelId: string;
  /** Experiment arm the visitor was assigned to, empty outside experiments. */
  arm: string;
  issuedAt: Date;
}

function mac(shop: string, payload: string): string {
  return hmacSha256(env.SHOPIFY_API_SECRET)
    .update(`${shop}\n${payload}`)
    .digest()
    .subarray(0, MAC_BYTES)
    .toString("base64url");
}

export function signOfferToken(
  shop: string,
  offer: Omit<OfferAttribution, "issuedAt">,
  now = new Date(),
): string {
  return signTokenFields(shop, offerTokenFields(offer), offer.arm, now);
}

/**
 * What an offer's token says but the arm and the time, checked and written once: the storefront
 * keeps it with a memoised answer and signs it for each request (`signTokenFields`).
 */
export function offerTokenFields(
  offer: Omit<OfferAttribution, "arm" | "issuedAt">,
): string {
  const fields = [
    offer.placement,
    offer.strategy,
    offer.kind,
    offer.productId,
    offer.modelId,
  ];
  if (!fields.every((f) => FIELD.test(f)))
    throw new RangeError(`Attribution field out of range: ${fields.join(",")}`);
  return [VERSION, ...fields].join(SEPARATOR);
}

/**
 * This second's tokens: a token names no visitor, so every shopper shown the same offer in the
 * same arm within a second gets the same one. Under load that is most of them (a shop's
 * storefront shows its popular products over and over), and each MAC spared is a tenth of a memo
 * hit's time (decision 024). Emptied when the second changes; bounded all the same.
 */
const thisSecond = { second: -1, tokens: new Map<string, string>() };
const TOKENS_PER_SECOND = 10_000;

/** The token of `offerTokenFields`'s fields with the visitor's arm, issued `now`. */
export function signTokenFields(
  shop: string,
  fields: string,
  arm: string,
  now = new Date(),
): string {
  if (!FIELD.test(arm))
    throw new RangeError(`Attribution field out of range: ${arm}`);
  const second = Math.floor(now.getTime() / 1000);
  if (
    thisSecond.second !== second ||
    thisSecond.tokens.size >= TOKENS_PER_SECOND
  )
    thisSecond.tokens.clear();
  thisSecond.second = second;
  const payload = `${fields}${SEPARATOR}${arm}${SEPARATOR}${second.toString(36)}`;
  const key = `${shop}\n${payload}`;
  let token = thisSecond.tokens.get(key);
  if (token === undefined) {
    token = `${payload}.${mac(shop, payload)}`;
    thisSecond.tokens.set(key, token);
  }
  return token;
}

/** The offer a token was issued for, or null when it is malformed, forged, or from another shop. */
export function verifyOfferToken(
  shop: string,
  token: string,
): OfferAttribution | null {
  if (token.length > 512) return null;
  const dot = token.lastIndexOf(".");
  if (dot < 0) return null;
  const payload = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), "base64url");
  const expected = Buffer.from(mac(shop, payload), "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return null;
  const parts = payload.split(SEPARATOR);
  if (parts.length !== 8 || parts[0] !== VERSION) return null;
  const [, placement, strategy, kind, productId, modelId, arm, issued] = parts;
  return {
    placement,
    strategy,
    kind,
    productId,
    modelId,
    arm,
    issuedAt: new Date(parseInt(issued, 36) * 1000),
  };
}

/**
 * The pseudonymous key a storefront visitor id is stored under (events) and matched by (orders).
 * The random id from the shopper's browser never reaches the database as such.
 */
export function visitorKey(shop: string, visitorId: string): string {
  return hmacSha256(env.SHOPIFY_API_SECRET)
    .update(`${shop}:visitor:${visitorId}`)
    .digest("hex")
    .slice(0, 32);
}

export const VISITOR_ID = /^[A-Za-z0-9_-]{8,64}$/;

/**
 * A visitor key, or how to compute it once something reads it (a running experiment, the
 * bandit): most storefront requests need neither, and skip the HMAC.
 */
export type LazyVisitorKey = string | (() => string);

export function visitorKeyOf(key: LazyVisitorKey): string {
  return typeof key === "string" ? key : key();
}

/**
 * The experiment unit of a checkout (the post-purchase placement, whose unit is the checkout, not
 * the storefront visitor): the key of its checkout token, in a namespace no storefront visitor id
 * can reach (VISITOR_ID allows no colon). The token itself is never stored.
 */
export function checkoutKey(shop: string, checkoutToken: string): string {
  return visitorKey(shop, `checkout:${checkoutToken}`);
}

export interface LineToAttribute {
  productId: string | null;
  variantId?: string | null;
  offerToken: string | null;
}

export interface LineAttribution {
  placement: string | null;
  strategy: string | null;
}

const UNATTRIBUTED: LineAttribution = { placement: null, strategy: null };
const DAY_MS = 86_400_000;
/** Clocks of the app and of Shopify may disagree a little: a token "from the future" by less counts. */
const CLOCK_SKEW_MS = 5 * 60_000;

/** An offer token counts for an order placed within the shop's attribution window after it was issued. */
export function tokenInWindow(
  issuedAt: Date,
  orderCreatedAt: Date,
  windowDays: number,
): boolean {
  const age = orderCreatedAt.getTime() - issuedAt.getTime();
  return age >= -CLOCK_SKEW_MS && age <= windowDays * DAY_MS;
}

/**
 * Which offer each order line came from, each sale to one owner:
 * 1. the line Shopify added when the buyer accepted this app's post-purchase offer for the
 *    order's checkout (the signed offer's variant; `post_purchase`, the offer's strategy);
 * 2. a line carrying a valid token for its own product, issued within the shop's attribution
 *    window before the order (a token kept in a cart for months credits nothing);
 * 3. a line without either: the visitor's latest touch of an offer for that product inside the
 *    window before the order: a click ("clicked, then bought"; strategy suffixed `:click`), or
 *    the offer seen and the product then added to the cart as the web pixel saw it ("saw it,
 *    added it, bought it"; `:add`), whichever came last (decision 025).
 * Deterministic for a given order, so a redelivered or updated webhook recomputes the same answer
 * instead of adding to it.
 */
export async function attributeLines(
  shop: string,
  order: {
    createdAt: Date;
    /** The key of the order's visitor (`orderVisitorKey`), null when unknown. */
    visitorKey: string | null;
    checkoutToken?: string | null;
  },
  lines: readonly LineToAttribute[],
): Promise<LineAttribution[]> {
  // Imported history carries neither tokens nor visitors: no query for it.
  const needsWindow =
    order.visitorKey !== null || lines.some((l) => l.offerToken);
  const [shopRow, accepted] = await Promise.all([
    needsWindow
      ? prisma.shop.findUnique({
          where: { shop },
          select: { attributionWindowDays: true },
        })
      : null,
    order.checkoutToken
      ? prisma.postPurchaseOffer.findFirst({
          where: {
            shop,
            referenceId: order.checkoutToken,
            signedAt: { not: null },
          },
          select: { variantId: true, strategy: true },
        })
      : null,
  ]);
  const windowDays = shopRow?.attributionWindowDays ?? 7;
  const result: (LineAttribution | undefined)[] = lines.map(() => undefined);
  if (accepted) {
    // Shopify appends the accepted offer's line to the order: the last line of that variant.
    const i = lines.findLastIndex((l) => l.variantId === accepted.variantId);
    if (i >= 0)
      result[i] = {
        placement: "post_purchase",
        strategy: accepted.strategy || "unknown",
      };
  }
  lines.forEach((line, i) => {
    if (result[i] || !line.offerToken || !line.productId) return;
    const offer = verifyOfferToken(shop, line.offerToken);
    if (
      offer &&
      offer.productId === line.productId &&
      tokenInWindow(offer.issuedAt, order.createdAt, windowDays)
    )
      result[i] = { placement: offer.placement, strategy: offer.strategy };
  });
  const open = lines
    .map((line, i) => (result[i] || !line.productId ? null : line.productId))
    .filter((id): id is string => id !== null);
  if (open.length > 0 && order.visitorKey !== null) {
    const latest = await latestTouches(
      shop,
      order.visitorKey,
      open,
      new Date(order.createdAt.getTime() - windowDays * DAY_MS),
      order.createdAt,
    );
    lines.forEach((line, i) => {
      if (!result[i] && line.productId) result[i] = latest.get(line.productId);
    });
  }
  return result.map((r) => r ?? UNATTRIBUTED);
}

/**
 * The latest offer touch of a visitor for each product inside [from, to]: a click on the offer
 * (strategy suffixed `:click`), or the offer seen and the product then added to the cart, as the
 * web pixel reports adds (`:add`; the impression latest before the add names the placement). On
 * equal times the click wins. Deterministic for given rows, like the rest of attribution.
 */
async function latestTouches(
  shop: string,
  key: string,
  productIds: string[],
  from: Date,
  to: Date,
): Promise<Map<string, LineAttribution>> {
  const window = { gte: from, lte: to };
  const offerEvents = (type: "click" | "impression") =>
    prisma.event.findMany({
      where: {
        shop,
        type,
        visitorKey: key,
        offerProductId: { in: productIds },
        createdAt: window,
      },
      select: {
        placement: true,
        offerProductId: true,
        offerToken: true,
        createdAt: true,
      },
    });
  const [clicks, impressions, adds] = await Promise.all([
    offerEvents("click"),
    offerEvents("impression"),
    prisma.pixelEvent.findMany({
      where: {
        shop,
        type: "product_added_to_cart",
        visitorKey: key,
        productId: { in: productIds },
        createdAt: window,
      },
      select: { productId: true, createdAt: true },
    }),
  ]);
  const strategyOf = (token: string | null) =>
    (token ? verifyOfferToken(shop, token)?.strategy : null) ?? "unknown";
  const byTime = <T extends { createdAt: Date; placement: string }>(
    a: T,
    b: T,
  ) =>
    a.createdAt.getTime() - b.createdAt.getTime() ||
    a.placement.localeCompare(b.placement);
  const touches: {
    productId: string;
    at: Date;
    rank: number;
    attribution: LineAttribution;
  }[] = [];
  for (const click of clicks)
    if (click.offerProductId)
      touches.push({
        productId: click.offerProductId,
        at: click.createdAt,
        rank: 1,
        attribution: {
          placement: click.placement,
          strategy: `${strategyOf(click.offerToken)}:click`,
        },
      });
  const seen = [...impressions].sort(byTime);
  for (const add of adds) {
    const before = seen.filter(
      (v) => v.offerProductId === add.productId && v.createdAt <= add.createdAt,
    );
    const impression = before[before.length - 1];
    if (impression && add.productId)
      touches.push({
        productId: add.productId,
        at: add.createdAt,
        rank: 0,
        attribution: {
          placement: impression.placement,
          strategy: `${strategyOf(impression.offerToken)}:add`,
        },
      });
  }
  touches.sort(
    (a, b) =>
      a.at.getTime() - b.at.getTime() ||
      a.rank - b.rank ||
      (a.attribution.placement ?? "").localeCompare(
        b.attribution.placement ?? "",
      ),
  );
  // Later touches overwrite earlier ones: the latest remains.
  const latest = new Map<string, LineAttribution>();
  for (const t of touches) latest.set(t.productId, t.attribution);
  return latest;
}

export interface AttributedRevenueRow {
  placement: string;
  strategy: string;
  currency: string;
  /** Orders with at least one attributed line in this group. */
  orders: number;
  /** Units sold through offers, net of refunds. */
  units: number;
  /** Net of refunded quantities, in minor units of `currency`. */
  revenueMinor: number;
}

/**
 * What the units kept of an order line brought in: their price less their share of the discounts
 * allocated to the line (a bundle's, the post-purchase offer's, a code's), to the minor unit, as
 * the order's subtotal counts them. Null discounts (the source did not say) take nothing off.
 */
export function keptRevenueMinor(
  line: { priceMinor: number; quantity: number; discountMinor?: number | null },
  kept: number,
): number {
  const discount = line.discountMinor ?? 0;
  const share =
    kept === line.quantity
      ? discount
      : Math.round((discount * kept) / line.quantity);
  return line.priceMinor * kept - share;
}

/**
 * Revenue of order lines attributed to an offer, per placement, strategy and currency, for
 * orders created in [from, to). Cancelled orders and refunded units do not count. Each order is
 * stored once (webhooks replace it), so redeliveries cannot inflate these figures.
 */
export async function attributedRevenue(
  shop: string,
  from: Date,
  to: Date,
): Promise<AttributedRevenueRow[]> {
  const lines = await prisma.orderLine.findMany({
    where: {
      shop,
      placement: { not: null },
      order: { createdAt: { gte: from, lt: to }, cancelledAt: null },
    },
    select: {
      orderId: true,
      placement: true,
      strategy: true,
      quantity: true,
      refundedQuantity: true,
      priceMinor: true,
      discountMinor: true,
      order: { select: { currency: true } },
    },
  });
  const groups = new Map<
    string,
    AttributedRevenueRow & { orderIds: Set<string> }
  >();
  for (const line of lines) {
    const placement = line.placement as string;
    const strategy = line.strategy ?? "unknown";
    const currency = line.order.currency;
    const key = `${placement}\n${strategy}\n${currency}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        placement,
        strategy,
        currency,
        orders: 0,
        units: 0,
        revenueMinor: 0,
        orderIds: new Set(),
      };
      groups.set(key, group);
    }
    const units = Math.max(0, line.quantity - line.refundedQuantity);
    group.units += units;
    group.revenueMinor += keptRevenueMinor(line, units);
    group.orderIds.add(line.orderId);
  }
  return [...groups.values()]
    .map(({ orderIds, ...row }) => ({ ...row, orders: orderIds.size }))
    .sort(
      (a, b) =>
        b.revenueMinor - a.revenueMinor ||
        a.placement.localeCompare(b.placement) ||
        a.strategy.localeCompare(b.strategy) ||
        a.currency.localeCompare(b.currency),
    );
}
