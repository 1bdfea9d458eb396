import prisma from "~/db.server";
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
  customerKey: true,
  createdAt: true,
  currency: true,
  subtotalMinor: true,
} as const;

/** Repeat purchases of an experiment's buyers, offer arms against the hold-out (lifetime-value.ts). */
export async function loadLifetimeValue(
  shop: string,
  experimentId: string,
  asOf = new Date(),
): Promise<LifetimeValue | null> {
  const [arms, exposures, shopRow] = await Promise.all([
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
  if (!arms.some((a) => a.holdout)) return null;
  const holdout = new Set(arms.filter((a) => a.holdout).map((a) => a.id));
  const visitorOrders = await inChunks(
    exposures.map((e) => e.visitorKey),
    (visitorKey) =>
      prisma.order.findMany({
        where: { shop, cancelledAt: null, visitorKey: { in: visitorKey } },
        select: ORDER_SELECT,
      }),
  );
  const customers = [
    ...new Set(
      visitorOrders.flatMap((o) => (o.customerKey ? [o.customerKey] : [])),
    ),
  ];
  const customerOrders = await inChunks(customers, (customerKey) =>
    prisma.order.findMany({
      where: { shop, cancelledAt: null, customerKey: { in: customerKey } },
      select: ORDER_SELECT,
    }),
  );
  const orders = new Map(
    [...visitorOrders, ...customerOrders].map((o) => [o.id, o]),
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
