import { z } from "zod";
import prisma, { isUniqueViolation } from "~/db.server";
import { assignArm } from "~/engine/experiment-assignment";
import {
  type ArmSeries,
  type SeriesStep,
  armSeries,
  seriesInstants,
} from "~/engine/experiment-series";
import {
  type ExperimentReport,
  type Interval,
  type Metric,
  experimentReport,
} from "~/engine/experiment-stats";
import {
  type Exposure,
  type VisitorOrder,
  armTotals,
  checkoutOrdersFromExposure,
} from "~/engine/experiment-totals";
import {
  type ExperimentUnit,
  type Placement,
  experimentUnit,
} from "~/engine/types";
import { STRATEGIES } from "~/engine/strategies";
import {
  type LazyVisitorKey,
  visitorKeyOf,
} from "~/services/measurement/attribution.server";
import {
  cachedForShop,
  forgetServingState,
} from "~/services/storefront/serving-cache.server";

// Experiments: A/B tests of storefront offers against a hold-out that sees no widget. The arm is
// a pure function of (experiment id, visitor key) (app/engine/experiment-assignment.ts), so every
// instance agrees without storing assignments; the exposure table records who was assigned, once
// per visitor, because the results need the visitors who never ordered too. Statistics and the
// verdict are in app/engine/experiment-stats.ts (decision 005).

export const EXPERIMENT_PLACEMENTS = [
  "product_fbt",
  "product_upgrade",
  "cart",
  "drawer",
  "post_purchase",
] as const satisfies readonly Placement[];
export type ExperimentPlacement = (typeof EXPERIMENT_PLACEMENTS)[number];

/** A checkout's order is placed moments before its post-purchase page assigns it. */
const CHECKOUT_ORDER_LEAD_MS = 60 * 60 * 1000;
export const METRICS = ["rpv", "aov", "conversion"] as const;
export const MAX_OFFER_COUNT = 6;

/** A state change that the experiment's status does not allow, or a clash with another one. */
export class ExperimentStateError extends Error {
  override name = "ExperimentStateError";
}

export const ArmInput = z.object({
  name: z.string().trim().min(1, "Name the arm").max(40),
  weight: z.coerce
    .number()
    .int("Whole percent")
    .min(1, "At least 1%")
    .max(99, "At most 99%"),
  holdout: z.boolean().default(false),
  strategy: z.enum(STRATEGIES, "Unknown strategy").nullable().default(null),
  offerCount: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_OFFER_COUNT)
    .nullable()
    .default(null),
});

export const ExperimentInput = z
  .object({
    name: z.string().trim().min(1, "Name the experiment").max(80),
    primaryMetric: z.enum(METRICS, { message: "Choose the primary metric" }),
    placements: z
      .array(z.enum(EXPERIMENT_PLACEMENTS))
      .min(1, "Choose at least one placement"),
    arms: z
      .array(ArmInput)
      .min(2, "An experiment needs at least two arms")
      .max(5, "At most five arms"),
  })
  .superRefine((input, ctx) => {
    const total = input.arms.reduce((sum, arm) => sum + arm.weight, 0);
    if (total !== 100)
      ctx.addIssue({
        code: "custom",
        path: ["arms"],
        message: `Traffic shares must add up to 100% (now ${total}%)`,
      });
    if (input.arms.filter((arm) => arm.holdout).length > 1)
      ctx.addIssue({
        code: "custom",
        path: ["arms"],
        message: "Only one arm can be the hold-out",
      });
    if (experimentUnit(input.placements) === "checkout") {
      if (input.placements.length > 1)
        ctx.addIssue({
          code: "custom",
          path: ["placements"],
          message:
            "After checkout is tested on its own: its unit is the checkout, not the visitor",
        });
      if (input.primaryMetric === "conversion")
        ctx.addIssue({
          code: "custom",
          path: ["primaryMetric"],
          message:
            "Every checkout after checkout already has its order: choose revenue or average order value",
        });
    }
    const names = input.arms.map((arm) => arm.name.toLowerCase());
    names.forEach((name, i) => {
      if (names.indexOf(name) !== i)
        ctx.addIssue({
          code: "custom",
          path: ["arms", i, "name"],
          message: "Arm names must differ",
        });
    });
  });
export type ExperimentInput = z.infer<typeof ExperimentInput>;

