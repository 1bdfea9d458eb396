import type { ArmTotals } from "./experiment-stats";

// From exposures (who was assigned to which arm, and when) and orders (which visitor, when, how
// much) to the per-arm sufficient statistics the report needs. Pure: the service fetches, this
// counts. Only orders placed after the visitor's first exposure and before the experiment stopped
// count: an order before exposure cannot have been influenced by the arm.

export interface Exposure {
  visitorKey: string;
  armId: string;
  firstSeenAt: Date;
}

export interface VisitorOrder {
  visitorKey: string;
  createdAt: Date;
  /** Net of refunds, in minor units of the shop currency. */
  revenueMinor: number;
}

/**
 * Orders of an experiment whose unit is the checkout (the post-purchase placement). A checkout's
 * order is placed before its post-purchase page assigns it an arm, yet it is that unit's outcome,
 * hold-out included: each order of an exposed checkout counts from the exposure on, so the rule
 * "only orders after the exposure" keeps it. Orders of checkouts never exposed are left as they are
 * (they match no exposure).
 */
export function checkoutOrdersFromExposure(
  exposures: readonly Exposure[],
  orders: readonly VisitorOrder[],
): VisitorOrder[] {
  const assignedAt = new Map(
    exposures.map((e) => [e.visitorKey, e.firstSeenAt]),
  );
  return orders.map((order) => {
    const at = assignedAt.get(order.visitorKey);
    return at && order.createdAt < at ? { ...order, createdAt: at } : order;
  });
}

export function emptyTotals(): ArmTotals {
  return {
    visitors: 0,
    converters: 0,
    orders: 0,
    ordersSq: 0,
    revenue: 0,
    revenueSq: 0,
    revenueOrders: 0,
  };
}

/** Per-arm totals for `armIds` (arms without exposures get zeros, never disappear). */
export function armTotals(
  armIds: readonly string[],
  exposures: readonly Exposure[],
  orders: readonly VisitorOrder[],
  until: Date | null = null,
): Map<string, ArmTotals> {
  const byVisitor = new Map<string, VisitorOrder[]>();
  for (const order of orders) {
    const list = byVisitor.get(order.visitorKey);
    if (list) list.push(order);
    else byVisitor.set(order.visitorKey, [order]);
  }
  const totals = new Map(armIds.map((id) => [id, emptyTotals()]));
  for (const exposure of exposures) {
    const arm = totals.get(exposure.armId);
    // An exposure to an arm no longer configured would bias the split: it is left out, and the
    // sample-ratio check sees the shortfall.
    if (!arm) continue;
    // Assigned after the stop (an instance that had not seen it yet): not part of the experiment.
    if (until && exposure.firstSeenAt > until) continue;
    let m = 0;
    let r = 0;
    for (const order of byVisitor.get(exposure.visitorKey) ?? []) {
      if (order.createdAt < exposure.firstSeenAt) continue;
      if (until && order.createdAt > until) continue;
      m += 1;
      r += order.revenueMinor;
    }
    arm.visitors += 1;
    if (m > 0) arm.converters += 1;
    arm.orders += m;
    arm.ordersSq += m * m;
    arm.revenue += r;
    arm.revenueSq += r * r;
    arm.revenueOrders += r * m;
  }
  return totals;
}
