import { createHmac } from "node:crypto";

/**
 * Signs app proxy query parameters the way Shopify does before forwarding a storefront
 * request: hex HMAC-SHA256 over the sorted `key=value` pairs joined with nothing, where a
 * repeated key's values are joined by ",".
 */
export function signProxyQuery(
  params: URLSearchParams,
  secret: string,
): string {
  const grouped = new Map<string, string[]>();
  for (const [key, value] of params)
    if (key !== "signature")
      grouped.set(key, [...(grouped.get(key) ?? []), value]);
  const message = [...grouped.keys()]
    .sort()
    .map((key) => `${key}=${(grouped.get(key) as string[]).join(",")}`)
    .join("");
  return createHmac("sha256", secret).update(message).digest("hex");
}

/** Adds shop, timestamp and signature: what Shopify appends to a proxied request. */
export function proxiedQuery(
  query: URLSearchParams,
  {
    shop,
    secret,
    now = Date.now(),
  }: { shop: string; secret: string; now?: number },
): URLSearchParams {
  const signed = new URLSearchParams(query);
  signed.delete("signature");
  signed.set("shop", shop);
  signed.set("logged_in_customer_id", "");
  signed.set("path_prefix", "/apps/cartlift");
  signed.set("timestamp", String(Math.floor(now / 1000)));
  signed.set("signature", signProxyQuery(signed, secret));
  return signed;
}
