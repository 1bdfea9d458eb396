// Labels and number formats shared by the experiment pages.

import { currencyDigits } from "~/engine/money";

export const PLACEMENT_LABELS: Record<string, string> = {
  product_fbt: "Product page: frequently bought together",
  product_upgrade: "Product page: upgrade",
  cart: "Cart page",
  drawer: "Cart drawer",
  post_purchase: "After checkout (each checkout is a unit)",
};

export const METRIC_LABELS: Record<string, string> = {
  rpv: "Revenue per visitor",
  aov: "Average order value",
  conversion: "Conversion rate",
};

/** An arm's name, marked as the hold-out unless its name already says so. */
export function armLabel(arm: { name: string; holdout: boolean }): string {
  return arm.holdout && !/hold-?out/i.test(arm.name)
    ? `${arm.name} (hold-out)`
    : arm.name;
}

export const STATUS_TONES = {
  draft: undefined,
  running: "success",
  stopped: "info",
} as const;

/**
 * Minor units of `currency` as the merchant reads money, with the currency's own decimals. Means
 * (revenue per visitor) are not whole minor units, hence the division rather than formatMoney.
 */
export function formatMinor(minor: number, currency: string): string {
  const digits = currencyDigits(currency);
  return new Intl.NumberFormat("en", {
    style: "currency",
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minor / 10 ** digits);
}

export function formatPercent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`;
}

export function formatSignedPercent(value: number, digits = 1): string {
  const text = formatPercent(value, digits);
  return value > 0 ? `+${text}` : text;
}
