import { beforeAll, describe, expect, it, vi } from "vitest";
import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { mswServer } from "../../../test/msw";
import { demoAdminHandlers } from "../../../demo/admin-api";
import prisma from "~/db.server";
import { sessionStorage, unauthenticated } from "~/shopify.server";
import { saveOrders } from "~/services/catalog/orders.server";
import { log } from "~/services/platform/log.server";
import {
  nextOfferSends,
  scheduleNextOffer,
  shopsWithDueSends,
  stopNextOffers,
} from "./next-offer.server";
import {
  runDueNextOffers,
  startNextOfferRunner,
} from "./next-offer-runner.server";

// The runner reads the clock: orders are placed relative to the real now, so the sends they
// schedule are due (stakes 14 days after a tent) or not yet due.
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);
const GRANTED = "read_products,read_orders,write_orders";
const QUIET = "quiet.myshopify.com";
const BUSY = "busy.myshopify.com";
/** Uninstalled: its sends are still stored (until shop/redact), its offline session is gone. */
const GONE = "a-gone.myshopify.com";
/** Installed, but its Admin API client cannot be had (Shopify unreachable). */
const DOWN = "a-down.myshopify.com";

let nextId = 7000;
function order(customerId: string, daysAgo: number, productId: string) {
  const id = String((nextId += 1));
  return {
    id,
    name: `#${id}`,
    createdAt: ago(daysAgo),
    sourceUpdatedAt: ago(daysAgo),
    cancelledAt: null,
    currency: "USD",
    subtotalMinor: 2500,
    totalMinor: 2500,
    customerId,
    acceptsMarketing: true,
    lines: [
      {
        id: `${id}0`,
        productId,
        variantId: `${productId}0`,
        quantity: 1,
        priceMinor: 2500,
        offerToken: null,
      },
    ],
  };
}

/** A camper's tent order, `daysAgo` days ago, and its scheduled send (stakes 14 days later). */
async function tentOrder(shop: string, customerId: string, daysAgo: number) {
  const tent = order(customerId, daysAgo, "1");
  await saveOrders(shop, [tent]);
  const { status } = await scheduleNextOffer(shop, tent.id, undefined);
  expect(status).toBe("scheduled");
  return tent.id;
}

/** The Flow runs the demo's Admin API stand-in (which validates as Shopify does) received. */
function flowRunsOf(shop: string) {
  const flowRuns: { handle: string; payload: Record<string, unknown> }[] = [];
  mswServer.use(
    ...demoAdminHandlers(
      { shop, currency: "USD", products: [], orders: [] },
      { scopes: GRANTED, flowRuns },
    ),
  );
  return flowRuns;
}

const statusOf = async (shop: string, orderId: string) =>
  (
    await prisma.nextOfferSend.findUniqueOrThrow({
      where: { shop_orderId: { shop, orderId } },
      select: { status: true },
    })
  ).status;

beforeAll(async () => {
  for (const shop of [QUIET, BUSY, GONE, DOWN]) {
    if (shop !== GONE)
      await sessionStorage.storeSession(
        setUpValidSession({ shop, isOnline: false, scope: GRANTED }),
      );
    await prisma.shop.create({ data: { shop } });
    for (const [id, title] of [
      ["1", "Ridge tent"],
      ["2", "Tent stakes"],
    ])
      await prisma.product.create({
        data: { shop, id, title, handle: title, updatedAt: new Date() },
      });
    // Campers buy a tent, then stakes 14 days later: what teaches the lag.
    await saveOrders(
      shop,
      ["11", "12", "13"].flatMap((c, i) => [
        order(c, 300 - i, "1"),
        order(c, 286 - i, "2"),
      ]),
    );
  }
});

