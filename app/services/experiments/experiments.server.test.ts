import { describe, expect, it, vi } from "vitest";
import prisma from "~/db.server";
import { assignArm } from "~/engine/experiment-assignment";
import { visitorKey } from "~/services/measurement/attribution.server";
import {
  ExperimentInput,
  ExperimentStateError,
  armFor,
  computeResults,
  createExperiment,
  deleteExperiment,
  experimentResults,
  getExperiment,
  listExperiments,
  parseExperimentForm,
  startExperiment,
  stopExperiment,
} from "./experiments.server";
import { saveOrders } from "~/services/catalog/orders.server";
import { placementPolicy } from "./placement-policy.server";
import { setBanditEnabled } from "./offer-count.server";
import { holdoutArm } from "../../../test/fixtures";

const SHOP = "experiments-a.myshopify.com";
const OTHER = "experiments-b.myshopify.com";

const input = (over: Partial<ExperimentInput> = {}): ExperimentInput => ({
  name: "Cart offers vs nothing",
  primaryMetric: "rpv",
  placements: ["cart", "drawer"],
  arms: [
    holdoutArm(20),
    {
      name: "Blended, 3",
      weight: 40,
      holdout: false,
      strategy: "blended",
      offerCount: 3,
    },
    {
      name: "Best sellers",
      weight: 40,
      holdout: false,
      strategy: "best_sellers",
      offerCount: null,
    },
  ],
  ...over,
});

const visitors = (n: number, prefix = "visitor") =>
  Array.from(
    { length: n },
    (_, i) => `${prefix}-${String(i).padStart(4, "0")}`,
  );

describe("experiment lifecycle", () => {
  it("reads the posted form, with errors keyed by the field they belong to", () => {
    const form = {
      name: "Drawer test",
      primaryMetric: "aov",
      "arms.0.name": "Hold-out",
      "arms.0.weight": "30",
      "arms.1.name": "Four offers",
      "arms.1.weight": "70",
      "arms.1.strategy": "similar",
      "arms.1.offerCount": "4",
      "arms.2.name": "",
      "arms.2.weight": "",
      holdout: "0",
    };
    expect(parseExperimentForm(form, ["drawer"])).toEqual({
      ok: true,
      values: {
        name: "Drawer test",
        primaryMetric: "aov",
        placements: ["drawer"],
        arms: [
          holdoutArm(30),
          {
            name: "Four offers",
            weight: 70,
            holdout: false,
            strategy: "similar",
            offerCount: 4,
          },
        ],
      },
    });
    const bad = parseExperimentForm(
      {
        ...form,
        name: "",
        "arms.1.weight": "abc",
        "arms.1.strategy": "psychic",
      },
      [],
    );
    expect(bad).toEqual({
      ok: false,
      errors: expect.objectContaining({
        name: "Name the experiment",
        placements: "Choose at least one placement",
        "arms.1.strategy": "Unknown strategy",
      }),
    });
    expect(bad.ok === false && bad.errors["arms.1.weight"]).toBeTruthy();
  });

  it("refuses inconsistent splits with messages on the fields", () => {
    const result = ExperimentInput.safeParse({
      ...input(),
      arms: [
        { name: "A", weight: 50, holdout: true },
        { name: "a", weight: 30, holdout: true },
      ],
    });
    expect(result.success).toBe(false);
    const messages = result.error!.issues.map(
      (i) => `${i.path.join(".")}: ${i.message}`,
    );
    expect(messages).toContain(
      "arms: Traffic shares must add up to 100% (now 80%)",
    );
    expect(messages).toContain("arms: Only one arm can be the hold-out");
    expect(messages).toContain("arms.1.name: Arm names must differ");
  });

  it("creates a draft, starts it, refuses a second on the same placement, stops it", async () => {
    const first = await createExperiment(SHOP, input());
    expect(first.status).toBe("draft");
    expect(first.arms.map((a) => [a.name, a.weight, a.holdout])).toEqual([
      ["Hold-out", 20, true],
      ["Blended, 3", 40, false],
      ["Best sellers", 40, false],
    ]);
    const started = await startExperiment(SHOP, first.id);
    expect(started?.status).toBe("running");
    await expect(startExperiment(SHOP, first.id)).rejects.toThrow(
      ExperimentStateError,
    );
    const second = await createExperiment(
      SHOP,
      input({ name: "Drawer only", placements: ["drawer"] }),
    );
    await expect(startExperiment(SHOP, second.id)).rejects.toThrow(
      /already running on one of these placements/,
    );
    await expect(deleteExperiment(SHOP, first.id)).rejects.toThrow(
      ExperimentStateError,
    );
    const stopped = await stopExperiment(SHOP, first.id);
    expect(stopped?.status).toBe("stopped");
    expect(stopped?.stoppedAt).toBeInstanceOf(Date);
    // The placement is free again.
    expect((await startExperiment(SHOP, second.id))?.status).toBe("running");
    await stopExperiment(SHOP, second.id);
  });

  it("keeps each shop's experiments to itself", async () => {
    const mine = await createExperiment(SHOP, input({ name: "Mine" }));
    await expect(getExperiment(OTHER, mine.id)).resolves.toBeNull();
    await expect(startExperiment(OTHER, mine.id)).resolves.toBeNull();
    await expect(deleteExperiment(OTHER, mine.id)).resolves.toBe(false);
    await expect(experimentResults(OTHER, mine.id)).resolves.toBeNull();
    expect((await listExperiments(OTHER)).map((e) => e.name)).not.toContain(
      "Mine",
    );
    await deleteExperiment(SHOP, mine.id);
    await expect(getExperiment(SHOP, mine.id)).resolves.toBeNull();
  });
});

