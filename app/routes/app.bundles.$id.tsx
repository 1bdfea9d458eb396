import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { data } from "@remix-run/node";
import { useActionData, useLoaderData } from "@remix-run/react";
import {
  Banner,
  BlockStack,
  Card,
  FormLayout,
  Layout,
  Select,
  Text,
  TextField,
} from "@shopify/polaris";
import { RecordFormPage } from "~/components/record-form-page";
import { useState } from "react";
import { authenticate } from "~/shopify.server";
import {
  ResourcePickerField,
  type PickedResource,
} from "~/components/resource-picker-field";
import {
  createBundle,
  deleteBundle,
  formValues,
  getBundle,
  productTitles,
  updateBundle,
  validateBundle,
} from "~/services/merchandising/bundles.server";
import { syncDiscountAfterWrite } from "~/services/merchandising/bundle-discount.server";
import { shopCurrency } from "~/services/catalog/products.server";
import {
  getSuggestion,
  markAccepted,
} from "~/services/merchandising/suggestions.server";
import { invariantResponse } from "~/http/invariant-response";
import { postedFields } from "~/http/admin-form.server";

export { ErrorBoundary, headers } from "~/http/admin-boundary";

const NOT_FOUND = "This bundle does not exist in your store.";

export const loader = async ({ request, params }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const { shop } = session;
  const currency = await shopCurrency(shop);
  if (params.id === "new") {
    const key = new URL(request.url).searchParams.get("suggestion");
    if (key) {
      // "Edit" on a suggestion: the form starts from the engine's proposal.
      const s = await getSuggestion(shop, key);
      invariantResponse(s, NOT_FOUND, { status: 404 });
      return {
        isNew: true,
        suggestion: key,
        currency,
        values: formValues(
          {
            title: s.titles.join(" + "),
            productIds: s.productIds,
            discountType: "percentage",
            discountValue: s.discountBps,
            marginFloorBps: 2_000,
            status: "active",
            startsAt: null,
            endsAt: null,
          },
          currency,
        ),
        products: await productTitles(shop, s.productIds),
      };
    }
    return {
      isNew: true,
      suggestion: null,
      currency,
      values: formValues(
        {
          title: "",
          productIds: [],
          discountType: "percentage",
          discountValue: 1_000,
          marginFloorBps: 2_000,
          status: "draft",
          startsAt: null,
          endsAt: null,
        },
        currency,
      ),
      products: [] as PickedResource[],
    };
  }
  const bundle = await getBundle(shop, params.id ?? "");
  invariantResponse(bundle, NOT_FOUND, { status: 404 });
  return {
    isNew: false,
    suggestion: null,
    currency,
    values: formValues(
      { ...bundle, productIds: bundle.products.map((p) => p.id) },
      currency,
    ),
    products: bundle.products,
  };
};

export const action = async ({ request, params }: ActionFunctionArgs) => {
  const { session, redirect, admin } = await authenticate.admin(request);
  const { shop } = session;
  const form = await postedFields(request);
  const id = params.id ?? "";
  if (form.intent === "delete") {
    invariantResponse(await deleteBundle(shop, id), NOT_FOUND, {
      status: 404,
    });
    const discountError = await syncDiscountAfterWrite(shop, admin.graphql);
    if (discountError) return data({ discountError }, { status: 502 });
    return redirect("/app/bundles");
  }
  const parsed = await validateBundle(shop, form, await shopCurrency(shop));
  if (!parsed.ok) return data({ errors: parsed.errors }, { status: 422 });
  if (id === "new") {
    const suggestion =
      typeof form.suggestion === "string" ? form.suggestion : "";
    await createBundle(
      shop,
      parsed.values,
      suggestion ? "suggested" : "manual",
    );
    if (suggestion.startsWith("bundle:"))
      await markAccepted(shop, suggestion, "bundle");
  } else {
    invariantResponse(await updateBundle(shop, id, parsed.values), NOT_FOUND, {
      status: 404,
    });
  }
  const discountError = await syncDiscountAfterWrite(shop, admin.graphql);
  if (discountError) return data({ discountError }, { status: 502 });
  return redirect("/app/bundles");
};

