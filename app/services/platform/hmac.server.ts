import {
  type Hmac,
  type KeyObject,
  createHmac,
  createSecretKey,
} from "node:crypto";

let prepared: { secret: string; key: KeyObject } | undefined;

/**
 * `createHmac("sha256", secret)` with the key prepared once: a storefront request computes several
 * HMACs with the app secret (the proxy signature, the visitor key, one per offer token), and
 * turning a string key into key material each time was a measurable part of each (decision 024).
 * The same MACs: a string key is its UTF-8 bytes either way.
 */
export function hmacSha256(secret: string): Hmac {
  if (prepared?.secret !== secret)
    prepared = { secret, key: createSecretKey(Buffer.from(secret, "utf8")) };
  return createHmac("sha256", prepared.key);
}
