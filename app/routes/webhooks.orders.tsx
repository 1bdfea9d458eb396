import type { ActionFunctionArgs } from "@remix-run/node";
import { webhookEndpoint } from "~/http/webhook-endpoint.server";
import {
  OrderWebhookPayload,
  orderFromWebhook,
  saveOrders,
} from "~/services/catalog/orders.server";
import { refreshRecommender } from "~/services/model/model.server";
import { handleOnce, parsePayload } from "~/services/platform/webhooks.server";

/**
 * orders/create and orders/updated: both carry the whole order, so one upsert serves both. A new
 * order joins this instance's serving state at once (other instances see it at their next check),
 * so the next storefront answer counts it without waiting for a retraining.
 */
export const action = ({ request }: ActionFunctionArgs) =>
  webhookEndpoint(request, (webhook) =>
    handleOnce(webhook, async () => {
      await saveOrders(webhook.shop, [
        orderFromWebhook(parsePayload(OrderWebhookPayload, webhook.payload)),
      ]);
      refreshRecommender(webhook.shop);
    }),
  );
