import type { LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Badge } from "@shopify/polaris";
import { authenticate } from "~/shopify.server";
import { RecordListPage } from "~/components/record-list-page";
import { listRules } from "~/services/merchandising/rules.server";

export { ErrorBoundary, headers } from "~/http/admin-boundary";

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  return { rules: await listRules(session.shop) };
};

export default function Rules() {
  const { rules } = useLoaderData<typeof loader>();
  return (
    <RecordListPage
      title="Rules"
      subtitle="Steer the engine: always show, or never show, products when a product, collection or tag is in view."
      path="/app/rules"
      noun="rule"
      empty={{
        heading: "No rules yet",
        action: { content: "Create rule", url: "/app/rules/new" },
        children: (
          <p>
            Without rules Cartlift shows what your orders support. Add a rule to
            pin a product you want to promote, or to keep one out of
            recommendations.
          </p>
        ),
      }}
      headings={["Rule", "When", "Then", "Priority", "Status"]}
      records={rules}
      name={(r) => r.name}
      cells={(r) => [
        r.triggerLabel,
        <>
          {r.action === "pin" ? "Show " : "Never show "}
          {r.targets.map((t) => t.title).join(", ")}
        </>,
        r.priority,
        <Badge tone={r.active ? "success" : undefined}>
          {r.active ? "Active" : "Paused"}
        </Badge>,
      ]}
    />
  );
}