const armSelect = {
  id: true,
  position: true,
  name: true,
  weight: true,
  holdout: true,
  strategy: true,
  offerCount: true,
} as const;

const experimentSelect = {
  id: true,
  name: true,
  status: true,
  primaryMetric: true,
  placements: true,
  baselineMean: true,
  pValues: true,
  intervals: true,
  startedAt: true,
  stoppedAt: true,
  createdAt: true,
  arms: { select: armSelect, orderBy: { position: "asc" } },
} as const;

export interface ExperimentArmView {
  id: string;
  name: string;
  weight: number;
  holdout: boolean;
  strategy: string | null;
  offerCount: number | null;
}

export interface ExperimentView {
  id: string;
  name: string;
  status: "draft" | "running" | "stopped";
  primaryMetric: Metric;
  placements: ExperimentPlacement[];
  baselineMean: number | null;
  startedAt: Date | null;
  stoppedAt: Date | null;
  createdAt: Date;
  arms: ExperimentArmView[];
}

type ExperimentRow = {
  id: string;
  name: string;
  status: string;
  primaryMetric: string;
  placements: string;
  baselineMean: number | null;
  pValues: string;
  intervals: string;
  startedAt: Date | null;
  stoppedAt: Date | null;
  createdAt: Date;
  arms: (ExperimentArmView & { position: number })[];
};

function view(row: ExperimentRow): ExperimentView {
  return {
    id: row.id,
    name: row.name,
    status: row.status as ExperimentView["status"],
    primaryMetric: row.primaryMetric as Metric,
    placements: JSON.parse(row.placements) as ExperimentPlacement[],
    baselineMean: row.baselineMean,
    startedAt: row.startedAt,
    stoppedAt: row.stoppedAt,
    createdAt: row.createdAt,
    arms: row.arms.map(({ position: _position, ...arm }) => arm),
  };
}

export async function listExperiments(shop: string): Promise<ExperimentView[]> {
  const rows = await prisma.experiment.findMany({
    where: { shop },
    select: experimentSelect,
    orderBy: { createdAt: "desc" },
  });
  return rows.map(view);
}

// Null when the shop has no such experiment (another shop's id included): the route says 404.
function findRow(shop: string, id: string): Promise<ExperimentRow | null> {
  return prisma.experiment.findFirst({
    where: { shop, id },
    select: experimentSelect,
  });
}

export async function getExperiment(
  shop: string,
  id: string,
): Promise<ExperimentView | null> {
  const row = await findRow(shop, id);
  return row && view(row);
}

export async function createExperiment(
  shop: string,
  input: ExperimentInput,
): Promise<ExperimentView> {
  const data = ExperimentInput.parse(input);
  const row = await prisma.experiment.create({
    data: {
      shop,
      name: data.name,
      primaryMetric: data.primaryMetric,
      placements: JSON.stringify(data.placements),
      arms: {
        create: data.arms.map((arm, position) => ({
          shop,
          position,
          name: arm.name,
          weight: arm.weight,
          holdout: arm.holdout,
          // The hold-out renders nothing, so strategy and count would only mislead.
          strategy: arm.holdout ? null : arm.strategy,
          offerCount: arm.holdout ? null : arm.offerCount,
        })),
      },
    },
    select: experimentSelect,
  });
  return view(row);
}

/** Drafts only: a started experiment's data is evidence and stays. False when there is none. */
export async function deleteExperiment(
  shop: string,
  id: string,
): Promise<boolean> {
  const row = await findRow(shop, id);
  if (!row) return false;
  if (row.status !== "draft")
    throw new ExperimentStateError("Only draft experiments can be deleted");
  await prisma.experiment.deleteMany({ where: { shop, id, status: "draft" } });
  return true;
}

/**
 * Starts a draft. Arms and weights are frozen from here on (changing them would move visitors
 * between arms). A placement can be in one running experiment at a time, or visitors would be
 * split twice and the arms would not be comparable.
 */
