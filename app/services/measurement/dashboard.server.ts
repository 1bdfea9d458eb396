import prisma from "~/db.server";
import { PLACEMENTS } from "~/engine/types";

// Results dashboard. Fetch (orders with their lines and storefront events in the range), then a
// pure `computeDashboard`. Definitions, so the numbers mean one thing everywhere:
// - revenue: order subtotals (before shipping and tax) of orders not cancelled, in minor units;
// - AOV: revenue / orders; revenue per visitor: revenue of the orders placed by storefront
//   visitors who saw an offer (linked by Order.visitorKey) / those visitors — the only visitors
//   Cartlift can count; without events it is null, not zero;
// - CTR: clicks / impressions; add rate: adds / clicks;
// - conversion: orders with a recommended line / distinct visitors who clicked an offer;
// - attributed revenue: price × quantity of lines the storefront attributed to an offer
//   (OrderLine.placement), and its share of revenue;
// - return rate: refunded / sold quantity, per placement ("recommendation type"), next to the
//   rate of lines that did not come from an offer as the baseline; a line's refunds count up to
//   its quantity at most.
// Strategy filters the attributed figures only: events carry no strategy.

export interface DashboardOrder {
  createdAt: Date;
  /** The storefront visitor who placed it (cart attribute), when known. */
  visitorKey: string | null;
  subtotalMinor: number;
  lines: {
    quantity: number;
    priceMinor: number;
    refundedQuantity: number;
    placement: string | null;
    strategy: string | null;
  }[];
}

export interface DashboardEvent {
  type: string;
  placement: string;
  visitorKey: string;
  createdAt: Date;
}

export interface DashboardFilter {
  from: Date;
  /** Exclusive. */
  to: Date;
  placement?: string;
  strategy?: string;
}

export interface PlacementStats {
  placement: string;
  impressions: number;
  clicks: number;
  adds: number;
  ctr: number | null;
  attributedRevenue: number;
  attributedOrders: number;
  soldQuantity: number;
  refundedQuantity: number;
  returnRate: number | null;
}

export interface DayStats {
  date: string;
  revenue: number;
  attributedRevenue: number;
  impressions: number;
  clicks: number;
}

export interface Dashboard {
  currency: string;
  orders: number;
  revenue: number;
  aov: number | null;
  visitors: number;
  revenuePerVisitor: number | null;
  impressions: number;
  clicks: number;
  adds: number;
  ctr: number | null;
  addRate: number | null;
  conversion: number | null;
  attributedRevenue: number;
  attributedOrders: number;
  attributedShare: number | null;
  /** Return rate of lines that did not come from an offer, the baseline. */
  baselineReturnRate: number | null;
  placements: PlacementStats[];
  strategies: { strategy: string; attributedRevenue: number; lines: number }[];
  days: DayStats[];
}

const DAY_MS = 86_400_000;
const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
const day = (d: Date) => d.toISOString().slice(0, 10);
/** Strategy as recorded on the line, without the ":click" attribution suffix. */
const baseStrategy = (s: string | null) => (s ?? "unknown").split(":")[0];

