import prisma from "~/db.server";
import { PLACEMENTS } from "~/engine/types";
import { keptRevenueMinor } from "./attribution.server";

// Results dashboard. Fetch (orders with their lines and storefront events in the range), then a
// pure `computeDashboard` that joins them per visitor and offer, so every figure comes from the
// same rows and they reconcile:
// - an offer view is a (visitor, placement, offered product); its views are the most of its
//   impressions, clicks, adds and the orders that came from it: a click, an add or a sale through
//   an offer proves the offer was seen even when the impression beacon was lost (consent, ad
//   blockers, a closed tab). So clicks ≤ views, adds ≤ views and orders through a placement ≤ its
//   views, per placement and in total;
// - visitors who saw an offer: distinct visitors with a view (an order through an offer without a
//   known visitor counts as one visitor of its own); buyers: those of them with an order through
//   an offer, so buyers ≤ visitors who saw an offer;
// - revenue: order subtotals (before shipping and tax) of orders not cancelled, in minor units;
//   AOV: revenue / orders; revenue per visitor: subtotals of the orders placed by visitors who saw
//   an offer, over those visitors (null without any);
// - attributed revenue: price × units not refunded of the lines attributed to an offer
//   (OrderLine.placement), less those units' share of the line's discounts (a bundle's, the
//   post-purchase offer's, a code's), as the order subtotals are; attributed orders: orders with
//   at least one such unit; the per-day, per-placement and per-strategy figures split the same sum;
// - CTR: clicks / views; add rate: adds / views; conversion: buyers / visitors who saw an offer;
// - return rate: refunded / sold quantity, per placement ("recommendation type"), next to the
//   rate of lines that did not come from an offer as the baseline; a line's refunds count up to
//   its quantity at most.
// The strategy filter applies to events (the strategy in their offer token) and to attributed
// lines alike; revenue, AOV and orders stay store-wide.

export interface DashboardOrder {
  createdAt: Date;
  /** The storefront visitor who placed it (cart attribute), when known. */
  visitorKey: string | null;
  subtotalMinor: number;
  lines: {
    productId?: string | null;
    quantity: number;
    priceMinor: number;
    /** Discounts allocated to the line, all its units; null when the source does not say. */
    discountMinor?: number | null;
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
  offerProductId?: string | null;
  /** The offer's signed token, verified when the event was stored; carries its strategy. */
  offerToken?: string | null;
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
  /** Distinct visitors who saw an offer here. */
  visitors: number;
  /** Of them, visitors with an order through an offer here. */
  buyers: number;
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
  /** Distinct visitors who saw an offer. */
  visitors: number;
  /** Of them, visitors with an order through an offer. */
  buyers: number;
  revenuePerVisitor: number | null;
  /** Offer views (see the definitions above), not raw impression events. */
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
/** The strategy field of a stored offer token (version~placement~strategy~…). */
const tokenStrategy = (token: string | null | undefined) =>
  token ? (token.split("~")[2] ?? "unknown") : "unknown";

function emptyPlacement(placement: string): PlacementStats {
  return {
    placement,
    impressions: 0,
    clicks: 0,
    adds: 0,
    ctr: null,
    visitors: 0,
    buyers: 0,
    attributedRevenue: 0,
    attributedOrders: 0,
    soldQuantity: 0,
    refundedQuantity: 0,
    returnRate: null,
  };
}

/** What one visitor did with one offer on one placement on one day. */
interface OfferCell {
  visitorKey: string;
  placement: string;
  impressions: number;
  clicks: number;
  adds: number;
  /** Orders through it, and those of them with units not refunded. */
  orders: number;
  kept: number;
  date: string;
}

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
    PLACEMENTS.filter((p) => placementOk(p)).map((p) => [p, emptyPlacement(p)]),
  );
  const placementRow = (p: string) => {
    let row = placements.get(p);
    if (!row) {
      row = emptyPlacement(p);
      placements.set(p, row);
    }
    return row;
  };

  // The join: one cell per (visitor, placement, offered product).
  const cells = new Map<string, OfferCell>();
  const cell = (
    visitorKey: string,
    placement: string,
    product: string | null | undefined,
    date: string,
  ) => {
    const key = `${visitorKey}\n${placement}\n${product ?? ""}\n${date}`;
    let c = cells.get(key);
    if (!c) {
      c = {
        visitorKey,
        placement,
        impressions: 0,
        clicks: 0,
        adds: 0,
        orders: 0,
        kept: 0,
        date,
      };
      cells.set(key, c);
    }
    return c;
  };
  for (const e of events) {
    if (!inRange(e.createdAt) || !placementOk(e.placement)) continue;
    if (!strategyOk(tokenStrategy(e.offerToken))) continue;
    const c = cell(
      e.visitorKey,
      e.placement,
      e.offerProductId,
      day(e.createdAt),
    );
    if (e.type === "impression") c.impressions++;
    else if (e.type === "click") c.clicks++;
    else if (e.type === "add") c.adds++;
  }