describe("assignment and exposures", () => {
  it("assigns each visitor the same arm on every call, placement and fresh instance, and logs one exposure", async () => {
    const shop = "assign.myshopify.com";
    const experiment = await createExperiment(shop, input());
    await startExperiment(shop, experiment.id);
    const keys = visitors(300);
    const first = new Map<string, string>();
    for (const key of keys)
      first.set(key, (await armFor(shop, "cart", key))!.armId);
    // A fresh module graph stands in for a restarted or second instance: nothing is cached.
    vi.resetModules();
    const fresh = await import("./experiments.server");
    for (const key of keys) {
      expect((await fresh.armFor(shop, "drawer", key))!.armId).toBe(
        first.get(key),
      );
      // The arm is the engine's pure assignment, so any process computes the same one.
      expect(assignArm(experiment, key).id).toBe(first.get(key));
    }
    const exposures = await prisma.experimentExposure.findMany({
      where: { shop, experimentId: experiment.id },
      select: { visitorKey: true, armId: true },
    });
    expect(exposures).toHaveLength(300);
    for (const e of exposures) expect(e.armId).toBe(first.get(e.visitorKey));
    // The split follows the weights (20/40/40) within sampling noise.
    const holdout = exposures.filter(
      (e) => e.armId === experiment.arms[0].id,
    ).length;
    expect(holdout).toBeGreaterThan(35);
    expect(holdout).toBeLessThan(85);
    // Placements outside the experiment, and other shops, are not assigned.
    expect(await armFor(shop, "product_fbt", keys[0])).toBeNull();
    expect(await armFor(OTHER, "cart", keys[0])).toBeNull();
  });

  it("gives the hold-out no offers to render but records its exposure", async () => {
    const shop = "holdout.myshopify.com";
    const experiment = await createExperiment(shop, input());
    await startExperiment(shop, experiment.id);
    const holdoutId = experiment.arms[0].id;
    const key = visitors(200).find(
      (k) => assignArm(experiment, k).id === holdoutId,
    )!;
    const policy = await placementPolicy(shop, "cart", key);
    expect(policy).toEqual({
      armId: holdoutId,
      holdout: true,
      strategy: null,
      offerCount: null,
      tokenArm: holdoutId,
    });
    const other = visitors(200).find(
      (k) => assignArm(experiment, k).id === experiment.arms[1].id,
    )!;
    expect(await placementPolicy(shop, "cart", other)).toEqual({
      armId: experiment.arms[1].id,
      holdout: false,
      strategy: "blended",
      offerCount: 3,
      tokenArm: experiment.arms[1].id,
    });
    expect(
      await prisma.experimentExposure.count({
        where: { shop, experimentId: experiment.id, visitorKey: key },
      }),
    ).toBe(1);
  });
});

