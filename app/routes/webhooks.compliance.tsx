import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import {
  CustomerPrivacyPayload,
  exportCustomerData,
  redactCustomer,
  redactShop,
} from "~/services/privacy/privacy.server";
import { handleOnce, parsePayload } from "~/services/platform/webhooks.server";

/** The three mandatory compliance topics (customers/data_request, customers/redact, shop/redact). */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload } =
    await authenticate.webhook(request);
  switch (topic) {
    case "CUSTOMERS_DATA_REQUEST":
      return handleOnce({ shop, webhookId, topic }, () =>
        exportCustomerData(shop, parsePayload(CustomerPrivacyPayload, payload)),
      );
    case "CUSTOMERS_REDACT":
      return handleOnce({ shop, webhookId, topic }, () =>
        redactCustomer(shop, parsePayload(CustomerPrivacyPayload, payload)),
      );
    case "SHOP_REDACT":
      // Not recorded as a delivery: after it, nothing of the shop may remain, not even the id.
      await redactShop(shop);
      return new Response(null, { status: 200 });
    default:
      return Response.json(
        { error: `Unexpected topic ${topic}` },
        { status: 400 },
      );
  }
};
