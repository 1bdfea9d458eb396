import type { Money } from "./types";

// Money stays in integer minor units end to end; the only division by 10^digits happens when a
// number is turned into text for a shopper, where float rounding cannot leak back into maths.

export class CurrencyMismatchError extends Error {
  constructor(a: string, b: string) {
    super(`Cannot combine amounts in ${a} and ${b}`);
    this.name = "CurrencyMismatchError";
  }
}

const digitsCache = new Map<string, number>();

/** Minor-unit digits of a currency per ISO 4217 as Intl knows it (USD 2, JPY 0, KWD 3). */
export function currencyDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat("en-US", {
      style: "currency",
      currency,
    }).resolvedOptions().maximumFractionDigits as number;
    digitsCache.set(currency, digits);
  }
  return digits;
}

/**
 * "$20" for whole amounts and "$20.50" otherwise: shopper-facing reasons read better without ".00".
 * The locale defaults to en-US so the same input always renders the same text.
 */
export function formatMoney(money: Money, locale = "en-US"): string {
  assertMinorUnits(money.amount);
  const digits = currencyDigits(money.currency);
  const scale = 10 ** digits;
  const whole = money.amount % scale === 0;
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: money.currency,
    minimumFractionDigits: whole ? 0 : digits,
    maximumFractionDigits: whole ? 0 : digits,
  }).format(money.amount / scale);
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
