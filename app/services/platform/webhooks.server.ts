import prisma, { isUniqueViolation } from "~/db.server";

/**
 * Records a delivery and tells whether it is the first one. Shopify retries and may deliver
 * the same webhook twice; handlers run only for the first, so redeliveries change nothing.
 */
export async function firstDelivery(
  shop: string,
  webhookId: string,
  topic: string,
): Promise<boolean> {
  try {
    await prisma.webhookDelivery.create({ data: { shop, webhookId, topic } });
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

export class InvalidPayloadError extends Error {}

/**
 * Runs a webhook handler once per delivery id. A handler failure forgets the delivery and
 * rethrows, so Shopify's retry gets a second chance instead of being skipped as a duplicate.
 */
export async function handleOnce(
  delivery: { shop: string; webhookId: string; topic: string },
  handler: () => Promise<unknown>,
): Promise<Response> {
  if (
    !(await firstDelivery(delivery.shop, delivery.webhookId, delivery.topic))
  ) {
    return new Response(null, { status: 200 });
  }
  try {
    await handler();
  } catch (error) {
    if (error instanceof InvalidPayloadError) {
      // Bad input changes nothing, not even the delivery ledger.
      await forgetDelivery(delivery.shop, delivery.webhookId);
      return Response.json({ error: error.message }, { status: 422 });
    }
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
  if (!result.success)
    throw new InvalidPayloadError(
      `Invalid webhook payload: ${result.error.message}`,
    );
  return result.data;
}
