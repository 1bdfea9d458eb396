import { describe, expect, it } from "vitest";
import { armTotals, checkoutOrdersFromExposure } from "./experiment-totals";

const t = (iso: string) => new Date(`2026-03-${iso}Z`);

describe("per-arm totals from exposures and orders", () => {
  const exposures = [
    { visitorKey: "v1", armId: "a", firstSeenAt: t("01T10:00:00") },
    { visitorKey: "v2", armId: "a", firstSeenAt: t("01T10:00:00") },
    { visitorKey: "v3", armId: "b", firstSeenAt: t("02T10:00:00") },
    { visitorKey: "v4", armId: "gone", firstSeenAt: t("02T10:00:00") },
    // First seen after the stop: left out of a stopped experiment.
    { visitorKey: "v5", armId: "b", firstSeenAt: t("06T10:00:00") },
  ];
  const orders = [
    // v1: two orders after exposure, one before it (not influenced by the arm).
    { visitorKey: "v1", createdAt: t("01T09:00:00"), revenueMinor: 9999 },
    { visitorKey: "v1", createdAt: t("01T11:00:00"), revenueMinor: 1000 },
    { visitorKey: "v1", createdAt: t("03T11:00:00"), revenueMinor: 3000 },
    // v3: one order after the experiment stopped.
    { visitorKey: "v3", createdAt: t("02T12:00:00"), revenueMinor: 500 },
    { visitorKey: "v3", createdAt: t("09T12:00:00"), revenueMinor: 700 },
    // an order from a visitor who was never exposed.
    { visitorKey: "v9", createdAt: t("02T12:00:00"), revenueMinor: 100 },
  ];

  it("counts visitor-level sums, only orders between exposure and the stop", () => {
    const totals = armTotals(
      ["a", "b", "c"],
      exposures,
      orders,
      t("05T00:00:00"),
    );
    expect(totals.get("a")).toEqual({
      visitors: 2,
      converters: 1,
      orders: 2,
      ordersSq: 4,
      revenue: 4000,
      revenueSq: 16_000_000,
      revenueOrders: 8000,
    });
    expect(totals.get("b")).toEqual({
      visitors: 1,
      converters: 1,
      orders: 1,
      ordersSq: 1,
      revenue: 500,
      revenueSq: 250_000,
      revenueOrders: 500,
    });
    // Configured arm without traffic stays in the report with zeros.
    expect(totals.get("c")?.visitors).toBe(0);
    // Exposures to an arm that is not configured are not counted anywhere.
    expect(totals.has("gone")).toBe(false);
  });

  it("counts every later order while the experiment runs", () => {
    const totals = armTotals(["a", "b"], exposures, orders);
    expect(totals.get("b")?.orders).toBe(2);
    expect(totals.get("b")?.visitors).toBe(2);
    expect(totals.get("b")?.revenue).toBe(1200);
  });
});

describe("orders of checkouts (the post-purchase unit)", () => {
  it("counts a checkout's order placed just before its exposure, and leaves other orders alone", () => {
    const exposures = [
      { visitorKey: "c1", armId: "holdout", firstSeenAt: t("01T10:00:05") },
      { visitorKey: "c2", armId: "offers", firstSeenAt: t("01T10:00:05") },
    ];
    const orders = [
      // Placed five seconds before the post-purchase page assigned the checkout.
      { visitorKey: "c1", createdAt: t("01T10:00:00"), revenueMinor: 2000 },
      { visitorKey: "c2", createdAt: t("01T10:00:00"), revenueMinor: 2900 },
      // A checkout never exposed (no post-purchase page): it matches no exposure either way.
      { visitorKey: "c3", createdAt: t("01T09:00:00"), revenueMinor: 500 },
    ];
    // Without the alignment the rule "after the exposure" drops both orders.
    expect(
      armTotals(["holdout", "offers"], exposures, orders).get("holdout"),
    ).toMatchObject({ visitors: 1, orders: 0 });
    const aligned = checkoutOrdersFromExposure(exposures, orders);
    expect(aligned[2]).toEqual(orders[2]);
    const totals = armTotals(["holdout", "offers"], exposures, aligned);
    expect(totals.get("holdout")).toMatchObject({
      visitors: 1,
      orders: 1,
      revenue: 2000,
    });
    expect(totals.get("offers")).toMatchObject({
      visitors: 1,
      orders: 1,
      revenue: 2900,
    });
  });
});
