import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import {
  OrderWebhookPayload,
  orderFromWebhook,
  saveOrders,
} from "~/services/catalog/orders.server";
import { handleOnce, parsePayload } from "~/services/platform/webhooks.server";

/** orders/create and orders/updated: both carry the whole order, so one upsert serves both. */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload } =
    await authenticate.webhook(request);
  return handleOnce({ shop, webhookId, topic }, () =>
    saveOrders(shop, [
      orderFromWebhook(parsePayload(OrderWebhookPayload, payload)),
    ]),
  );
};
