import type { LoaderFunctionArgs } from "@remix-run/node";
import {
  useLoaderData,
  useNavigation,
  useSearchParams,
} from "@remix-run/react";
import {
  BlockStack,
  Box,
  Card,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
} from "@shopify/polaris";
import { FigureTable } from "~/components/figure-table";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { lazy } from "react";
import { ChartBox } from "~/components/chart-box";
import { z } from "zod";
import { authenticate } from "~/shopify.server";
import { formatMoney } from "~/engine/money";
import { PLACEMENTS } from "~/engine/types";
import { STRATEGIES } from "~/engine/strategies";
import { strategyName } from "~/components/strategy-names";
import { instantLabel } from "~/components/experiment-format";
import {
  loadDashboard,
  rangeFilter,
} from "~/services/measurement/dashboard.server";
import { loadLatestLifetimeValue } from "~/services/measurement/lifetime-value.server";
import { LifetimeValueCard } from "~/components/lifetime-value-card";
import type { Series } from "~/components/dashboard-charts";
import { EmptyPanel } from "~/components/empty-panel";

export { ErrorBoundary, headers } from "~/http/admin-boundary";

export const links = () => [{ rel: "stylesheet", href: vizStyles }];

const Chart = lazy(() => import("~/components/dashboard-charts"));

const Query = z.object({
  range: z.enum(["7d", "30d", "90d"]).catch("30d"),
  placement: z.enum(PLACEMENTS).optional().catch(undefined),
  strategy: z.string().max(40).optional().catch(undefined),
});

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const q = Query.parse(Object.fromEntries(new URL(request.url).searchParams));
  const strategy =
    q.strategy && (STRATEGIES as string[]).includes(q.strategy)
      ? q.strategy
      : undefined;
  const [dashboard, lifetimeValue] = await Promise.all([
    loadDashboard(session.shop, {
      ...rangeFilter(q.range),
      placement: q.placement,
      strategy,
    }),
    loadLatestLifetimeValue(session.shop),
  ]);
  return { dashboard, strategies: STRATEGIES, lifetimeValue };
};

const PLACEMENT_NAMES: Record<string, string> = {
  product_fbt: "Frequently bought together",
  product_upgrade: "Upgrade",
  cart: "Cart page",
  drawer: "Cart drawer",
  post_purchase: "After checkout",
};

const pct = (x: number | null) =>
  x === null ? "—" : `${(x * 100).toFixed(1)}%`;

function Kpi({
  label,
  value,
  help,
}: {
  label: string;
  value: string;
  help: string;
}) {
  return (
    <Card>
      <BlockStack gap="100">
        <Text as="h3" variant="bodySm" tone="subdued">
          {label}
        </Text>
        <Text as="p" variant="headingLg">
          {value}
        </Text>
        <Text as="p" variant="bodySm" tone="subdued">
          {help}
        </Text>
      </BlockStack>
    </Card>
  );
}

