import type { RankRequest } from "~/engine/ranking";

/**
 * Storefront requests over a catalog's ids, for comparing two serving states: for each pick (a
 * list of positions, taken modulo the ids), the product page's two placements (the upgrade from
 * the first variant, numbered `${id}-v0` or as `variantId` names it), the cart and the order of
 * the picked products.
 */
export function requestsOver(
  ids: readonly string[],
  picks: readonly (readonly number[])[],
  variantId: (productId: string) => string,
): RankRequest[] {
  const at = (n: number) => ids[n % ids.length] ?? "unknown";
  return picks.flatMap((pick): RankRequest[] => [
    {
      placement: "product_fbt",
      context: { type: "product", productId: at(pick[0]) },
    },
    {
      placement: "product_upgrade",
      context: {
        type: "product",
        productId: at(pick[0]),
        variantId: variantId(at(pick[0])),
      },
    },
    {
      placement: "cart",
      context: { type: "cart", productIds: pick.map(at) },
      limit: 4,
    },
    {
      placement: "post_purchase",
      context: { type: "order", productIds: pick.map(at) },
    },
  ]);
}
