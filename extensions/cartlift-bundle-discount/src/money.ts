// Exact money arithmetic for the function: Shopify sends Decimal strings ("19.99", "1500.0"), we
// compute in integer minor units and answer with Decimal strings again. Binary floats never touch
// an amount, so 0.1 + 0.2 style errors cannot leak into a checkout total.

// ISO 4217 minor-unit exponents that differ from the usual 2: a dependency-free copy of the app's
// rule (app/engine/money.ts currencyDigits); app/engine/money.test.ts checks they agree.
const ZERO_DECIMAL = new Set([
  "BIF",
  "CLP",
  "DJF",
  "GNF",
  "ISK",
  "JPY",
  "KMF",
  "KRW",
  "PYG",
  "RWF",
  "UGX",
  "UYI",
  "VND",
  "VUV",
  "XAF",
  "XOF",
  "XPF",
]);
const THREE_DECIMAL = new Set([
  "BHD",
  "IQD",
  "JOD",
  "KWD",
  "LYD",
  "OMR",
  "TND",
]);

const FOUR_DECIMAL = new Set(["CLF", "UYW"]);

export function currencyExponent(currencyCode: string): number {
  if (ZERO_DECIMAL.has(currencyCode)) return 0;
  if (THREE_DECIMAL.has(currencyCode)) return 3;
  if (FOUR_DECIMAL.has(currencyCode)) return 4;
  return 2;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/** A decimal as an exact scaled integer: value = digits / 10^scale. */
interface ScaledDecimal {
  digits: bigint;
  scale: number;
}

function parseScaled(value: string | number): ScaledDecimal | null {
  const text = typeof value === "number" ? String(value) : value.trim();
  const match = DECIMAL.exec(text);
  if (!match) return null;
  const fraction = match[3] ?? "";
  const digits = BigInt(match[2] + fraction);
  return {
    digits: match[1] === "-" ? -digits : digits,
    scale: fraction.length,
  };
}

function divRound(
  numerator: bigint,
  denominator: bigint,
  mode: Rounding,
): bigint {
  // Callers only pass non-negative numerators and positive denominators.
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  if (remainder === 0n) return quotient;
  if (mode === "floor") return quotient;
  if (mode === "ceil") return quotient + 1n;
  return remainder * 2n >= denominator ? quotient + 1n : quotient;
}

export type Rounding = "floor" | "ceil" | "half-up";

/**
 * Parses a non-negative Decimal into minor units. A price with more decimals than the currency
 * has (which Shopify does not send) is rounded half-up rather than rejected.
 */
export function toMinorUnits(
  value: string | number,
  exponent: number,
): number | null {
  const parsed = parseScaled(value);
  if (!parsed || parsed.digits < 0n) return null;
  const shift = exponent - parsed.scale;
  const minor =
    shift >= 0
      ? parsed.digits * 10n ** BigInt(shift)
      : divRound(parsed.digits, 10n ** BigInt(-shift), "half-up");
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(minor);
}

export function formatMinorUnits(minor: number, exponent: number): string {
  if (exponent === 0) return String(minor);
  const padded = String(minor).padStart(exponent + 1, "0");
  return `${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}

/**
 * Converts shop-currency minor units into cart-currency minor units with Shopify's
 * presentmentCurrencyRate (cart amount = shop amount × rate). The rounding direction is the
 * caller's: discounts round down and costs round up, so conversion never loosens the floor.
 */
export function convertMinorUnits(
  minor: number,
  rate: string | number,
  fromExponent: number,
  toExponent: number,
  mode: Rounding,
): number | null {
  const parsedRate = parseScaled(rate);
  if (!parsedRate || parsedRate.digits <= 0n) return null;
  let numerator = BigInt(minor) * parsedRate.digits;
  let denominator = 10n ** BigInt(parsedRate.scale);
  const shift = toExponent - fromExponent;
  if (shift >= 0) numerator *= 10n ** BigInt(shift);
  else denominator *= 10n ** BigInt(-shift);
  const converted = divRound(numerator, denominator, mode);
  if (converted > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(converted);
}

/** floor(a × b / c) for non-negative safe integers, exact even when a × b exceeds 2^53. */
export function mulDivFloor(a: number, b: number, c: number): number {
  return Number((BigInt(a) * BigInt(b)) / BigInt(c));
}

/** ceil(a × b / c) for non-negative safe integers. */
export function mulDivCeil(a: number, b: number, c: number): number {
  return Number(divRound(BigInt(a) * BigInt(b), BigInt(c), "ceil"));
}
