import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useFetcher, useLoaderData, useNavigation } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  Card,
  InlineGrid,
  InlineStack,
  Layout,
  Page,
  SkeletonBodyText,
  Tabs,
  Text,
  Thumbnail,
  Tooltip,
} from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { useEffect, useState } from "react";
import { z } from "zod";
import { authenticate } from "~/shopify.server";
import { syncDiscountAfterWrite } from "~/services/merchandising/bundle-discount.server";
import { formatMoney, formatPercent } from "~/engine/money";
import {
  type Suggestion,
  acceptSuggestion,
  dismissSuggestion,
  listSuggestions,
  restoreDismissed,
} from "~/services/merchandising/suggestions.server";
import { postedFields } from "~/http/admin-form.server";
import { EmptyPanel } from "~/components/empty-panel";

export { ErrorBoundary, headers } from "~/http/admin-boundary";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return listSuggestions(session.shop);
};

const Intent = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("accept"), key: z.string().min(1).max(200) }),
  z.object({ intent: z.literal("dismiss"), key: z.string().min(1).max(200) }),
  z.object({ intent: z.literal("restore") }),
]);

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const parsed = Intent.safeParse(await postedFields(request));
  if (!parsed.success)
    return data({ error: "Unknown action" }, { status: 400 });
  const form = parsed.data;
  // A suggestion accepted or dismissed in another tab is no longer open: the list shows why
  // instead of an error page.
  const notOpen = () =>
    data({ error: "This suggestion is no longer open" }, { status: 404 });
  if (form.intent === "accept") {
    const created = await acceptSuggestion(session.shop, form.key);
    if (!created) return notOpen();
    if (created.kind !== "bundle") return { message: "Rule created" };
    const discountError = await syncDiscountAfterWrite(
      session.shop,
      admin.graphql,
    );
    return discountError
      ? data(
          {
            error: `Bundle created, but its discount is not: ${discountError}`,
          },
          { status: 502 },
        )
      : { message: "Bundle created" };
  }
  if (form.intent === "dismiss") {
    if (!(await dismissSuggestion(session.shop, form.key))) return notOpen();
    return { message: "Suggestion dismissed" };
  }
  const count = await restoreDismissed(session.shop);
  return { message: `${count} suggestions restored` };
};

const KINDS = [
  { id: "bundle", label: "Bundles" },
  { id: "cross_sell", label: "Cross-sells" },
  { id: "upgrade", label: "Upgrades" },
] as const;

const pct = (x: number | null, digits = 1) =>
  x === null ? "—" : `${(x * 100).toFixed(digits)}%`;

export default function Suggestions() {
  const { suggestions, trained, dismissed } = useLoaderData<typeof loader>();
  const [tab, setTab] = useState(0);
  const navigation = useNavigation();
  const restore = useFetcher<typeof action>();
  const kind = KINDS[tab].id;
  const shown = suggestions.filter((s) => s.kind === kind);

  return (
    <Page
      title="Suggestions"
      subtitle="What Cartlift learnt from your orders, with the evidence behind each suggestion."
      secondaryActions={
        dismissed > 0
          ? [
              {
                content: `Restore ${dismissed} dismissed`,
                loading: restore.state !== "idle",
                onAction: () =>
                  restore.submit({ intent: "restore" }, { method: "post" }),
              },
            ]
          : []
      }
    >
      <Layout>
        <Layout.Section>
          {!trained ? (
            <Card>
              <EmptyPanel
                heading="Suggestions appear after the first training"
                action={{ content: "See progress", url: "/app" }}
              >
                <p>
                  Cartlift imports your catalog and orders, then trains on them.
                  That takes a minute or two on most stores.
                </p>
              </EmptyPanel>
            </Card>
          ) : (
            <Card padding="0">
              <Tabs
                tabs={KINDS.map((k) => ({
                  id: k.id,
                  content: `${k.label} (${suggestions.filter((s) => s.kind === k.id).length})`,
                }))}
                selected={tab}
                onSelect={setTab}
              >
                <Box padding="400">
                  {navigation.state === "loading" ? (
                    <SkeletonBodyText lines={6} />
                  ) : shown.length === 0 ? (
                    <EmptyPanel
                      heading={`No open ${KINDS[tab].label.toLowerCase()}`}
                    >
                      <p>
                        {kind === "upgrade"
                          ? "Upgrades need products of the same type at a higher price within the price band."
                          : "Suggestions need products bought together in at least 5 orders, more often than chance. More orders bring more suggestions; Cartlift retrains daily."}
                      </p>
                    </EmptyPanel>
                  ) : (
                    <BlockStack gap="400" as="ul">
                      {shown.map((s) => (
                        <SuggestionRow key={s.key} suggestion={s} />
                      ))}
                    </BlockStack>
                  )}
                </Box>
              </Tabs>
            </Card>
          )}
        </Layout.Section>
      </Layout>
    </Page>
  );
}

/** What each figure means, a tap or hover away from its label. */
const DEFINITIONS = {
  orders:
    "Orders that contain all of these products. For upgrades: orders of the product upgraded from.",
  support:
    "Support: the share of all your orders that contain these products together (recent orders weigh more).",
  confidence:
    "Confidence: of the buyers of the first product, the share who also bought the rest, pulled towards your shop's average while the orders are few, so a handful of orders cannot look certain. The sentence above quotes the share before that adjustment. Cartlift ranks and prices with this figure.",
  lift: "Lift: how many times more often these are bought together than if buyers picked them independently. 1× is chance; Cartlift suggests pairs from 1.2×.",
  discount:
    "The discount with the highest expected margin per order of the first product, never below your margin floor, and capped by the evidence: at most 30% × orders ÷ (orders + 50), so a bundle with few orders earns only a small discount.",
  margin:
    "What one sale earns after the discount and the products' costs (or the assumed margin where a cost is unknown).",
  bundleGain:
    "An estimate, for every 100 orders of your shop: the orders with the first product that the discount is expected to win over to the whole bundle (Cartlift assumes 10% off multiplies the odds by 2.2), less the discount given to the orders that take it all today. An experiment measures the real figure.",
  pairToday:
    "What the pair brings in today, for every 100 orders of your shop: margin per sale × the share of all orders that hold both. How much showing the offer adds to it is what an experiment measures.",
} as const;