/** Pure: the dashboard for the filter from orders and events (both may include out-of-range rows). */
export function computeDashboard(
  orders: readonly DashboardOrder[],
  events: readonly DashboardEvent[],
  filter: DashboardFilter,
  currency: string,
): Dashboard {
  const inRange = (d: Date) => d >= filter.from && d < filter.to;
  const placementOk = (p: string | null) =>
    !filter.placement || p === filter.placement;
  const strategyOk = (s: string | null) =>
    !filter.strategy || baseStrategy(s) === filter.strategy;

  const days = new Map<string, DayStats>();
  for (let t = filter.from.getTime(); t < filter.to.getTime(); t += DAY_MS) {
    const date = day(new Date(t));
    days.set(date, {
      date,
      revenue: 0,
      attributedRevenue: 0,
      impressions: 0,
      clicks: 0,
    });
  }
  const placements = new Map<string, PlacementStats>(
    PLACEMENTS.filter((p) => placementOk(p)).map((placement) => [
      placement,
      {
        placement,
        impressions: 0,
        clicks: 0,
        adds: 0,
        ctr: null,
        attributedRevenue: 0,
        attributedOrders: 0,
        soldQuantity: 0,
        refundedQuantity: 0,
        returnRate: null,
      },
    ]),
  );
  const placementRow = (p: string) => {
    let row = placements.get(p);
    if (!row) {
      row = {
        placement: p,
        impressions: 0,
        clicks: 0,
        adds: 0,
        ctr: null,
        attributedRevenue: 0,
        attributedOrders: 0,
        soldQuantity: 0,
        refundedQuantity: 0,
        returnRate: null,
      };
      placements.set(p, row);
    }
    return row;
  };

  const visitors = new Set<string>();
  const clickers = new Set<string>();
  let impressions = 0;
  let clicks = 0;
  let adds = 0;
  for (const e of events) {
    if (!inRange(e.createdAt) || !placementOk(e.placement)) continue;
    visitors.add(e.visitorKey);
    const row = placementRow(e.placement);
    const d = days.get(day(e.createdAt));
    if (e.type === "impression") {
      impressions++;
      row.impressions++;
      if (d) d.impressions++;
    } else if (e.type === "click") {
      clicks++;
      row.clicks++;
      clickers.add(e.visitorKey);
      if (d) d.clicks++;
    } else if (e.type === "add") {
      adds++;
      row.adds++;
    }
  }

  let orderCount = 0;
  let revenue = 0;
  let attributedRevenue = 0;
  let attributedOrders = 0;
  let baselineSold = 0;
  let baselineRefunded = 0;
  const strategies = new Map<
    string,
    { strategy: string; attributedRevenue: number; lines: number }
  >();
  for (const o of orders) {
    if (!inRange(o.createdAt)) continue;
    orderCount++;
    revenue += o.subtotalMinor;
    const d = days.get(day(o.createdAt));
    if (d) d.revenue += o.subtotalMinor;
    const placementsInOrder = new Set<string>();
    for (const line of o.lines) {
      // Refunds add up on the line without a cap (applyRefund): a malformed webhook must not
      // count more returned than sold, a rate above 100%.
      const returned = Math.min(line.quantity, line.refundedQuantity);
      if (line.placement === null) {
        baselineSold += line.quantity;
        baselineRefunded += returned;
        continue;
      }
      if (!placementOk(line.placement) || !strategyOk(line.strategy)) continue;
      const amount = line.priceMinor * line.quantity;
      attributedRevenue += amount;
      if (d) d.attributedRevenue += amount;
      const row = placementRow(line.placement);
      row.attributedRevenue += amount;
      row.soldQuantity += line.quantity;
      row.refundedQuantity += returned;
      placementsInOrder.add(line.placement);
      const key = baseStrategy(line.strategy);
      const s = strategies.get(key) ?? {
        strategy: key,
        attributedRevenue: 0,
        lines: 0,
      };
      s.attributedRevenue += amount;
      s.lines += 1;
      strategies.set(key, s);
    }
    if (placementsInOrder.size > 0) attributedOrders++;
    for (const p of placementsInOrder) placementRow(p).attributedOrders++;
  }

  for (const row of placements.values()) {
    row.ctr = ratio(row.clicks, row.impressions);
    row.returnRate = ratio(row.refundedQuantity, row.soldQuantity);
  }
  return {
    currency,
    orders: orderCount,
    revenue,
    aov: orderCount > 0 ? Math.round(revenue / orderCount) : null,
    visitors: visitors.size,
    revenuePerVisitor:
      visitors.size > 0
        ? Math.round(
            orders
              .filter(
                (o) =>
                  inRange(o.createdAt) &&
                  o.visitorKey !== null &&
                  visitors.has(o.visitorKey),
              )
              .reduce((sum, o) => sum + o.subtotalMinor, 0) / visitors.size,
          )
        : null,
    impressions,
    clicks,
    adds,
    ctr: ratio(clicks, impressions),
    addRate: ratio(adds, clicks),
    conversion: ratio(attributedOrders, clickers.size),
    attributedRevenue,
    attributedOrders,
    attributedShare: ratio(attributedRevenue, revenue),
    baselineReturnRate: ratio(baselineRefunded, baselineSold),
    placements: [...placements.values()],
    strategies: [...strategies.values()].sort(
      (a, b) => b.attributedRevenue - a.attributedRevenue,
    ),
    days: [...days.values()],
  };
}

export const RANGES = { "7d": 7, "30d": 30, "90d": 90 } as const;
export type RangeKey = keyof typeof RANGES;

/** The last `days` whole days up to and including today (UTC). */
export function rangeFilter(
  range: RangeKey,
  now = new Date(),
): DashboardFilter {
  const to = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS + DAY_MS);
  return { from: new Date(to.getTime() - RANGES[range] * DAY_MS), to };
}

export async function loadDashboard(
  shop: string,
  filter: DashboardFilter,
): Promise<Dashboard> {
  const [orders, events, shopRow] = await Promise.all([
    prisma.order.findMany({
      where: {
        shop,
        cancelledAt: null,
        createdAt: { gte: filter.from, lt: filter.to },
      },
      select: {
        createdAt: true,
        visitorKey: true,
        subtotalMinor: true,
        lines: {
          select: {
            quantity: true,
            priceMinor: true,
            refundedQuantity: true,
            placement: true,
            strategy: true,
          },
        },
      },
    }),
    prisma.event.findMany({
      where: { shop, createdAt: { gte: filter.from, lt: filter.to } },
      select: {
        type: true,
        placement: true,
        visitorKey: true,
        createdAt: true,
      },
    }),
    prisma.shop.findUnique({ where: { shop }, select: { currency: true } }),
  ]);
  return computeDashboard(orders, events, filter, shopRow?.currency ?? "USD");
}