export async function startExperiment(
  shop: string,
  id: string,
  now = new Date(),
): Promise<ExperimentView | null> {
  const row = await findRow(shop, id);
  if (!row) return null;
  if (row.status !== "draft")
    throw new ExperimentStateError("Only a draft experiment can be started");
  const placements = JSON.parse(row.placements) as string[];
  const running = await prisma.experiment.findMany({
    where: { shop, status: "running" },
    select: { name: true, placements: true },
  });
  const clash = running.find((other) =>
    (JSON.parse(other.placements) as string[]).some((p) =>
      placements.includes(p),
    ),
  );
  if (clash)
    throw new ExperimentStateError(
      `"${clash.name}" is already running on one of these placements; stop it first`,
    );
  const baselineMean = await baseline(
    shop,
    row.primaryMetric as Metric,
    now,
    experimentUnit(placements),
  );
  const updated = await prisma.experiment.updateMany({
    where: { shop, id, status: "draft" },
    data: { status: "running", startedAt: now, baselineMean },
  });
  // Storefront requests of this instance assign arms from the next request on.
  forgetServingState(shop);
  if (updated.count !== 1)
    throw new ExperimentStateError("The experiment changed meanwhile");
  return getExperiment(shop, id);
}

export async function stopExperiment(
  shop: string,
  id: string,
  now = new Date(),
): Promise<ExperimentView | null> {
  const row = await findRow(shop, id);
  if (!row) return null;
  if (row.status !== "running")
    throw new ExperimentStateError("Only a running experiment can be stopped");
  await prisma.experiment.updateMany({
    where: { shop, id, status: "running" },
    data: { status: "stopped", stoppedAt: now },
  });
  forgetServingState(shop);
  return getExperiment(shop, id);
}

const BASELINE_DAYS = 30;

/**
 * The primary metric over the 30 days before the start, fixed as the mSPRT's mixing scale
 * (decision 005). Visitors are those the storefront recorded events for; null when there were
 * none (the report then falls back to the hold-out's running estimate).
 */
async function baseline(
  shop: string,
  metric: Metric,
  now: Date,
  unit: ExperimentUnit,
): Promise<number | null> {
  const from = new Date(now.getTime() - BASELINE_DAYS * 86_400_000);
  if (unit === "checkout") {
    // Every checkout is one order: revenue per checkout is the average order value of checkouts.
    const orders = await visitorOrders(shop, from, now, false, "checkout");
    const value =
      orders.length > 0
        ? orders.reduce((s, o) => s + o.revenueMinor, 0) / orders.length
        : null;
    return value && value > 0 ? value : null;
  }
  const [visitors, orders] = await Promise.all([
    prisma.event.findMany({
      where: { shop, createdAt: { gte: from, lt: now } },
      distinct: ["visitorKey"],
      select: { visitorKey: true },
    }),
    visitorOrders(shop, from, now, metric === "aov"),
  ]);
  let value: number | null = null;
  if (metric === "aov") {
    if (orders.length > 0)
      value = orders.reduce((s, o) => s + o.revenueMinor, 0) / orders.length;
  } else {
    const seen = new Set(visitors.map((v) => v.visitorKey));
    const theirs = orders.filter((o) => seen.has(o.visitorKey));
    if (seen.size > 0)
      value =
        metric === "conversion"
          ? new Set(theirs.map((o) => o.visitorKey)).size / seen.size
          : theirs.reduce((s, o) => s + o.revenueMinor, 0) / seen.size;
  }
  // A zero baseline would make the mixing scale zero and the test blind: fall back instead.
  return value && value > 0 ? value : null;
}

/**
 * Orders in [from, to], net of refunds, cancelled ones left out, keyed by their unit: the
 * storefront visitor, or the checkout (whose orders without a checkout key are left out).
 */
