import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useFetcher, useLoaderData } from "@remix-run/react";
import {
  BlockStack,
  Button,
  Card,
  Checkbox,
  FormLayout,
  InlineStack,
  Layout,
  Page,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { useAppBridge } from "@shopify/app-bridge-react";
import { type ReactNode, useEffect, useState } from "react";
import { authenticate } from "~/shopify.server";
import {
  ResourcePickerField,
  type PickedResource,
} from "~/components/resource-picker-field";
import {
  type Settings,
  loadSettings,
  saveGlobal,
  savePersonalisation,
  savePlacement,
} from "~/services/merchandising/settings.server";
import { postedFields } from "~/http/admin-form.server";
import { STRATEGY_NAMES } from "~/components/strategy-names";

export { ErrorBoundary, headers } from "~/http/admin-boundary";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return loadSettings(session.shop);
};

export const action = async ({ request }: ActionFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const form = await postedFields(request);
  const result =
    form.intent === "global"
      ? await saveGlobal(session.shop, form)
      : form.intent === "personalisation"
        ? await savePersonalisation(session.shop, form)
        : await savePlacement(session.shop, form);
  return result.ok ? result : data(result, { status: 422 });
};

const PLACEMENT_LABELS: Record<string, { title: string; help: string }> = {
  product_fbt: {
    title: "Product page: frequently bought together",
    help: "The bundle block under the buy buttons.",
  },
  product_upgrade: {
    title: "Product page: upgrade",
    help: "The next tier up, with a comparison.",
  },
  cart: {
    title: "Cart page: complete your order",
    help: "Changes as the cart changes.",
  },
  drawer: { title: "Cart drawer", help: "From the app embed." },
  post_purchase: {
    title: "After checkout",
    help: "One-click offer on the post-purchase page.",
  },
};

// From the names, not the engine's list: this runs in the browser, where the engine is not sent.
const STRATEGY_OPTIONS = Object.entries(STRATEGY_NAMES).map(
  ([value, name]) => ({
    label: value === "blended" ? `${name} (recommended)` : name,
    value,
  }),
);

/**
 * One settings form, saved on its own (a fetcher, so the other forms keep their edits), with a
 * toast and the server's field errors.
 */
function useSettingsForm() {
  const fetcher = useFetcher<typeof action>();
  const shopify = useAppBridge();
  useEffect(() => {
    if (!fetcher.data) return;
    if (fetcher.data.ok) shopify.toast.show("Settings saved");
    else shopify.toast.show("Check the highlighted fields", { isError: true });
  }, [fetcher.data, shopify]);
  const errors: Partial<Record<string, string>> =
    fetcher.data && !fetcher.data.ok ? fetcher.data.errors : {};
  return { fetcher, errors };
}

