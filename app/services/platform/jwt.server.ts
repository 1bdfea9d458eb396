import { createHmac } from "node:crypto";

const base64url = (value: unknown) =>
  Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * A JWT signed HS256 with the app secret: the form of the post-purchase changeset Shopify's
 * `applyChangeset` accepts, and of the session and checkout tokens demo mode mints in Shopify's
 * place. Dependency-free, so the demo can load it without the Shopify library.
 */
export function signJwt(claims: object, secret: string): string {
  const unsigned = `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url(claims)}`;
  const signature = createHmac("sha256", secret)
    .update(unsigned)
    .digest("base64url");
  return `${unsigned}.${signature}`;
}