describe("the visitor key, computed only when read", () => {
  it("is not computed without an experiment or the bandit, and computed once with them", async () => {
    const shop = "lazy-key.myshopify.com";
    const key = visitors(1)[0];
    let computed = 0;
    const lazy = () => {
      computed++;
      return key;
    };
    expect(await placementPolicy(shop, "cart", lazy)).toEqual(
      await placementPolicy(shop, "cart", key),
    );
    expect(computed).toBe(0);
    const experiment = await createExperiment(shop, input());
    await startExperiment(shop, experiment.id);
    await setBanditEnabled(shop, "drawer", true);
    for (const placement of ["cart", "drawer"] as const) {
      const now = new Date();
      computed = 0;
      const policy = await placementPolicy(shop, placement, lazy, now);
      expect(computed).toBe(1);
      expect(policy).toEqual(await placementPolicy(shop, placement, key, now));
      expect(policy.armId).toBe(assignArm(experiment, key).id);
    }
  });
});

describe("results", () => {
  it("joins exposures to the orders their visitors placed through the cart attribute", async () => {
    const shop = "results.myshopify.com";
    const start = new Date("2026-03-01T00:00:00Z");
    const experiment = await createExperiment(
      shop,
      input({
        arms: [
          holdoutArm(50),
          {
            name: "Offers",
            weight: 50,
            holdout: false,
            strategy: null,
            offerCount: null,
          },
        ],
      }),
    );
    await startExperiment(shop, experiment.id, start);
    const [holdout, offers] = experiment.arms;
    // Visitors are pseudonymous browser ids; the storefront sends them, orders carry them.
    const ids = visitors(40, "browser");
    const inArm = (armId: string) =>
      ids.filter(
        (id) => assignArm(experiment, visitorKey(shop, id)).id === armId,
      );
    const holdoutIds = inArm(holdout.id);
    const offerIds = inArm(offers.id);
    for (const id of ids)
      await armFor(
        shop,
        "cart",
        visitorKey(shop, id),
        new Date("2026-03-02T00:00:00Z"),
      );
    const order = (
      n: number,
      visitorId: string | null,
      minor: number,
      day: string,
    ) => ({
      id: String(n),
      name: `#${n}`,
      createdAt: new Date(`2026-03-${day}T12:00:00Z`),
      sourceUpdatedAt: new Date(`2026-03-${day}T12:00:00Z`),
      cancelledAt: null,
      currency: "USD",
      subtotalMinor: minor,
      totalMinor: minor,
      customerId: null,
      visitorId,
      lines: [
        {
          id: `${n}1`,
          productId: "1",
          variantId: "10",
          quantity: 1,
          priceMinor: minor,
          offerToken: null,
        },
      ],
    });
    await saveOrders(shop, [
      // Hold-out: one visitor orders twice (40.00 + 20.00).
      order(1, holdoutIds[0], 4000, "03"),
      order(2, holdoutIds[0], 2000, "04"),
      // Offers: two visitors order (50.00, 70.00); one order predates the exposure.
      order(3, offerIds[0], 5000, "03"),
      order(4, offerIds[1], 7000, "05"),
      order(5, offerIds[2], 9900, "01"),
      // No visitor link: cannot be attributed to any arm.
      order(6, null, 12345, "03"),
    ]);
    // Another shop's order with the same browser id counts nowhere here.
    await saveOrders(OTHER, [order(7, offerIds[0], 99900, "03")]);

    const { report } = (await experimentResults(
      shop,
      experiment.id,
      new Date("2026-03-10T00:00:00Z"),
    ))!;
    const [h, o] = report.arms;
    expect(h).toMatchObject({
      id: holdout.id,
      holdout: true,
      visitors: holdoutIds.length,
      orders: 2,
    });
    expect(o).toMatchObject({
      id: offers.id,
      holdout: false,
      visitors: offerIds.length,
      orders: 2,
    });
    expect(h.rpv!.estimate).toBeCloseTo(6000 / holdoutIds.length, 6);
    expect(o.rpv!.estimate).toBeCloseTo(12000 / offerIds.length, 6);
    expect(h.aov!.estimate).toBeCloseTo(3000, 6);
    expect(o.aov!.estimate).toBeCloseTo(6000, 6);
    expect(o.conversion!.estimate).toBeCloseTo(2 / offerIds.length, 6);
    expect(o.rpv!.lower).toBeLessThan(o.rpv!.estimate);
    expect(o.rpv!.upper).toBeGreaterThan(o.rpv!.estimate);
    // 40 visitors and 4 orders are far below the minimum sample: no verdict yet, and it says why.
    expect(report.comparisons[0].verdict).toBe("insufficient_data");
    expect(
      report.warnings.filter((w) => w.kind === "minimum_sample"),
    ).toHaveLength(2);

    // A refund lowers the revenue counted for its order.
    await prisma.orderLine.updateMany({
      where: { shop, id: "41" },
      data: { refundedQuantity: 1 },
    });
    const after = await experimentResults(
      shop,
      experiment.id,
      new Date("2026-03-10T00:00:00Z"),
    );
    expect(after!.report.arms[1].rpv!.estimate).toBeCloseTo(
      5000 / offerIds.length,
      6,
    );
    // Each look stores the interval it showed, and the next look (the refund undone, so its own
    // interval alone would reach higher) shows no more than it.
    const stored = await prisma.experiment.findFirstOrThrow({
      where: { shop, id: experiment.id },
      select: { intervals: true },
    });
    const shown = after!.report.comparisons[0].sequential!.alwaysValidInterval;
    expect(JSON.parse(stored.intervals)).toEqual({ [offers.id]: shown });
    await prisma.orderLine.updateMany({
      where: { shop, id: "41" },
      data: { refundedQuantity: 0 },
    });
    const third = (await experimentResults(
      shop,
      experiment.id,
      new Date("2026-03-10T00:00:00Z"),
    ))!.report.comparisons[0].sequential!.alwaysValidInterval;
    expect(third.lower).toBeGreaterThanOrEqual(shown.lower);
    expect(third.upper).toBeLessThanOrEqual(shown.upper);
  });

  it("reaches a verdict and flags a broken split on hand-built totals", () => {
    const arms = [
      {
        id: "h",
        name: "Hold-out",
        weight: 50,
        holdout: true,
        strategy: null,
        offerCount: null,
      },
      {
        id: "t",
        name: "Offers",
        weight: 50,
        holdout: false,
        strategy: null,
        offerCount: null,
      },
    ];
    // 20,000 visitors per arm; 5% of hold-out and 7% of treatment visitors order 50.00 each.
    const exposures = [
      ...visitors(20_000, "h").map((v) => ({
        visitorKey: v,
        armId: "h",
        firstSeenAt: new Date(0),
      })),
      ...visitors(20_000, "t").map((v) => ({
        visitorKey: v,
        armId: "t",
        firstSeenAt: new Date(0),
      })),
    ];
    const orders = [...visitors(1_000, "h"), ...visitors(1_400, "t")].map(
      (v) => ({ visitorKey: v, createdAt: new Date(1), revenueMinor: 5000 }),
    );
    const experiment = {
      arms,
      primaryMetric: "rpv" as const,
      baselineMean: 250,
      stoppedAt: null,
    };
    const report = computeResults(experiment, exposures, orders);
    expect(report.comparisons[0].verdict).toBe("better");
    expect(report.comparisons[0].lift.rpv!.estimate).toBeCloseTo(0.4, 6);
    expect(report.sampleRatio.mismatch).toBe(false);
    // Drop most of the treatment's exposures: a logging bug the SRM check must catch.
    const broken = computeResults(
      experiment,
      exposures.filter((e, i) => e.armId === "h" || i % 2 === 0),
      orders,
    );
    expect(broken.sampleRatio.mismatch).toBe(true);
    expect(broken.comparisons[0].verdict).toBe("invalid");
  });
});
