import { InvalidShopError } from "@shopify/shopify-api";
import { authenticate } from "~/shopify.server";
import { InvalidAmountError } from "~/engine/money";
import { log } from "~/services/platform/log.server";
import {
  InvalidPayloadError,
  type WebhookDelivery,
} from "~/services/platform/webhooks.server";

export interface Webhook extends WebhookDelivery {
  payload: unknown;
  /** The shop's Admin API, when the app holds an offline session for it. */
  admin?: Awaited<ReturnType<typeof authenticate.webhook>>["admin"];
}

function refuse(
  reason: string,
  fields: Record<string, unknown>,
  status = 400,
): Response {
  log.warn("webhook refused", { ...fields, reason });
  return Response.json({ error: reason }, { status });
}

/**
 * The shape every webhook route shares: the library checks the HMAC (401 otherwise); then a
 * signed body that is not JSON, a shop header that is not a shop's domain, or a payload the
 * handler finds invalid (InvalidPayloadError, InvalidAmountError) is answered 400 with the
 * reason and logged. Handlers write only after validating, so a refusal has written nothing.
 */
export async function webhookEndpoint(
  request: Request,
  respond: (webhook: Webhook) => Promise<Response>,
): Promise<Response> {
  let context: Awaited<ReturnType<typeof authenticate.webhook>>;
  try {
    context = await authenticate.webhook(request);
  } catch (error) {
    // Both come after the HMAC matched: a signed body that is not JSON, and a shop header the
    // library does not take for a shop's domain.
    const topic = request.headers.get("X-Shopify-Topic");
    if (error instanceof SyntaxError)
      return refuse("The webhook body is not JSON", { topic });
    if (error instanceof InvalidShopError)
      return refuse("X-Shopify-Shop-Domain is not a shop's domain", { topic });
    throw error;
  }
  const { shop, topic, webhookId, eventId, payload, admin } = context;
  const fields = { shop, topic, webhookId };
  try {
    return await respond({
      shop,
      topic,
      webhookId,
      eventId: eventId || null,
      payload,
      admin,
    });
  } catch (error) {
    if (
      error instanceof InvalidPayloadError ||
      error instanceof InvalidAmountError
    )
      return refuse(`Invalid webhook payload: ${error.message}`, fields);
    throw error;
  }
}
