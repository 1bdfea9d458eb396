import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import {
  RefundWebhookPayload,
  applyRefund,
} from "~/services/catalog/orders.server";
import { handleOnce, parsePayload } from "~/services/platform/webhooks.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload } =
    await authenticate.webhook(request);
  return handleOnce({ shop, webhookId, topic }, () =>
    applyRefund(shop, parsePayload(RefundWebhookPayload, payload)),
  );
};
