import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { useFetcher, useLoaderData, useRevalidator } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Box,
  Button,
  Card,
  InlineStack,
  Layout,
  Page,
  ProgressBar,
  Text,
} from "@shopify/polaris";
import { useEffect } from "react";
import { z } from "zod";
import { authenticate } from "~/shopify.server";
import { env } from "~/env.server";
import type { Method } from "~/engine/backtest";
import type { TrainingStatus } from "~/services/model/model.server";
import {
  type ChecklistItem,
  MANUAL_STEPS,
  historyNote,
  onboarding,
  setStepDone,
  shopOverview,
} from "~/services/onboarding/onboarding.server";
import { postedFields } from "~/http/admin-form.server";

export { ErrorBoundary, headers } from "~/http/admin-boundary";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [overview, state] = await Promise.all([
    shopOverview(session.shop),
    onboarding(session.shop, env.SHOPIFY_API_KEY),
  ]);
  return { ...overview, ...state, historyNote: historyNote(overview.history) };
};

const StepForm = z.object({
  step: z.enum(MANUAL_STEPS),
  done: z.enum(["true", "false"]).transform((v) => v === "true"),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const parsed = StepForm.safeParse(await postedFields(request));
  if (!parsed.success)
    return Response.json({ error: "Unknown onboarding step" }, { status: 400 });
  await setStepDone(session.shop, parsed.data.step, parsed.data.done);
  return { ok: true };
};

/** How each method the backtest can choose is named to the merchant (decision 021). */
const METHOD_LABELS: Record<Method, string> = {
  model: "Cartlift's model",
  popularity: "your best sellers",
  "recent-7": "your best sellers of the last 7 days",
  "recent-30": "your best sellers of the last 30 days",
  "recent-90": "your best sellers of the last 90 days",
  "co-occurrence": "the products most often bought with it",
  "model+recent-30": "Cartlift's model with your recent best sellers",
};

const percent = (x: number) => `${Math.round(100 * x)}%`;
const range = ({ low, high }: { low: number; high: number }) =>
  `95% interval ${percent(Math.max(0, low))}–${percent(Math.min(1, high))}`;

/** The last training's backtest, in the merchant's words, and what serves where. */
function Evidence({
  evidence,
}: {
  evidence: NonNullable<TrainingStatus["evidence"]>;
}) {
  return (
    <BlockStack gap="100">
      <Text as="p">
        On your last {evidence.orders} orders, Cartlift&apos;s picks held the
        next item bought {percent(evidence.picks.mean)} of the time (
        {range(evidence.picks)}); your best sellers{" "}
        {percent(evidence.bestSellers.mean)} ({range(evidence.bestSellers)}).
      </Text>
      <Text as="p" tone="subdued">
        {evidence.served.cart === evidence.served.product ? (
          <>Every placement: {METHOD_LABELS[evidence.served.cart]}.</>
        ) : (
          <>
            Cart, cart drawer and after checkout:{" "}
            {METHOD_LABELS[evidence.served.cart]}. Product pages:{" "}
            {METHOD_LABELS[evidence.served.product]}.
          </>
        )}{" "}
        Each training checks this again on your newest orders and switches only
        when the difference is more than chance.
      </Text>
    </BlockStack>
  );
}

const IMPORT_LABELS: Record<string, string> = {
  pending: "Waiting to start",
  products: "Importing products",
  orders: "Importing orders",
  catchup: "Importing the latest orders",
  done: "Imported",
};

/** Where each phase starts and ends on the progress bar; within one, the objects applied so far. */
const PHASE_RANGE: Record<string, [number, number]> = {
  pending: [2, 5],
  products: [5, 30],
  orders: [30, 92],
  catchup: [92, 95],
};

type Progress = {
  status: string;
  objects: number;
  objectsTotal: number;
  secondsLeft: number | null;
};

function importBar(p: Progress): number {
  const [from, to] = PHASE_RANGE[p.status] ?? [2, 5];
  const share = p.objectsTotal > 0 ? p.objects / p.objectsTotal : 0;
  return Math.round(from + (to - from) * Math.min(1, share));
}

function duration(seconds: number): string {
  if (seconds < 60) return "less than a minute";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min`;
  return `about ${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** A count as the admin writes it: "3,976". */
const count = (n: number) => n.toLocaleString("en-US");

/**
 * Why the orders imported and the orders learnt from differ: orders that arrived since the
 * training (`withArrivedOrders` in model.server.ts already counts their pairs at the storefront), and
 * cancelled ones.
 */
function sinceTraining(imported: number, active: number, learnt: number) {
  const arrived = active - learnt;
  const cancelled = imported - active;
  return (
    (arrived > 0
      ? ` ${count(arrived)} newer ${arrived === 1 ? "order already counts" : "orders already count"} in the storefront's offers; the next training learns from ${arrived === 1 ? "it" : "them"} in full.`
      : "") +
    (cancelled > 0
      ? ` ${count(cancelled)} cancelled ${cancelled === 1 ? "order is" : "orders are"} left out.`
      : "")
  );
}

/** What the bulk phase is doing: Shopify preparing the export, or Cartlift applying it. */
function importDetail(p: Progress): string | null {
  if (p.status !== "products" && p.status !== "orders") return null;
  const what = p.status === "products" ? "catalog" : "order history";
  if (p.objects === 0)
    return p.objectsTotal > 0
      ? `Shopify is preparing your ${what}: ${count(p.objectsTotal)} records so far.`
      : `Shopify is preparing your ${what}.`;
  return `Saving your ${what}: ${count(p.objects)} of ${count(p.objectsTotal)} records${p.secondsLeft === null ? "" : `, ${duration(p.secondsLeft)} left`}.`;
}

export default function Home() {
  const data = useLoaderData<typeof loader>();
  const importing = data.importStatus !== "done";
  const training = data.training.state === "training";
  const waitingForModel = !importing && data.training.state === "waiting";
  const revalidator = useRevalidator();
  const busy = importing || training || waitingForModel;

  // While the import or training runs, refresh every two seconds.
  useEffect(() => {
    if (!busy) return;
    const timer = setInterval(
      () => revalidator.state === "idle" && revalidator.revalidate(),
      2000,
    );
    return () => clearInterval(timer);
  }, [busy, revalidator]);

  const progress = importing
    ? importBar(data.import)
    : training || waitingForModel
      ? 85
      : 100;
  const done = data.checklist.filter((i) => i.done).length;

  return (
    <Page title="Cartlift">
      <Layout>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between">
                <Text as="h2" variant="headingMd">
                  Your store&apos;s data
                </Text>
                <Badge tone={importing ? "attention" : "success"}>
                  {IMPORT_LABELS[data.importStatus] ?? data.importStatus}
                </Badge>
              </InlineStack>
              {busy && (
                <ProgressBar
                  progress={progress}
                  size="small"
                  ariaLabelledBy="import-progress"
                />
              )}
              <Text as="p" id="import-progress">
                {count(data.products)} products and {count(data.orders)} orders
                imported. Cartlift learns which products are bought together
                from your order history.
              </Text>
              {importing && importDetail(data.import) && (
                <Text as="p" tone="subdued">
                  {importDetail(data.import)}
                </Text>
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <InlineStack align="space-between">
                <Text as="h2" variant="headingMd">
                  Recommendation model
                </Text>
                <Badge
                  tone={
                    data.training.state === "trained" ? "success" : "attention"
                  }
                >
                  {data.training.state === "trained"
                    ? "Trained"
                    : data.training.state === "training"
                      ? "Training"
                      : "Waiting for the import"}
                </Badge>
              </InlineStack>
              <Text as="p">
                {data.training.model && data.training.trainedAt
                  ? `Learnt from ${count(data.training.model.orders)} orders and ${count(data.training.model.products)} products on ${new Date(data.training.trainedAt).toLocaleString("en-US", { dateStyle: "medium", timeStyle: "short" })} (${(data.training.model.trainMs / 1000).toFixed(1)} s). It retrains daily and after every 50 new orders.${sinceTraining(data.orders, data.activeOrders, data.training.model.orders)}`
                  : "Training starts as soon as the import finishes; it takes a few seconds."}
              </Text>
              {data.historyNote && (
                <Text
                  as="p"
                  tone={data.history.allOrdersAccess ? "subdued" : "caution"}
                >
                  {data.historyNote}
                </Text>
              )}
              {data.training.evidence && (
                <Evidence evidence={data.training.evidence} />
              )}
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="400">
              <InlineStack align="space-between">
                <Text as="h2" variant="headingMd">
                  Get started
                </Text>
                <Text as="span" tone="subdued">
                  {done} of {data.checklist.length} done
                </Text>
              </InlineStack>
              <BlockStack gap="300" as="ul">
                {data.checklist.map((item) => (
                  <ChecklistRow key={item.id} item={item} />
                ))}
              </BlockStack>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

function ChecklistRow({ item }: { item: ChecklistItem }) {
  const fetcher = useFetcher<typeof action>();
  // Optimistic: the merchant's own tick shows at once; the server's answer confirms it.
  const pending = fetcher.formData?.get("done");
  const done =
    pending === undefined || pending === null ? item.done : pending === "true";
  return (
    <Box as="li">
      <InlineStack align="space-between" blockAlign="center" gap="300">
        {/* Beside its buttons where the step's words keep 20rem; under them on a phone, where
            squeezed buttons would break "Mark as done" into a word a line. */}
        <div style={{ flex: "1 1 20rem" }}>
          <BlockStack gap="100">
            <InlineStack gap="200" blockAlign="center">
              <Text as="h3" variant="headingSm">
                {item.title}
              </Text>
              {done && <Badge tone="success">Done</Badge>}
            </InlineStack>
            <Text as="p" tone="subdued">
              {item.description}
            </Text>
          </BlockStack>
        </div>
        <InlineStack gap="200" wrap={false}>
          {item.action &&
            (item.action.external ? (
              <Button url={item.action.url} target="_top">
                {item.action.label}
              </Button>
            ) : (
              <Button url={item.action.url}>{item.action.label}</Button>
            ))}
          {item.manual && (
            <fetcher.Form method="post">
              <input type="hidden" name="step" value={item.id} />
              <input type="hidden" name="done" value={String(!done)} />
              <Button
                submit
                variant="plain"
                accessibilityLabel={`${done ? "Mark as not done" : "Mark as done"}: ${item.title}`}
              >
                {done ? "Undo" : "Mark as done"}
              </Button>
            </fetcher.Form>
          )}
        </InlineStack>
      </InlineStack>
    </Box>
  );
}
