import { describe, expect, it } from "vitest";
import { trainCartModel } from "../cart-model";
import { DEFAULT_PERSONAL_OPTIONS } from "../personal";
import { hiddenChecksum, protocolACases, splitOrders } from "./protocol";
import {
  evaluateProtocolC,
  evaluateProtocolCFolds,
  protocolCCases,
  type CustomerOrder,
} from "./protocol-c";
import { foldSplit, rollingFolds } from "./season-folds";

// Customers c0..c3 each bought one pair before the split; in the scored window each comes back
// for the same pair again, and strangers buy the pairs too.
const PAIRS = Array.from({ length: 4 }, (_, p) => [`X${p}`, `Y${p}`]);

function orders(): CustomerOrder[] {
  const out: CustomerOrder[] = [];
  let n = 0;
  const add = (createdAt: string, items: string[], customerId?: string) =>
    out.push({ id: String(500000 + n++), createdAt, items, customerId });
  for (let day = 1; day <= 28; day++)
    for (const [p, pair] of PAIRS.entries())
      add(
        `2011-0${1 + (day % 6)}-${String(day).padStart(2, "0")}T10:00:00`,
        pair,
        day === 1 ? `c${p}` : undefined,
      );
  for (let day = 10; day <= 13; day++)
    for (const [p, pair] of PAIRS.entries()) {
      add(`2011-08-${day}T10:00:00`, pair, `c${p}`);
      add(`2011-08-${day}T11:00:00`, pair);
    }
  return out;
}

describe("Protocol C", () => {
  it("keeps Protocol A's cases of customers with an order before the split", () => {
    const data = splitOrders(orders(), "validation");
    const all = protocolACases(data.evaluation);
    const returning = protocolCCases(data);
    expect(all).toHaveLength(32);
    expect(returning).toHaveLength(16);
    expect(
      returning.every((c) => Number(c.createdAt.slice(11, 13)) === 10),
    ).toBe(true);
    const result = evaluateProtocolC(
      trainCartModel(data.train),
      data,
      DEFAULT_PERSONAL_OPTIONS,
    );
    expect(result.cases).toBe(16);
    expect(result.checksum).toBe(hiddenChecksum(returning));
    expect(result.cartOnly.hr10).toBe(1);
  });

  it("scores a personal grid on rolling-origin folds as on a split of its own", () => {
    // One fold of a week, the customers' return in it.
    const folds = rollingFolds(1, 1, "2011-08-14T00:00:00");
    const grid = [
      DEFAULT_PERSONAL_OPTIONS,
      { ...DEFAULT_PERSONAL_OPTIONS, reoffer: "all" as const },
    ];
    const report = evaluateProtocolCFolds(orders(), grid, folds);
    const split = foldSplit(orders(), folds[0]);
    const model = trainCartModel(split.train);
    const direct = grid.map(
      (o) => evaluateProtocolC(model, split, o).personal.hr10,
    );
    expect(report.folds).toHaveLength(1);
    expect(report.folds[0].cases).toBe(16);
    expect(report.folds[0].cartOnly).toBe(1);
    expect(report.folds[0].hr10).toEqual(direct);
    expect(report.meanRatio).toEqual(direct);
  });
});
