import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge } from "@shopify/polaris";
import { authenticate } from "~/shopify.server";
import { RecordListPage } from "~/components/record-list-page";
import { formatMoney, formatPercent } from "~/engine/money";
import { listBundles } from "~/services/merchandising/bundles.server";
import { shopCurrency } from "~/services/catalog/products.server";

export { ErrorBoundary, headers } from "~/http/admin-boundary";

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
    <RecordListPage
      title="Bundles"
      secondaryActions={[{ content: "Suggestions", url: "/app/suggestions" }]}
      path="/app/bundles"
      noun="bundle"
      empty={{
        heading: "No bundles yet",
        action: { content: "See suggested bundles", url: "/app/suggestions" },
        secondaryAction: { content: "Create bundle", url: "/app/bundles/new" },
        children: (
          <p>
            Bundles show as “Frequently bought together” on product pages, and
            their discount is applied at checkout. Start from a suggestion: each
            comes with the orders behind it and a discount that keeps your
            margin floor.
          </p>
        ),
      }}
      headings={["Bundle", "Products", "Discount", "Status", "Source"]}
      records={bundles}
      name={(b) => b.title}
      cells={(b) => [
        b.products.map((p) => p.title).join(", "),
        b.discountType === "percentage"
          ? formatPercent(b.discountValue)
          : formatMoney({ amount: b.discountValue, currency }),
        <Badge tone={STATUS_TONE[b.status]}>{b.status}</Badge>,
        b.source,
      ]}
    />
  );
}
