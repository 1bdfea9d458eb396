import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { engineOrders } from "~/engine/order-table";
import { serialiseModels, trainModels } from "~/engine/shop-model";
import type { EngineOrder } from "~/engine/types";
import {
  buildCustomerProfiles,
  discountShare,
} from "~/engine/customer-profile";
import { customerKey } from "~/services/privacy/pseudonym.server";
import {
  type OrderInput,
  OrderWebhookPayload,
  orderFromWebhook,
  saveOrders,
} from "./orders.server";
import { loadOrderTable, loadOrders } from "./shop-data.server";

const SHOP = "paged-orders.myshopify.com";
const T0 = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;

/**
 * Twenty orders, three to a day (creation times tie across page boundaries), one to four lines
 * each from a few products; every seventh order cancelled, some lines without a product (a
 * deleted one), some refunded whole or in part, one order with no line left, and an amount
 * beyond 32 bits.
 */
const inputs: OrderInput[] = Array.from({ length: 20 }, (_, i) => {
  const id = String(5000 - i * 7);
  const products = ["11", "12", "13", "14", "15"];
  return {
    id,
    name: `#${i}`,
    createdAt: new Date(T0 + Math.floor(i / 3) * DAY),
    sourceUpdatedAt: new Date(T0 + 30 * DAY),
    cancelledAt: i % 7 === 6 ? new Date(T0 + 40 * DAY) : null,
    currency: "EUR",
    subtotalMinor: 1000,
    totalMinor: 1000,
    customerId: i % 4 === 0 ? null : String(i % 5),
    lines: Array.from({ length: 1 + (i % 4) }, (_, j) => ({
      id: `${id}${j}`,
      productId: i === 9 || (i + j) % 6 === 5 ? null : products[(i * j) % 5],
      variantId: i % 2 === 0 ? `${products[(i * j) % 5]}0` : null,
      quantity: 1 + j,
      priceMinor: i === 4 ? 9_000_000_000_000 : 1500 + 100 * j,
      offerToken: null,
      // Some lines refunded whole, some in part.
      refundedQuantity: i % 5 === 1 ? 1 + j : j === 2 ? 1 : 0,
    })),
  };
});

/** What the engine should be given: the same orders, written straight from the inputs. */
function expected(after?: Date): EngineOrder[] {
  return inputs
    .filter((o) => o.cancelledAt === null && (!after || o.createdAt > after))
    .sort(
      (a, b) =>
        a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1),
    )
    .map((o) => ({
      id: o.id,
      createdAt: o.createdAt,
      customerKey: o.customerId ? customerKey(SHOP, o.customerId) : undefined,
      lines: o.lines
        .filter((l) => l.productId !== null && l.quantity > l.refundedQuantity!)
        .map((l) => ({
          productId: l.productId!,
          variantId: l.variantId ?? undefined,
          quantity: l.quantity - l.refundedQuantity!,
          price: { amount: l.priceMinor, currency: o.currency },
        })),
    }));
}

describe("loading a shop's orders for training", () => {
  it("reads them a page at a time into exactly the orders, and the model, of a single read", async () => {
    await saveOrders(SHOP, inputs);
    await saveOrders("other-shop.myshopify.com", inputs.slice(0, 5));
    const whole = await loadOrders(SHOP);
    expect(whole).toEqual(expected());
    // Pages of four split ties of creation time: every order still comes once, in order.
    const paged = await loadOrders(SHOP, { pageSize: 4 });
    expect(paged).toEqual(expected());
    expect(serialiseModels(trainModels(paged))).toBe(
      serialiseModels(trainModels(expected())),
    );
    // Training's read: the same orders, held in typed arrays.
    const table = await loadOrderTable(SHOP, { pageSize: 4 });
    expect([...engineOrders(table)]).toEqual(expected());
    expect(serialiseModels(trainModels(table))).toBe(
      serialiseModels(trainModels(expected())),
    );
  });

  it("reads only the orders created after a moment", async () => {
    const after = new Date(T0 + 2 * DAY);
    const later = await loadOrders(SHOP, { after, pageSize: 2 });
    expect(later).toEqual(expected(after));
    expect(later.length).toBeGreaterThan(0);
  });
});

describe("lines bought on discount", () => {
  const shop = "discounted-lines.myshopify.com";
  /** An order webhook's payload for customer 42, with each line's discount allocations. */
  const webhook = (id: number, allocations: (string[] | undefined)[]) =>
    orderFromWebhook(
      OrderWebhookPayload.parse({
        id,
        name: `#${id}`,
        created_at: new Date(T0 + id * DAY).toISOString(),
        updated_at: new Date(T0 + id * DAY).toISOString(),
        currency: "JPY",
        subtotal_price: "3000",
        total_price: "3000",
        customer: { id: 42 },
        line_items: allocations.map((amounts, i) => ({
          id: id * 10 + i,
          product_id: 11 + i,
          variant_id: 110 + i,
          quantity: 2,
          price: "1500",
          ...(amounts && {
            discount_allocations: amounts.map((amount) => ({ amount })),
          }),
        })),
      }),
    );

  it("stores each line's discount from the order webhook and gives the customer's profile their discount share", async () => {
    await saveOrders(shop, [
      // A code and an automatic discount on the first line; none on the second.
      webhook(1, [["300", "150"], []]),
      webhook(2, [["0"], ["100"]]),
      // A payload that does not list allocations says nothing either way.
      webhook(3, [undefined]),
    ]);
    const stored = await prisma.orderLine.findMany({
      where: { shop },
      select: { id: true, discountMinor: true },
      orderBy: { id: "asc" },
    });
    expect(stored.map((l) => [l.id, l.discountMinor])).toEqual([
      ["10", 450],
      ["11", 0],
      ["20", 0],
      ["21", 100],
      ["30", null],
    ]);
    const orders = await loadOrders(shop, { withCustomer: true });
    expect(orders.map((o) => o.lines.map((l) => l.discounted))).toEqual([
      [true, false],
      [false, true],
      [undefined],
    ]);
    const profile = buildCustomerProfiles(orders, () => "Tent").get(
      customerKey(shop, "42"),
    )!;
    // Two of the four lines that say were discounted; the one that does not say is not counted.
    expect(discountShare(profile)).toBe(0.5);
  });
});
