import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { RefundWebhookPayload, applyRefund } from "~/services/orders.server";
import { handleOnce, parsePayload } from "~/services/webhooks.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload } =
    await authenticate.webhook(request);
  return handleOnce({ shop, webhookId, topic }, () =>
    applyRefund(shop, parsePayload(RefundWebhookPayload, payload)),
  );
};
