import { z } from "zod";
import { type LeanRequest, jsonAnswer } from "./lean-answer";
import { LOCALE_CODE } from "~/services/platform/shopper-messages";
import { authenticateProxy } from "~/shopify.server";
import {
  allowClient,
  clientAddress,
} from "~/services/platform/rate-limit.server";
import {
  VISITOR_ID,
  visitorKey,
} from "~/services/measurement/attribution.server";
import { customerKey } from "~/services/privacy/pseudonym.server";
import { storefrontAnswer } from "~/services/storefront/offers.server";
import { liquidLanguage } from "~/services/storefront/liquid";

/** An empty element the storefront script looks for; it renders nothing. */
const EXPOSED_MARKER = "<template data-cartlift-exposed></template>";

const Id = z.string().regex(/^\d{1,20}$/, "must be a numeric id");
const CustomerId = Id.nullable();

// Cart ids arrive as one comma-separated parameter: the library's proxy signature check keeps
// only the last value of a repeated key, so repeated keys would fail verification.
// Currency and country are not used to build the answer (it is Liquid that Shopify renders in the
// shopper's own context, decision 007); the locale picks the language of its words (the one the
// Liquid would pick, decision 024). All three are in the address so that every cache keys on them,
// and a shopper who switches never gets the old language or currency back.
const Query = z
  .object({
    placement: z.enum(["product_fbt", "product_upgrade", "cart", "drawer"]),
    product_id: Id.optional(),
    variant_id: Id.optional(),
    cart: z
      .string()
      .max(2000)
      .transform((s) => s.split(",").filter(Boolean))
      .pipe(z.array(Id).max(100))
      .optional(),
    limit: z.coerce.number().int().min(1).max(12).optional(),
    reasons: z.enum(["0", "1"]).default("1"),
    // The pseudonymous visitor id: experiment assignment and learned offer counts key on its
    // HMAC (visitorKey); the id itself is never stored.
    visitor: z.string().regex(VISITOR_ID).optional(),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional(),
    country: z
      .string()
      .regex(/^[A-Z]{2}$/)
      .optional(),
    locale: z.string().regex(LOCALE_CODE).optional(),
  })
  .refine((q) => !q.placement.startsWith("product_") || q.product_id, {
    message: "product_id is required for product placements",
    path: ["product_id"],
  });

/**
 * GET /apps/cartlift/recommendations: the offers of one placement as a Liquid fragment
 * (application/liquid, no theme layout), rendered by Shopify in the shopper's currency.
 * Its route's loader (app/routes/proxy.recommendations.tsx), and a lean route (lean-routes.ts).
 */
export async function recommendationsAnswer(request: LeanRequest) {
  const { shop, customerId, query, liquid } = authenticateProxy(request);
  if (!allowClient(shop, clientAddress(request)))
    return jsonAnswer({ error: "Too many requests; retry later" }, 429, {
      "Retry-After": "1",
    });
  const parsed = Query.safeParse(Object.fromEntries(query));
  if (!parsed.success) {
    return jsonAnswer(
      {
        error: "Invalid query",
        issues: parsed.error.issues.map(
          (i) => `${i.path.join(".")}: ${i.message}`,
        ),
      },
      400,
    );
  }
  const customer = CustomerId.safeParse(customerId);
  if (!customer.success)
    return jsonAnswer(
      {
        error: "Invalid query",
        issues: ["logged_in_customer_id: must be a numeric id"],
      },
      400,
    );
  const q = parsed.data;
  const visitor = q.visitor;
  const offers = await storefrontAnswer(shop, {
    placement: q.placement,
    productId: q.product_id,
    variantId: q.variant_id,
    cart: q.cart ?? [],
    limit: q.limit,
    showReasons: q.reasons === "1",
    // An HMAC of the id, computed only if an experiment or the bandit reads it.
    visitorKey: visitor ? () => visitorKey(shop, visitor) : undefined,
    customerKey: customer.data ? customerKey(shop, customer.data) : undefined,
    // The block sends the locale Shopify renders the answer in: its words in that language alone.
    language: q.locale ? liquidLanguage(q.locale) : undefined,
  });
  // In an experiment (the hold-out too, which gets no offers) the script puts the visitor id on
  // the cart, so the order can be joined to the arm: see EXPOSED_MARKER in cartlift.js.
  const exposed = offers.experiment ? EXPOSED_MARKER : "";
  return liquid(offers.liquid + exposed, {
    layout: false,
    // Per-shopper answers (cart-dependent, presentment currency): never in a shared cache.
    headers: {
      "Cache-Control": "private, max-age=30",
      Vary: "Cookie",
      // Whether the answer memo served the ranking: bench:proxy reports its hit rate from this.
      "Server-Timing": `memo;desc="${offers.memo}"`,
    },
  });
}
