import type { ActionFunctionArgs } from "@remix-run/node";
import { webhookEndpoint } from "~/http/webhook-endpoint.server";
import {
  CustomerPrivacyPayload,
  ShopRedactPayload,
  exportCustomerData,
  redactCustomer,
  redactShop,
} from "~/services/privacy/privacy.server";
import {
  InvalidPayloadError,
  handleOnce,
  parsePayload,
} from "~/services/platform/webhooks.server";

/** The signed body names the shop too: it must be the shop the header names. */
function forShop<T extends { shop_domain: string }>(shop: string, payload: T) {
  if (payload.shop_domain !== shop)
    throw new InvalidPayloadError(
      `shop_domain ${JSON.stringify(payload.shop_domain)} is not the shop ${shop}`,
    );
  return payload;
}

/** The three mandatory compliance topics (customers/data_request, customers/redact, shop/redact). */
export const action = ({ request }: ActionFunctionArgs) =>
  webhookEndpoint(request, async (webhook) => {
    const { shop, topic, payload } = webhook;
    switch (topic) {
      case "CUSTOMERS_DATA_REQUEST":
        return handleOnce(webhook, () =>
          exportCustomerData(
            shop,
            forShop(shop, parsePayload(CustomerPrivacyPayload, payload)),
          ),
        );
      case "CUSTOMERS_REDACT":
        return handleOnce(webhook, () =>
          redactCustomer(
            shop,
            forShop(shop, parsePayload(CustomerPrivacyPayload, payload)),
          ),
        );
      case "SHOP_REDACT":
        forShop(shop, parsePayload(ShopRedactPayload, payload));
        // Not recorded as a delivery: after it, nothing of the shop may remain, not even the id.
        await redactShop(shop);
        return new Response(null, { status: 200 });
      default:
        return Response.json(
          { error: `Unexpected topic ${topic}` },
          { status: 400 },
        );
    }
  });
