import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import {
  useActionData,
  useFetcher,
  useLoaderData,
  useNavigation,
  useSubmit,
} from "@remix-run/react";
import {
  Badge,
  Banner,
  BlockStack,
  Card,
  InlineStack,
  Layout,
  Modal,
  Page,
  Spinner,
  Text,
} from "@shopify/polaris";
import { useState } from "react";
import { z } from "zod";
import { FigureTable } from "~/components/figure-table";
import { authenticate } from "~/shopify.server";
import {
  METAFIELD_KEY,
  METAFIELD_NAMESPACE,
  ReplenishmentSyncError,
  type SyncSummary,
  planReplenishmentSync,
  publishConfirmedReminders,
  replenishmentOverview,
} from "~/services/replenishment/replenishment.server";
import { postedFields } from "~/http/admin-form.server";
import {
  type SendSummary,
  nextOfferSends,
  sendDueNextOffers,
} from "~/services/flow/next-offer.server";
import { NextOfferSends } from "~/components/next-offer-sends";
import { EmptyPanel } from "~/components/empty-panel";

export { ErrorBoundary, headers } from "~/http/admin-boundary";

/** Writing customer metafields is an optional scope the merchant grants for this feature. */
const WRITE_CUSTOMERS = "write_customers";
const SHOWN = 100;

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [overview, sends] = await Promise.all([
    replenishmentOverview(session.shop),
    nextOfferSends(session.shop),
  ]);
  const canPublish = (session.scope ?? "").split(",").includes(WRITE_CUSTOMERS);
  return {
    sends,
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

const Count = z.string().regex(/^\d+$/).transform(Number);
/**
 * "preview" counts who would be written (Admin API reads only); "publish" carries the counts the
 * merchant confirmed, and writes only if they still hold.
 */
const Intent = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("preview") }),
  z.object({ intent: z.literal("send") }),
  z.object({ intent: z.literal("publish"), written: Count, cleared: Count }),
]);

type ActionResult = {
  error: string | null;
  /** Counts of a publish that happened. */
  summary: SyncSummary | null;
  /** Counts of a publish waiting for confirmation. */
  preview: SyncSummary | null;
  /** What a send of the due next offers did. */
  sent: SendSummary | null;
};
const result = (fields: Partial<ActionResult>): ActionResult => ({
  error: null,
  summary: null,
  preview: null,
  sent: null,
  ...fields,
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session, admin } = await authenticate.admin(request);
  const parsed = Intent.safeParse(await postedFields(request));
  if (!parsed.success)
    return data(result({ error: "Unknown action" }), { status: 400 });
  // Sending to Flow needs no optional scope: the trigger's references are read scopes.
  if (parsed.data.intent === "send")
    return result({
      sent: await sendDueNextOffers(session.shop, admin.graphql),
    });
  if (!(session.scope ?? "").split(",").includes(WRITE_CUSTOMERS))
    return data(
      result({
        error: `Publishing reminders needs the ${WRITE_CUSTOMERS} permission.`,
      }),
      { status: 403 },
    );
  try {
    if (parsed.data.intent === "preview") {
      const plan = await planReplenishmentSync(session.shop, admin.graphql);
      return result({ preview: plan.summary });
    }
    const published = await publishConfirmedReminders(
      session.shop,
      admin.graphql,
      parsed.data,
    );
    if (published.status === "changed")
      return data(
        result({
          error:
            "The customers to write changed since you confirmed. Nothing was written; check the new counts and confirm again.",
          preview: published.summary,
        }),
        { status: 409 },
      );
    return result({ summary: published.summary });
  } catch (error) {
    if (error instanceof ReplenishmentSyncError)
      return data(result({ error: error.message }), { status: 502 });
    throw error;
  }
};

const STATUS = {
  due_soon: { label: "Due soon", tone: "info" },
  due: { label: "Due", tone: "success" },
  overdue: { label: "Overdue", tone: "warning" },
} as const;

