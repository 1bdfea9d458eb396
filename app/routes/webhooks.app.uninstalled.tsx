import type { ActionFunctionArgs } from "@remix-run/node";
import { webhookEndpoint } from "~/http/webhook-endpoint.server";
import { forgetSessions } from "~/services/privacy/privacy.server";
import { handleOnce } from "~/services/platform/webhooks.server";
import { stopNextOffers } from "~/services/flow/next-offer.server";

// The offline session goes (nothing can call Shopify for the shop any more), and with it the
// next-offer sends that would have needed it. The shop's data stays until shop/redact.
export const action = ({ request }: ActionFunctionArgs) =>
  webhookEndpoint(request, (webhook) =>
    handleOnce(webhook, async () => {
      await forgetSessions(webhook.shop);
      await stopNextOffers(webhook.shop);
    }),
  );
