import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData, useSubmit } from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Card,
  InlineStack,
  Layout,
  Modal,
  Page,
  Text,
} from "@shopify/polaris";
import { FigureTable } from "~/components/figure-table";
import { lazy, useState } from "react";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { z } from "zod";
import type { Estimate, Interval, Verdict } from "~/engine/experiment-stats";
import { experimentUnit } from "~/engine/types";
import { authenticate } from "~/shopify.server";
import {
  ExperimentStateError,
  deleteExperiment,
  experimentResults,
  startExperiment,
  stopExperiment,
} from "~/services/experiments/experiments.server";
import {
  PLACEMENT_LABELS,
  STATUS_TONES,
  UNIT_WORDS,
  formatMinor,
  armLabel,
  formatPercent,
  formatSignedPercent,
  formatUnits,
  instantLabel,
  metricLabel,
} from "~/components/experiment-format";
import { ChartBox } from "~/components/chart-box";
import { invariantResponse } from "~/http/invariant-response";
import { loadLifetimeValue } from "~/services/measurement/lifetime-value.server";
import { LifetimeValueCard } from "~/components/lifetime-value-card";
import { postedFields } from "~/http/admin-form.server";

export { ErrorBoundary, headers } from "~/http/admin-boundary";

export const links = () => [{ rel: "stylesheet", href: vizStyles }];

const ExperimentChart = lazy(() => import("~/components/experiment-chart"));

const NOT_FOUND = "This experiment does not exist in your store.";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [results, lifetimeValue] = await Promise.all([
    experimentResults(session.shop, params.id ?? ""),
    loadLifetimeValue(session.shop, params.id ?? ""),
  ]);
  invariantResponse(results, NOT_FOUND, { status: 404 });
  const { experiment, report, currency, series } = results;
  return {
    currency,
    report,
    series,
    lifetimeValue,
    // What the arms count: visitors, or checkouts after checkout.
    unit: experimentUnit(experiment.placements),
    experiment: {
      ...experiment,
      startedAt: experiment.startedAt?.toISOString() ?? null,
      stoppedAt: experiment.stoppedAt?.toISOString() ?? null,
      createdAt: experiment.createdAt.toISOString(),
    },
  };
};

const Intent = z.object({ intent: z.enum(["start", "stop", "delete"]) });

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, redirect } = await authenticate.admin(request);
  const parsed = Intent.safeParse(await postedFields(request));
  if (!parsed.success)
    return data({ error: "Unknown action" }, { status: 400 });
  const id = params.id ?? "";
  try {
    if (parsed.data.intent === "delete") {
      invariantResponse(await deleteExperiment(session.shop, id), NOT_FOUND, {
        status: 404,
      });
      return redirect("/app/experiments");
    }
    const change =
      parsed.data.intent === "start" ? startExperiment : stopExperiment;
    invariantResponse(await change(session.shop, id), NOT_FOUND, {
      status: 404,
    });
    return { error: null };
  } catch (error) {
    if (error instanceof ExperimentStateError)
      return data({ error: error.message }, { status: 409 });
    throw error;
  }
};

const VERDICTS: Record<
  Verdict,
  { label: string; tone: "success" | "critical" | "attention" | undefined }
> = {
  better: { label: "Better than the reference", tone: "success" },
  worse: { label: "Worse than the reference", tone: "critical" },
  inconclusive: { label: "Inconclusive so far", tone: undefined },
  insufficient_data: { label: "Not enough data yet", tone: "attention" },
  invalid: { label: "Invalid: traffic split is off", tone: "critical" },
};

/** Hold-outs in grey; the other arms in colours that stay apart for colour-blind readers. */
const HOLDOUT_COLOR = "#6d7175";
const ARM_COLORS = ["#2463bc", "#c05717", "#0f7d5f", "#8e1f9e", "#b98900"];

