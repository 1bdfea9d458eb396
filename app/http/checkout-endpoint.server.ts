import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import type { z } from "zod";
import { authenticate } from "~/shopify.server";
import {
  type CheckoutTokenContext,
  PostPurchaseError,
  checkoutTokenContext,
} from "~/services/checkout/post-purchase.server";

/**
 * The shape every post-purchase endpoint shares: the extension's checkout token verified by the
 * library, a zod-checked JSON body (400 with the issues otherwise), the service's typed refusals
 * as their own status, and Shopify's CORS headers on every answer.
 */
export function checkoutEndpoint<T>(
  body: z.ZodType<T>,
  handle: (
    context: CheckoutTokenContext,
    input: T,
  ) => Promise<Record<string, unknown>>,
  headers: HeadersInit = {},
) {
  return async ({ request }: ActionFunctionArgs) => {
    const { sessionToken, cors } = await authenticate.public.checkout(request);
    const parsed = body.safeParse(await request.json().catch(() => null));
    if (!parsed.success) {
      const issues = parsed.error.issues.map(
        (i) => `${i.path.join(".")}: ${i.message}`,
      );
      return cors(
        Response.json(
          { error: "Invalid request body", issues },
          { status: 400 },
        ),
      );
    }
    try {
      return cors(
        Response.json(
          await handle(checkoutTokenContext(sessionToken), parsed.data),
          { headers },
        ),
      );
    } catch (error) {
      if (error instanceof PostPurchaseError) {
        return cors(
          Response.json(
            { error: error.message, code: error.code },
            { status: error.status },
          ),
        );
      }
      throw error;
    }
  };
}

/** OPTIONS preflight (answered by the library with CORS headers); any other GET is refused. */
export async function checkoutPreflight({ request }: LoaderFunctionArgs) {
  const { cors } = await authenticate.public.checkout(request);
  return cors(Response.json({ error: "Use POST" }, { status: 405 }));
}
