import prisma, { isUniqueViolation } from "~/db.server";

export interface WebhookDelivery {
  shop: string;
  topic: string;
  webhookId: string;
  /** X-Shopify-Event-Id: the event behind the delivery, the same under every webhook id it gets. */
  eventId: string | null;
}

/**
 * Records a delivery and tells whether it is the first one. Shopify retries and may deliver
 * the same webhook twice, or the same event under several webhook ids; handlers run only for
 * the first, so redeliveries change nothing. Either key already recorded makes a duplicate.
 */
export async function firstDelivery({
  shop,
  webhookId,
  topic,
  eventId,
}: WebhookDelivery): Promise<boolean> {
  try {
    await prisma.webhookDelivery.create({
      data: { shop, webhookId, topic, eventId },
    });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** Forgets a delivery so that Shopify's retry can run the handler again after a failure. */
export async function forgetDelivery(
  shop: string,
  webhookId: string,
): Promise<void> {
  await prisma.webhookDelivery.deleteMany({ where: { shop, webhookId } });
}

export class InvalidPayloadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InvalidPayloadError";
  }
}

/**
 * Runs a webhook handler once per delivery (webhook id and event id). A handler failure, bad
 * input included, forgets the delivery and rethrows: bad input leaves not even a ledger row, and
 * after any other failure Shopify's retry gets a second chance instead of being skipped.
 */
export async function handleOnce(
  delivery: WebhookDelivery,
  handler: () => Promise<unknown>,
): Promise<Response> {
  if (!(await firstDelivery(delivery))) {
    return new Response(null, { status: 200 });
  }
  try {
    await handler();
  } catch (error) {
    await forgetDelivery(delivery.shop, delivery.webhookId);
    throw error;
  }
  return new Response(null, { status: 200 });
}

export function parsePayload<T>(
  schema: {
    safeParse(
      data: unknown,
    ):
      | { success: true; data: T }
      | { success: false; error: { message: string } };
  },
  payload: unknown,
): T {
  const result = schema.safeParse(payload);
  if (!result.success) throw new InvalidPayloadError(result.error.message);
  return result.data;
}
