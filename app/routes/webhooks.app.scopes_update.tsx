import type { ActionFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { webhookEndpoint } from "~/http/webhook-endpoint.server";
import { updateSessionScopes } from "~/services/platform/sessions.server";
import { handleOnce, parsePayload } from "~/services/platform/webhooks.server";

const Payload = z.object({ current: z.array(z.string()) });

export const action = ({ request }: ActionFunctionArgs) =>
  webhookEndpoint(request, (webhook) =>
    handleOnce(webhook, () =>
      updateSessionScopes(
        webhook.shop,
        parsePayload(Payload, webhook.payload).current,
      ),
    ),
  );