function SettingsCard({
  fetcher,
  formLabel,
  saveLabel,
  hidden,
  heading,
  children,
}: {
  fetcher: ReturnType<typeof useSettingsForm>["fetcher"];
  formLabel: string;
  saveLabel: string;
  hidden: Record<string, string>;
  heading: ReactNode;
  children: ReactNode;
}) {
  return (
    <Card>
      <fetcher.Form method="post" aria-label={formLabel}>
        {Object.entries(hidden).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        <BlockStack gap="300">
          {heading}
          <FormLayout>{children}</FormLayout>
          <InlineStack align="end">
            <Button
              submit
              loading={fetcher.state !== "idle"}
              accessibilityLabel={saveLabel}
            >
              Save
            </Button>
          </InlineStack>
        </BlockStack>
      </fetcher.Form>
    </Card>
  );
}

type PlacementRow = Settings["placements"][number];

function PlacementCard({ p }: { p: PlacementRow }) {
  const { fetcher, errors } = useSettingsForm();
  const [enabled, setEnabled] = useState(p.enabled);
  const [maxOffers, setMaxOffers] = useState(String(p.maxOffers));
  const [strategy, setStrategy] = useState(p.strategy);
  const [showReasons, setShowReasons] = useState(p.showReasons);
  const [priceBand, setPriceBand] = useState(String(p.priceBandPct));
  const label = PLACEMENT_LABELS[p.placement];
  // The price band bounds upgrades and the post-purchase offer only; elsewhere it means nothing,
  // so it is not shown (and saved unchanged).
  const usesPriceBand =
    p.placement === "product_upgrade" || p.placement === "post_purchase";
  return (
    <SettingsCard
      fetcher={fetcher}
      formLabel={label.title}
      saveLabel={`Save ${label.title}`}
      hidden={{
        placement: p.placement,
        enabled: String(enabled),
        showReasons: String(showReasons),
        ...(usesPriceBand ? {} : { priceBandPct: priceBand }),
      }}
      heading={
        <BlockStack gap="100">
          <Text as="h2" variant="headingMd">
            {label.title}
          </Text>
          <Text as="p" tone="subdued">
            {label.help}
          </Text>
        </BlockStack>
      }
    >
      <Checkbox
        label="Show this placement"
        checked={enabled}
        onChange={setEnabled}
      />
      <FormLayout.Group>
        <TextField
          label="Maximum offers"
          name="maxOffers"
          type="number"
          value={maxOffers}
          onChange={setMaxOffers}
          error={errors.maxOffers}
          autoComplete="off"
        />
        <Select
          label="Strategy"
          name="strategy"
          options={STRATEGY_OPTIONS}
          value={strategy}
          onChange={setStrategy}
          error={errors.strategy}
        />
        {usesPriceBand && (
          <TextField
            label="Price band (%)"
            name="priceBandPct"
            type="number"
            value={priceBand}
            onChange={setPriceBand}
            error={errors.priceBandPct}
            helpText={
              p.placement === "post_purchase"
                ? "Most the offer may cost, as a share of the order just placed."
                : "Largest price step up an upgrade may take."
            }
            autoComplete="off"
          />
        )}
      </FormLayout.Group>
      <Checkbox
        label="Show the reason with each offer"
        checked={showReasons}
        onChange={setShowReasons}
      />
    </SettingsCard>
  );
}

function GlobalCard({ s }: { s: Settings }) {
  const { fetcher, errors } = useSettingsForm();
  const [floor, setFloor] = useState(String(s.marginFloorBps / 100));
  const [windowDays, setWindowDays] = useState(String(s.attributionWindowDays));
  const [tags, setTags] = useState(s.excludedTags.join(", "));
  const [products, setProducts] = useState<PickedResource[]>(
    s.excludedProducts,
  );
  return (
    <SettingsCard
      fetcher={fetcher}
      formLabel="Store-wide settings"
      saveLabel="Save store-wide settings"
      hidden={{ intent: "global" }}
      heading={
        <Text as="h2" variant="headingMd">
          Store-wide
        </Text>
      }
    >
      <FormLayout.Group>
        <TextField
          label="Margin floor (%)"
          name="marginFloorPct"
          value={floor}
          onChange={setFloor}
          error={errors.marginFloorPct}
          helpText="Suggested bundle discounts never take margin below this."
          autoComplete="off"
        />
        <TextField
          label="Attribution window (days)"
          name="attributionWindowDays"
          type="number"
          value={windowDays}
          onChange={setWindowDays}
          error={errors.attributionWindowDays}
          helpText="An order counts for an offer clicked this many days before."
          autoComplete="off"
        />
      </FormLayout.Group>
      <TextField
        label="Never recommend products tagged"
        name="excludedTags"
        value={tags}
        onChange={setTags}
        error={errors.excludedTags}
        helpText="Comma-separated, e.g. gift-card, sample"
        autoComplete="off"
      />
      <ResourcePickerField
        label="Never recommend these products"
        name="excludedProductIds"
        type="product"
        multiple
        value={products}
        onChange={setProducts}
        error={errors.excludedProductIds}
      />
    </SettingsCard>
  );
}

function PersonalisationCard({ s }: { s: Settings }) {
  const { fetcher } = useSettingsForm();
  const [on, setOn] = useState(s.personalisation);
  return (
    <SettingsCard
      fetcher={fetcher}
      formLabel="Personal offers"
      saveLabel="Save personal offers"
      hidden={{ intent: "personalisation", personalisation: String(on) }}
      heading={
        <Text as="h2" variant="headingMd">
          Personal offers
        </Text>
      }
    >
      <Checkbox
        label="Personalise offers for signed-in customers"
        checked={on}
        onChange={setOn}
        helpText="A customer signed in to your store sees offers shaped by their own past orders in your store: products they bought before come back only when your customers tend to buy them again, and the reason says when they bought it. Only your store's own order history is used. Turned off, every shopper sees the same offers as a guest."
      />
    </SettingsCard>
  );
}

export default function SettingsPage() {
  const settings = useLoaderData<typeof loader>();
  return (
    <Page
      title="Placements and settings"
      subtitle="Where offers appear, how many, and what Cartlift must never do."
    >
      <Layout>
        <Layout.AnnotatedSection
          title="Placements"
          description="Fewer offers convert better: shoppers facing many choices often pick none."
        >
          <BlockStack gap="400">
            {settings.placements.map((p) => (
              <PlacementCard key={p.placement} p={p} />
            ))}
          </BlockStack>
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection
          title="Store-wide"
          description="Margin, exclusions and how orders are credited to offers."
        >
          <GlobalCard s={settings} />
        </Layout.AnnotatedSection>
        <Layout.AnnotatedSection
          title="Personal offers"
          description="What a returning customer sees, from what they bought in your store before."
        >
          <PersonalisationCard s={settings} />
        </Layout.AnnotatedSection>
      </Layout>
    </Page>
  );
}
