import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticate } from "~/shopify.server";
import {
  PostPurchaseError,
  checkoutTokenContext,
  signPostPurchaseChangeset,
} from "~/services/post-purchase.server";

// The shape is checked here; whether the changes are the offer is the service's decision.
const Change = z.object({
  type: z.string(),
  variantID: z.number().int().positive().optional(),
  quantity: z.number().optional(),
  discount: z.unknown().optional(),
});

const Body = z.object({
  referenceId: z.string().min(1).max(255),
  changes: z.array(Change).min(1).max(10),
});

/** OPTIONS preflight (answered by the library with CORS headers); any other GET is refused. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { cors } = await authenticate.public.checkout(request);
  return cors(Response.json({ error: "Use POST" }, { status: 405 }));
};

/**
 * POST /api/post-purchase/sign-changeset, called when the buyer accepts: returns `{ token }`, the
 * changeset JWT for `applyChangeset`, only for the offer this app made for that order.
 */
export const action = async ({ request }: ActionFunctionArgs) => {
  const { sessionToken, cors } = await authenticate.public.checkout(request);
  const parsed = Body.safeParse(await request.json().catch(() => null));
  if (!parsed.success)
    return cors(
      Response.json(
        {
          error: "Invalid request body",
          issues: parsed.error.issues.map(
            (i) => `${i.path.join(".")}: ${i.message}`,
          ),
        },
        { status: 400 },
      ),
    );
  try {
    const { token } = await signPostPurchaseChangeset(
      checkoutTokenContext(sessionToken),
      parsed.data,
    );
    return cors(
      Response.json({ token }, { headers: { "Cache-Control": "no-store" } }),
    );
  } catch (error) {
    if (error instanceof PostPurchaseError)
      return cors(
        Response.json(
          { error: error.message, code: error.code },
          { status: error.status },
        ),
      );
    throw error;
  }
};
