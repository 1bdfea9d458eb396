import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { Link as RemixLink, useFetcher, useLoaderData } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  Card,
  InlineStack,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { FigureTable } from "~/components/figure-table";
import { z } from "zod";
import { authenticate } from "~/shopify.server";
import { listExperiments } from "~/services/experiments/experiments.server";
import { experimentUnit } from "~/engine/types";
import {
  BANDIT_PLACEMENTS,
  banditOverview,
  setBanditEnabled,
} from "~/services/experiments/offer-count.server";
import {
  metricLabel,
  PLACEMENT_LABELS,
  STATUS_TONES,
  formatPercent,
} from "~/components/experiment-format";
import { postedFields } from "~/http/admin-form.server";
import { EmptyPanel } from "~/components/empty-panel";

export { ErrorBoundary, headers } from "~/http/admin-boundary";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [experiments, bandits] = await Promise.all([
    listExperiments(session.shop),
    banditOverview(session.shop),
  ]);
  return {
    experiments: experiments.map((e) => ({
      id: e.id,
      name: e.name,
      status: e.status,
      primaryMetric: e.primaryMetric,
      placements: e.placements,
      unit: experimentUnit(e.placements),
      arms: e.arms.length,
      holdout: e.arms.some((a) => a.holdout),
      startedAt: e.startedAt?.toISOString() ?? null,
    })),
    bandits: bandits.map((b) => ({
      ...b,
      learnedThrough: b.learnedThrough?.toISOString() ?? null,
    })),
  };
};

const BanditToggle = z.object({
  placement: z.enum(BANDIT_PLACEMENTS),
  enabled: z.enum(["true", "false"]).transform((v) => v === "true"),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsed = BanditToggle.safeParse(await postedFields(request));
  if (!parsed.success)
    return data({ error: "Unknown placement or value" }, { status: 400 });
  await setBanditEnabled(
    session.shop,
    parsed.data.placement,
    parsed.data.enabled,
  );
  return { ok: true };
};

function BanditCard({
  bandit,
}: {
  bandit: ReturnType<typeof useLoaderData<typeof loader>>["bandits"][number];
}) {
  const fetcher = useFetcher<typeof action>();
  const enabled = fetcher.formData
    ? fetcher.formData.get("enabled") === "true"
    : bandit.enabled;
  const best = [...bandit.beliefs].sort(
    (a, b) => b.probabilityBest - a.probabilityBest,
  )[0];
  return (
    <Card>
      <BlockStack gap="300">
        {/* The toggle stays whole beside a long placement name on a phone, as on the other cards. */}
        <InlineStack align="space-between" blockAlign="center" wrap={false}>
          <InlineStack gap="200" blockAlign="center">
            <Text as="h3" variant="headingSm">
              {PLACEMENT_LABELS[bandit.placement]}
            </Text>
            <Badge tone={enabled ? "success" : undefined}>
              {enabled ? "Learning" : "Off"}
            </Badge>
          </InlineStack>
          <fetcher.Form method="post" style={{ flexShrink: 0 }}>
            <input type="hidden" name="placement" value={bandit.placement} />
            <input
              type="hidden"
              name="enabled"
              value={enabled ? "false" : "true"}
            />
            <Button
              submit
              accessibilityLabel={`${enabled ? "Turn off" : "Turn on"} learned count for ${PLACEMENT_LABELS[bandit.placement]}`}
            >
              {enabled ? "Turn off" : "Turn on"}
            </Button>
          </fetcher.Form>
        </InlineStack>
        <FigureTable
          phone="table"
          columnContentTypes={["numeric", "numeric", "numeric", "numeric"]}
          headings={[
            "Offers shown",
            "Widgets seen",
            "Add-to-cart rate (posterior mean)",
            "Chance it is best",
          ]}
          rows={bandit.beliefs.map((b) => [
            b.count,
            b.impressions,
            // Before a widget is seen the mean is the prior's 50%, not a rate anyone measured.
            b.impressions === 0 ? "—" : formatPercent(b.mean),
            formatPercent(b.probabilityBest, 0),
          ])}
        />
        <Text as="p" tone="subdued">
          {bandit.beliefs.every((b) => b.impressions === 0)
            ? "No widgets shown with a learned count yet: every count is equally likely to be best."
            : `Currently favours ${best.count} offers (${formatPercent(best.probabilityBest, 0)} chance of being best).`}
        </Text>
      </BlockStack>
    </Card>
  );
}

export default function Experiments() {
  const { experiments, bandits } = useLoaderData<typeof loader>();
  return (
    <Page
      title="Experiments"
      primaryAction={{ content: "New experiment", url: "/app/experiments/new" }}
    >
      <Layout>
        <Layout.Section>
          <Card>
            {experiments.length === 0 ? (
              <EmptyPanel
                heading="Measure what Cartlift adds"
                action={{
                  content: "New experiment",
                  url: "/app/experiments/new",
                }}
              >
                <p>
                  Split visitors between Cartlift's offers and a hold-out that
                  sees no widget, and read the lift with a verdict that stays
                  valid however often you look.
                </p>
              </EmptyPanel>
            ) : (
              <FigureTable
                columnContentTypes={["text", "text", "text", "text", "text"]}
                headings={[
                  "Experiment",
                  "Status",
                  "Primary metric",
                  "Placements",
                  "Started",
                ]}
                rows={experiments.map((e) => [
                  <RemixLink key={e.id} to={`/app/experiments/${e.id}`}>
                    {e.name}
                  </RemixLink>,
                  <Badge key="status" tone={STATUS_TONES[e.status]}>
                    {e.status}
                  </Badge>,
                  metricLabel(e.primaryMetric, e.unit),
                  e.placements.map((p) => PLACEMENT_LABELS[p]).join(", "),
                  e.startedAt ? e.startedAt.slice(0, 10) : "—",
                ])}
              />
            )}
          </Card>
        </Layout.Section>
        <Layout.Section>
          <BlockStack gap="300">
            {/* On a phone the cards reach the screen's edges: the words between them keep a margin. */}
            <Box paddingInline={{ xs: "400", sm: "0" }}>
              <BlockStack gap="300">
                <Text as="h2" variant="headingMd">
                  Learned offer count
                </Text>
                <Text as="p" tone="subdued">
                  When on, each widget shows 2 to 6 offers, chosen by Thompson
                  sampling: counts that lead to more add-to-carts are shown more
                  often, while the others are still tried now and then. An
                  experiment arm with its own count takes precedence.
                </Text>
              </BlockStack>
            </Box>
            {bandits.map((bandit) => (
              <BanditCard key={bandit.placement} bandit={bandit} />
            ))}
          </BlockStack>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