function Metric({
  label,
  value,
  help,
}: {
  label: string;
  value: string;
  help: string;
}) {
  return (
    <BlockStack gap="050">
      <Tooltip content={help} hasUnderline preferredPosition="above">
        <Text as="span" variant="bodySm" tone="subdued">
          {label}
        </Text>
      </Tooltip>
      <Text as="span" variant="bodyMd" fontWeight="semibold">
        {value}
      </Text>
    </BlockStack>
  );
}

function SuggestionRow({ suggestion: s }: { suggestion: Suggestion }) {
  const fetcher = useFetcher<typeof action>();
  const shopify = useAppBridge();
  const result = fetcher.data;
  useEffect(() => {
    if (!result) return;
    if ("error" in result) shopify.toast.show(result.error, { isError: true });
    else shopify.toast.show(result.message);
  }, [result, shopify]);
  // Optimistic: the row leaves as soon as the merchant decides; a failure brings it back.
  if (fetcher.state !== "idle" || (result && !("error" in result))) return null;
  const name = s.titles.join(s.kind === "bundle" ? " + " : " → ");
  const submit = (intent: "accept" | "dismiss") =>
    fetcher.submit({ intent, key: s.key }, { method: "post" });
  return (
    <Box
      as="li"
      borderColor="border"
      borderBlockEndWidth="025"
      paddingBlockEnd="400"
    >
      <BlockStack gap="300">
        <InlineStack align="space-between" blockAlign="start" gap="300">
          <BlockStack gap="100">
            {/* The title names the products: their pictures are decoration. */}
            {s.imageUrls.some(Boolean) && (
              // Polaris passes alignment down as an inherited custom property: the row above
              // spreads its children apart, this one keeps the pictures together.
              <InlineStack gap="100" align="start">
                {s.imageUrls.map((url, i) =>
                  url ? (
                    <Thumbnail
                      key={s.productIds[i]}
                      source={url}
                      alt=""
                      size="small"
                    />
                  ) : null,
                )}
              </InlineStack>
            )}
            <Text as="h3" variant="headingSm">
              {name}
            </Text>
            <InlineStack gap="200">
              <Text as="span" tone="subdued">
                {s.reason}
              </Text>
              {s.costAssumed && (
                <Badge tone="info">
                  Margin assumes 50% where cost is unknown
                </Badge>
              )}
            </InlineStack>
          </BlockStack>
          <InlineStack gap="200">
            <Button
              variant="primary"
              onClick={() => submit("accept")}
              accessibilityLabel={`Accept ${name}`}
            >
              Accept
            </Button>
            {s.kind === "bundle" && (
              <Button
                url={`/app/bundles/new?suggestion=${encodeURIComponent(s.key)}`}
                accessibilityLabel={`Edit ${name}`}
              >
                Edit
              </Button>
            )}
            <Button
              onClick={() => submit("dismiss")}
              accessibilityLabel={`Dismiss ${name}`}
            >
              Dismiss
            </Button>
          </InlineStack>
        </InlineStack>
        <InlineGrid columns={{ xs: 2, sm: 4, md: 7 }} gap="300">
          <Metric
            label={
              s.kind === "upgrade" ? "Orders of the product" : "Orders together"
            }
            value={String(s.evidence.orders)}
            help={DEFINITIONS.orders}
          />
          {s.kind !== "upgrade" && (
            <>
              <Metric
                label="Share of all orders"
                value={pct(s.evidence.support, 2)}
                help={DEFINITIONS.support}
              />
              <Metric
                label="Confidence (adjusted)"
                value={pct(s.evidence.confidence)}
                help={DEFINITIONS.confidence}
              />
              <Metric
                label="Lift over chance"
                value={
                  s.evidence.lift === null
                    ? "—"
                    : `${s.evidence.lift.toFixed(2)}×`
                }
                help={DEFINITIONS.lift}
              />
            </>
          )}
          {s.kind === "bundle" ? (
            <Metric
              label="Suggested discount"
              help={DEFINITIONS.discount}
              value={formatPercent(s.discountBps)}
            />
          ) : (
            <Metric
              label="Price"
              help={
                s.kind === "upgrade"
                  ? "The upgrade's price to the shopper."
                  : "Cross-sells are offered at the product's own price."
              }
              value={formatMoney(s.price)}
            />
          )}
          <Metric
            label={
              s.kind === "upgrade" ? "Extra margin per sale" : "Margin per sale"
            }
            help={DEFINITIONS.margin}
            value={formatMoney(s.margin)}
          />
          {s.marginPer100Orders !== null && (
            <Metric
              label={
                s.kind === "bundle"
                  ? "Extra margin per 100 orders"
                  : "Margin per 100 orders today"
              }
              help={
                s.kind === "bundle"
                  ? DEFINITIONS.bundleGain
                  : DEFINITIONS.pairToday
              }
              value={formatMoney({
                amount: s.marginPer100Orders,
                currency: s.margin.currency,
              })}
            />
          )}
        </InlineGrid>
      </BlockStack>
    </Box>
  );
}
