import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticate } from "~/shopify.server";
import { bulkOperationFinished } from "~/services/catalog/import.server";
import { handleOnce, parsePayload } from "~/services/platform/webhooks.server";

/** bulk_operations/finish: the operation completed, failed or was canceled. */
const Payload = z.object({
  admin_graphql_api_id: z.string().startsWith("gid://shopify/BulkOperation/"),
  status: z.string(),
});

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload, admin } =
    await authenticate.webhook(request);
  return handleOnce({ shop, webhookId, topic }, async () => {
    const { admin_graphql_api_id: id } = parsePayload(Payload, payload);
    await bulkOperationFinished(shop, id, admin?.graphql);
  });
};
