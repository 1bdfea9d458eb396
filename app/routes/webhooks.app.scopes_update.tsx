import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { webhookEndpoint } from "~/http/webhook-endpoint.server";
import { updateSessionScopes } from "~/services/platform/sessions.server";
import { accessScopesChanged } from "~/services/catalog/import.server";
import { handleOnce, parsePayload } from "~/services/platform/webhooks.server";

const Payload = z.object({ current: z.array(z.string()) });

export const action = ({ request }: ActionFunctionArgs) =>
  webhookEndpoint(request, (webhook) =>
    handleOnce(webhook, async () => {
      const { current } = parsePayload(Payload, webhook.payload);
      await updateSessionScopes(webhook.shop, current);
      await accessScopesChanged(webhook.shop, current, webhook.admin?.graphql);
    }),
  );
