import type { HeadersFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Link, useLoaderData, useRouteError } from "@remix-run/react";
import {
  Badge,
  Card,
  EmptyState,
  IndexTable,
  Layout,
  Page,
  Text,
} from "@shopify/polaris";
import { boundary } from "@shopify/shopify-app-remix/server";
import { authenticate } from "~/shopify.server";
import { formatMoney, formatPercent } from "~/engine/money";
import { listBundles, shopCurrency } from "~/services/bundles.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const [bundles, currency] = await Promise.all([
    listBundles(session.shop),
    shopCurrency(session.shop),
  ]);
  return { bundles, currency };
};

const STATUS_TONE = {
  active: "success",
  draft: "info",
  archived: undefined,
} as const;

export default function Bundles() {
  const { bundles, currency } = useLoaderData<typeof loader>();
  return (
    <Page
      title="Bundles"
      primaryAction={{ content: "Create bundle", url: "/app/bundles/new" }}
      secondaryActions={[{ content: "Suggestions", url: "/app/suggestions" }]}
    >
      <Layout>
        <Layout.Section>
          <Card padding="0">
            {bundles.length === 0 ? (
              <EmptyState
                heading="No bundles yet"
                image=""
                action={{
                  content: "See suggested bundles",
                  url: "/app/suggestions",
                }}
                secondaryAction={{
                  content: "Create bundle",
                  url: "/app/bundles/new",
                }}
              >
                <p>
                  Bundles show as “Frequently bought together” on product pages,
                  and their discount is applied at checkout. Start from a
                  suggestion: each comes with the orders behind it and a
                  discount that keeps your margin floor.
                </p>
              </EmptyState>
            ) : (
              <IndexTable
                resourceName={{ singular: "bundle", plural: "bundles" }}
                itemCount={bundles.length}
                selectable={false}
                headings={[
                  { title: "Bundle" },
                  { title: "Products" },
                  { title: "Discount" },
                  { title: "Status" },
                  { title: "Source" },
                ]}
              >
                {bundles.map((b, i) => (
                  <IndexTable.Row id={b.id} key={b.id} position={i}>
                    <IndexTable.Cell>
                      <Link to={`/app/bundles/${b.id}`}>
                        <Text as="span" fontWeight="semibold">
                          {b.title}
                        </Text>
                      </Link>
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {b.products.map((p) => p.title).join(", ")}
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      {b.discountType === "percentage"
                        ? formatPercent(b.discountValue)
                        : formatMoney({ amount: b.discountValue, currency })}
                    </IndexTable.Cell>
                    <IndexTable.Cell>
                      <Badge tone={STATUS_TONE[b.status]}>{b.status}</Badge>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{b.source}</IndexTable.Cell>
                  </IndexTable.Row>
                ))}
              </IndexTable>
            )}
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) =>
  boundary.headers(headersArgs);
