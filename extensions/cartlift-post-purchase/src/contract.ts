// The contract between this extension and the app's /api/post-purchase/* endpoints, plus the
// extension's non-React logic. Plain TypeScript with no dependencies: the app and its engine import
// these types (so both sides are checked against one definition, and the extension's own typecheck
// never reaches into the app) and vitest tests the logic without React 17.

import { SCREEN_MESSAGES, type ScreenMessages } from "./messages";

/** One entry of a changeset, as Shopify's `calculateChangeset` and the signed JWT carry it. */
export interface AddVariantChange {
  type: "add_variant";
  variantID: number;
  quantity: number;
  discount?: ChangeDiscount;
}

export interface ChangeDiscount {
  value: number;
  valueType: "percentage";
  title: string;
}

export interface OfferRequestBody {
  referenceId: string;
  /** Numeric product ids of the order's lines. */
  productIds: string[];
  /** The buyer's locale (`inputData.locale`): the offer's reason comes back in its language. */
  locale?: string;
}

export interface PostPurchaseOfferPayload {
  referenceId: string;
  productId: string;
  variantId: string;
  title: string;
  variantTitle: string;
  imageUrl: string | null;
  /** Shopper-facing reason ("Often bought with …"); empty when the merchant hides reasons. */
  reason: string;
  currency: string;
  /** Unit price before the discount, in minor units. */
  priceMinor: number;
  /** Unit price after the discount, in minor units (equal to priceMinor without a discount). */
  discountedPriceMinor: number;
  discount: ChangeDiscount | null;
  minQuantity: number;
  maxQuantity: number;
}

export interface OfferResponseBody {
  offer: PostPurchaseOfferPayload | null;
}

export interface SignChangesetRequestBody {
  referenceId: string;
  changes: AddVariantChange[];
  /** The buyer's locale, as with the offer: the signed discount's title is in its language. */
  locale?: string;
}

export interface SignChangesetResponseBody {
  token: string;
}

/**
 * The part of Shopify's `inputData.initialPurchase` the extension reads. `totalPriceSet` is the
 * order's total in the shop's currency and in the buyer's (presentment) currency.
 */
export interface InitialPurchase {
  referenceId: string;
  lineItems: { product: { id: number }; quantity: number }[];
  totalPriceSet?: MoneyBag;
}

export const OFFER_PATH = "/api/post-purchase/offer";
export const SIGN_PATH = "/api/post-purchase/sign-changeset";

export function offerRequestBody(
  purchase: InitialPurchase,
  locale?: string,
): OfferRequestBody {
  return {
    referenceId: purchase.referenceId,
    ...(locale ? { locale } : {}),
    productIds: [
      ...new Set(purchase.lineItems.map((line) => String(line.product.id))),
    ],
  };
}

export function signChangesetBody(
  referenceId: string,
  changes: AddVariantChange[],
  locale?: string,
): SignChangesetRequestBody {
  return { referenceId, changes, ...(locale ? { locale } : {}) };
}

export function clampQuantity(
  offer: Pick<PostPurchaseOfferPayload, "minQuantity" | "maxQuantity">,
  quantity: number,
): number {
  if (!Number.isFinite(quantity)) return offer.minQuantity;
  return Math.min(
    offer.maxQuantity,
    Math.max(offer.minQuantity, Math.trunc(quantity)),
  );
}

/**
 * The change as `calculateChangeset` takes it in the extension (`variantId`), which Shopify prices
 * for the buyer before they accept. The signed changeset spells the same field `variantID`.
 */
export interface CalculationChange {
  type: "add_variant";
  variantId: number;
  quantity: number;
  discount?: ChangeDiscount;
}

export function calculationChangesFor(
  offer: PostPurchaseOfferPayload,
  quantity: number,
): CalculationChange[] {
  return changesFor(offer, quantity).map(({ variantID, ...rest }) => ({
    ...rest,
    variantId: variantID,
  }));
}

/** The changes for the offer at a quantity, as sent to the app to be signed. */
export function changesFor(
  offer: PostPurchaseOfferPayload,
  quantity: number,
): AddVariantChange[] {
  return [
    {
      type: "add_variant",
      variantID: Number(offer.variantId),
      quantity: clampQuantity(offer, quantity),
      ...(offer.discount ? { discount: offer.discount } : {}),
    },
  ];
}

