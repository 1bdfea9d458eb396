import { proxySignature } from "~/services/storefront/proxy-signature.server";

/**
 * Adds shop, timestamp and signature: what Shopify appends to a proxied request, with the
 * signed-in customer's id (empty for a guest).
 */
export function proxiedQuery(
  query: URLSearchParams,
  {
    shop,
    secret,
    now = Date.now(),
    customerId = "",
  }: { shop: string; secret: string; now?: number; customerId?: string },
): URLSearchParams {
  const signed = new URLSearchParams(query);
  signed.delete("signature");
  signed.set("shop", shop);
  signed.set("logged_in_customer_id", customerId);
  signed.set("path_prefix", "/apps/cartlift");
  signed.set("timestamp", String(Math.floor(now / 1000)));
  signed.set("signature", proxySignature(signed, secret));
  return signed;
}
