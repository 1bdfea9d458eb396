import type { ActionFunctionArgs } from "@remix-run/node";
import { webhookEndpoint } from "~/http/webhook-endpoint.server";
import {
  InventoryItemWebhookPayload,
  saveInventoryItemCost,
} from "~/services/catalog/products.server";
import { handleOnce, parsePayload } from "~/services/platform/webhooks.server";
import { forgetServingState } from "~/services/storefront/serving-cache.server";

/**
 * inventory_items/create and inventory_items/update: the unit cost the merchant recorded, which
 * margin floors and suggested discounts use (the 50% assumption only stands in where it is absent).
 */
export const action = ({ request }: ActionFunctionArgs) =>
  webhookEndpoint(request, (webhook) =>
    handleOnce(webhook, async () => {
      await saveInventoryItemCost(
        webhook.shop,
        parsePayload(InventoryItemWebhookPayload, webhook.payload),
      );
      forgetServingState(webhook.shop);
    }),
  );