export default function DashboardPage() {
  const {
    dashboard: d,
    strategies,
    lifetimeValue,
  } = useLoaderData<typeof loader>();
  const [params, setParams] = useSearchParams();
  const navigation = useNavigation();
  const money = (minor: number | null) =>
    minor === null ? "—" : formatMoney({ amount: minor, currency: d.currency });
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { preventScrollReset: true });
  };
  // Each filter is a query parameter; `unset` is what a missing one means.
  const filters = [
    {
      label: "Date range",
      key: "range",
      unset: "30d",
      options: [
        { label: "Last 7 days", value: "7d" },
        { label: "Last 30 days", value: "30d" },
        { label: "Last 90 days", value: "90d" },
      ],
    },
    {
      label: "Placement",
      key: "placement",
      unset: "",
      options: [
        { label: "All placements", value: "" },
        ...PLACEMENTS.map((p) => ({ label: PLACEMENT_NAMES[p], value: p })),
      ],
    },
    {
      label: "Strategy",
      key: "strategy",
      unset: "",
      options: [
        { label: "All strategies", value: "" },
        ...strategies.map((s) => ({ label: strategyName(s), value: s })),
      ],
    },
  ];
  const noEvents = d.impressions === 0;
  // The range ends with today (UTC), whose figures are so far: said on its label, so that the
  // line's drop at the end does not read as a bad day.
  const dayKey = (date: string, i: number) =>
    `${instantLabel(date, "day")}${i === d.days.length - 1 ? " (so far)" : ""}`;
  const revenueSeries: Series[] = [
    {
      name: "Revenue",
      data: d.days.map((x, i) => ({
        key: dayKey(x.date, i),
        value: x.revenue,
      })),
    },
    {
      name: "From recommendations",
      data: d.days.map((x, i) => ({
        key: dayKey(x.date, i),
        value: x.attributedRevenue,
      })),
    },
  ];
  const ctrSeries: Series[] = [
    {
      name: "CTR",
      data: d.placements.map((p) => ({
        key: PLACEMENT_NAMES[p.placement] ?? p.placement,
        value: p.ctr === null ? 0 : Math.round(p.ctr * 1000) / 10,
      })),
    },
  ];

  return (
    <Page
      title="Dashboard"
      subtitle="What recommendations bring in, measured from your orders."
    >
      <BlockStack gap="400">
        {/* Cards run to a phone's edges; the filters keep the page's margin, like its title. */}
        <Box paddingInline={{ xs: "400", sm: "0" }}>
          <InlineStack gap="300">
            {filters.map(({ label, key, unset, options }) => (
              <Select
                key={key}
                label={label}
                labelInline
                options={options}
                value={params.get(key) ?? unset}
                onChange={(v) => set(key, v)}
              />
            ))}
          </InlineStack>
        </Box>
        <div style={{ opacity: navigation.state === "loading" ? 0.6 : 1 }}>
          <BlockStack gap="400">
            <InlineGrid columns={{ xs: 2, md: 4 }} gap="400">
              <Kpi
                label="Average order value"
                value={money(d.aov)}
                help={`${d.orders} orders`}
              />
              <Kpi
                label="Revenue per visitor"
                value={money(d.revenuePerVisitor)}
                help={`${d.visitors} visitors saw an offer`}
              />
              <Kpi
                label="Recommendation CTR"
                value={pct(d.ctr)}
                help={`${d.clicks} clicks of ${d.impressions} offer views`}
              />
              <Kpi
                label="Conversion"
                value={pct(d.conversion)}
                help={`${d.buyers} of ${d.visitors} visitors who saw an offer bought through one`}
              />
              <Kpi
                label="Attributed revenue"
                value={money(d.attributedRevenue)}
                help={`${d.attributedOrders} orders, net of refunds`}
              />
              <Kpi
                label="Share of revenue"
                value={pct(d.attributedShare)}
                help="Recommended items over all revenue"
              />
              <Kpi
                label="Add rate"
                value={pct(d.addRate)}
                help="Adds to cart per offer view"
              />
              <Kpi
                label="Return rate (other items)"
                value={pct(d.baselineReturnRate)}
                help="Baseline for the rates by placement below"
              />
            </InlineGrid>
            {d.orders === 0 && noEvents ? (
              <Card>
                <EmptyPanel heading="No results in this range yet">
                  <p>
                    Results appear once shoppers see recommendations. Turn on
                    the cart drawer and add the blocks to your theme from the
                    Home checklist, then come back in a day.
                  </p>
                </EmptyPanel>
              </Card>
            ) : (
              <Layout>
                <Layout.Section>
                  <Card>
                    <BlockStack gap="300">
                      <Text as="h2" variant="headingMd">
                        Revenue by day
                      </Text>
                      <Text as="p" variant="bodySm" tone="subdued">
                        Days in UTC. The last one is today, so far.
                      </Text>
                      <ChartBox>
                        <Chart
                          kind="line"
                          series={revenueSeries}
                          formatY={(v) => money(Math.round(v))}
                        />
                      </ChartBox>
                    </BlockStack>
                  </Card>
                </Layout.Section>
                <Layout.Section variant="oneThird">
                  <Card>
                    <BlockStack gap="300">
                      <Text as="h2" variant="headingMd">
                        Click-through by placement
                      </Text>
                      {noEvents ? (
                        <Box minHeight="260px">
                          <Text as="p" tone="subdued">
                            No storefront views recorded yet. Views and clicks
                            are counted once the Cartlift blocks or the cart
                            drawer are on your theme (see Home).
                          </Text>
                        </Box>
                      ) : (
                        <ChartBox>
                          <Chart
                            kind="bar"
                            series={ctrSeries}
                            formatY={(v) => `${v}%`}
                          />
                        </ChartBox>
                      )}
                    </BlockStack>
                  </Card>
                </Layout.Section>
              </Layout>
            )}
            <Card padding="0">
              <FigureTable
                columnContentTypes={[
                  "text",
                  "numeric",
                  "numeric",
                  "numeric",
                  "numeric",
                  "numeric",
                  "numeric",
                  "numeric",
                ]}
                headings={[
                  "Placement",
                  "Views",
                  "Clicks",
                  "CTR",
                  "Visitors",
                  "Orders",
                  "Attributed revenue",
                  "Return rate",
                ]}
                rows={d.placements.map((p) => [
                  PLACEMENT_NAMES[p.placement] ?? p.placement,
                  p.impressions,
                  p.clicks,
                  pct(p.ctr),
                  p.visitors,
                  p.attributedOrders,
                  money(p.attributedRevenue),
                  pct(p.returnRate),
                ])}
                footerContent="Views: offers seen by a visitor (a click, an add or an order through an offer counts as seen). Visitors: distinct visitors who saw an offer here. Orders and attributed revenue: items bought through an offer here and not returned."
              />
            </Card>
            {d.strategies.length > 0 && (
              <Card padding="0">
                <FigureTable
                  columnContentTypes={["text", "numeric", "numeric"]}
                  headings={["Strategy", "Attributed revenue", "Lines"]}
                  rows={d.strategies.map((s) => [
                    strategyName(s.strategy),
                    money(s.attributedRevenue),
                    s.lines,
                  ])}
                />
              </Card>
            )}
            {lifetimeValue && (
              <LifetimeValueCard
                ltv={lifetimeValue.lifetimeValue}
                title={`Lifetime value and pull-forward: ${lifetimeValue.experiment.name}`}
              />
            )}
          </BlockStack>
        </div>
      </BlockStack>
    </Page>
  );
}