export default function Replenishment() {
  const { canPublish, metafield, intervals, due, dueCount, sends } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const submit = useSubmit();
  const navigation = useNavigation();
  const preview = useFetcher<typeof action>();
  const [confirming, setConfirming] = useState(false);
  const counting = preview.state !== "idle";
  const counts = counting ? null : preview.data?.preview;
  const nothingToDo = counts ? counts.written + counts.cleared === 0 : true;
  return (
    <Page
      title="Replenishment reminders"
      primaryAction={{
        content: "Publish to customer metafields",
        disabled: !canPublish || dueCount === 0,
        loading: navigation.state === "submitting",
        onAction: () => {
          // Counting reads the Admin API only; nothing is written before the merchant confirms.
          setConfirming(true);
          preview.submit({ intent: "preview" }, { method: "post" });
        },
      }}
    >
      <Modal
        open={confirming}
        onClose={() => setConfirming(false)}
        title="Publish reminders?"
        primaryAction={{
          content: counts
            ? `Publish to ${customersLabel(counts.written)}`
            : "Publish",
          disabled: nothingToDo,
          onAction: () => {
            if (!counts) return;
            setConfirming(false);
            submit(
              {
                intent: "publish",
                written: String(counts.written),
                cleared: String(counts.cleared),
              },
              { method: "post" },
            );
          },
        }}
        secondaryActions={[
          { content: "Cancel", onAction: () => setConfirming(false) },
        ]}
      >
        <Modal.Section>
          {counting ? (
            <InlineStack gap="200" blockAlign="center">
              <Spinner size="small" accessibilityLabel="Counting customers" />
              <Text as="p">Counting the customers who would be written…</Text>
            </InlineStack>
          ) : counts ? (
            <BlockStack gap="200">
              <Text as="p" variant="headingMd">
                {customersLabel(counts.written)} will be written
              </Text>
              <Text as="p">
                Each gets the metafield <code>{metafield}</code> listing what
                they are due to re-order, for your Flow or email tool to act on.
              </Text>
              <Text as="p">
                {customersLabel(counts.withoutConsent)} due but without
                marketing consent will not be written;{" "}
                {counts.cleared === 1
                  ? "1 outdated reminder"
                  : `${counts.cleared} outdated reminders`}{" "}
                will be removed ({customersLabel(counts.customers)} with recent
                orders checked).
              </Text>
            </BlockStack>
          ) : (
            <Text as="p" tone="critical">
              {preview.data?.error ?? "Could not count the customers."}
            </Text>
          )}
        </Modal.Section>
      </Modal>
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
                  No product shows enough repeat purchases yet: at least 3
                  customers who bought it again, 5 re-orders, and clearly a
                  fifth or more of its buyers coming back for it.
                </Text>
              ) : (
                <FigureTable
                  columnContentTypes={["text", "numeric", "text", "numeric"]}
                  headings={[
                    "Product",
                    "Typical interval",
                    "Middle half of re-orders",
                    "Buyers who re-ordered",
                  ]}
                  rows={intervals.map((i) => [
                    i.productTitle,
                    `${Math.round(i.medianDays)} days`,
                    `${Math.round(i.q1Days)}–${Math.round(i.q3Days)} days`,
                    `${i.customers} of ${i.buyers} (${Math.round(i.repeatShare * 100)}%)`,
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
                In their re-order window ({dueCount})
              </Text>
              <Text as="p" tone="subdued">
                From each product&apos;s own re-order times: due soon once a
                quarter of its buyers have re-ordered by then, due from the
                usual (median) re-order date, overdue once three quarters have,
                until the window closes.
              </Text>
              {due.length === 0 ? (
                <EmptyPanel heading="Nobody is due right now">
                  <p>Customers appear here when their usual re-order nears.</p>
                </EmptyPanel>
              ) : (
                <FigureTable
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
        <Layout.Section>
          <NextOfferSends
            {...sends}
            sent={result?.sent ?? null}
            sending={
              navigation.state === "submitting" &&
              navigation.formData?.get("intent") === "send"
            }
            onSend={() => submit({ intent: "send" }, { method: "post" })}
          />
        </Layout.Section>
      </Layout>
    </Page>
  );
}

const customersLabel = (n: number) =>
  n === 1 ? "1 customer" : `${n} customers`;
