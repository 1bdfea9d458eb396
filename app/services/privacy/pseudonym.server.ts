import { hmacSha256 } from "~/services/platform/hmac.server";
import { env } from "~/env.server";

/**
 * A stable, non-reversible key for a shop's customer: the same customer maps to the same key
 * (so repeat purchases and redaction requests can be matched) but the Shopify id is never stored.
 */
export function customerKey(shop: string, customerId: string | number): string {
  return hmacSha256(env.SHOPIFY_API_SECRET)
    .update(`${shop}:customer:${customerId}`)
    .digest("hex")
    .slice(0, 32);
}

/** The same for a storefront client's IP address: rate limits count it without storing it. */
export function addressKey(shop: string, address: string): string {
  return hmacSha256(env.SHOPIFY_API_SECRET)
    .update(`${shop}:address:${address}`)
    .digest("hex")
    .slice(0, 32);
}
