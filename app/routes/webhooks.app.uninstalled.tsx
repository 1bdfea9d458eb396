import type { ActionFunctionArgs } from "@remix-run/node";
import { webhookEndpoint } from "~/http/webhook-endpoint.server";
import { forgetSessions } from "~/services/privacy/privacy.server";
import { handleOnce } from "~/services/platform/webhooks.server";

export const action = ({ request }: ActionFunctionArgs) =>
  webhookEndpoint(request, (webhook) =>
    handleOnce(webhook, () => forgetSessions(webhook.shop)),
  );
