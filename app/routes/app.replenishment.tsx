import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import {
  useActionData,
  useLoaderData,
  useNavigation,
  useSubmit,
} from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Card,
  DataTable,
  EmptyState,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { z } from "zod";
import { authenticate } from "~/shopify.server";
import {
  METAFIELD_KEY,
  METAFIELD_NAMESPACE,
  ReplenishmentSyncError,
  replenishmentOverview,
  syncReplenishmentMetafields,
} from "~/services/replenishment/replenishment.server";

export { ErrorBoundary, headers } from "~/http/admin-boundary";

/** Writing customer metafields is an optional scope the merchant grants for this feature. */
const WRITE_CUSTOMERS = "write_customers";
const SHOWN = 100;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const overview = await replenishmentOverview(session.shop);
  const canPublish = (session.scope ?? "").split(",").includes(WRITE_CUSTOMERS);
  return {
    canPublish,
    metafield: `${METAFIELD_NAMESPACE}.${METAFIELD_KEY}`,
    intervals: overview.intervals,
    dueCount: overview.due.length,
    // Keys are pseudonymous; the first characters are enough to tell rows apart.
    due: overview.due.slice(0, SHOWN).map((d) => ({
      customer: d.customerKey.slice(0, 8),
      productTitle: d.productTitle,
      lastPurchasedAt: d.lastPurchasedAt.slice(0, 10),
      dueAt: d.dueAt.slice(0, 10),
      status: d.status,
    })),
  };
};

const Intent = z.object({ intent: z.literal("publish") });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  if (!Intent.safeParse(Object.fromEntries(await request.formData())).success)
    return data({ error: "Unknown action", summary: null }, { status: 400 });
  if (!(session.scope ?? "").split(",").includes(WRITE_CUSTOMERS))
    return data(
      {
        error: `Publishing reminders needs the ${WRITE_CUSTOMERS} permission.`,
        summary: null,
      },
      { status: 403 },
    );
  try {
    const summary = await syncReplenishmentMetafields(
      session.shop,
      admin.graphql,
    );
    return { error: null, summary };
  } catch (error) {
    if (error instanceof ReplenishmentSyncError)
      return data({ error: error.message, summary: null }, { status: 502 });
    throw error;
  }
};

const STATUS = {
  due_soon: { label: "Due soon", tone: "info" },
  due: { label: "Due", tone: "success" },
  overdue: { label: "Overdue", tone: "warning" },
} as const;

export default function Replenishment() {
  const { canPublish, metafield, intervals, due, dueCount } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const submit = useSubmit();
  const navigation = useNavigation();
  return (
    <Page
      title="Replenishment reminders"
      primaryAction={{
        content: "Publish to customer metafields",
        disabled: !canPublish || dueCount === 0,
        loading: navigation.state === "submitting",
        onAction: () => submit({ intent: "publish" }, { method: "post" }),
      }}
    >
      <Layout>
        {result?.summary ? (
          <Layout.Section>
            <Banner tone="success" title="Reminders published">
              <p>
                {result.summary.written} customers with marketing consent now
                carry the reminder; {result.summary.withoutConsent} due
                customers without consent were left out;{" "}
                {result.summary.cleared} outdated reminders were removed (
                {result.summary.customers} recent customers checked).
              </p>
            </Banner>
          </Layout.Section>
        ) : null}
        {result?.error ? (
          <Layout.Section>
            <Banner tone="critical" title="Could not publish reminders">
              <p>{result.error}</p>
            </Banner>
          </Layout.Section>
        ) : null}
        <Layout.Section>
          <Card>
            <BlockStack gap="200">
              <Text as="p">
                Customers who usually re-order a product and whose moment has
                come. Publishing writes the JSON metafield{" "}
                <code>{metafield}</code> on each due customer who agreed to
                email or SMS marketing, for Shopify Flow or your email tool to
                read; customers without consent are never written, and reminders
                that no longer apply are removed.
              </Text>
              {canPublish ? null : (
                <Text as="p" tone="caution">
                  Publishing needs the optional {WRITE_CUSTOMERS} permission;
                  the list below works without it.
                </Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Re-order intervals
              </Text>
              {intervals.length === 0 ? (
                <Text as="p" tone="subdued">
                  No product has enough repeat purchases yet (at least 3
                  customers and 5 re-orders).
                </Text>
              ) : (
                <DataTable
                  columnContentTypes={["text", "numeric", "text", "numeric"]}
                  headings={[
                    "Product",
                    "Typical interval",
                    "Middle half of re-orders",
                    "Customers",
                  ]}
                  rows={intervals.map((i) => [
                    i.productTitle,
                    `${Math.round(i.medianDays)} days`,
                    `${Math.round(i.q1Days)}–${Math.round(i.q3Days)} days`,
                    i.customers,
                  ])}
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Due now ({dueCount})
              </Text>
              {due.length === 0 ? (
                <EmptyState heading="Nobody is due right now" image="">
                  <p>Customers appear here when their usual re-order nears.</p>
                </EmptyState>
              ) : (
                <DataTable
                  columnContentTypes={["text", "text", "text", "text", "text"]}
                  headings={[
                    "Customer (pseudonymous)",
                    "Product",
                    "Last bought",
                    "Due",
                    "Status",
                  ]}
                  rows={due.map((d) => [
                    d.customer,
                    d.productTitle,
                    d.lastPurchasedAt,
                    d.dueAt,
                    <Badge key="status" tone={STATUS[d.status].tone}>
                      {STATUS[d.status].label}
                    </Badge>,
                  ])}
                  footerContent={
                    dueCount > due.length
                      ? `Showing the first ${due.length} of ${dueCount}`
                      : undefined
                  }
                />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
