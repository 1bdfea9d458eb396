/** Digits after the decimal point for ISO 4217 currencies that do not use two. */
const MINOR_DIGITS: Record<string, number> = {
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
};

export function minorDigits(currency: string): number {
  return MINOR_DIGITS[currency.toUpperCase()] ?? 2;
}

/**
 * "12.5" in USD -> 1250. Parsed as a string so no float rounding can creep in;
 * extra precision beyond the currency's minor unit is rounded half up.
 */
export function decimalToMinor(amount: string, currency: string): number {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount.trim());
  if (!match)
    throw new RangeError(`Not a decimal amount: ${JSON.stringify(amount)}`);
  const [, sign, whole, fraction = ""] = match;
  const digits = minorDigits(currency);
  const padded = fraction.padEnd(digits + 1, "0");
  let minor =
    Number(whole) * 10 ** digits + Number(padded.slice(0, digits) || "0");
  if (Number(padded[digits]) >= 5) minor += 1;
  return sign === "-" ? -minor : minor;
}
