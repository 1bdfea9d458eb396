import prisma from "~/db.server";
import { attributeLines } from "./attribution.server";

// The web pixel's `checkout_completed` names the visitor of an order whose cart did not carry
// the `_cartlift_visitor` attribute (a theme that drops cart attributes, an express checkout):
// the pixel read the storefront's visitor id in the same browser (decision 025). The stored
// event is the link. It names the order's visitor whichever arrives first: the order webhook looks
// the link up (`checkoutVisitorKeys`), and an event arriving after the order names its visitor and
// re-attributes it (`attributeCheckoutVisitors`).

/**
 * The visitor keys the pixel's `checkout_completed` events give these orders. An order named by
 * several events (two browsers, a resent event) takes its earliest, so every delivery agrees.
 */
export async function checkoutVisitorKeys(
  shop: string,
  orderIds: readonly string[],
): Promise<Map<string, string>> {
  if (orderIds.length === 0) return new Map();
  const events = await prisma.pixelEvent.findMany({
    where: {
      shop,
      type: "checkout_completed",
      orderId: { in: [...orderIds] },
      visitorKey: { not: null },
    },
    orderBy: [{ createdAt: "asc" }, { eventId: "asc" }],
    select: { orderId: true, visitorKey: true },
  });
  const keys = new Map<string, string>();
  for (const { orderId, visitorKey } of events)
    if (orderId && visitorKey && !keys.has(orderId))
      keys.set(orderId, visitorKey);
  return keys;
}

/**
 * After `checkout_completed` events are stored: each stored order they name that has no visitor
 * yet gets the event's visitor, and its lines that no offer owned are attributed again with it
 * (the accepted post-purchase offer and line tokens do not depend on the visitor, so lines they
 * own keep their offer). The order is claimed by its still empty visitor, so a resent or
 * concurrent event changes nothing a second time. Returns how many orders it named.
 */
export async function attributeCheckoutVisitors(
  shop: string,
  orderIds: readonly string[],
): Promise<number> {
  const keys = await checkoutVisitorKeys(shop, orderIds);
  if (keys.size === 0) return 0;
  const orders = await prisma.order.findMany({
    where: { shop, id: { in: [...keys.keys()] }, visitorKey: null },
    select: { id: true, createdAt: true },
  });
  // Lines read on their own (decision 019: the nested read repeated lines for some sets).
  const lines = await prisma.orderLine.findMany({
    where: { shop, orderId: { in: orders.map((o) => o.id) }, placement: null },
    orderBy: { id: "asc" },
    select: {
      id: true,
      orderId: true,
      productId: true,
      variantId: true,
      offerToken: true,
    },
  });
  let named = 0;
  for (const order of orders) {
    const visitorKey = keys.get(order.id)!;
    const open = lines.filter((l) => l.orderId === order.id);
    const attribution = await attributeLines(
      shop,
      { createdAt: order.createdAt, visitorKey, checkoutToken: null },
      open,
    );
    named += await prisma.$transaction(async (tx) => {
      const claimed = await tx.order.updateMany({
        where: { shop, id: order.id, visitorKey: null },
        data: { visitorKey },
      });
      if (claimed.count === 0) return 0;
      for (const [i, line] of open.entries())
        if (attribution[i].placement !== null)
          await tx.orderLine.updateMany({
            where: { shop, id: line.id, placement: null },
            data: attribution[i],
          });
      return 1;
    });
  }
  return named;
}
