import { beforeAll, describe, expect, it } from "vitest";
import prisma from "~/db.server";
import {
  loadLatestLifetimeValue,
  loadLifetimeValue,
} from "./lifetime-value.server";

// A hand-built shop whose answer is worked out below. Everyone is exposed on 1 January 2026 and
// places a first order of $50 on 1 February (A6 on 15 May); results are read on 1 July.
//
//          arm       first order              later orders (days after the first)
//   H1     hold-out                           +10 d $20
//   H2     hold-out  (an order in December, before the exposure: not the first)
//   H3     hold-out                           +5 d cancelled
//   H4     hold-out                           +45 d $30, under another visitor id, same customer
//   A1     offers    offer line kept          +5 d $10, +50 d $10
//   A2     offers    offer line kept          +20 d $40
//   A3     offers    offer line kept          +80 d $60
//   A4     offers    offer line kept          none
//   A5     offers    offer line returned      +10 d $5     (offered, not accepted)
//   A6     offers    offer line kept, 15 May  none         (47 days: counts at 30 days only)
//
// 90 days: hold-out repeat 1,0,0,1 (0.5), revenue 2000,0,0,3000 (1250);
//          accepted A1–A4 repeat 1,1,1,0 (0.75), revenue 2000,4000,6000,0 (3000);
//          offered A1–A5 repeat 1,1,1,0,1 (0.8), revenue 2000,4000,6000,0,500 (2500).
// Accepted − hold-out, repeat: 0.25; sample variances 0.25 and 1/3, standard error
// √(0.25/4 + (1/3)/4) = 0.381881, interval 0.25 ± 1.959964 × 0.381881 = [−0.498473, 0.998473].
// Revenue: 1750; variances 20,000,000/3 and 6,750,000/3, standard error √(2,229,166.67) =
// 1493.039, interval 1750 ± 2926.28.
// 30 days: hold-out repeat 1,0,0,0 (0.25), revenue 500; accepted A1–A4 and A6 repeat 1,1,0,0,0
// (0.4), revenue 1000,4000,0,0,0 (1000).

const SHOP = "ltv-shop.myshopify.com";
const OTHER = "ltv-other.myshopify.com";
const EXPOSED = new Date("2026-01-01T00:00:00Z");
const AS_OF = new Date("2026-07-01T00:00:00Z");
const FIRST = new Date("2026-02-01T00:00:00Z");
const days = (from: Date, n: number) =>
  new Date(from.getTime() + n * 86_400_000);

let orderIds = 0;
async function order(
  shop: string,
  visitor: string | null,
  customer: string,
  at: Date,
  subtotal: number,
  {
    offerLine,
    cancelled = false,
  }: { offerLine?: "kept" | "returned"; cancelled?: boolean } = {},
) {
  const id = String(++orderIds);
  await prisma.order.create({
    data: {
      shop,
      id,
      name: `#${id}`,
      customerKey: customer,
      visitorKey: visitor,
      createdAt: at,
      sourceUpdatedAt: at,
      cancelledAt: cancelled ? at : null,
      currency: "USD",
      subtotalMinor: subtotal,
      totalMinor: subtotal,
      lines: offerLine
        ? {
            create: {
              id: `${id}-1`,
              productId: "1",
              quantity: 1,
              priceMinor: subtotal,
              refundedQuantity: offerLine === "returned" ? 1 : 0,
              placement: "drawer",
              strategy: "blended",
            },
          }
        : undefined,
    },
  });
}

/** A running experiment on one placement: a hold-out and an offers arm, half the traffic each. */
function holdoutExperiment(
  shop: string,
  name: string,
  placement: string,
  startedAt: Date,
) {
  return prisma.experiment.create({
    data: {
      shop,
      name,
      status: "running",
      primaryMetric: "rpv",
      placements: JSON.stringify([placement]),
      startedAt,
      arms: {
        create: [
          { shop, position: 0, name: "Hold-out", weight: 50, holdout: true },
          { shop, position: 1, name: "Offers", weight: 50 },
        ],
      },
    },
    include: { arms: true },
  });
}

let experimentId = "";

