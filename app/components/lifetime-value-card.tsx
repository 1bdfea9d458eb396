import { BlockStack, Card, Text } from "@shopify/polaris";
import { FigureTable } from "~/components/figure-table";
import type {
  Difference,
  Estimate,
  LifetimeValue,
} from "~/services/measurement/lifetime-value";
import { formatMinor, formatPercent } from "~/components/experiment-format";

function signedMoney(minor: number, currency: string) {
  const text = formatMinor(minor, currency);
  return minor > 0 ? `+${text}` : text;
}

function withInterval(d: Difference, format: (v: number) => string): string {
  if (!d.interval) return `${format(d.value)} (too few buyers yet)`;
  return `${format(d.value)} (${format(d.interval[0])} to ${format(d.interval[1])})`;
}

/** What the longest horizon with an interval says about pull-forward. */
function reading(ltv: LifetimeValue): string {
  const known = [...ltv.horizons]
    .reverse()
    .find((h) => h.versusHoldout.accepted.revenue.interval);
  if (!known)
    return "Too few buyers have been followed long enough to compare them with the hold-out.";
  const [low, high] = known.versusHoldout.accepted.revenue.interval!;
  if (high < 0)
    return `After ${known.days} days, shoppers who took an offer have spent less than the hold-out: offers may be pulling later purchases forward.`;
  if (low > 0)
    return `After ${known.days} days, shoppers who took an offer have spent more than the hold-out.`;
  return `After ${known.days} days, the interval still includes no difference: no sign of pull-forward, and no proof of a lasting gain either.`;
}

/**
 * Repeat purchases after the first order, for the experiment's buyers against its hold-out
 * (app/services/measurement/lifetime-value.ts).
 */
export function LifetimeValueCard({
  ltv,
  title = "Lifetime value and pull-forward",
}: {
  ltv: LifetimeValue;
  title?: string;
}) {
  const money = (v: number) => signedMoney(v, ltv.currency);
  const rate = (e: Estimate) =>
    e.n > 0 ? `${formatPercent(e.mean)} of ${e.n}` : "—";
  const perBuyer = (e: Estimate) =>
    e.n > 0 ? formatMinor(e.mean, ltv.currency) : "—";
  const followed = ltv.horizons.some(
    (h) => h.cohorts.holdout.repeatRate.n + h.cohorts.accepted.repeatRate.n > 0,
  );
  const points = (v: number) =>
    `${v > 0 ? "+" : ""}${(v * 100).toFixed(1)} pts`;
  return (
    <Card>
      <BlockStack gap="300">
        <Text as="h2" variant="headingMd">
          {title}
        </Text>
        <Text as="p" tone="subdued">
          Buyers followed after their first order: {ltv.buyers.holdout} in the
          hold-out, {ltv.buyers.accepted} who took an offer,{" "}
          {ltv.buyers.offered} offered in all. A buyer counts at a horizon once
          that many days have passed since their first order. Differences are
          against the hold-out, with a 95% interval (normal approximation of the
          difference of per-customer means).
        </Text>
        <Text as="p">{reading(ltv)}</Text>
        {followed ? (
          <FigureTable
            columnContentTypes={[
              "text",
              "numeric",
              "numeric",
              "numeric",
              "numeric",
            ]}
            headings={[
              "After first order",
              "Bought again: hold-out / took an offer",
              "Difference",
              "Repeat revenue per buyer: hold-out / took an offer",
              "Difference",
            ]}
            rows={ltv.horizons.map((h) => [
              `${h.days} days`,
              `${rate(h.cohorts.holdout.repeatRate)} / ${rate(h.cohorts.accepted.repeatRate)}`,
              withInterval(h.versusHoldout.accepted.repeatRate, points),
              `${perBuyer(h.cohorts.holdout.revenue)} / ${perBuyer(h.cohorts.accepted.revenue)}`,
              withInterval(h.versusHoldout.accepted.revenue, money),
            ])}
          />
        ) : null}
        {followed ? (
          <Text as="p" tone="subdued">
            Everyone offered, whether or not they took an offer, against the
            hold-out (the randomised comparison; takers choose themselves):{" "}
            {ltv.horizons
              .map(
                (h) =>
                  `${h.days} days ${withInterval(h.versusHoldout.offered.revenue, money)}`,
              )
              .join("; ")}
            .
          </Text>
        ) : null}
      </BlockStack>
    </Card>
  );
}
