import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData, useRevalidator } from "@remix-run/react";
import {
  Badge,
  BlockStack,
  Card,
  InlineStack,
  Layout,
  Page,
  ProgressBar,
  Text,
} from "@shopify/polaris";
import { useEffect } from "react";
import { authenticate } from "~/shopify.server";
import { shopOverview } from "~/services/overview.server";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return shopOverview(session.shop);
};

const IMPORT_LABELS: Record<string, string> = {
  pending: "Waiting to start",
  products: "Importing products",
  orders: "Importing orders",
  done: "Imported",
};

export default function Home() {
  const overview = useLoaderData<typeof loader>();
  const importing = overview.importStatus !== "done";
  const revalidator = useRevalidator();

  // While the import runs, refresh the counts every two seconds.
  useEffect(() => {
    if (!importing) return;
    const timer = setInterval(
      () => revalidator.state === "idle" && revalidator.revalidate(),
      2000,
    );
    return () => clearInterval(timer);
  }, [importing, revalidator]);

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
                  {IMPORT_LABELS[overview.importStatus] ??
                    overview.importStatus}
                </Badge>
              </InlineStack>
              {importing && (
                <ProgressBar
                  progress={overview.importStatus === "orders" ? 60 : 20}
                  size="small"
                />
              )}
              <Text as="p">
                {overview.products} products and {overview.orders} orders
                imported. Cartlift learns which products are bought together
                from your order history.
              </Text>
            </BlockStack>
          </Card>
        </Layout.Section>
      </Layout>
    </Page>
  );
}
