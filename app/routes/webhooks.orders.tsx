import type { ActionFunctionArgs } from "@remix-run/node";
import { webhookEndpoint } from "~/http/webhook-endpoint.server";
import {
  OrderWebhookPayload,
  orderFromWebhook,
  saveOrders,
} from "~/services/catalog/orders.server";
import { handleOnce, parsePayload } from "~/services/platform/webhooks.server";

/** orders/create and orders/updated: both carry the whole order, so one upsert serves both. */
export const action = ({ request }: ActionFunctionArgs) =>
  webhookEndpoint(request, (webhook) =>
    handleOnce(webhook, () =>
      saveOrders(webhook.shop, [
        orderFromWebhook(parsePayload(OrderWebhookPayload, webhook.payload)),
      ]),
    ),
  );
