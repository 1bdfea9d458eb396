import { z } from "zod";
import { LOCALE_CODE } from "~/services/platform/shopper-messages";
import {
  checkoutEndpoint,
  checkoutPreflight,
} from "~/http/checkout-endpoint.server";
import { makePostPurchaseOffer } from "~/services/checkout/post-purchase.server";

const Body = z.object({
  referenceId: z.string().min(1).max(255),
  productIds: z
    .array(z.string().regex(/^\d{1,20}$/, "must be a numeric product id"))
    .min(1)
    .max(250),
  // The buyer's locale (the extension's inputData.locale): the reason comes back in its language.
  locale: z.string().regex(LOCALE_CODE).optional(),
});

export const loader = checkoutPreflight;

/**
 * POST /api/post-purchase/offer, called by the post-purchase extension's ShouldRender with the
 * checkout token: the one-click offer for the order just placed, or `{ offer: null }`.
 */
export const action = checkoutEndpoint(Body, async (context, input) => ({
  offer: await makePostPurchaseOffer(context, input),
}));
