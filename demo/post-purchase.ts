import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import {
  type PostPurchaseOfferPayload,
  changesFor,
  formatMinor,
  offerRequestBody,
} from "../extensions/cartlift-post-purchase/src/contract";
import { signJwt } from "~/services/platform/jwt.server";
import type { DemoOrder, DemoProduct } from "./shop";

/**
 * The token Shopify hands the post-purchase extension (`inputData.token`): HS256 with the app
 * secret, the extension's input under `input_data`. Demo mode mints it in Shopify's place; the
 * app verifies it with the library's own code, as it would a real one.
 */
export function mintCheckoutToken({
  shop,
  apiKey,
  apiSecret,
  referenceId,
  lineItems,
  ttlSeconds = 300,
  now = Date.now(),
}: {
  shop: string;
  apiKey: string;
  apiSecret: string;
  referenceId: string;
  lineItems: { productId: string; variantId: string; quantity: number }[];
  ttlSeconds?: number;
  now?: number;
}): string {
  const iat = Math.floor(now / 1000);
  const payload = {
    iss: apiKey,
    dest: `https://${shop}`,
    aud: apiKey,
    iat,
    nbf: iat - 5,
    exp: iat + ttlSeconds,
    jti: randomUUID(),
    input_data: {
      extensionPoint: "Checkout::PostPurchase::ShouldRender",
      shop: { domain: shop },
      initialPurchase: {
        referenceId,
        lineItems: lineItems.map((line) => ({
          product: {
            id: Number(line.productId),
            variant: { id: Number(line.variantId) },
          },
          quantity: line.quantity,
        })),
      },
    },
  };
  return signJwt(payload, apiSecret);
}

/** Splits a JWT and checks its HS256 signature: what Shopify does with the signed changeset. */
export function decodeSignedChangeset(token: string, secret: string) {
  const [header, payload, signature] = token.split(".");
  const expected = createHmac("sha256", secret)
    .update(`${header}.${payload}`)
    .digest();
  const actual = Buffer.from(signature ?? "", "base64url");
  return {
    header: JSON.parse(Buffer.from(header, "base64url").toString()) as unknown,
    claims: JSON.parse(Buffer.from(payload, "base64url").toString()) as Record<
      string,
      unknown
    >,
    signatureValid:
      actual.length === expected.length && timingSafeEqual(actual, expected),
  };
}

export interface PostPurchaseDemoResult {
  order: DemoOrder;
  referenceId: string;
  offerStatus: number;
  offer: PostPurchaseOfferPayload | null;
  signStatus: number | null;
  token: string | null;
  decoded: ReturnType<typeof decodeSignedChangeset> | null;
}

/**
 * Plays the post-purchase extension against the running app: asks the real offer endpoint for an
 * offer for `order`, then has the real sign-changeset endpoint sign it for one unit. A fresh
 * reference id each time, since the app signs an order's offer only once.
 */