/** One titled card of the results page. */
function ResultsSection({
  title,
  children,
}: {
  title: string;
  children: React.ReactNode;
}) {
  return (
    <Layout.Section>
      <Card>
        <BlockStack gap="300">
          <Text as="h2" variant="headingMd">
            {title}
          </Text>
          {children}
        </BlockStack>
      </Card>
    </Layout.Section>
  );
}

export default function ExperimentPage() {
  const { experiment, report, currency, series, lifetimeValue, unit } =
    useLoaderData<typeof loader>();
  const words = UNIT_WORDS[unit];
  const units = (count: number) => formatUnits(count, unit);
  const metricName = (name: string) => metricLabel(name, unit);
  const result = useActionData<typeof action>();
  const submit = useSubmit();
  const [confirmStop, setConfirmStop] = useState(false);
  const post = (intent: string) => {
    setConfirmStop(false);
    submit({ intent }, { method: "post" });
  };
  const armName = new Map(experiment.arms.map((a) => [a.id, a.name]));
  const money = (minor: number) => formatMinor(minor, currency);
  const signedMoney = (minor: number) =>
    `${minor > 0 ? "+" : ""}${formatMinor(minor, currency)}`;
  /** The primary metric's difference in its own unit (money, or percentage points). */
  const difference = (value: number) =>
    primary === "conversion"
      ? `${value > 0 ? "+" : ""}${(value * 100).toFixed(2)} pts`
      : signedMoney(Math.round(value));
  const differenceInterval = (value: number | null, i: Interval | null) =>
    value === null || i === null
      ? "—"
      : !Number.isFinite(i.lower) || !Number.isFinite(i.upper)
        ? `${difference(value)} (no interval yet)`
        : `${difference(value)} (${difference(i.lower)} to ${difference(i.upper)})`;
  const interval = (
    e: Estimate | null,
    format: (value: number) => string,
  ): string =>
    e
      ? `${format(e.estimate)} (${format(e.lower)} to ${format(e.upper)})`
      : "—";
  const comparison = new Map(report.comparisons.map((c) => [c.armId, c]));
  const reference = report.arms.find((a) => a.holdout) ?? report.arms[0];
  const srm = report.warnings.find((w) => w.kind === "sample_ratio_mismatch");
  const small = report.warnings.filter((w) => w.kind === "minimum_sample");
  const primary = experiment.primaryMetric;
  const chartLabels = series.at.map((at) => instantLabel(at, series.step));
  let colorIndex = 0;
  const chartArms = series.arms.map((s) => {
    const arm = experiment.arms.find((a) => a.id === s.armId)!;
    return {
      ...s,
      name: armName.get(s.armId) ?? s.armId,
      color: arm.holdout
        ? HOLDOUT_COLOR
        : ARM_COLORS[colorIndex++ % ARM_COLORS.length],
    };
  });

  const actions = [];
  if (experiment.status === "draft")
    actions.push({
      content: "Delete",
      destructive: true,
      onAction: () => post("delete"),
    });
  return (
    <Page
      title={experiment.name}
      titleMetadata={
        <Badge tone={STATUS_TONES[experiment.status]}>
          {experiment.status}
        </Badge>
      }
      backAction={{ content: "Experiments", url: "/app/experiments" }}
      primaryAction={
        experiment.status === "draft"
          ? { content: "Start experiment", onAction: () => post("start") }
          : experiment.status === "running"
            ? {
                content: "Stop experiment",
                destructive: true,
                onAction: () => setConfirmStop(true),
              }
            : undefined
      }
      secondaryActions={actions}
    >
      <Layout>
        {result?.error ? (
          <Layout.Section>
            <Banner tone="critical" title="Could not change the experiment">
              <p>{result.error}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        {srm ? (
          <Layout.Section>
            <Banner tone="critical" title="Sample ratio mismatch">
              <p>
                {words.heading} are not split in the configured shares (p ={" "}
                {srm.pValue.toExponential(1)}). Assignment or logging is broken,
                so no figure of this experiment can be trusted until it is
                fixed.
              </p>
            </Banner>
          </Layout.Section>
        ) : null}
        {small.length > 0 && experiment.status !== "draft" ? (
          <Layout.Section>
            <Banner tone="warning" title="Minimum sample not reached">
              <p>
                The verdict waits for at least {units(1000)} and 100 orders in
                every arm; the intervals below are too wide to act on before
                that. Below it:{" "}
                {small
                  .map((w) =>
                    w.kind === "minimum_sample"
                      ? `${armName.get(w.armId)} (${units(w.visitors)}, ${w.orders} orders)`
                      : "",
                  )
                  .join("; ")}
                .
              </p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="p">
                Primary metric: <strong>{metricName(primary)}</strong>.
                Placements:{" "}
                {experiment.placements
                  .map((p) => PLACEMENT_LABELS[p])
                  .join(", ")}
                .
                {experiment.startedAt
                  ? ` Started ${experiment.startedAt.slice(0, 10)}.`
                  : " Not started."}
                {experiment.stoppedAt
                  ? ` Stopped ${experiment.stoppedAt.slice(0, 10)}.`
                  : ""}
              </Text>
              <FigureTable
                columnContentTypes={["text", "numeric", "numeric", "text"]}
                headings={["Arm", "Traffic share", "Offers shown", "Strategy"]}
                rows={experiment.arms.map((arm) => [
                  armLabel(arm),
                  `${arm.weight}%`,
                  arm.holdout
                    ? "none"
                    : (arm.offerCount ?? "placement setting"),
                  arm.holdout
                    ? "no widget"
                    : (arm.strategy ?? "placement setting"),
                ])}
              />
            </BlockStack>
          </Card>
        </Layout.Section>
        <ResultsSection title="Results per arm">
          <Text as="p" tone="subdued">
            Figures with 95% intervals. Revenue is net of refunds, in {currency}
            ;{" "}
            {unit === "checkout"
              ? "each checkout counts its own order."
              : "only orders placed after a visitor was first assigned count."}
          </Text>
          <FigureTable
            columnContentTypes={[
              "text",
              "numeric",
              "numeric",
              "numeric",
              "numeric",
              "numeric",
            ]}
            headings={[
              "Arm",
              words.heading,
              "Orders",
              "Conversion",
              "Average order value",
              metricName("rpv"),
            ]}
            rows={report.arms.map((arm) => [
              armName.get(arm.id) ?? arm.id,
              arm.visitors.toLocaleString("en"),
              arm.orders,
              interval(arm.conversion, (v) => formatPercent(v, 2)),
              interval(arm.aov, money),
              interval(arm.rpv, money),
            ])}
          />
        </ResultsSection>
        {series.at.length > 0 ? (
          <ResultsSection title="Over time">
            <Text as="p" tone="subdued">
              Each point is the arm&apos;s figure as it stood then, counting
              everything since the start, with its 95% interval as dashed lines
              (fixed-horizon, per arm: the verdict below rests on the sequential
              test, not on these).{" "}
              {series.step === "day"
                ? "One point per day (UTC)."
                : series.step === "hour"
                  ? "One point per hour (UTC) until the experiment has run two days."
                  : "Points spread evenly since the start; one per hour after two hours, one per day after two days."}
            </Text>
            <div role="group" aria-label="Chart legend">
              <InlineStack gap="300" wrap>
                {chartArms.map((arm) => (
                  <InlineStack key={arm.armId} gap="100" blockAlign="center">
                    <span
                      aria-hidden
                      style={{
                        display: "inline-block",
                        width: 16,
                        height: 3,
                        background: arm.color,
                      }}
                    />
                    <Text as="span" variant="bodySm">
                      {arm.name}
                    </Text>
                  </InlineStack>
                ))}
              </InlineStack>
            </div>
            {(
              [
                ["aov", "Average order value"],
                ["rpv", metricName("rpv")],
              ] as const
            ).map(([metric, title]) => (
              <figure
                key={metric}
                aria-label={`${title} per arm over time`}
                style={{ margin: 0 }}
              >
                <BlockStack gap="200">
                  <Text as="h3" variant="headingSm">
                    {title}
                  </Text>
                  <ChartBox height={240}>
                    <ExperimentChart
                      labels={chartLabels}
                      arms={chartArms.map((arm) => ({
                        name: arm.name,
                        color: arm.color,
                        points: arm[metric],
                      }))}
                      formatY={(v) => money(Math.round(v))}
                    />
                  </ChartBox>
                </BlockStack>
              </figure>
            ))}
          </ResultsSection>
        ) : null}
        <ResultsSection title={`Verdict against ${armName.get(reference.id)}`}>
          <Text as="p" tone="subdued">
            The verdict uses an always-valid sequential test on{" "}
            {metricName(primary).toLowerCase()}: it stays correct however often
            you look, and once reached it does not flip back. Beside it, the
            same test&apos;s always-valid 95% interval for the difference: the
            verdict is reached exactly when the interval leaves out zero.
          </Text>
          <FigureTable
            columnContentTypes={["text", "text", "numeric", "numeric"]}
            headings={[
              "Arm",
              "Verdict",
              `Difference in ${metricName(primary).toLowerCase()} (always-valid 95% interval)`,
              "Always-valid p-value",
            ]}
            rows={report.arms
              .filter((arm) => arm.id !== reference.id)
              .map((arm) => {
                const c = comparison.get(arm.id)!;
                const verdict = VERDICTS[c.verdict];
                return [
                  armName.get(arm.id) ?? arm.id,
                  <Badge key="verdict" tone={verdict.tone}>
                    {verdict.label}
                  </Badge>,
                  differenceInterval(
                    c.difference,
                    c.sequential?.alwaysValidInterval ?? null,
                  ),
                  c.sequential ? c.sequential.pValue.toFixed(3) : "—",
                ];
              })}
          />
        </ResultsSection>
        <ResultsSection title="Relative lift (fixed-horizon)">
          <Text as="p" tone="subdued">
            Lift against {armName.get(reference.id)} with fixed-horizon 95%
            intervals: correct for a single look at a sample size chosen in
            advance, narrower than the always-valid interval above, and not what
            the verdict rests on.
          </Text>
          <FigureTable
            columnContentTypes={["text", "numeric", "numeric", "numeric"]}
            headings={[
              "Arm",
              "Conversion",
              "Average order value",
              metricName("rpv"),
            ]}
            rows={report.arms
              .filter((arm) => arm.id !== reference.id)
              .map((arm) => {
                const c = comparison.get(arm.id)!;
                return [
                  armName.get(arm.id) ?? arm.id,
                  interval(c.lift.conversion, formatSignedPercent),
                  interval(c.lift.aov, formatSignedPercent),
                  interval(c.lift.rpv, formatSignedPercent),
                ];
              })}
          />
        </ResultsSection>
        {lifetimeValue ? (
          <Layout.Section>
            <LifetimeValueCard ltv={lifetimeValue} />
          </Layout.Section>
        ) : null}
      </Layout>
      <Modal
        open={confirmStop}
        onClose={() => setConfirmStop(false)}
        title="Stop this experiment?"
        primaryAction={{
          content: "Stop experiment",
          destructive: true,
          onAction: () => post("stop"),
        }}
        secondaryActions={[
          { content: "Keep it running", onAction: () => setConfirmStop(false) },
        ]}
      >
        <Modal.Section>
          <Text as="p">
            Every {words.one} gets the placements&apos; own settings again, and
            the results freeze at what they show now. A stopped experiment
            cannot be restarted.
          </Text>
        </Modal.Section>
      </Modal>
    </Page>
  );
}
