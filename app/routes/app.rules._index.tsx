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
import { listRules } from "~/services/rules.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { rules: await listRules(session.shop) };
};

export default function Rules() {
  const { rules } = useLoaderData<typeof loader>();
  return (
    <Page
      title="Rules"
      subtitle="Steer the engine: always show, or never show, products when a product, collection or tag is in view."
      primaryAction={{ content: "Create rule", url: "/app/rules/new" }}
    >
      <Layout>
        <Layout.Section>
          <Card padding="0">
            {rules.length === 0 ? (
              <EmptyState
                heading="No rules yet"
                image=""
                action={{ content: "Create rule", url: "/app/rules/new" }}
              >
                <p>
                  Without rules Cartlift shows what your orders support. Add a
                  rule to pin a product you want to promote, or to keep one out
                  of recommendations.
                </p>
              </EmptyState>
            ) : (
              <IndexTable
                resourceName={{ singular: "rule", plural: "rules" }}
                itemCount={rules.length}
                selectable={false}
                headings={[
                  { title: "Rule" },
                  { title: "When" },
                  { title: "Then" },
                  { title: "Priority" },
                  { title: "Status" },
                ]}
              >
                {rules.map((r, i) => (
                  <IndexTable.Row id={r.id} key={r.id} position={i}>
                    <IndexTable.Cell>
                      <Link to={`/app/rules/${r.id}`}>
                        <Text as="span" fontWeight="semibold">
                          {r.name}
                        </Text>
                      </Link>
                    </IndexTable.Cell>
                    <IndexTable.Cell>{r.triggerLabel}</IndexTable.Cell>
                    <IndexTable.Cell>
                      {r.action === "pin" ? "Show " : "Never show "}
                      {r.targets.map((t) => t.title).join(", ")}
                    </IndexTable.Cell>
                    <IndexTable.Cell>{r.priority}</IndexTable.Cell>
                    <IndexTable.Cell>
                      <Badge tone={r.active ? "success" : undefined}>
                        {r.active ? "Active" : "Paused"}
                      </Badge>
                    </IndexTable.Cell>
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
