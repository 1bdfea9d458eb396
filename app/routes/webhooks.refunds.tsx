import type { ActionFunctionArgs } from "@remix-run/node";
import { webhookEndpoint } from "~/http/webhook-endpoint.server";
import {
  RefundWebhookPayload,
  applyRefund,
} from "~/services/catalog/orders.server";
import { handleOnce, parsePayload } from "~/services/platform/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  webhookEndpoint(request, (webhook) =>
    handleOnce(webhook, () =>
      applyRefund(
        webhook.shop,
        parsePayload(RefundWebhookPayload, webhook.payload),
      ),
    ),
  );
