import {
  Badge,
  Banner,
  BlockStack,
  Box,
  Button,
  Card,
  Divider,
  InlineStack,
  Text,
} from "@shopify/polaris";
import type {
  SendRow,
  SendStatus,
  SendSummary,
} from "~/services/flow/next-offer.server";

// The post-purchase sequence's sends (decision 026), as a list rather than a table: each send
// wraps onto its own lines, so it reads at 390 px without scrolling sideways.

const STATUS: Record<
  SendStatus,
  { label: string; tone: "info" | "success" | "critical" | undefined }
> = {
  pending: { label: "Scheduled", tone: "info" },
  sending: { label: "Sending", tone: "info" },
  sent: { label: "Sent to Flow", tone: "success" },
  failed: { label: "Failed", tone: "critical" },
  cancelled: { label: "Order cancelled", tone: undefined },
  no_consent: { label: "No consent", tone: undefined },
  uninstalled: { label: "Stopped: app uninstalled", tone: undefined },
};

const REASON: Record<string, string> = {
  replenish: "Usually re-ordered by now",
  bought_next: "Usually bought next",
};

const day = (iso: string) => iso.slice(0, 10);

function SendList({ rows, empty }: { rows: SendRow[]; empty: string }) {
  if (rows.length === 0)
    return (
      <Text as="p" tone="subdued">
        {empty}
      </Text>
    );
  return (
    <BlockStack gap="200" as="ul">
      {rows.map((s, i) => (
        <Box as="li" key={s.orderId}>
          {i > 0 ? <Divider /> : null}
          <Box paddingBlockStart={i > 0 ? "200" : "0"}>
            <BlockStack gap="100">
              <InlineStack gap="200" align="space-between" blockAlign="center">
                <Text as="span" fontWeight="semibold">
                  {s.productTitle}
                </Text>
                <Badge tone={STATUS[s.status].tone}>
                  {STATUS[s.status].label}
                </Badge>
              </InlineStack>
              <Text as="p" tone="subdued" variant="bodySm">
                {REASON[s.reason] ?? s.reason} · after order {s.orderId} · due{" "}
                {day(s.dueAt)}
                {s.sentAt ? ` · sent ${day(s.sentAt)}` : ""}
                {s.metafieldWritten ? " · on the order's metafield" : ""}
              </Text>
              {s.lastError ? (
                <Text as="p" tone="critical" variant="bodySm">
                  {s.lastError}
                </Text>
              ) : null}
            </BlockStack>
          </Box>
        </Box>
      ))}
    </BlockStack>
  );
}

export function NextOfferSends({
  upcoming,
  recent,
  counts,
  sent,
  sending,
  onSend,
}: {
  upcoming: SendRow[];
  recent: SendRow[];
  counts: Record<SendStatus, number>;
  sent: SendSummary | null;
  sending: boolean;
  onSend: () => void;
}) {
  return (
    <Card>
      <BlockStack gap="400">
        <BlockStack gap="200">
          <InlineStack gap="200" align="space-between" blockAlign="center">
            <Text as="h2" variant="headingMd">
              Next offers for Shopify Flow
            </Text>
            <Button onClick={onSend} loading={sending}>
              Send due offers now
            </Button>
          </InlineStack>
          <Text as="p">
            After each order Cartlift picks the customer&apos;s next offer and
            its day: a product they re-order at its usual interval, or what
            customers usually buy next. When it is due, the Flow trigger{" "}
            <strong>Next offer due</strong> starts your email or SMS workflow;
            the offer is also on the order as the metafield{" "}
            <code>$app:cartlift.next_offer</code>. Only orders that say the
            customer accepts marketing are sent.
          </Text>
          <Text as="p" tone="subdued" variant="bodySm">
            {counts.pending + counts.sending} scheduled · {counts.sent} sent ·{" "}
            {counts.failed} failed · {counts.no_consent} without marketing
            consent (not sent)
          </Text>
        </BlockStack>
        {sent ? (
          <Banner
            tone={sent.failed > 0 ? "warning" : "success"}
            title={`${sent.sent} sent to Flow`}
          >
            <p>
              {sent.failed} failed; {sent.retrying} will be tried again.
            </p>
          </Banner>
        ) : null}
        <BlockStack gap="200">
          <Text as="h3" variant="headingSm">
            Upcoming
          </Text>
          <SendList
            rows={upcoming}
            empty="Nothing scheduled: offers appear here after orders from returning customers."
          />
        </BlockStack>
        <BlockStack gap="200">
          <Text as="h3" variant="headingSm">
            Results
          </Text>
          <SendList rows={recent} empty="No offer has been due yet." />
        </BlockStack>
      </BlockStack>
    </Card>
  );
}
