import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { webhookEndpoint } from "~/http/webhook-endpoint.server";
import {
  ProductWebhookPayload,
  deleteProduct,
  productFromWebhook,
  saveProducts,
  shopCurrency,
} from "~/services/catalog/products.server";
import { handleOnce, parsePayload } from "~/services/platform/webhooks.server";

const DeletePayload = z.object({
  id: z.union([z.number().int(), z.string()]).transform(String),
});

/** products/create and products/update (the same whole product: one upsert), and products/delete. */
export const action = ({ request }: ActionFunctionArgs) =>
  webhookEndpoint(request, (webhook) =>
    handleOnce(webhook, async () => {
      const { shop, topic, payload } = webhook;
      if (topic === "PRODUCTS_DELETE")
        return deleteProduct(shop, parsePayload(DeletePayload, payload).id);
      const currency = await shopCurrency(shop);
      const product = productFromWebhook(
        parsePayload(ProductWebhookPayload, payload),
        currency,
      );
      return saveProducts(shop, [product], currency);
    }),
  );
