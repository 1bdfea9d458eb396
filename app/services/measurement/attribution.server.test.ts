import { beforeEach, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import {
  OrderWebhookPayload,
  orderFromWebhook,
  saveOrders,
} from "~/services/catalog/orders.server";
import {
  attributedRevenue,
  offerTokenFields,
  signOfferToken,
  signTokenFields,
  verifyOfferToken,
  visitorKey,
} from "./attribution.server";
import { storePixelEvents } from "./pixel-events.server";

// Attribution joined with the web pixel: an offer seen (impression), its product then added to
// the cart by the theme's own button (pixel product_added_to_cart), then bought.

const SHOP = "pixel-attribution.myshopify.com";
const OTHER = "pixel-attribution-other.myshopify.com";
const VISITOR = "0123456789abcdef0123456789abcdef";
const KEY = () => visitorKey(SHOP, VISITOR);
const at = (day: number, hour = 12) => new Date(Date.UTC(2026, 2, day, hour));

const token = (placement: string, productId: string, strategy = "blended") =>
  signOfferToken(
    SHOP,
    {
      placement,
      strategy,
      kind: "cross_sell",
      productId,
      modelId: "model-1",
      arm: "",
    },
    at(9),
  );

function event(type: string, placement: string, product: string, when: Date) {
  return prisma.event.create({
    data: {
      shop: SHOP,
      type,
      placement,
      offerProductId: product,
      visitorKey: KEY(),
      offerToken: token(placement, product),
      createdAt: when,
    },
  });
}

let events = 0;
function pixelAdd(
  product: string,
  when: Date,
  { shop = SHOP, key = KEY() }: { shop?: string; key?: string } = {},
) {
  events += 1;
  return prisma.pixelEvent.create({
    data: {
      shop,
      eventId: `add-${events}`,
      line: 0,
      type: "product_added_to_cart",
      visitorKey: key,
      clientKey: "client-key",
      productId: product,
      variantId: `${product}01`,
      quantity: 1,
      amountMinor: 2000,
      currency: "EUR",
      createdAt: when,
    },
  });
}

function order(
  lines: { product: string; price: string; token?: string }[],
  { visitorAttribute = true } = {},
) {
  return orderFromWebhook(
    OrderWebhookPayload.parse({
      id: 8001,
      name: "#8001",
      created_at: at(10).toISOString(),
      updated_at: at(10).toISOString(),
      currency: "EUR",
      subtotal_price: "0.00",
      total_price: "0.00",
      note_attributes: visitorAttribute
        ? [{ name: "_cartlift_visitor", value: VISITOR }]
        : [],
      line_items: lines.map((l, i) => ({
        id: 9100 + i,
        product_id: Number(l.product),
        variant_id: Number(l.product) * 100,
        quantity: 1,
        price: l.price,
        properties: l.token ? [{ name: "_cartlift", value: l.token }] : [],
      })),
    }),
  );
}

const credited = () =>
  prisma.orderLine.findMany({
    where: { shop: SHOP },
    orderBy: { id: "asc" },
    select: { productId: true, placement: true, strategy: true },
  });

beforeEach(async () => {
  for (const shop of [SHOP, OTHER]) {
    await prisma.order.deleteMany({ where: { shop } });
    await prisma.event.deleteMany({ where: { shop } });
    await prisma.pixelEvent.deleteMany({ where: { shop } });
    await prisma.shop.deleteMany({ where: { shop } });
  }
  await prisma.shop.create({ data: { shop: SHOP, attributionWindowDays: 7 } });
});

describe("attribution of offers seen and then added, as the web pixel reports adds", () => {
  it("credits the placement whose offer was seen before the add, once however often the order arrives", async () => {
    await event("impression", "product_fbt", "12", at(9, 9));
    await event("impression", "drawer", "12", at(9, 10));
    await pixelAdd("12", at(9, 11));
    // Seen again after the add: not what led to it.
    await event("impression", "cart", "12", at(9, 13));
    const placed = order([
      { product: "11", price: "30.00" },
      { product: "12", price: "20.00" },
    ]);
    await saveOrders(SHOP, [placed]);
    await saveOrders(SHOP, [placed]);
    expect(await credited()).toEqual([
      { productId: "11", placement: null, strategy: null },
      { productId: "12", placement: "drawer", strategy: "blended:add" },
    ]);
    expect(await attributedRevenue(SHOP, at(1), at(31))).toEqual([
      {
        placement: "drawer",
        strategy: "blended:add",
        currency: "EUR",
        orders: 1,
        units: 1,
        revenueMinor: 2000,
      },
    ]);
  });

  it("credits nothing for an add without an offer seen before it", async () => {
    await pixelAdd("12", at(9, 9));
    await event("impression", "drawer", "12", at(9, 10));
    await saveOrders(SHOP, [order([{ product: "12", price: "20.00" }])]);
    expect(await credited()).toEqual([
      { productId: "12", placement: null, strategy: null },
    ]);
  });

  it("ignores adds of another visitor, of another shop, and outside the attribution window", async () => {
    await event("impression", "drawer", "12", at(1));
    await pixelAdd("12", at(2));
    await event("impression", "drawer", "13", at(9, 9));
    await pixelAdd("13", at(9, 10), { key: visitorKey(SHOP, "f".repeat(32)) });
    await pixelAdd("13", at(9, 10), { shop: OTHER });
    await saveOrders(SHOP, [
      order([
        { product: "12", price: "20.00" },
        { product: "13", price: "20.00" },
      ]),
    ]);
    expect((await credited()).map((l) => l.placement)).toEqual([null, null]);
  });

  it("gives the sale to the latest touch: a later click beats an earlier add, a later add an earlier click", async () => {
    await event("impression", "drawer", "12", at(9, 8));
    await pixelAdd("12", at(9, 9));
    await event("click", "cart", "12", at(9, 10));
    await event("click", "cart", "13", at(9, 8));
    await event("impression", "product_fbt", "13", at(9, 9));
    await pixelAdd("13", at(9, 10));
    await saveOrders(SHOP, [
      order([
        { product: "12", price: "20.00" },
        { product: "13", price: "20.00" },
      ]),
    ]);
    expect(await credited()).toEqual([
      { productId: "12", placement: "cart", strategy: "blended:click" },
      { productId: "13", placement: "product_fbt", strategy: "blended:add" },
    ]);
  });

  it("leaves a line with its own offer token to that token", async () => {
    await event("impression", "drawer", "12", at(9, 10));
    await pixelAdd("12", at(9, 11));
    await saveOrders(SHOP, [
      order([
        {
          product: "12",
          price: "20.00",
          token: token("product_upgrade", "12", "upsell"),
        },
      ]),
    ]);
    expect(await credited()).toEqual([
      { productId: "12", placement: "product_upgrade", strategy: "upsell" },
    ]);
  });
});

/** The pixel's checkout_completed for order 8001, through the endpoint's store. */
function checkoutCompleted(eventId: string, key = KEY()) {
  return storePixelEvents(SHOP, [
    {
      shop: SHOP,
      eventId,
      line: 0,
      type: "checkout_completed",
      visitorKey: key,
      clientKey: "client-key",
      productId: "12",
      variantId: "1200",
      quantity: 1,
      amountMinor: 2000,
      currency: "EUR",
      orderId: "8001",
      createdAt: at(10),
    },
  ]);
}

const orderVisitor = async () =>
  (
    await prisma.order.findUniqueOrThrow({
      where: { shop_id: { shop: SHOP, id: "8001" } },
      select: { visitorKey: true },
    })
  ).visitorKey;

describe("an order without the visitor attribute, named by the pixel's checkout_completed", () => {
  const lines = [
    { product: "11", price: "30.00" },
    { product: "12", price: "20.00" },
  ];
  const drawerSale = [
    {
      placement: "drawer",
      strategy: "blended:add",
      orders: 1,
      units: 1,
      revenueMinor: 2000,
    },
  ];

  it("takes its visitor from a checkout event that arrived before the order", async () => {
    await event("impression", "drawer", "12", at(9, 10));
    await pixelAdd("12", at(9, 11));
    expect(await checkoutCompleted("checkout-1")).toBe(1);
    const placed = order(lines, { visitorAttribute: false });
    await saveOrders(SHOP, [placed]);
    await saveOrders(SHOP, [placed]);
    expect(await orderVisitor()).toBe(KEY());
    expect(await credited()).toEqual([
      { productId: "11", placement: null, strategy: null },
      { productId: "12", placement: "drawer", strategy: "blended:add" },
    ]);
    expect(await attributedRevenue(SHOP, at(1), at(31))).toMatchObject(
      drawerSale,
    );
  });

  it("re-attributes a stored order when its checkout event arrives after it, once however often it comes", async () => {
    await event("impression", "drawer", "12", at(9, 10));
    await pixelAdd("12", at(9, 11));
    await saveOrders(SHOP, [order(lines, { visitorAttribute: false })]);
    expect(await orderVisitor()).toBeNull();
    expect((await credited()).map((l) => l.placement)).toEqual([null, null]);

    expect(await checkoutCompleted("checkout-1")).toBe(1);
    expect(await orderVisitor()).toBe(KEY());
    expect(await credited()).toEqual([
      { productId: "11", placement: null, strategy: null },
      { productId: "12", placement: "drawer", strategy: "blended:add" },
    ]);
    // Resent, and a late second event of the same checkout: the sale is still counted once.
    expect(await checkoutCompleted("checkout-1")).toBe(0);
    expect(await checkoutCompleted("checkout-2")).toBe(1);
    await Promise.all([
      checkoutCompleted("checkout-3"),
      checkoutCompleted("checkout-4"),
    ]);
    expect(await attributedRevenue(SHOP, at(1), at(31))).toMatchObject(
      drawerSale,
    );
    // The order webhook delivered again keeps the visitor the pixel named.
    await saveOrders(SHOP, [order(lines, { visitorAttribute: false })]);
    expect(await orderVisitor()).toBe(KEY());
    expect(await attributedRevenue(SHOP, at(1), at(31))).toMatchObject(
      drawerSale,
    );
  });

  it("leaves an order whose cart named its visitor, and lines with their own token, as they are", async () => {
    const stranger = visitorKey(SHOP, "f".repeat(32));
    await event("impression", "drawer", "12", at(9, 10));
    await pixelAdd("12", at(9, 11));
    await saveOrders(SHOP, [order(lines)]);
    await checkoutCompleted("checkout-1", stranger);
    expect(await orderVisitor()).toBe(KEY());

    await prisma.order.deleteMany({ where: { shop: SHOP } });
    const upgrade = token("product_upgrade", "12", "upsell");
    await saveOrders(SHOP, [
      order(
        [
          { product: "11", price: "30.00" },
          { product: "12", price: "20.00", token: upgrade },
        ],
        { visitorAttribute: false },
      ),
    ]);
    await checkoutCompleted("checkout-2");
    expect(await credited()).toEqual([
      { productId: "11", placement: null, strategy: null },
      { productId: "12", placement: "product_upgrade", strategy: "upsell" },
    ]);
  });
});

describe("offer tokens within a second", () => {
  it("are one token per shop, offer and arm in a second, each verifying as its own", () => {
    const fields = offerTokenFields({
      placement: "cart",
      strategy: "blended",
      kind: "cross_sell",
      productId: "7",
      modelId: "model-1",
    });
    const issued = new Date(Date.UTC(2026, 2, 9, 12, 0, 0, 100));
    const later = (ms: number) => new Date(issued.getTime() + ms);
    const token = signTokenFields(SHOP, fields, "", issued);
    expect(signTokenFields(SHOP, fields, "", later(800))).toBe(token);
    const [otherShop, otherArm, nextSecond] = [
      signTokenFields(OTHER, fields, "", issued),
      signTokenFields(SHOP, fields, "b", issued),
      signTokenFields(SHOP, fields, "", later(900)),
    ];
    expect(new Set([token, otherShop, otherArm, nextSecond]).size).toBe(4);
    expect(verifyOfferToken(SHOP, token)).toMatchObject({
      productId: "7",
      arm: "",
      issuedAt: new Date(Date.UTC(2026, 2, 9, 12)),
    });
    expect(verifyOfferToken(SHOP, otherShop)).toBeNull();
    expect(verifyOfferToken(OTHER, otherShop)?.productId).toBe("7");
    expect(verifyOfferToken(SHOP, otherArm)?.arm).toBe("b");
    expect(verifyOfferToken(SHOP, nextSecond)?.issuedAt).toEqual(
      new Date(Date.UTC(2026, 2, 9, 12, 0, 1)),
    );
  });
});