/**
 * ISO 4217 minor-unit digits, the app's rule (app/engine/money.ts currencyDigits) copied so this
 * file stays dependency-free; app/engine/money.test.ts checks the copies agree. The
 * app sends prices in these minor units, so the screen must read them with the same digits.
 */
export function currencyDigits(currency: string): number {
  const code = currency.toUpperCase();
  if (
    /^(BIF|CLP|DJF|GNF|ISK|JPY|KMF|KRW|PYG|RWF|UGX|UYI|VND|VUV|XAF|XOF|XPF)$/.test(
      code,
    )
  )
    return 0;
  if (/^(BHD|IQD|JOD|KWD|LYD|OMR|TND)$/.test(code)) return 3;
  if (code === "CLF" || code === "UYW") return 4;
  return 2;
}

/** "€12.50" in the buyer's locale; money stays in minor units until it is shown. */
export function formatMinor(
  minor: number,
  currency: string,
  locale = "en",
): string {
  const digits = currencyDigits(currency);
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minor / 10 ** digits);
}

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

function post(fetchFn: Fetch, url: string, token: string, body: unknown) {
  return fetchFn(url, {
    method: "POST",
    headers: {
      // The checkout token Shopify gave the extension; the app verifies it with the app secret.
      Authorization: `Bearer ${token}`,
      "Content-Type": "application/json",
    },
    body: JSON.stringify(body),
  });
}

function isOffer(value: unknown): value is PostPurchaseOfferPayload {
  if (typeof value !== "object" || value === null) return false;
  const o = value as Record<string, unknown>;
  return (
    typeof o.referenceId === "string" &&
    typeof o.variantId === "string" &&
    /^\d+$/.test(o.variantId) &&
    typeof o.title === "string" &&
    typeof o.currency === "string" &&
    Number.isInteger(o.priceMinor) &&
    Number.isInteger(o.discountedPriceMinor) &&
    Number.isInteger(o.minQuantity) &&
    Number.isInteger(o.maxQuantity) &&
    (o.minQuantity as number) >= 1 &&
    (o.maxQuantity as number) >= (o.minQuantity as number)
  );
}

/**
 * Asks the app for an offer for the order just placed. Anything but a well-formed offer (no offer,
 * an error, the app unreachable) is null: the buyer then goes straight to the thank-you page.
 */
export async function requestOffer(
  fetchFn: Fetch,
  appUrl: string,
  token: string,
  purchase: InitialPurchase,
  locale?: string,
): Promise<PostPurchaseOfferPayload | null> {
  try {
    const response = await post(
      fetchFn,
      appUrl + OFFER_PATH,
      token,
      offerRequestBody(purchase, locale),
    );
    if (!response.ok) return null;
    const body = (await response.json()) as { offer?: unknown };
    return isOffer(body.offer) ? body.offer : null;
  } catch {
    return null;
  }
}

export class SignChangesetError extends Error {
  constructor(readonly status: number) {
    super(`The app refused to sign the changeset (HTTP ${status})`);
    this.name = "SignChangesetError";
  }
}

/** Asks the app to sign the changes; the app signs only the offer it made for this order. */
export async function requestSignedChangeset(
  fetchFn: Fetch,
  appUrl: string,
  token: string,
  body: SignChangesetRequestBody,
): Promise<string> {
  const response = await post(fetchFn, appUrl + SIGN_PATH, token, body);
  if (!response.ok) throw new SignChangesetError(response.status);
  const json = (await response.json()) as Partial<SignChangesetResponseBody>;
  if (typeof json.token !== "string") throw new SignChangesetError(502);
  return json.token;
}

/** What the Render target needs from Shopify's extension input to accept or decline. */
export interface OfferActions {
  token: string;
  referenceId: string;
  /** The buyer's locale (`inputData.locale`), sent along to be signed in. */
  locale?: string;
  calculateChangeset?: (args: {
    changes: CalculationChange[];
  }) => Promise<{ status: string; errors?: unknown[] }>;
  applyChangeset: (token: string) => Promise<{
    status: string;
    errors?: { code?: string; message?: string }[];
  }>;
  done: () => Promise<void> | void;
}

export type AcceptResult =
  { status: "accepted" } | { status: "failed"; message: string };

/**
 * Accept: check the changes with Shopify, have the app sign exactly those, apply the signed
 * changeset, then leave the page. A failure leaves the buyer on the page with a message: their
 * order is already placed, so nothing is lost by not adding the item.
 */