  let orderCount = 0;
  let revenue = 0;
  let attributedRevenue = 0;
  let attributedOrders = 0;
  let baselineSold = 0;
  let baselineRefunded = 0;
  const buyers = new Set<string>();
  const orderVisitors = new Map<string, number>();
  const strategies = new Map<
    string,
    { strategy: string; attributedRevenue: number; lines: number }
  >();
  orders.forEach((o, index) => {
    if (!inRange(o.createdAt)) return;
    orderCount++;
    revenue += o.subtotalMinor;
    const date = day(o.createdAt);
    const d = days.get(date);
    if (d) d.revenue += o.subtotalMinor;
    // An order through an offer without a known visitor is one visitor of its own.
    const visitor = o.visitorKey ?? `order:${index}`;
    const offersInOrder = new Set<OfferCell>();
    const keptOffers = new Set<OfferCell>();
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
      const row = placementRow(line.placement);
      row.soldQuantity += line.quantity;
      row.refundedQuantity += returned;
      // Seen whether or not it was kept: the order proves the offer was shown.
      const c = cell(visitor, line.placement, line.productId, date);
      offersInOrder.add(c);
      const kept = line.quantity - returned;
      if (kept === 0) continue;
      keptOffers.add(c);
      const amount = keptRevenueMinor(line, kept);
      attributedRevenue += amount;
      if (d) d.attributedRevenue += amount;
      row.attributedRevenue += amount;
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
    for (const c of offersInOrder) c.orders++;
    for (const c of keptOffers) c.kept++;
    const orderPlacements = new Set([...keptOffers].map((c) => c.placement));
    for (const p of orderPlacements) placementRow(p).attributedOrders++;
    if (orderPlacements.size > 0) {
      attributedOrders++;
      buyers.add(visitor);
    }
    orderVisitors.set(
      visitor,
      (orderVisitors.get(visitor) ?? 0) + o.subtotalMinor,
    );
  });

  const visitors = new Set<string>();
  const placementVisitors = new Map<string, Set<string>>();
  const placementBuyers = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, p: string, v: string) => {
    const set = map.get(p) ?? new Set<string>();
    set.add(v);
    map.set(p, set);
  };
  let views = 0;
  let clicks = 0;
  let adds = 0;
  for (const c of cells.values()) {
    const seen = Math.max(c.impressions, c.clicks, c.adds, c.orders);
    const row = placementRow(c.placement);
    row.impressions += seen;
    row.clicks += c.clicks;
    row.adds += c.adds;
    views += seen;
    clicks += c.clicks;
    adds += c.adds;
    const d = days.get(c.date);
    if (d) {
      d.impressions += seen;
      d.clicks += c.clicks;
    }
    visitors.add(c.visitorKey);
    add(placementVisitors, c.placement, c.visitorKey);
    if (c.kept > 0) add(placementBuyers, c.placement, c.visitorKey);
  }

  for (const row of placements.values()) {
    row.ctr = ratio(row.clicks, row.impressions);
    row.returnRate = ratio(row.refundedQuantity, row.soldQuantity);
    row.visitors = placementVisitors.get(row.placement)?.size ?? 0;
    row.buyers = placementBuyers.get(row.placement)?.size ?? 0;
  }
  let visitorRevenue = 0;
  for (const v of visitors) visitorRevenue += orderVisitors.get(v) ?? 0;
  return {
    currency,
    orders: orderCount,
    revenue,
    aov: orderCount > 0 ? Math.round(revenue / orderCount) : null,
    visitors: visitors.size,
    buyers: buyers.size,
    revenuePerVisitor:
      visitors.size > 0 ? Math.round(visitorRevenue / visitors.size) : null,
    impressions: views,
    clicks,
    adds,
    ctr: ratio(clicks, views),
    addRate: ratio(adds, views),
    conversion: ratio(buyers.size, visitors.size),
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
  const orderWhere = {
    cancelledAt: null,
    createdAt: { gte: filter.from, lt: filter.to },
  };
  // Lines are read on their own, filtered through their order, rather than nested under each
  // order: Prisma's nested read of a relation on a composite key returned lines several times
  // over for some sets of a few hundred orders (seen on SQLite), which counted sales twice.
  const [orderRows, lines, events, shopRow] = await Promise.all([
    prisma.order.findMany({
      where: { shop, ...orderWhere },
      select: {
        id: true,
        createdAt: true,
        visitorKey: true,
        subtotalMinor: true,
      },
    }),
    prisma.orderLine.findMany({
      where: { shop, order: orderWhere },
      select: {
        orderId: true,
        productId: true,
        quantity: true,
        priceMinor: true,
        discountMinor: true,
        refundedQuantity: true,
        placement: true,
        strategy: true,
      },
    }),
    prisma.event.findMany({
      where: { shop, createdAt: { gte: filter.from, lt: filter.to } },
      select: {
        type: true,
        placement: true,
        visitorKey: true,
        createdAt: true,
        offerProductId: true,
        offerToken: true,
      },
    }),
    prisma.shop.findUnique({ where: { shop }, select: { currency: true } }),
  ]);
  const linesByOrder = new Map<string, DashboardOrder["lines"]>();
  for (const { orderId, ...line } of lines) {
    const list = linesByOrder.get(orderId);
    if (list) list.push(line);
    else linesByOrder.set(orderId, [line]);
  }
  const orders = orderRows.map(({ id, ...order }) => ({
    ...order,
    lines: linesByOrder.get(id) ?? [],
  }));
  return computeDashboard(orders, events, filter, shopRow?.currency ?? "USD");
}
