import { BlockStack, Card, DataTable, Text } from "@shopify/polaris";
import type {
  Difference,
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
        <DataTable
          columnContentTypes={[
            "text",
            "numeric",
            "numeric",
            "numeric",
            "numeric",
            "numeric",
          ]}
          headings={[
            "After first order",
            "Hold-out: bought again",
            "Took an offer: bought again",
            "Difference",
            "Repeat revenue per buyer: hold-out / took an offer",
            "Difference",
          ]}
          rows={ltv.horizons.map((h) => [
            `${h.days} days`,
            `${formatPercent(h.cohorts.holdout.repeatRate.mean)} of ${h.cohorts.holdout.repeatRate.n}`,
            `${formatPercent(h.cohorts.accepted.repeatRate.mean)} of ${h.cohorts.accepted.repeatRate.n}`,
            withInterval(h.versusHoldout.accepted.repeatRate, points),
            `${formatMinor(h.cohorts.holdout.revenue.mean, ltv.currency)} / ${formatMinor(h.cohorts.accepted.revenue.mean, ltv.currency)}`,
            withInterval(h.versusHoldout.accepted.revenue, money),
          ])}
        />
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
      </BlockStack>
    </Card>
  );
}