export default function BundleEditor() {
  const { isNew, suggestion, currency, values, products } =
    useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const errors: Partial<Record<string, string>> =
    result && "errors" in result ? result.errors : {};
  const discountError =
    result && "discountError" in result ? result.discountError : null;
  const [picked, setPicked] = useState<PickedResource[]>(products);
  const [title, setTitle] = useState(values.title);
  const [discountType, setDiscountType] = useState<string>(values.discountType);
  const [discountValue, setDiscountValue] = useState(values.discountValue);
  const [marginFloorPct, setMarginFloorPct] = useState(values.marginFloorPct);
  const [status, setStatus] = useState<string>(values.status);
  const [startsAt, setStartsAt] = useState(values.startsAt);
  const [endsAt, setEndsAt] = useState(values.endsAt);

  return (
    <RecordFormPage
      formId="bundle-form"
      title={isNew ? "New bundle" : values.title}
      isNew={isNew}
      back={{ content: "Bundles", url: "/app/bundles" }}
      noun="bundle"
      deleteWarning="Shoppers stop seeing it and its discount no longer applies at checkout. This cannot be undone."
    >
      {suggestion && (
        <input type="hidden" name="suggestion" value={suggestion} />
      )}
      <Layout>
        {discountError && (
          <Layout.Section>
            <Banner
              tone="critical"
              title="The bundle is saved, but its discount is not"
            >
              <p>{discountError}</p>
            </Banner>
          </Layout.Section>
        )}
        <Layout.Section>
          <Card>
            <FormLayout>
              <TextField
                label="Name"
                name="title"
                value={title}
                onChange={setTitle}
                error={errors.title}
                autoComplete="off"
              />
              <ResourcePickerField
                label="Products"
                name="productIds"
                type="product"
                multiple
                value={picked}
                onChange={setPicked}
                error={errors.productIds}
              />
            </FormLayout>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Discount
              </Text>
              <FormLayout>
                <FormLayout.Group>
                  <Select
                    label="Discount type"
                    name="discountType"
                    options={[
                      { label: "Percentage", value: "percentage" },
                      {
                        label: `Fixed amount (${currency})`,
                        value: "fixed_amount",
                      },
                    ]}
                    value={discountType}
                    onChange={setDiscountType}
                    error={errors.discountType}
                  />
                  <TextField
                    label={
                      discountType === "percentage"
                        ? "Discount (%)"
                        : `Discount (${currency})`
                    }
                    name="discountValue"
                    value={discountValue}
                    onChange={setDiscountValue}
                    error={errors.discountValue}
                    inputMode="decimal"
                    autoComplete="off"
                  />
                  <TextField
                    label="Margin floor (%)"
                    name="marginFloorPct"
                    value={marginFloorPct}
                    onChange={setMarginFloorPct}
                    error={errors.marginFloorPct}
                    helpText="The discount is capped so the bundle keeps at least this margin."
                    inputMode="decimal"
                    autoComplete="off"
                  />
                </FormLayout.Group>
              </FormLayout>
            </BlockStack>
          </Card>
        </Layout.Section>
        <Layout.Section>
          <Card>
            <FormLayout>
              <Select
                label="Status"
                name="status"
                options={[
                  { label: "Draft", value: "draft" },
                  { label: "Active", value: "active" },
                  { label: "Archived", value: "archived" },
                ]}
                value={status}
                onChange={setStatus}
                error={errors.status}
              />
              <FormLayout.Group>
                <TextField
                  label="Starts"
                  type="date"
                  name="startsAt"
                  value={startsAt}
                  onChange={setStartsAt}
                  error={errors.startsAt}
                  autoComplete="off"
                />
                <TextField
                  label="Ends"
                  type="date"
                  name="endsAt"
                  value={endsAt}
                  onChange={setEndsAt}
                  error={errors.endsAt}
                  autoComplete="off"
                />
              </FormLayout.Group>
            </FormLayout>
          </Card>
        </Layout.Section>
      </Layout>
    </RecordFormPage>
  );
}
