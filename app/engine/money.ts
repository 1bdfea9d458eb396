import type { Money } from "./types";

// Money stays in integer minor units end to end; the only division by 10^digits happens when a
// number is turned into text for a shopper, where float rounding cannot leak back into maths.

export class CurrencyMismatchError extends Error {
  constructor(a: string, b: string) {
    super(`Cannot combine amounts in ${a} and ${b}`);
    this.name = "CurrencyMismatchError";
  }
}

/**
 * ISO 4217 minor-unit exponents that are not 2. This one table decides both how a decimal amount
 * from Shopify is stored (as integer minor units) and how it is shown, so the two cannot disagree.
 * ISO rather than Intl's (CLDR's) display digits: CLDR shows HUF, IDR, COP or IQD without
 * decimals, yet Shopify sends their amounts with decimals ("1500.00"), and storing by the display
 * rule would drop them. The extensions keep dependency-free copies (a test checks they agree).
 */
const ISO_EXPONENTS: Readonly<Record<string, number>> = {
  BIF: 0,
  CLP: 0,
  DJF: 0,
  GNF: 0,
  ISK: 0,
  JPY: 0,
  KMF: 0,
  KRW: 0,
  PYG: 0,
  RWF: 0,
  UGX: 0,
  UYI: 0,
  VND: 0,
  VUV: 0,
  XAF: 0,
  XOF: 0,
  XPF: 0,
  BHD: 3,
  IQD: 3,
  JOD: 3,
  KWD: 3,
  LYD: 3,
  OMR: 3,
  TND: 3,
  CLF: 4,
  UYW: 4,
};

/** Minor-unit digits of a currency per ISO 4217 (USD 2, JPY 0, KWD 3, HUF 2). */
export function currencyDigits(currency: string): number {
  return ISO_EXPONENTS[currency.toUpperCase()] ?? 2;
}

/** Amounts Cartlift refuses rather than store inexactly: beyond 2^53 minor units. */
export class InvalidAmountError extends RangeError {
  constructor(amount: unknown, reason: string) {
    super(`${reason}: ${JSON.stringify(amount)}`);
    this.name = "InvalidAmountError";
  }
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * "12.5" in USD -> 1250, read from the string so no float rounding can creep in. Digits beyond
 * the currency's minor unit are rounded half away from zero. Anything else (exponents, "abc",
 * amounts too large to hold exactly) throws InvalidAmountError.
 */
export function decimalToMinor(amount: string, currency: string): number {
  const match = DECIMAL.exec(amount.trim());
  if (!match) throw new InvalidAmountError(amount, "Not a decimal amount");
  const [, sign, whole, fraction = ""] = match;
  const digits = currencyDigits(currency);
  const padded = fraction.padEnd(digits + 1, "0");
  let minor = BigInt(whole + padded.slice(0, digits));
  if (Number(padded[digits]) >= 5) minor += 1n;
  if (minor > BigInt(Number.MAX_SAFE_INTEGER))
    throw new InvalidAmountError(amount, "Amount too large");
  return Number(sign === "-" ? -minor : minor);
}

/** 1250 in USD -> "12.50": the exact decimal string Shopify would send for the amount. */
export function minorToDecimal(minor: number, currency: string): string {
  assertMinorUnits(minor);
  const digits = currencyDigits(currency);
  const text = String(Math.abs(minor)).padStart(digits + 1, "0");
  const sign = minor < 0 ? "-" : "";
  if (digits === 0) return sign + text;
  return `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

/**
 * "$20" for whole amounts and "$20.50" otherwise: shopper-facing reasons read better without ".00".
 * The locale defaults to en-US so the same input always renders the same text. The number is
 * handed to Intl as a decimal string, so even amounts near 2^53 minor units show exactly.
 */
export function formatMoney(money: Money, locale = "en-US"): string {
  assertMinorUnits(money.amount);
  const digits = currencyDigits(money.currency);
  const whole = money.amount % 10 ** digits === 0;
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: money.currency,
    minimumFractionDigits: whole ? 0 : digits,
    maximumFractionDigits: whole ? 0 : digits,
  }).format(
    minorToDecimal(money.amount, money.currency) as Intl.StringNumericLiteral,
  );
}

export function money(amount: number, currency: string): Money {
  assertMinorUnits(amount);
  return { amount, currency };
}

export function addMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { amount: a.amount + b.amount, currency: a.currency };
}

export function subtractMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return { amount: a.amount - b.amount, currency: a.currency };
}

export function multiplyMoney(a: Money, quantity: number): Money {
  if (!Number.isInteger(quantity)) {
    throw new RangeError(`Quantity must be an integer, got ${quantity}`);
  }
  return { amount: a.amount * quantity, currency: a.currency };
}

export function sumMoney(amounts: readonly Money[], currency: string): Money {
  let total = 0;
  for (const m of amounts) {
    if (m.currency !== currency)
      throw new CurrencyMismatchError(currency, m.currency);
    total += m.amount;
  }
  return { amount: total, currency };
}

/**
 * part / whole in basis points, rounded half away from zero using integer arithmetic only, so
 * 1/3 is 3333 and 2/3 is 6667 on every platform.
 */
export function basisPoints(part: number, whole: number): number {
  assertMinorUnits(part);
  assertMinorUnits(whole);
  if (whole === 0) throw new RangeError("Cannot take basis points of zero");
  const negative = part < 0 !== whole < 0;
  const p = Math.abs(part) * 10_000;
  const w = Math.abs(whole);
  const q = Math.floor(p / w);
  const r = p - q * w;
  const rounded = r * 2 >= w ? q + 1 : q;
  return negative ? -rounded : rounded;
}

/** amount × bps / 10 000, rounded half away from zero to a whole minor unit. */
export function applyBasisPoints(amount: number, bps: number): number {
  assertMinorUnits(amount);
  if (!Number.isInteger(bps))
    throw new RangeError(`Basis points must be an integer, got ${bps}`);
  const product = Math.abs(amount * bps);
  const q = Math.floor(product / 10_000);
  const rounded = product - q * 10_000 >= 5_000 ? q + 1 : q;
  return amount * bps < 0 ? -rounded : rounded;
}

/** Price after a percentage discount; the discount is rounded to a whole minor unit. */
export function discountMoney(price: Money, discountBps: number): Money {
  return {
    amount: price.amount - applyBasisPoints(price.amount, discountBps),
    currency: price.currency,
  };
}

/** A probability or ratio as whole basis points, for storing and comparing without float noise. */
export function ratioToBasisPoints(ratio: number): number {
  if (!Number.isFinite(ratio))
    throw new RangeError(`Ratio must be finite, got ${ratio}`);
  return Math.round(ratio * 10_000);
}

/** "31%" from 3100 bps; "2.5%" keeps one decimal only when it is not whole. */
export function formatPercent(bps: number): string {
  const tenths = Math.round(bps / 10);
  return tenths % 10 === 0 ? `${tenths / 10}%` : `${(tenths / 10).toFixed(1)}%`;
}

function sameCurrency(a: Money, b: Money): void {
  if (a.currency !== b.currency)
    throw new CurrencyMismatchError(a.currency, b.currency);
}

function assertMinorUnits(amount: number): void {
  if (!Number.isSafeInteger(amount)) {
    throw new RangeError(`Money must be integer minor units, got ${amount}`);
  }
}