export async function acceptOffer(
  fetchFn: Fetch,
  appUrl: string,
  actions: OfferActions,
  offer: PostPurchaseOfferPayload,
  quantity: number,
  messages: ScreenMessages = SCREEN_MESSAGES.en,
): Promise<AcceptResult> {
  const changes = changesFor(offer, quantity);
  try {
    if (actions.calculateChangeset) {
      const calculated = await actions.calculateChangeset({
        changes: calculationChangesFor(offer, quantity),
      });
      if (calculated.status !== "processed")
        return { status: "failed", message: messages.unavailable };
    }
    const signed = await requestSignedChangeset(
      fetchFn,
      appUrl,
      actions.token,
      signChangesetBody(actions.referenceId, changes, actions.locale),
    );
    const applied = await actions.applyChangeset(signed);
    if (applied.status !== "processed")
      return {
        status: "failed",
        message: applied.errors?.[0]?.message ?? messages.notAdded,
      };
    await actions.done();
    return { status: "accepted" };
  } catch (error) {
    return {
      status: "failed",
      message:
        error instanceof SignChangesetError
          ? messages.noLongerAvailable
          : messages.failed,
    };
  }
}

/** Decline: nothing is signed or charged; the buyer goes on to the thank-you page. */
export async function declineOffer(
  actions: Pick<OfferActions, "done">,
): Promise<void> {
  await actions.done();
}

/** A money amount as Shopify's changeset calculation returns it: a decimal string and a currency. */
export interface DecimalMoney {
  amount: string;
  currencyCode: string;
}

/** Shopify's `MoneyBag`: one amount in the shop's currency and in the buyer's (presentment) one. */
export interface MoneyBag {
  shopMoney?: DecimalMoney;
  presentmentMoney?: DecimalMoney;
}

/** A line of the purchase as `calculateChangeset` would leave it, the added line among them. */
export interface UpdatedLineItem {
  variantId: number;
  quantity: number;
  /** The price of one unit, before the changeset's discount. */
  priceSet?: MoneyBag;
  /** The whole line, after its discount. */
  totalPriceSet?: MoneyBag;
}

/** The parts of `calculateChangeset`'s `calculatedPurchase` the offer screen shows. */
export interface CalculatedPurchase {
  /** The purchase with the changes, before shipping and taxes. */
  subtotalPriceSet?: MoneyBag;
  /** The purchase with the changes. */
  totalPriceSet?: MoneyBag;
  /** What accepting charges the buyer. */
  totalOutstandingSet?: MoneyBag;
  updatedLineItems?: UpdatedLineItem[];
  addedShippingLines?: { priceSet?: MoneyBag }[];
  addedTaxLines?: { priceSet?: MoneyBag }[];
}

/** What `calculateChangeset` answers: a calculated purchase only when it processed the changes. */
export interface CalculateChangesetResult {
  status: string;
  errors?: { code?: string; message?: string }[];
  calculatedPurchase?: CalculatedPurchase;
}

/** 1250 in EUR -> "12.50": the decimal string Shopify's money amounts are written in. */
export function minorToDecimal(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor))
    throw new RangeError(`Not an amount in minor units: ${minor}`);
  const digits = currencyDigits(currency);
  const sign = minor < 0 ? "-" : "";
  const units = String(Math.abs(minor)).padStart(digits + 1, "0");
  return digits === 0
    ? sign + units
    : `${sign}${units.slice(0, -digits)}.${units.slice(-digits)}`;
}

/** "12.5" in EUR -> 1250; parsed from the string, so no float ever touches the amount. */
export function decimalToMinor(amount: string, currency: string): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!match) throw new RangeError(`Not a decimal amount: ${amount}`);
  const digits = currencyDigits(currency);
  const fraction = (match[3] ?? "").padEnd(digits, "0");
  if (fraction.length > digits && /[^0]/.test(fraction.slice(digits)))
    throw new RangeError(`More decimals than ${currency} has: ${amount}`);
  const minor =
    Number(match[2]) * 10 ** digits + Number(fraction.slice(0, digits) || 0);
  return match[1] ? -minor : minor;
}

export interface ChargeSummary {
  currency: string;
  shippingMinor: number;
  taxesMinor: number;
  totalMinor: number;
}

