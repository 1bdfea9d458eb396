import type { ActionFunctionArgs } from "@remix-run/node";
import { webhookEndpoint } from "~/http/webhook-endpoint.server";
import {
  OrderWebhookPayload,
  orderFromWebhook,
  saveOrders,
} from "~/services/catalog/orders.server";
import {
  scheduleNextOffer,
  sendDueNextOffers,
} from "~/services/flow/next-offer.server";
import { refreshRecommender } from "~/services/model/model.server";
import { log } from "~/services/platform/log.server";
import { handleOnce, parsePayload } from "~/services/platform/webhooks.server";

/**
 * orders/create and orders/updated: both carry the whole order, so one upsert serves both. A new
 * order joins this instance's serving state at once (other instances see it at their next check),
 * so the next storefront answer counts it without waiting for a retraining. Its next offer is
 * scheduled (once per order), and the shop's sends that have come due go to Flow after the answer.
 */
export const action = ({ request }: ActionFunctionArgs) =>
  webhookEndpoint(request, (webhook) =>
    handleOnce(webhook, async () => {
      const order = orderFromWebhook(
        parsePayload(OrderWebhookPayload, webhook.payload),
      );
      await saveOrders(webhook.shop, [order]);
      refreshRecommender(webhook.shop);
      await scheduleNextOffer(webhook.shop, order.id, webhook.admin?.graphql);
      if (webhook.admin)
        void sendDueNextOffers(webhook.shop, webhook.admin.graphql).catch(
          (error: unknown) =>
            log.error("next offer sends failed", { shop: webhook.shop, error }),
        );
    }),
  );
