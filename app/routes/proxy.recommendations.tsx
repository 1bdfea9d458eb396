import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { authenticateProxy } from "~/shopify.server";
import { recommend } from "~/services/recommendations.server";

const ProductId = z
  .string()
  .regex(/^\d{1,20}$/, "must be a numeric product id");

// Cart ids arrive as one comma-separated parameter: the library's proxy signature check keeps
// only the last value of a repeated key, so repeated keys would fail verification.
const Query = z
  .object({
    placement: z.enum(["product_fbt", "product_upgrade", "cart", "drawer"]),
    product_id: ProductId.optional(),
    cart: z
      .string()
      .max(2000)
      .transform((s) => s.split(",").filter(Boolean))
      .pipe(z.array(ProductId).max(100))
      .optional(),
    limit: z.coerce.number().int().min(1).max(12).optional(),
  })
  .refine((q) => !q.placement.startsWith("product_") || q.product_id, {
    message: "product_id is required for product placements",
    path: ["product_id"],
  });

export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { shop } = await authenticateProxy(request);
  const parsed = Query.safeParse(
    Object.fromEntries(new URL(request.url).searchParams),
  );
  if (!parsed.success) {
    return Response.json(
      {
        error: "Invalid query",
        issues: parsed.error.issues.map(
          (i) => `${i.path.join(".")}: ${i.message}`,
        ),
      },
      { status: 400 },
    );
  }
  const { placement, product_id, cart = [], limit } = parsed.data;
  const context = product_id
    ? ({ type: "product", productId: product_id } as const)
    : ({ type: "cart", productIds: cart } as const);
  const result = await recommend(shop, { placement, context, limit });
  return Response.json(
    { placement, offers: result.offers },
    // Per-shopper answers: never cached by a shared cache.
    { headers: { "Cache-Control": "private, max-age=30" } },
  );
};
