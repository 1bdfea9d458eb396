import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { webhookEndpoint } from "~/http/webhook-endpoint.server";
import { bulkOperationFinished } from "~/services/catalog/import.server";
import { handleOnce, parsePayload } from "~/services/platform/webhooks.server";

/** bulk_operations/finish: the operation completed, failed or was canceled. */
const Payload = z.object({
  admin_graphql_api_id: z.string().startsWith("gid://shopify/BulkOperation/"),
  status: z.string(),
});

export const action = ({ request }: ActionFunctionArgs) =>
  webhookEndpoint(request, (webhook) =>
    handleOnce(webhook, async () => {
      const { admin_graphql_api_id: id } = parsePayload(
        Payload,
        webhook.payload,
      );
      await bulkOperationFinished(webhook.shop, id, webhook.admin?.graphql);
    }),
  );