async function visitorOrders(
  shop: string,
  from: Date,
  to: Date,
  includeAnonymous = false,
  unit: ExperimentUnit = "visitor",
): Promise<VisitorOrder[]> {
  const keyed =
    unit === "checkout"
      ? { checkoutKey: { not: null } }
      : includeAnonymous
        ? {}
        : { visitorKey: { not: null } };
  const orderWhere = {
    cancelledAt: null,
    createdAt: { gte: from, lte: to },
    ...keyed,
  };
  // Refunded lines are read on their own rather than nested under each order: Prisma's nested
  // read of this composite-key relation returned lines several times over for some sets of a few
  // hundred orders, which subtracted a refund more than once.
  const [rows, refunded] = await Promise.all([
    prisma.order.findMany({
      where: { shop, ...orderWhere },
      select: {
        id: true,
        visitorKey: true,
        checkoutKey: true,
        createdAt: true,
        subtotalMinor: true,
      },
    }),
    prisma.orderLine.findMany({
      where: { shop, refundedQuantity: { gt: 0 }, order: orderWhere },
      select: { orderId: true, refundedQuantity: true, priceMinor: true },
    }),
  ]);
  const refundOf = new Map<string, number>();
  for (const line of refunded)
    refundOf.set(
      line.orderId,
      (refundOf.get(line.orderId) ?? 0) +
        line.refundedQuantity * line.priceMinor,
    );
  return rows.map((row) => ({
    visitorKey: (unit === "checkout" ? row.checkoutKey : row.visitorKey) ?? "",
    createdAt: row.createdAt,
    revenueMinor: Math.max(0, row.subtotalMinor - (refundOf.get(row.id) ?? 0)),
  }));
}

export interface ArmAssignment {
  experimentId: string;
  armId: string;
  holdout: boolean;
  strategy: string | null;
  offerCount: number | null;
}

/**
 * The arm of the running experiment on this placement for this visitor, or null when no
 * experiment runs there. The first call for a visitor records the exposure; later calls (any
 * placement of the experiment, any instance) find it and write nothing.
 */
export async function armFor(
  shop: string,
  placement: Placement,
  lazyVisitorKey: LazyVisitorKey,
  now = new Date(),
): Promise<ArmAssignment | null> {
  const running = await cachedForShop(shop, "experiments", async () => {
    const rows = await prisma.experiment.findMany({
      where: { shop, status: "running" },
      select: {
        id: true,
        placements: true,
        arms: {
          select: armSelect,
          orderBy: { position: "asc" },
        },
      },
      orderBy: { startedAt: "asc" },
    });
    return rows.map((e) => ({
      ...e,
      placements: JSON.parse(e.placements) as string[],
    }));
  });
  const experiment = running.find((e) => e.placements.includes(placement));
  if (!experiment || experiment.arms.length === 0) return null;
  const visitorKey = visitorKeyOf(lazyVisitorKey);
  const chosen = assignArm(
    { id: experiment.id, arms: experiment.arms },
    visitorKey,
  );
  const arm = experiment.arms.find((a) => a.id === chosen.id)!;
  await recordExposure(shop, experiment.id, arm.id, visitorKey, now);
  return {
    experimentId: experiment.id,
    armId: arm.id,
    holdout: arm.holdout,
    strategy: arm.strategy,
    offerCount: arm.offerCount,
  };
}

async function recordExposure(
  shop: string,
  experimentId: string,
  armId: string,
  visitorKey: string,
  now: Date,
) {
  const key = {
    shop_experimentId_visitorKey: { shop, experimentId, visitorKey },
  };
  const seen = await prisma.experimentExposure.findUnique({
    where: key,
    select: { armId: true },
  });
  if (seen) return;
  try {
    await prisma.experimentExposure.create({
      data: { shop, experimentId, visitorKey, armId, firstSeenAt: now },
    });
  } catch (error) {
    // Two requests of the same visitor raced: the other one recorded it.
    if (!isUniqueViolation(error)) throw error;
  }
}

export interface ExperimentResults {
  experiment: ExperimentView;
  report: ExperimentReport;
  /** Each arm's AOV and RPV with intervals over time, read at `at` (ISO instants). */
  series: { step: SeriesStep; at: string[]; arms: ArmSeries[] };
  /** The shop currency every revenue figure is in (minor units). */
  currency: string;
}

/**
 * Per-arm figures, lift against the hold-out and the always-valid verdict. Each look of a running
 * experiment stores the running minimum p-values, so the verdict never flips back (decision 005).
 */
