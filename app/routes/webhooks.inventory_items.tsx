import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
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
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, webhookId, topic, payload } =
    await authenticate.webhook(request);
  return handleOnce({ shop, webhookId, topic }, async () => {
    await saveInventoryItemCost(
      shop,
      parsePayload(InventoryItemWebhookPayload, payload),
    );
    forgetServingState(shop);
  });
};
