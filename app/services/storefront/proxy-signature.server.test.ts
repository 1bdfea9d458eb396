import { describe, expect, it } from "vitest";
import fc from "fast-check";
import "@shopify/shopify-api/adapters/node";
import { shopifyApi } from "@shopify/shopify-api";
import { API_VERSION } from "~/api-version";
import {
  PROXY_CLOCK_TOLERANCE_S,
  proxySignature,
  verifyProxyRequest,
} from "./proxy-signature.server";

const SECRET = "proxy-secret";
const NOW = Date.UTC(2026, 10, 25, 12);
// Shopify's own library, as the reference for what a valid app proxy signature is.
const library = shopifyApi({
  apiKey: "key",
  apiSecretKey: SECRET,
  apiVersion: API_VERSION,
  hostName: "app.example",
  isEmbeddedApp: true,
  logger: { level: 0 },
});

// Keys of letters and "_" (Shopify's and ours): the library sorts with localeCompare, which
// differs from Shopify's plain sort only once digits meet "_".
const key = fc.stringMatching(/^[a-z][a-z_]{0,11}$/);
const value = fc.string({ maxLength: 20 });

function signed(pairs: [string, string][], timestamp: number, secret = SECRET) {
  const params = new URLSearchParams(pairs);
  params.set("shop", "a-shop.myshopify.com");
  params.set("timestamp", String(timestamp));
  params.set("signature", proxySignature(params, secret));
  return new URL(`https://app.example/proxy/recommendations?${params}`);
}

describe("app proxy signature", () => {
  it("agrees with Shopify's library on valid, tampered and foreign signatures", async () => {
    const now = Math.floor(Date.now() / 1000); // the library checks against the real clock
    await fc.assert(
      fc.asyncProperty(
        // Distinct keys: the library keeps only the last value of a repeated key.
        fc.uniqueArray(fc.tuple(key, value), {
          maxLength: 8,
          selector: ([k]) => k,
        }),
        fc.constantFrom("valid", "tampered", "other-secret", "stale"),
        async (pairs, kind) => {
          const url = signed(
            pairs,
            kind === "stale" ? now - PROXY_CLOCK_TOLERANCE_S - 5 : now,
            kind === "other-secret" ? "another-secret" : SECRET,
          );
          if (kind === "tampered")
            url.searchParams.set("shop", "b.myshopify.com");
          const ours = verifyProxyRequest(url.searchParams, SECRET) !== null;
          const theirs = await library.utils
            .validateHmac(Object.fromEntries(url.searchParams), {
              signator: "appProxy",
            })
            .catch(() => false);
          expect(ours).toBe(theirs);
          expect(ours).toBe(kind === "valid");
        },
      ),
      { numRuns: 200 },
    );
  });

  it("joins a repeated key's values with commas, as Shopify signs them", () => {
    const repeated = new URLSearchParams("extra=1&extra=2&shop=a");
    expect(proxySignature(repeated, SECRET)).toBe(
      proxySignature(new URLSearchParams("shop=a&extra=1%2C2"), SECRET),
    );
  });

  it("returns the signed shop, and null without a signature, shop or fresh timestamp", () => {
    const url = signed([["placement", "cart"]], NOW / 1000);
    expect(verifyProxyRequest(url.searchParams, SECRET, NOW)).toBe(
      "a-shop.myshopify.com",
    );
    expect(
      verifyProxyRequest(
        url.searchParams,
        SECRET,
        NOW + (PROXY_CLOCK_TOLERANCE_S + 1) * 1000,
      ),
    ).toBeNull();
    for (const missing of ["signature", "shop", "timestamp"]) {
      const without = new URL(url);
      without.searchParams.delete(missing);
      expect(verifyProxyRequest(without.searchParams, SECRET, NOW)).toBeNull();
    }
    const short = new URL(url);
    short.searchParams.set("signature", "abc");
    expect(verifyProxyRequest(short.searchParams, SECRET, NOW)).toBeNull();
  });
});
