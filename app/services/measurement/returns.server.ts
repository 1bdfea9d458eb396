import prisma from "~/db.server";

// Return rate by recommendation type: of the units sold through Cartlift offers (order lines
// attributed to a placement and strategy, see attribution.server.ts), how many came back, as
// recorded by the refunds/create webhook (OrderLine.refundedQuantity). Lines bought without an
// offer are the baseline, so a merchant can tell whether recommended items are returned more
// often than the rest of the shop's sales.

export interface ReturnRateRow {
  /** null for lines not bought through an offer (the shop's baseline). */
  placement: string | null;
  strategy: string | null;
  unitsSold: number;
  unitsReturned: number;
  /** unitsReturned / unitsSold; null when nothing was sold. */
  returnRate: number | null;
  /** Minor units of the shop currency refunded for those units (at the line price). */
  refundedMinor: number;
}

export interface LineForReturns {
  placement: string | null;
  strategy: string | null;
  quantity: number;
  refundedQuantity: number;
  priceMinor: number;
}

/** The compute half: groups lines by placement and strategy ("…:click" strategies fold into theirs). */
export function returnRates(lines: readonly LineForReturns[]): ReturnRateRow[] {
  const groups = new Map<string, ReturnRateRow>();
  for (const line of lines) {
    const strategy = line.placement
      ? (line.strategy ?? "unknown").replace(/:click$/, "")
      : null;
    const key = `${line.placement ?? ""}\n${strategy ?? ""}`;
    const row = groups.get(key) ?? {
      placement: line.placement,
      strategy,
      unitsSold: 0,
      unitsReturned: 0,
      returnRate: null,
      refundedMinor: 0,
    };
    // A refund can never return more than was sold (a malformed webhook must not go above 100%).
    const returned = Math.min(line.quantity, line.refundedQuantity);
    row.unitsSold += line.quantity;
    row.unitsReturned += returned;
    row.refundedMinor += returned * line.priceMinor;
    groups.set(key, row);
  }
  return [...groups.values()]
    .map((row) => ({
      ...row,
      returnRate: row.unitsSold > 0 ? row.unitsReturned / row.unitsSold : null,
    }))
    .sort(
      (a, b) =>
        Number(a.placement === null) - Number(b.placement === null) ||
        (a.placement ?? "").localeCompare(b.placement ?? "") ||
        (a.strategy ?? "").localeCompare(b.strategy ?? ""),
    );
}

/**
 * Return rates per placement and strategy for orders created in [from, to), cancelled orders
 * left out, with the unattributed lines last as the baseline.
 */
export async function returnRateByRecommendation(
  shop: string,
  from: Date,
  to: Date,
): Promise<ReturnRateRow[]> {
  const lines = await prisma.orderLine.findMany({
    where: {
      shop,
      order: { createdAt: { gte: from, lt: to }, cancelledAt: null },
    },
    select: {
      placement: true,
      strategy: true,
      quantity: true,
      refundedQuantity: true,
      priceMinor: true,
    },
  });
  return returnRates(lines);
}
