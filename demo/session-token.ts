import { randomUUID } from "node:crypto";
import { signJwt } from "~/services/platform/jwt.server";

/**
 * Mints an App Bridge session token (HS256 JWT signed with the app secret) for a shop, the
 * same token Shopify admin hands an embedded app. Demo mode uses it in place of the admin;
 * the app validates it with the library's own code, so no auth path is bypassed.
 */
export function mintSessionToken({
  shop,
  apiKey,
  apiSecret,
  userId = "1",
  ttlSeconds = 60,
  now = Date.now(),
}: {
  shop: string;
  apiKey: string;
  apiSecret: string;
  userId?: string;
  ttlSeconds?: number;
  now?: number;
}): string {
  const iat = Math.floor(now / 1000);
  const payload = {
    iss: `https://${shop}/admin`,
    dest: `https://${shop}`,
    aud: apiKey,
    sub: userId,
    exp: iat + ttlSeconds,
    nbf: iat - 5,
    iat,
    jti: randomUUID(),
    sid: randomUUID(),
  };
  return signJwt(payload, apiSecret);
}

/** The `host` query parameter Shopify admin passes: base64 of the admin URL of the store. */
export function adminHost(shop: string): string {
  return Buffer.from(
    `admin.shopify.com/store/${shop.replace(".myshopify.com", "")}`,
  ).toString("base64url");
}