beforeAll(async () => {
  await prisma.shop.create({ data: { shop: SHOP, currency: "USD" } });
  const experiment = await holdoutExperiment(
    SHOP,
    "Offers against none",
    "drawer",
    EXPOSED,
  );
  experimentId = experiment.id;
  const [holdout, offers] = experiment.arms;
  const visitors = [
    ...["H1", "H2", "H3", "H4"].map((v) => [v, holdout.id]),
    ...["A1", "A2", "A3", "A4", "A5", "A6"].map((v) => [v, offers.id]),
  ];
  await prisma.experimentExposure.createMany({
    data: visitors.map(([visitorKey, armId]) => ({
      shop: SHOP,
      experimentId,
      visitorKey,
      armId,
      firstSeenAt: EXPOSED,
    })),
  });
  for (const v of ["H1", "H2", "H3", "H4"])
    await order(SHOP, v, v, FIRST, 5000);
  await order(SHOP, "H1", "H1", days(FIRST, 10), 2000);
  await order(SHOP, "H2", "H2", new Date("2025-12-15T00:00:00Z"), 9000);
  await order(SHOP, "H3", "H3", days(FIRST, 5), 7000, { cancelled: true });
  await order(SHOP, "H4-phone", "H4", days(FIRST, 45), 3000);
  for (const v of ["A1", "A2", "A3", "A4"])
    await order(SHOP, v, v, FIRST, 5000, { offerLine: "kept" });
  await order(SHOP, "A5", "A5", FIRST, 5000, { offerLine: "returned" });
  await order(SHOP, "A6", "A6", new Date("2026-05-15T00:00:00Z"), 5000, {
    offerLine: "kept",
  });
  await order(SHOP, "A1", "A1", days(FIRST, 5), 1000);
  await order(SHOP, "A1", "A1", days(FIRST, 50), 1000);
  await order(SHOP, "A2", "A2", days(FIRST, 20), 4000);
  await order(SHOP, "A3", "A3", days(FIRST, 80), 6000);
  await order(SHOP, "A5", "A5", days(FIRST, 10), 500);
  // Another shop's orders under the same keys are not this shop's shoppers.
  await order(OTHER, "A4", "A4", days(FIRST, 3), 99_000);
});

describe("lifetime value of an experiment's buyers against its hold-out", () => {
  it("counts buyers per cohort: the hold-out, those who took an offer, and everyone offered", async () => {
    const ltv = await loadLifetimeValue(SHOP, experimentId, AS_OF);
    expect(ltv?.buyers).toEqual({ holdout: 4, accepted: 5, offered: 6 });
    expect(ltv?.currency).toBe("USD");
  });

  it("gives the 90-day repeat rate and revenue with their differences and 95% intervals", async () => {
    const ltv = await loadLifetimeValue(SHOP, experimentId, AS_OF);
    const ninety = ltv!.horizons.find((h) => h.days === 90)!;
    expect(ninety.cohorts.holdout.repeatRate).toEqual({ mean: 0.5, n: 4 });
    expect(ninety.cohorts.holdout.revenue).toEqual({ mean: 1250, n: 4 });
    expect(ninety.cohorts.accepted.repeatRate).toEqual({ mean: 0.75, n: 4 });
    expect(ninety.cohorts.accepted.revenue).toEqual({ mean: 3000, n: 4 });
    expect(ninety.cohorts.offered.repeatRate).toEqual({ mean: 0.8, n: 5 });
    expect(ninety.cohorts.offered.revenue).toEqual({ mean: 2500, n: 5 });
    const { repeatRate, revenue } = ninety.versusHoldout.accepted;
    expect(repeatRate.value).toBeCloseTo(0.25, 10);
    expect(repeatRate.interval![0]).toBeCloseTo(-0.498473, 5);
    expect(repeatRate.interval![1]).toBeCloseTo(0.998473, 5);
    expect(revenue.value).toBeCloseTo(1750, 10);
    expect(revenue.interval![0]).toBeCloseTo(1750 - 2926.28, 1);
    expect(revenue.interval![1]).toBeCloseTo(1750 + 2926.28, 1);
  });

  it("counts a buyer only at horizons whose window has passed", async () => {
    const ltv = await loadLifetimeValue(SHOP, experimentId, AS_OF);
    const thirty = ltv!.horizons.find((h) => h.days === 30)!;
    expect(thirty.cohorts.holdout.repeatRate).toEqual({ mean: 0.25, n: 4 });
    expect(thirty.cohorts.holdout.revenue).toEqual({ mean: 500, n: 4 });
    expect(thirty.cohorts.accepted.repeatRate).toEqual({ mean: 0.4, n: 5 });
    expect(thirty.cohorts.accepted.revenue).toEqual({ mean: 1000, n: 5 });
    const sixty = ltv!.horizons.find((h) => h.days === 60)!;
    expect(sixty.cohorts.accepted.repeatRate.n).toBe(4);
  });

  it("has no interval before two buyers of each cohort have a full window", async () => {
    const early = await loadLifetimeValue(SHOP, experimentId, days(FIRST, 31));
    const [thirty, sixty] = early!.horizons;
    expect(thirty.versusHoldout.accepted.repeatRate.interval).not.toBeNull();
    expect(sixty.cohorts.holdout.repeatRate.n).toBe(0);
    expect(sixty.versusHoldout.accepted.repeatRate.interval).toBeNull();
  });

  it("shows the dashboard the latest experiment with a hold-out", async () => {
    const latest = await loadLatestLifetimeValue(SHOP, AS_OF);
    expect(latest?.experiment).toEqual({
      id: experimentId,
      name: "Offers against none",
    });
    expect(await loadLatestLifetimeValue(OTHER, AS_OF)).toBeNull();
  });
});

