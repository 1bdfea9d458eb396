import { describe, expect, it } from "vitest";
import { armSeries, seriesInstants } from "./experiment-series";
import { summariseArm } from "./experiment-stats";
import { armTotals } from "./experiment-totals";

const T0 = Date.UTC(2026, 5, 1, 9, 30);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("the instants an experiment's series is read at", () => {
  it("ends each UTC day once it has run two days, and ends at now", () => {
    const { step, instants } = seriesInstants(
      new Date(T0),
      new Date(T0 + 3 * DAY),
    );
    expect(step).toBe("day");
    expect(instants.map((d) => d.toISOString())).toEqual([
      "2026-06-02T00:00:00.000Z",
      "2026-06-03T00:00:00.000Z",
      "2026-06-04T00:00:00.000Z",
      "2026-06-04T09:30:00.000Z",
    ]);
  });

  it("ends each hour of an experiment younger than two days", () => {
    const { step, instants } = seriesInstants(
      new Date(T0),
      new Date(T0 + 5 * HOUR),
    );
    expect(step).toBe("hour");
    expect(instants).toHaveLength(6);
    expect(instants.at(-1)!.getTime()).toBe(T0 + 5 * HOUR);
  });

  it("spreads a few minutes' experiment over evenly spaced moments", () => {
    const { step, instants } = seriesInstants(
      new Date(T0),
      new Date(T0 + 60_000),
    );
    expect(step).toBe("moment");
    expect(instants).toHaveLength(12);
    expect(instants[0].getTime()).toBe(T0 + 5_000);
    expect(instants.at(-1)!.getTime()).toBe(T0 + 60_000);
  });
});

describe("each arm's AOV and revenue per visitor over time", () => {
  const at = (hours: number) => new Date(T0 + hours * HOUR);
  const exposures = [
    { visitorKey: "a1", armId: "a", firstSeenAt: at(0) },
    { visitorKey: "a2", armId: "a", firstSeenAt: at(1) },
    { visitorKey: "a3", armId: "a", firstSeenAt: at(2) },
    { visitorKey: "b1", armId: "b", firstSeenAt: at(0) },
    { visitorKey: "b2", armId: "b", firstSeenAt: at(2) },
  ];
  const orders = [
    { visitorKey: "a1", createdAt: at(0.5), revenueMinor: 4_000 },
    { visitorKey: "a3", createdAt: at(2.5), revenueMinor: 6_000 },
    { visitorKey: "b2", createdAt: at(2.5), revenueMinor: 3_000 },
    // Before the visitor's exposure: never counted.
    { visitorKey: "b1", createdAt: new Date(T0 - HOUR), revenueMinor: 9_000 },
  ];
  const instants = [at(0.25), at(1.5), at(3)];
  const [a, b] = armSeries(["a", "b"], exposures, orders, instants);

  it("has no AOV before an arm's first order, and counts only who was assigned by then", () => {
    expect(a.aov[0]).toBeNull();
    expect(a.rpv[0]?.estimate).toBe(0);
    expect(a.aov[1]?.estimate).toBe(4_000);
    // Two visitors by 10:00 (a1, a2), one order of 40.00.
    expect(a.rpv[1]?.estimate).toBe(2_000);
    expect(b.aov[1]).toBeNull();
  });

  it("ends at the figures the results table shows", () => {
    const totals = armTotals(["a", "b"], exposures, orders, at(3));
    for (const arm of [a, b]) {
      const summary = summariseArm(totals.get(arm.armId)!);
      expect(arm.aov.at(-1)).toEqual(summary.aov);
      expect(arm.rpv.at(-1)).toEqual(summary.rpv);
    }
    expect(a.aov.at(-1)!.lower).toBeLessThan(a.aov.at(-1)!.estimate);
  });
});
