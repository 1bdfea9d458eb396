import {
  createHmac,
  randomInt,
  randomUUID,
  timingSafeEqual,
} from "node:crypto";
import {
  type CalculateChangesetResult,
  type CalculationChange,
  type MoneyBag,
  type OfferLinePrice,
  type PostPurchaseOfferPayload,
  type UpdatedLineItem,
  calculationChangesFor,
  changesFor,
  formatMinor,
  minorToDecimal,
  offerLinePrice,
  offerRequestBody,
  signChangesetBody,
} from "../extensions/cartlift-post-purchase/src/contract";
import {
  discountLabel,
  screenMessages,
} from "../extensions/cartlift-post-purchase/src/messages";
import { signJwt } from "~/services/platform/jwt.server";
import { money, orderWebhook } from "./experiment-traffic";
import {
  THEME_LOCALES,
  demoPresentmentMinor,
  translations,
} from "./storefront";
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
  totalPriceSet,
  ttlSeconds = 300,
  now = Date.now(),
}: {
  shop: string;
  apiKey: string;
  apiSecret: string;
  referenceId: string;
  lineItems: { productId: string; variantId: string; quantity: number }[];
  /** The order's total in the shop's and the buyer's currency, as checkout hands it over. */
  totalPriceSet?: MoneyBag;
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
        ...(totalPriceSet ? { totalPriceSet } : {}),
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

/**
 * Shopify's `calculateChangeset`, played for the demo: the order just placed with the changes
 * applied, every amount in the shop's currency and in the order's presentment currency (at the
 * demo's rates), as the extension receives it. Each added line is the variant's list price per
 * unit (`priceSet`) and the line after its percentage discount, rounded half up
 * (`totalPriceSet`); the demo adds no shipping and no taxes, so what accepting charges is the
 * added lines. A variant the shop does not sell is refused, as Shopify refuses it.
 */
export function calculateChangesetStandIn({
  order,
  changes,
  variantPrices,
  currency,
  presentmentCurrency,
}: {
  order: DemoOrder;
  changes: CalculationChange[];
  /** The shop's unit prices (shop currency, minor units) by variant id. */
  variantPrices: ReadonlyMap<string, number>;
  currency: string;
  presentmentCurrency: string;
}): CalculateChangesetResult {
  const bag = (shopMinor: number, presentmentMinor: number): MoneyBag => ({
    shopMoney: {
      amount: minorToDecimal(shopMinor, currency),
      currencyCode: currency,
    },
    presentmentMoney: {
      amount: minorToDecimal(presentmentMinor, presentmentCurrency),
      currencyCode: presentmentCurrency,
    },
  });
  const convert = (minor: number) =>
    demoPresentmentMinor(minor, presentmentCurrency);
  let shopSubtotal = 0;
  let presentmentSubtotal = 0;
  const updatedLineItems: UpdatedLineItem[] = order.lines.map((line) => {
    const shopTotal = line.price * line.quantity - line.discount;
    const total = convert(line.price) * line.quantity - convert(line.discount);
    shopSubtotal += shopTotal;
    presentmentSubtotal += total;
    return {
      variantId: Number(line.variantId),
      quantity: line.quantity,
      priceSet: bag(line.price, convert(line.price)),
      totalPriceSet: bag(shopTotal, total),
    };
  });
  let shopAdded = 0;
  let presentmentAdded = 0;
  for (const change of changes) {
    const shopUnit = variantPrices.get(String(change.variantId));
    if (shopUnit === undefined || change.quantity < 1)
      return {
        status: "unprocessed",
        errors: [
          {
            code: "invalid_request",
            message: `Variant ${change.variantId} cannot be added`,
          },
        ],
      };
    const unit = convert(shopUnit);
    const off = (lineMinor: number) =>
      change.discount
        ? Math.round((lineMinor * change.discount.value) / 100)
        : 0;
    const shopLine = shopUnit * change.quantity;
    const line = unit * change.quantity;
    const shopTotal = shopLine - off(shopLine);
    const total = line - off(line);
    shopAdded += shopTotal;
    presentmentAdded += total;
    updatedLineItems.push({
      variantId: change.variantId,
      quantity: change.quantity,
      priceSet: bag(shopUnit, unit),
      totalPriceSet: bag(shopTotal, total),
    });
  }
  const subtotal = bag(
    shopSubtotal + shopAdded,
    presentmentSubtotal + presentmentAdded,
  );
  return {
    status: "processed",
    errors: [],
    calculatedPurchase: {
      subtotalPriceSet: subtotal,
      totalPriceSet: subtotal,
      totalOutstandingSet: bag(shopAdded, presentmentAdded),
      updatedLineItems,
      addedShippingLines: [],
      addedTaxLines: [],
    },
  };
}

export interface PostPurchaseDemoResult {
  order: DemoOrder;
  /** The currency the buyer paid in (the order's presentment currency). */
  presentmentCurrency: string;
  referenceId: string;
  offerStatus: number;
  offer: PostPurchaseOfferPayload | null;
  /** Shopify's calculation of the offer at its least quantity: what the extension shows. */
  calculation: CalculateChangesetResult | null;
  signStatus: number | null;
  token: string | null;
  decoded: ReturnType<typeof decodeSignedChangeset> | null;
  /** The orders webhooks Shopify sends for this checkout, and the app's answers. */
  webhooks: { topic: "orders/create" | "orders/updated"; status: number }[];
}

/**
 * Plays checkout and the post-purchase extension against the running app, as Shopify does:
 * the order for a fresh checkout (the sample order's lines) arrives as orders/create, with the
 * checkout's token as `checkout_token`; the extension asks the real offer endpoint for an offer
 * under that token as its reference id, then has the real sign-changeset endpoint sign it for one
 * unit; Shopify prices that change for the buyer (`calculateChangeset`, played by
 * `calculateChangesetStandIn`, in the order's presentment currency); the buyer accepts, Shopify
 * adds the item to the order (an order edit) and sends orders/updated with the added line.
 * `send` delivers every request to the app.
 */
export async function runPostPurchaseDemo({
  appUrl,
  shop,
  apiKey,
  apiSecret,
  order,
  currency,
  presentmentCurrency = currency,
  variantPrices,
  locale,
  send = (request) => fetch(request),
}: {
  appUrl: string;
  shop: string;
  apiKey: string;
  apiSecret: string;
  order: DemoOrder;
  /** The shop's currency: the app's prices, the order webhooks' amounts. */
  currency: string;
  /** The currency the buyer checked out in; the shop's by default. */
  presentmentCurrency?: string;
  /**
   * The shop's unit prices by variant id, which Shopify prices the change from; without them,
   * the offered variant at the offer's list price (the app's copy of the same catalog).
   */
  variantPrices?: ReadonlyMap<string, number>;
  /** The buyer's locale, which checkout hands the extension. */
  locale?: string;
  send?: (request: Request) => Promise<Response>;
}): Promise<PostPurchaseDemoResult> {
  // A checkout token's shape (32 hex digits); a fresh checkout each time, since the app signs a
  // checkout's offer only once.
  const referenceId = randomUUID().replaceAll("-", "");
  // Above the synthetic history's ids and the traffic generator's (which count from 1e13).
  const orderId = Date.now() * 1000 + randomInt(1000);
  const createdAt = new Date();
  const lines = order.lines.map((line, n) => ({
    id: `${orderId}${n}`,
    product_id: Number(line.productId),
    variant_id: Number(line.variantId),
    quantity: line.quantity,
    price: money(line.price),
    discount_allocations:
      line.discount > 0 ? [{ amount: money(line.discount) }] : [],
    properties: [],
  }));
  const subtotal = order.lines.reduce(
    (s, l) => s + l.price * l.quantity - l.discount,
    0,
  );
  const placed = {
    id: orderId,
    name: `#P${orderId % 100_000}`,
    created_at: createdAt.toISOString(),
    updated_at: createdAt.toISOString(),
    cancelled_at: null,
    currency,
    presentment_currency: presentmentCurrency,
    subtotal_price: money(subtotal),
    total_price: money(subtotal),
    customer: null,
    buyer_accepts_marketing: false,
    checkout_token: referenceId,
    note_attributes: [],
    line_items: lines,
  };
  const webhook = async (
    payload: Record<string, unknown>,
    topic: "orders/create" | "orders/updated",
  ) => {
    const response = await send(
      orderWebhook({ shop, appUrl, apiSecret }, payload, topic),
    );
    result.webhooks.push({ topic, status: response.status });
  };
  const presentmentSubtotal = order.lines.reduce(
    (s, l) =>
      s +
      demoPresentmentMinor(l.price, presentmentCurrency) * l.quantity -
      demoPresentmentMinor(l.discount, presentmentCurrency),
    0,
  );
  const token = mintCheckoutToken({
    shop,
    apiKey,
    apiSecret,
    referenceId,
    lineItems: order.lines,
    totalPriceSet: {
      shopMoney: {
        amount: minorToDecimal(subtotal, currency),
        currencyCode: currency,
      },
      presentmentMoney: {
        amount: minorToDecimal(presentmentSubtotal, presentmentCurrency),
        currencyCode: presentmentCurrency,
      },
    },
  });
  const post = (path: string, body: unknown) =>
    send(
      new Request(appUrl + path, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${token}`,
          "Content-Type": "application/json",
          // The library answers bot-like user agents with 410; the extension runs in a browser.
          "User-Agent": "Mozilla/5.0 (Cartlift demo post-purchase)",
        },
        body: JSON.stringify(body),
      }),
    );
  const result: PostPurchaseDemoResult = {
    order,
    presentmentCurrency,
    referenceId,
    offerStatus: 0,
    offer: null,
    calculation: null,
    signStatus: null,
    token: null,
    decoded: null,
    webhooks: [],
  };
  // The order exists before the post-purchase page shows (payment is taken first).
  await webhook(placed, "orders/create");
  const offerResponse = await post(
    "/api/post-purchase/offer",
    offerRequestBody(
      {
        referenceId,
        lineItems: order.lines.map((l) => ({
          product: { id: Number(l.productId) },
          quantity: l.quantity,
        })),
      },
      locale,
    ),
  );
  result.offerStatus = offerResponse.status;
  const offer = offerResponse.ok
    ? (
        (await offerResponse.json()) as {
          offer: PostPurchaseOfferPayload | null;
        }
      ).offer
    : null;
  result.offer = offer;
  if (!offer) return result;
  // The extension has Shopify price the offer for the buyer before showing it.
  result.calculation = calculateChangesetStandIn({
    order,
    changes: calculationChangesFor(offer, offer.minQuantity),
    variantPrices:
      variantPrices ?? new Map([[offer.variantId, offer.priceMinor]]),
    currency,
    presentmentCurrency,
  });
  const signResponse = await post(
    "/api/post-purchase/sign-changeset",
    signChangesetBody(
      referenceId,
      changesFor(offer, offer.minQuantity),
      locale,
    ),
  );
  result.signStatus = signResponse.status;
  if (!signResponse.ok) return result;
  result.token = ((await signResponse.json()) as { token: string }).token;
  result.decoded = decodeSignedChangeset(result.token, apiSecret);
  // Accepted: Shopify adds the item to the order (list price, the offer's discount allocated to
  // the line) and sends orders/updated, a newer state of the same order.
  const quantity = offer.minQuantity;
  const paid = offer.discountedPriceMinor * quantity;
  const updatedAt = new Date(Math.max(Date.now(), createdAt.getTime() + 1000));
  await webhook(
    {
      ...placed,
      updated_at: updatedAt.toISOString(),
      subtotal_price: money(subtotal + paid),
      total_price: money(subtotal + paid),
      line_items: [
        ...lines,
        {
          id: `${orderId}${lines.length}`,
          product_id: Number(offer.productId),
          variant_id: Number(offer.variantId),
          quantity,
          price: money(offer.priceMinor),
          discount_allocations: [
            { amount: money(offer.priceMinor * quantity - paid) },
          ],
          properties: [],
        },
      ],
    },
    "orders/updated",
  );
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

/**
 * The buyer's view of the offer: the same content, in the same order, as the extension's
 * OfferScreen (extensions/cartlift-post-purchase/src/OfferScreen.tsx) renders with Shopify's
 * components, drawn in plain HTML because those components only run inside checkout. Its layout
 * follows the extension's: stacked on small and medium screens, image beside the offer on large.
 * The price is the one the extension shows (contract.ts `offerLinePrice`): the offered line as
 * the calculation priced it, in the buyer's currency. Shipping, taxes and the total are left out:
 * only checkout knows them, and the demo's calculation adds none.
 */
export function offerScreenHtml(
  offer: PostPurchaseOfferPayload,
  price: OfferLinePrice | null,
  locale = "en",
): string {
  const m = screenMessages(locale);
  const money = (minor: number, currency: string) =>
    escapeHtml(formatMinor(minor, currency, locale));
  const quantities = Array.from(
    { length: offer.maxQuantity - offer.minQuantity + 1 },
    (_, i) => offer.minQuantity + i,
  );
  const image = offer.imageUrl
    ? `<img src="${escapeHtml(offer.imageUrl)}" alt="${escapeHtml(offer.title)}">`
    : "";
  const label = translations(THEME_LOCALES, locale)("checkout.buyer_screen");
  return `<section class="pp-screen" aria-label="${escapeHtml(label)}">
<div class="pp-banner"><p class="pp-banner__title">${escapeHtml(m.bannerTitle)}</p>
<p>${escapeHtml(m.bannerBody)}</p></div>
<div class="pp-layout">
<div class="pp-image">${image}</div>
<div class="pp-offer">
<h2>${escapeHtml(offer.title)}</h2>
${offer.variantTitle && offer.variantTitle !== "Default Title" ? `<p class="pp-subdued">${escapeHtml(offer.variantTitle)}</p>` : ""}
${
  price
    ? `<p><strong class="pp-price">${money(price.discountedPriceMinor, price.currency)}</strong>${offer.discount && price.discountedPriceMinor < price.priceMinor ? ` <del class="pp-subdued">${money(price.priceMinor, price.currency)}</del> <span class="pp-success">${escapeHtml(discountLabel(offer.discount.value, locale))}</span>` : ""}</p>`
    : `<p class="pp-subdued">${escapeHtml(m.pricing)}</p>`
}
${offer.reason ? `<p>${escapeHtml(offer.reason)}</p>` : ""}
${
  quantities.length > 1
    ? `<label class="pp-select">${escapeHtml(m.quantity)} <select>${quantities.map((q) => `<option${q === offer.minQuantity ? " selected" : ""}>${q}</option>`).join("")}</select></label>`
    : ""
}
<hr>
<button type="button" class="pp-button"${price ? "" : " disabled"}>${escapeHtml(m.payNow)}</button>
<button type="button" class="pp-button pp-button--subdued">${escapeHtml(m.decline)}</button>
</div>
</div>
</section>`;
}

/**
 * The demo page: the offer as the buyer would see it after checkout, in the buyer's language, then,
 * for developers, the sample order it was made for and the changeset the app signed for it. Those
 * notes are the demo's, not the buyer's: in English on every page, set apart and marked lang="en"
 * (a French page does not read them out, or offer to translate them, as French).
 */
export function postPurchaseDemoHtml(
  result: PostPurchaseDemoResult,
  {
    products,
    currency,
    orderIndex,
    orderCount,
    locale = "en",
  }: {
    products: ReadonlyMap<string, DemoProduct>;
    currency: string;
    orderIndex: number;
    orderCount: number;
    locale?: string;
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
  const buyer = offer
    ? offerScreenHtml(
        offer,
        offerLinePrice(
          offer,
          offer.minQuantity,
          result.calculation?.calculatedPurchase,
          result.presentmentCurrency,
        ),
        locale,
      )
    : `<p class="pp-none" lang="en">The app made no offer for this order (HTTP ${result.offerStatus}), so Shopify skips this page and shows the thank-you page. Try another order.</p>`;
  const purchase = result.calculation?.calculatedPurchase;
  const added = offer
    ? purchase?.updatedLineItems?.filter(
        (l) => String(l.variantId) === offer.variantId,
      )
    : undefined;
  const calculated = result.calculation
    ? `<h3>Calculated changeset (${escapeHtml(result.calculation.status)})</h3>
<p>What Shopify's <code>calculateChangeset</code> answers the extension for that unit, played by the demo
in the order's presentment currency (${escapeHtml(result.presentmentCurrency)}) at the storefront preview's
rates, with no shipping or taxes: the added line and what accepting charges. The screen's price is that
line's <code>priceSet</code> and <code>totalPriceSet</code> in <code>presentmentMoney</code>; the app's offer
is in the shop's currency (${escapeHtml(currency)}), the facts the changeset is signed against.</p>
<pre aria-label="Calculated changeset">${escapeHtml(JSON.stringify(purchase ? { updatedLineItems: added, totalOutstandingSet: purchase.totalOutstandingSet } : result.calculation, null, 2))}</pre>`
    : "";
  const signed = result.decoded
    ? `<h3>Signed changeset (HTTP ${result.signStatus})</h3>
<p>What the app returns to the extension for <code>applyChangeset</code> when the buyer accepts one unit.
Signature (HS256, app secret): <strong>${result.decoded.signatureValid ? "valid" : "INVALID"}</strong></p>
<pre aria-label="Signed changeset token">${escapeHtml(result.token ?? "")}</pre>
<pre aria-label="Decoded changeset claims">${escapeHtml(JSON.stringify({ header: result.decoded.header, claims: result.decoded.claims }, null, 2))}</pre>`
    : offer
      ? `<p>The app refused to sign (HTTP ${result.signStatus}).</p>`
      : "";
  const next = (orderIndex + 1) % orderCount;
  const say = translations(THEME_LOCALES, locale);
  return `<!doctype html>
<html lang="${escapeHtml(locale)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(say("checkout.page_title"))}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1a1a1a}
.pp-shop{padding:1rem;border-bottom:1px solid #ddd;text-align:center}.pp-shop h1{margin:0;font-size:1em}
main{max-width:60rem;margin:0 auto;padding:1rem}
.pp-screen{margin:1rem 0 2rem}.pp-banner{background:#f0f5fa;border-radius:.5rem;padding:1rem;margin-bottom:1.5rem}
.pp-banner p{margin:0}.pp-banner__title{font-weight:600;font-size:1.15em}
.pp-layout{display:grid;gap:1rem;max-width:90%;margin:0 auto}
.pp-image img{width:100%;height:auto}.pp-image:empty{display:none}
.pp-offer h2{margin:0;font-size:1.4em}.pp-offer p{margin:.25rem 0}
.pp-price{font-size:1.15em}.pp-subdued{color:#666}.pp-success{color:#0a7d3b}
.pp-select{display:grid;gap:.25rem;margin:1rem 0}.pp-select select{font:inherit;padding:.6rem}
hr{border:0;border-top:1px solid #ddd;margin:1rem 0}
.pp-button{display:block;width:100%;padding:.9rem;margin:.5rem 0;font:inherit;font-weight:600;border:0;border-radius:.4rem;background:#1a1a1a;color:#fff}
.pp-button--subdued{background:none;color:#1a1a1a;font-weight:400}
.pp-dev{border-top:2px dashed #ccc;margin-top:2rem;padding:0 1rem 1rem;background:#fafafa}
pre{background:#f4f4f4;padding:1rem;overflow:auto;white-space:pre-wrap;word-break:break-all}code{overflow-wrap:anywhere}
@media (min-width:750px){.pp-layout{max-width:420px}}
@media (min-width:1000px){.pp-layout{max-width:none;grid-template-columns:560px 340px;gap:38px;justify-content:center}
.pp-image:empty{display:block;background:#f4f4f4;min-height:20rem}}
</style></head>
<body>
<header class="pp-shop"><h1>Cartlift demo store · ${escapeHtml(say("checkout.order_confirmed", { name: result.order.name }))}</h1></header>
<main>
${buyer}
<section class="pp-dev" lang="en" aria-labelledby="pp-dev-heading">
<h2 id="pp-dev-heading">For developers</h2>
<p class="pp-subdued">Not part of the buyer's page: how the demo made the offer above${locale === "en" ? "" : ", in English whatever the buyer's language"}.</p>
<p>Demo mode plays Shopify's checkout and post-purchase page: it places a new order with the sample
order's lines (the <code>orders/create</code> webhook), mints the checkout token Shopify would give the
extension, then calls the app's real <code>/api/post-purchase/offer</code> and
<code>/api/post-purchase/sign-changeset</code> endpoints with it. The buyer is taken to accept one unit:
Shopify adds it to the order and sends <code>orders/updated</code>, which credits the sale to "After checkout". Above is the extension's screen for
that offer; the buttons are not wired here. In checkout the screen also lists shipping, taxes and the
total above the buttons once Shopify has priced the change.</p>
<h3>Sample order ${escapeHtml(result.order.name)}</h3>
<p>Reference id (the checkout token) <code>${escapeHtml(result.referenceId)}</code></p>
<p>Orders webhooks sent as Shopify sends them: ${result.webhooks.map((w) => `${escapeHtml(w.topic)} (HTTP ${w.status})`).join(", ")}.</p>
<p>Paid in ${escapeHtml(result.presentmentCurrency)}; the order's lines at the shop's prices (${escapeHtml(currency)}):</p>
<ul>${lines}</ul>
${calculated}
${signed}
<p><a href="/demo/post-purchase?order=${next}&amp;locale=${escapeHtml(locale)}&amp;currency=${escapeHtml(result.presentmentCurrency)}">Another order</a>
· <a href="/demo/post-purchase?order=${orderIndex}&amp;locale=${locale === "fr" ? "en" : "fr"}">${locale === "fr" ? "In English" : "En français"}</a></p>
</section>
</main>
</body></html>`;
}