// A post-purchase experiment: its units are checkouts. Each checkout's order is placed a minute
// before its post-purchase page assigns it (1 February); results are read on 1 July.
//
//          arm       customer  checkout's order       later orders (days after it)
//   C1     hold-out  K1                               +10 d $20
//   C2     hold-out  K2                               none
//   C3     offers    K3        accepted offer kept    +20 d $40, +40 d $10
//   C4     offers    K4        accepted offer kept    none
//   C5     offers    guest, cart visitor V5           +15 d $30 by V5
//   C6     offers    guest, no visitor                (nothing can follow it: no repeat)
//
// 90 days: hold-out repeat 1,0 (0.5), revenue 2000,0 (1000); accepted C3, C4 repeat 1,0 (0.5),
// revenue 5000,0 (2500); offered C3–C6 repeat 1,0,1,0 (0.5), revenue 5000,0,3000,0 (2000).
// 30 days: accepted revenue 4000,0 (2000); offered 4000,0,3000,0 (1750).
describe("lifetime value of a post-purchase experiment's buyers", () => {
  const CHECKOUTS = "ltv-checkouts.myshopify.com";
  const ASSIGNED = new Date("2026-02-01T00:01:00Z");
  const PLACED = new Date("2026-02-01T00:00:00Z");
  let id = "";

  async function checkoutOrder(
    checkout: string | null,
    customer: string | null,
    visitor: string | null,
    at: Date,
    subtotal: number,
    accepted = false,
  ) {
    const orderId = String(++orderIds);
    await prisma.order.create({
      data: {
        shop: CHECKOUTS,
        id: orderId,
        name: `#${orderId}`,
        customerKey: customer,
        visitorKey: visitor,
        checkoutKey: checkout,
        createdAt: at,
        sourceUpdatedAt: at,
        currency: "USD",
        subtotalMinor: subtotal,
        totalMinor: subtotal,
        lines: accepted
          ? {
              create: {
                id: `${orderId}-1`,
                productId: "1",
                quantity: 1,
                priceMinor: 1500,
                placement: "post_purchase",
                strategy: "blended",
              },
            }
          : undefined,
      },
    });
  }

  beforeAll(async () => {
    await prisma.shop.create({ data: { shop: CHECKOUTS, currency: "USD" } });
    const experiment = await holdoutExperiment(
      CHECKOUTS,
      "After checkout against none",
      "post_purchase",
      PLACED,
    );
    id = experiment.id;
    const [holdout, offers] = experiment.arms;
    await prisma.experimentExposure.createMany({
      data: [
        ["checkout:C1", holdout.id],
        ["checkout:C2", holdout.id],
        ...["C3", "C4", "C5", "C6"].map((c) => [`checkout:${c}`, offers.id]),
      ].map(([visitorKey, armId]) => ({
        shop: CHECKOUTS,
        experimentId: id,
        visitorKey,
        armId,
        firstSeenAt: ASSIGNED,
      })),
    });
    await checkoutOrder("checkout:C1", "K1", null, PLACED, 5000);
    await checkoutOrder("checkout:C2", "K2", null, PLACED, 5000);
    await checkoutOrder("checkout:C3", "K3", null, PLACED, 5000, true);
    await checkoutOrder("checkout:C4", "K4", null, PLACED, 5000, true);
    await checkoutOrder("checkout:C5", null, "V5", PLACED, 5000);
    await checkoutOrder("checkout:C6", null, null, PLACED, 5000);
    // Later orders: new checkouts of their own, found by customer (or the guest's visitor).
    await checkoutOrder("checkout:L1", "K1", null, days(PLACED, 10), 2000);
    await checkoutOrder("checkout:L3", "K3", null, days(PLACED, 20), 4000);
    await checkoutOrder(null, "K3", "V3", days(PLACED, 40), 1000);
    await checkoutOrder("checkout:L5", null, "V5", days(PLACED, 15), 3000);
  });

  it("follows each checkout's customer from its order, though the order came before the assignment", async () => {
    const ltv = await loadLifetimeValue(CHECKOUTS, id, AS_OF);
    expect(ltv?.buyers).toEqual({ holdout: 2, accepted: 2, offered: 4 });
    const ninety = ltv!.horizons.find((h) => h.days === 90)!;
    expect(ninety.cohorts.holdout.repeatRate).toEqual({ mean: 0.5, n: 2 });
    expect(ninety.cohorts.holdout.revenue).toEqual({ mean: 1000, n: 2 });
    expect(ninety.cohorts.accepted.repeatRate).toEqual({ mean: 0.5, n: 2 });
    expect(ninety.cohorts.accepted.revenue).toEqual({ mean: 2500, n: 2 });
    expect(ninety.cohorts.offered.repeatRate).toEqual({ mean: 0.5, n: 4 });
    expect(ninety.cohorts.offered.revenue).toEqual({ mean: 2000, n: 4 });
    const thirty = ltv!.horizons.find((h) => h.days === 30)!;
    expect(thirty.cohorts.accepted.revenue).toEqual({ mean: 2000, n: 2 });
    expect(thirty.cohorts.offered.revenue).toEqual({ mean: 1750, n: 4 });
    expect(ninety.versusHoldout.offered.revenue.value).toBeCloseTo(1000, 10);
  });
});
