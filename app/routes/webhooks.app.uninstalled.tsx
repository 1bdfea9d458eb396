import type { ActionFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { forgetSessions } from "~/services/privacy/privacy.server";
import { handleOnce } from "~/services/platform/webhooks.server";

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId } = await authenticate.webhook(request);
  return handleOnce({ shop, webhookId, topic }, () => forgetSessions(shop));
};