describe("the scheduled next-offer runner", () => {
  it("sends a quiet shop's due offer once, with no order webhook, and keeps the one not yet due", async () => {
    const due = await tentOrder(QUIET, "21", 20);
    const later = await tentOrder(QUIET, "22", 3);
    const runs = flowRunsOf(QUIET);

    const stop = startNextOfferRunner(20);
    try {
      for (let waited = 0; (await statusOf(QUIET, due)) !== "sent"; waited++) {
        if (waited > 250) throw new Error("the runner did not send within 5 s");
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Several more ticks: nothing is sent again.
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      stop();
    }
    expect(runs).toEqual([
      {
        handle: "cartlift-next-offer",
        payload: expect.objectContaining({
          order_id: Number(due),
          product_id: 2,
        }),
      },
    ]);
    expect(await statusOf(QUIET, later)).toBe("pending");
  });

  it("sends each due offer once when two instances run at the same moment", async () => {
    const ids = [
      await tentOrder(BUSY, "31", 30),
      await tentOrder(BUSY, "32", 25),
    ];
    const runs = flowRunsOf(BUSY);

    const now = new Date();
    const [a, b] = await Promise.all([
      runDueNextOffers(now),
      runDueNextOffers(now),
    ]);
    const sent = (s: Map<string, { sent: number }>) => s.get(BUSY)?.sent ?? 0;
    expect(sent(a) + sent(b)).toBe(2);
    expect(runs.map((r) => r.payload.order_id).sort()).toEqual(
      ids.map(Number).sort(),
    );
    for (const id of ids) expect(await statusOf(BUSY, id)).toBe("sent");
  });

  it("logs a shop it cannot reach and still runs the next one", async () => {
    const stranded = await tentOrder(DOWN, "41", 20);
    const reachable = await tentOrder(BUSY, "42", 20);
    const runs = flowRunsOf(BUSY);
    const errors = vi.spyOn(log, "error");

    // DOWN sorts first: its failure must not stop BUSY's run.
    const summaries = await runDueNextOffers(new Date(), async (shop) => {
      if (shop === DOWN) throw new Error("Shopify is unreachable");
      return (await unauthenticated.admin(shop)).admin.graphql;
    });
    expect(summaries.has(DOWN)).toBe(false);
    expect(summaries.get(BUSY)?.sent).toBe(1);
    expect(runs.map((r) => r.payload.order_id)).toEqual([Number(reachable)]);
    expect(errors).toHaveBeenCalledWith("next offers not sent", {
      shop: DOWN,
      error: expect.objectContaining({ message: "Shopify is unreachable" }),
    });
    errors.mockRestore();
    // Nothing was claimed for it: it waits for a run that can reach the shop.
    expect(await statusOf(DOWN, stranded)).toBe("pending");
  });

  it("stops an uninstalled shop's sends and never tries a shop without an offline session", async () => {
    const stopped = await tentOrder(GONE, "51", 20);
    const stranded = await tentOrder(GONE, "52", 20);

    // app/uninstalled: the shop's unsent sends are stopped, and listed so.
    expect(await stopNextOffers(GONE)).toBeGreaterThanOrEqual(2);
    expect(await statusOf(GONE, stopped)).toBe("uninstalled");
    const { recent, counts } = await nextOfferSends(GONE);
    expect(recent.find((s) => s.orderId === stopped)?.status).toBe(
      "uninstalled",
    );
    expect(counts.pending + counts.sending).toBe(0);

    // A send left pending (one stored before this change, say) is not tried either: without an
    // offline session nothing could send it, and a run would only log the failure again.
    await prisma.nextOfferSend.update({
      where: { shop_orderId: { shop: GONE, orderId: stranded } },
      data: { status: "pending" },
    });
    expect(await shopsWithDueSends()).not.toContain(GONE);
    // The session is what decides: with one, the same send is due for a run.
    await sessionStorage.storeSession(
      setUpValidSession({ shop: GONE, isOnline: false, scope: GRANTED }),
    );
    expect(await shopsWithDueSends()).toContain(GONE);
    await prisma.session.deleteMany({ where: { shop: GONE } });
  });
});
