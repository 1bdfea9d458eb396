import prisma from "~/db.server";
import { experimentUnit } from "~/engine/types";
import {
  type LifetimeValue,
  type LtvOrder,
  computeLifetimeValue,
} from "./lifetime-value";

/** Keys per IN list: well inside SQLite's and PostgreSQL's bound-parameter limits. */
const CHUNK = 500;

async function inChunks<T>(
  keys: readonly string[],
  read: (chunk: string[]) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < keys.length; i += CHUNK)
    out.push(...(await read(keys.slice(i, i + CHUNK))));
  return out;
}

const ORDER_SELECT = {
  id: true,
  visitorKey: true,
  checkoutKey: true,
  customerKey: true,
  createdAt: true,
  currency: true,
  subtotalMinor: true,
} as const;

/**
 * Repeat purchases of an experiment's buyers, offer arms against the hold-out (lifetime-value.ts).
 * A storefront experiment's units are visitors, whose orders carry their key; a post-purchase
 * experiment's are checkouts (`Order.checkoutKey`), followed afterwards by the order's customer.
 */
export async function loadLifetimeValue(
  shop: string,
  experimentId: string,
  asOf = new Date(),
): Promise<LifetimeValue | null> {
  const [experiment, arms, exposures, shopRow] = await Promise.all([
    prisma.experiment.findFirst({
      where: { shop, id: experimentId },
      select: { placements: true },
    }),
    prisma.experimentArm.findMany({
      where: { shop, experimentId },
      select: { id: true, holdout: true },
    }),
    prisma.experimentExposure.findMany({
      where: { shop, experimentId },
      select: { visitorKey: true, armId: true, firstSeenAt: true },
    }),
    prisma.shop.findUnique({ where: { shop }, select: { currency: true } }),
  ]);
  if (!experiment || !arms.some((a) => a.holdout)) return null;
  const unit = experimentUnit(JSON.parse(experiment.placements) as string[]);
  const holdout = new Set(arms.filter((a) => a.holdout).map((a) => a.id));
  const unitOrders = await inChunks(
    exposures.map((e) => e.visitorKey),
    (keys) =>
      prisma.order.findMany({
        where: {
          shop,
          cancelledAt: null,
          ...(unit === "checkout"
            ? { checkoutKey: { in: keys } }
            : { visitorKey: { in: keys } }),
        },
        select: ORDER_SELECT,
      }),
  );
  const distinct = (keys: (string | null)[]) => [
    ...new Set(keys.filter((k) => k !== null)),
  ];
  const customers = distinct(unitOrders.map((o) => o.customerKey));
  // A guest checkout's storefront visitor, when its cart carried one, is how it is followed.
  const guests =
    unit === "checkout"
      ? distinct(
          unitOrders.filter((o) => !o.customerKey).map((o) => o.visitorKey),
        )
      : [];
  const [customerOrders, guestOrders] = await Promise.all([
    inChunks(customers, (customerKey) =>
      prisma.order.findMany({
        where: { shop, cancelledAt: null, customerKey: { in: customerKey } },
        select: ORDER_SELECT,
      }),
    ),
    inChunks(guests, (visitorKey) =>
      prisma.order.findMany({
        where: { shop, cancelledAt: null, visitorKey: { in: visitorKey } },
        select: ORDER_SELECT,
      }),
    ),
  ]);
  const orders = new Map(
    [...unitOrders, ...customerOrders, ...guestOrders].map((o) => [o.id, o]),
  );
  const attributedLines = await inChunks([...orders.keys()], (orderId) =>
    prisma.orderLine.findMany({
      where: { shop, orderId: { in: orderId }, placement: { not: null } },
      select: { orderId: true, quantity: true, refundedQuantity: true },
    }),
  );
  const attributed = new Set(
    attributedLines
      .filter((l) => l.quantity > l.refundedQuantity)
      .map((l) => l.orderId),
  );
  const ltvOrders: LtvOrder[] = [...orders.values()].map((o) => ({
    ...o,
    unitKey: unit === "checkout" ? o.checkoutKey : o.visitorKey,
    attributed: attributed.has(o.id),
  }));
  return computeLifetimeValue(
    exposures.map((e) => ({
      visitorKey: e.visitorKey,
      holdout: holdout.has(e.armId),
      firstSeenAt: e.firstSeenAt,
    })),
    ltvOrders,
    shopRow?.currency ?? "USD",
    asOf,
    unit,
  );
}

/** The dashboard's: the most recently started experiment with a hold-out. */
export async function loadLatestLifetimeValue(
  shop: string,
  asOf = new Date(),
): Promise<{
  experiment: { id: string; name: string };
  lifetimeValue: LifetimeValue;
} | null> {
  const experiment = await prisma.experiment.findFirst({
    where: {
      shop,
      startedAt: { not: null },
      arms: { some: { shop, holdout: true } },
    },
    orderBy: { startedAt: "desc" },
    select: { id: true, name: true },
  });
  if (!experiment) return null;
  const lifetimeValue = await loadLifetimeValue(shop, experiment.id, asOf);
  return lifetimeValue ? { experiment, lifetimeValue } : null;
}
