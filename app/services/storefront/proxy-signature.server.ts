import { timingSafeEqual } from "node:crypto";
import { hmacSha256 } from "~/services/platform/hmac.server";

/** How far a proxied request's timestamp may be from now, either way (Shopify's libraries allow 90 s). */
export const PROXY_CLOCK_TOLERANCE_S = 90;

/**
 * Shopify's app proxy signature of a query: hex HMAC-SHA256, keyed with the app secret, over the
 * `key=value` strings of every parameter but `signature` (a repeated key's values joined by ","),
 * sorted and joined with nothing.
 */
export function proxySignature(
  params: URLSearchParams,
  secret: string,
): string {
  // A repeated key's values, joined in order as they come.
  const grouped = new Map<string, string>();
  for (const [key, value] of params)
    if (key !== "signature") {
      const earlier = grouped.get(key);
      grouped.set(key, earlier === undefined ? value : `${earlier},${value}`);
    }
  const pairs: string[] = [];
  for (const [key, values] of grouped) pairs.push(`${key}=${values}`);
  return hmacSha256(secret).update(pairs.sort().join("")).digest("hex");
}

/**
 * The shop a proxied storefront request was signed for, or null when the signature is missing or
 * wrong, or the timestamp is stale. Synchronous and self-contained: the storefront's hottest path
 * needs no session, Admin API client or asynchronous key import to answer.
 */
export function verifyProxyRequest(
  params: URLSearchParams,
  secret: string,
  now = Date.now(),
): string | null {
  const signature = params.get("signature");
  const shop = params.get("shop");
  const timestamp = Number(params.get("timestamp"));
  if (!signature || !shop || !Number.isFinite(timestamp)) return null;
  if (Math.abs(now / 1000 - timestamp) > PROXY_CLOCK_TOLERANCE_S) return null;
  const expected = Buffer.from(proxySignature(params, secret));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? shop
    : null;
}
