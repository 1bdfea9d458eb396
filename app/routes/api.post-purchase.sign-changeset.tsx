import { z } from "zod";
import { LOCALE_CODE } from "~/services/platform/shopper-messages";
import {
  checkoutEndpoint,
  checkoutPreflight,
} from "~/http/checkout-endpoint.server";
import { signPostPurchaseChangeset } from "~/services/checkout/post-purchase.server";

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
  // The buyer's locale, as sent with the offer request: the discount's title is in its language.
  locale: z.string().regex(LOCALE_CODE).optional(),
});

export const loader = checkoutPreflight;

/**
 * POST /api/post-purchase/sign-changeset, called when the buyer accepts: returns `{ token }`, the
 * changeset JWT for `applyChangeset`, only for the offer this app made for that order.
 */
export const action = checkoutEndpoint(
  Body,
  async (context, input) => ({
    token: (await signPostPurchaseChangeset(context, input)).token,
  }),
  { "Cache-Control": "no-store" },
);