/**
 * What the buyer will be charged if they accept, in the presentment currency Shopify calculated:
 * shipping and taxes added by this item, and the total. Null until the calculation is in, or if
 * it mixes currencies (then only the offer price is shown).
 */
export function chargeSummary(
  calculated: CalculatedPurchase | null | undefined,
): ChargeSummary | null {
  const total = calculated?.totalOutstandingSet?.presentmentMoney;
  if (!total) return null;
  const currency = total.currencyCode;
  const sum = (lines: { priceSet?: MoneyBag }[] | undefined) => {
    let minor = 0;
    for (const line of lines ?? []) {
      const money = line.priceSet?.presentmentMoney;
      if (!money) continue;
      if (money.currencyCode !== currency) return null;
      minor += decimalToMinor(money.amount, currency);
    }
    return minor;
  };
  const shippingMinor = sum(calculated.addedShippingLines);
  const taxesMinor = sum(calculated.addedTaxLines);
  if (shippingMinor === null || taxesMinor === null) return null;
  return {
    currency,
    shippingMinor,
    taxesMinor,
    totalMinor: decimalToMinor(total.amount, currency),
  };
}

/**
 * The offered line's price as the buyer reads it, for the quantity chosen: what the units cost
 * before the offer's discount (struck through) and after it, in one currency, minor units.
 */
export interface OfferLinePrice {
  currency: string;
  quantity: number;
  /** The units before the discount: the unit price times the quantity. */
  priceMinor: number;
  /** What the line costs with the discount. */
  discountedPriceMinor: number;
}

/** The buyer's (presentment) currency of the order just placed, as checkout hands it over. */
export function presentmentCurrencyOf(
  purchase: Pick<InitialPurchase, "totalPriceSet"> | null | undefined,
): string | null {
  return purchase?.totalPriceSet?.presentmentMoney?.currencyCode ?? null;
}

/**
 * The offered line as Shopify priced it (`calculatedPurchase.updatedLineItems`), in the
 * presentment currency: the unit price (`priceSet`) times the quantity, and the line's discounted
 * total (`totalPriceSet`). Shopify's own post-purchase example reads the same two fields. The line
 * is the one of the offered variant at the quantity asked for (the last such, as an added line
 * follows the order's own); null when there is none or its amounts are missing or disagree on
 * the currency.
 */
export function calculatedLinePrice(
  calculated: CalculatedPurchase | null | undefined,
  offer: Pick<
    PostPurchaseOfferPayload,
    "variantId" | "minQuantity" | "maxQuantity"
  >,
  quantity: number,
): OfferLinePrice | null {
  const units = clampQuantity(offer, quantity);
  const lines = (calculated?.updatedLineItems ?? []).filter(
    (l) => String(l.variantId) === offer.variantId && l.quantity === units,
  );
  const line = lines[lines.length - 1];
  const unit = line?.priceSet?.presentmentMoney;
  const total = line?.totalPriceSet?.presentmentMoney;
  if (!unit || !total || unit.currencyCode !== total.currencyCode) return null;
  const currency = total.currencyCode;
  return {
    currency,
    quantity: units,
    priceMinor: decimalToMinor(unit.amount, currency) * units,
    discountedPriceMinor: decimalToMinor(total.amount, currency),
  };
}

/**
 * The price the offer screen shows. The app's offer is in the shop's currency (the facts the
 * changeset is signed against); the buyer pays in the presentment currency, which only Shopify's
 * calculation prices. So: Shopify's calculated line when it is in; until then the app's figures
 * only when the buyer pays in the shop's currency; otherwise null, and the screen says the price
 * is being calculated rather than show an amount in a currency the buyer is not charged in.
 */
export function offerLinePrice(
  offer: PostPurchaseOfferPayload,
  quantity: number,
  calculated: CalculatedPurchase | null | undefined,
  presentmentCurrency: string | null | undefined,
): OfferLinePrice | null {
  const priced = calculatedLinePrice(calculated, offer, quantity);
  if (priced) return priced;
  if (
    !presentmentCurrency ||
    presentmentCurrency.toUpperCase() !== offer.currency.toUpperCase()
  )
    return null;
  const units = clampQuantity(offer, quantity);
  return {
    currency: offer.currency,
    quantity: units,
    priceMinor: offer.priceMinor * units,
    discountedPriceMinor: offer.discountedPriceMinor * units,
  };
}