export async function experimentResults(
  shop: string,
  id: string,
  now = new Date(),
): Promise<ExperimentResults | null> {
  const row = await findRow(shop, id);
  if (!row) return null;
  const experiment = view(row);
  const until = experiment.stoppedAt ?? now;
  const unit = experimentUnit(experiment.placements);
  const [shopRow, exposures, unitOrders] = await Promise.all([
    prisma.shop.findUnique({ where: { shop }, select: { currency: true } }),
    experiment.startedAt
      ? prisma.experimentExposure.findMany({
          where: { shop, experimentId: id },
          select: { visitorKey: true, armId: true, firstSeenAt: true },
        })
      : Promise.resolve([] as Exposure[]),
    experiment.startedAt
      ? visitorOrders(
          shop,
          unit === "checkout"
            ? new Date(experiment.startedAt.getTime() - CHECKOUT_ORDER_LEAD_MS)
            : experiment.startedAt,
          until,
          false,
          unit,
        )
      : Promise.resolve([] as VisitorOrder[]),
  ]);
  const orders =
    unit === "checkout"
      ? checkoutOrdersFromExposure(exposures, unitOrders)
      : unitOrders;
  const report = computeResults(experiment, exposures, orders, {
    pValues: JSON.parse(row.pValues) as Record<string, number>,
    intervals: JSON.parse(row.intervals) as Record<string, Interval>,
  });
  if (experiment.status === "running") {
    const looked = report.comparisons.filter((c) => c.sequential);
    const pValues = Object.fromEntries(
      looked.map((c) => [c.armId, c.sequential!.pValue]),
    );
    const intervals = Object.fromEntries(
      looked.map((c) => [c.armId, c.sequential!.alwaysValidInterval]),
    );
    await prisma.experiment.updateMany({
      where: { shop, id },
      data: {
        pValues: JSON.stringify(pValues),
        intervals: JSON.stringify(intervals),
      },
    });
  }
  const { step, instants } = experiment.startedAt
    ? seriesInstants(experiment.startedAt, until)
    : { step: "day" as const, instants: [] };
  const series = {
    step,
    at: instants.map((d) => d.toISOString()),
    arms: armSeries(
      experiment.arms.map((arm) => arm.id),
      exposures,
      orders,
      instants,
    ),
  };
  return {
    experiment,
    report,
    series,
    currency: shopRow?.currency ?? "USD",
  };
}

/** The compute half of the results: exposures and orders in, report out. */
export function computeResults(
  experiment: Pick<
    ExperimentView,
    "arms" | "primaryMetric" | "baselineMean" | "stoppedAt"
  >,
  exposures: readonly Exposure[],
  orders: readonly VisitorOrder[],
  previous: {
    pValues?: Readonly<Record<string, number>>;
    intervals?: Readonly<Record<string, Interval>>;
  } = {},
): ExperimentReport {
  const totals = armTotals(
    experiment.arms.map((arm) => arm.id),
    exposures,
    orders,
    experiment.stoppedAt,
  );
  return experimentReport(
    experiment.arms.map((arm) => ({
      id: arm.id,
      holdout: arm.holdout,
      weight: arm.weight,
      totals: totals.get(arm.id)!,
    })),
    {
      primaryMetric: experiment.primaryMetric,
      baselineMean: experiment.baselineMean ?? undefined,
      previousPValues: previous.pValues,
      previousIntervals: previous.intervals,
    },
  );
}

export const MAX_ARMS = 5;

/**
 * The new-experiment form as posted: name, primaryMetric, one `placement` checkbox per placement
 * and arms as `arms.<i>.<field>`. Errors come back keyed by field path ("arms.1.weight"), so the
 * page can show each next to its field.
 */
export function parseExperimentForm(
  form: Record<string, FormDataEntryValue>,
  placements: readonly string[],
):
  | { ok: true; values: ExperimentInput }
  | { ok: false; errors: Record<string, string> } {
  const text = (key: string) => {
    const value = form[key];
    return typeof value === "string" ? value.trim() : "";
  };
  const arms = [];
  for (let i = 0; i < MAX_ARMS; i += 1) {
    const name = text(`arms.${i}.name`);
    const weight = text(`arms.${i}.weight`);
    // Rows left entirely empty are not arms.
    if (!name && !weight) continue;
    arms.push({
      name,
      weight,
      holdout: text("holdout") === String(i),
      strategy: text(`arms.${i}.strategy`) || null,
      offerCount: text(`arms.${i}.offerCount`) || null,
    });
  }
  const parsed = ExperimentInput.safeParse({
    name: text("name"),
    primaryMetric: text("primaryMetric"),
    placements,
    arms,
  });
  if (parsed.success) return { ok: true, values: parsed.data };
  const errors: Record<string, string> = {};
  for (const issue of parsed.error.issues)
    errors[issue.path.join(".") || "form"] ??= issue.message;
  return { ok: false, errors };
}