export async function runPostPurchaseDemo({
  appUrl,
  shop,
  apiKey,
  apiSecret,
  order,
}: {
  appUrl: string;
  shop: string;
  apiKey: string;
  apiSecret: string;
  order: DemoOrder;
}): Promise<PostPurchaseDemoResult> {
  const referenceId = `demo-${randomUUID()}`;
  const token = mintCheckoutToken({
    shop,
    apiKey,
    apiSecret,
    referenceId,
    lineItems: order.lines,
  });
  const post = (path: string, body: unknown) =>
    fetch(appUrl + path, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${token}`,
        "Content-Type": "application/json",
        // The library answers bot-like user agents with 410; the extension runs in a browser.
        "User-Agent": "Mozilla/5.0 (Cartlift demo post-purchase)",
      },
      body: JSON.stringify(body),
    });
  const offerResponse = await post(
    "/api/post-purchase/offer",
    offerRequestBody({
      referenceId,
      lineItems: order.lines.map((l) => ({
        product: { id: Number(l.productId) },
        quantity: l.quantity,
      })),
    }),
  );
  const offer = offerResponse.ok
    ? (
        (await offerResponse.json()) as {
          offer: PostPurchaseOfferPayload | null;
        }
      ).offer
    : null;
  const result: PostPurchaseDemoResult = {
    order,
    referenceId,
    offerStatus: offerResponse.status,
    offer,
    signStatus: null,
    token: null,
    decoded: null,
  };
  if (!offer) return result;
  const signResponse = await post("/api/post-purchase/sign-changeset", {
    referenceId,
    changes: changesFor(offer, offer.minQuantity),
  });
  result.signStatus = signResponse.status;
  if (signResponse.ok) {
    result.token = ((await signResponse.json()) as { token: string }).token;
    result.decoded = decodeSignedChangeset(result.token, apiSecret);
  }
  return result;
}

const escapeHtml = (value: string) =>
  value.replace(
    /[&<>"']/g,
    (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[
        c
      ] as string,
  );

/** The demo page: the sample order, the offer the app made for it, and the changeset it signed. */
export function postPurchaseDemoHtml(
  result: PostPurchaseDemoResult,
  {
    products,
    currency,
    orderIndex,
    orderCount,
  }: {
    products: ReadonlyMap<string, DemoProduct>;
    currency: string;
    orderIndex: number;
    orderCount: number;
  },
): string {
  const money = (minor: number, code = currency) =>
    escapeHtml(formatMinor(minor, code));
  const lines = result.order.lines
    .map(
      (l) =>
        `<li>${l.quantity} × ${escapeHtml(products.get(l.productId)?.title ?? l.productId)} — ${money(l.price)}</li>`,
    )
    .join("");
  const offer = result.offer;
  const offerHtml = offer
    ? `<dl>
  <dt>Product</dt><dd>${escapeHtml(offer.title)}${offer.variantTitle && offer.variantTitle !== "Default Title" ? ` (${escapeHtml(offer.variantTitle)})` : ""}</dd>
  <dt>Price</dt><dd>${money(offer.discountedPriceMinor, offer.currency)}${offer.discount ? ` <s>${money(offer.priceMinor, offer.currency)}</s> ${escapeHtml(offer.discount.title)}` : ""}</dd>
  <dt>Reason</dt><dd>${escapeHtml(offer.reason || "(reasons hidden by the merchant)")}</dd>
  <dt>Quantity</dt><dd>${offer.minQuantity}–${offer.maxQuantity}</dd>
</dl>`
    : `<p>The app made no offer for this order (HTTP ${result.offerStatus}). Try another order.</p>`;
  const signed = result.decoded
    ? `<h2>Signed changeset (HTTP ${result.signStatus})</h2>
<p>What the app returns to the extension for <code>applyChangeset</code> when the buyer accepts one unit.
Signature (HS256, app secret): <strong>${result.decoded.signatureValid ? "valid" : "INVALID"}</strong></p>
<pre aria-label="Signed changeset token">${escapeHtml(result.token ?? "")}</pre>
<pre aria-label="Decoded changeset claims">${escapeHtml(JSON.stringify({ header: result.decoded.header, claims: result.decoded.claims }, null, 2))}</pre>`
    : offer
      ? `<p>The app refused to sign (HTTP ${result.signStatus}).</p>`
      : "";
  const next = (orderIndex + 1) % orderCount;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Cartlift demo: post-purchase offer</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}
pre{background:#f4f4f4;padding:1rem;overflow:auto;white-space:pre-wrap;word-break:break-all}
dt{font-weight:600}dd{margin:0 0 .5rem}</style></head>
<body>
<h1>Post-purchase offer</h1>
<p>Demo mode plays Shopify's post-purchase page: it mints the checkout token Shopify would give the
extension, then calls the app's real <code>/api/post-purchase/offer</code> and
<code>/api/post-purchase/sign-changeset</code> endpoints with it.</p>
<h2>Sample order ${escapeHtml(result.order.name)}</h2>
<p>Reference id <code>${escapeHtml(result.referenceId)}</code></p>
<ul>${lines}</ul>
<h2>Offer</h2>
${offerHtml}
${signed}
<p><a href="/demo/post-purchase?order=${next}">Another order</a></p>
</body></html>`;
}
