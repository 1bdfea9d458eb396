import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticate } from "~/shopify.server";
import { updateSessionScopes } from "~/services/platform/sessions.server";
import { accessScopesChanged } from "~/services/catalog/import.server";
import { handleOnce, parsePayload } from "~/services/platform/webhooks.server";

const Payload = z.object({ current: z.array(z.string()) });

export const action = async ({ request }: ActionFunctionArgs) => {
  const { shop, topic, webhookId, payload, admin } =
    await authenticate.webhook(request);
  return handleOnce({ shop, webhookId, topic }, async () => {
    const { current } = parsePayload(Payload, payload);
    await updateSessionScopes(shop, current);
    await accessScopesChanged(shop, current, admin?.graphql);
  });
};
