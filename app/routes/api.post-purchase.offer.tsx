import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticate } from "~/shopify.server";
import {
  PostPurchaseError,
  checkoutTokenContext,
  makePostPurchaseOffer,
} from "~/services/post-purchase.server";

const Body = z.object({
  referenceId: z.string().min(1).max(255),
  productIds: z
    .array(z.string().regex(/^\d{1,20}$/, "must be a numeric product id"))
    .min(1)
    .max(250),
});

/** OPTIONS preflight (answered by the library with CORS headers); any other GET is refused. */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { cors } = await authenticate.public.checkout(request);
  return cors(Response.json({ error: "Use POST" }, { status: 405 }));
};

/**
 * POST /api/post-purchase/offer, called by the post-purchase extension's ShouldRender with the
 * checkout token: the one-click offer for the order just placed, or `{ offer: null }`.
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
    const offer = await makePostPurchaseOffer(
      checkoutTokenContext(sessionToken),
      parsed.data,
    );
    return cors(Response.json({ offer }));
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
