// Labels and number formats shared by the experiment pages (and the dashboard's chart axes).

import { currencyDigits } from "~/engine/money";
import { experimentUnit } from "~/engine/types";

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

/**
 * The words for what an experiment counts (`ExperimentUnit` in app/engine/types.ts): storefront
 * visitors, or checkouts for the post-purchase placement.
 */
export const UNIT_WORDS = {
  visitor: { one: "visitor", many: "visitors", heading: "Visitors" },
  checkout: { one: "checkout", many: "checkouts", heading: "Checkouts" },
} as const;
export type UnitWord = keyof typeof UNIT_WORDS;

/** A metric's label in the experiment's unit: "Revenue per checkout" after checkout. */
export function metricLabel(metric: string, unit: UnitWord): string {
  return metric === "rpv"
    ? `Revenue per ${UNIT_WORDS[unit].one}`
    : METRIC_LABELS[metric];
}

/** The primary-metric choices, named in the unit of the placements chosen so far. */
export function metricOptions(
  placements: readonly string[],
): { label: string; value: string }[] {
  const unit = experimentUnit(placements);
  return Object.keys(METRIC_LABELS).map((metric) => ({
    label: metricLabel(metric, unit),
    value: metric,
  }));
}

/** A count of units as the merchant reads it: "2,000 checkouts", "1 visitor". */
export function formatUnits(count: number, unit: UnitWord): string {
  const word = count === 1 ? UNIT_WORDS[unit].one : UNIT_WORDS[unit].many;
  return `${count.toLocaleString("en")} ${word}`;
}

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

/**
 * Axis labels for a chart's instants: days ("Nov 7"), hours, or times of a young experiment
 * (UTC, so the server and the browser write the same).
 */
export function instantLabel(iso: string, step: "day" | "hour" | "moment") {
  const options: Intl.DateTimeFormatOptions =
    step === "day"
      ? { month: "short", day: "numeric" }
      : step === "hour"
        ? { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }
        : { hour: "2-digit", minute: "2-digit", second: "2-digit" };
  return new Intl.DateTimeFormat("en-US", {
    ...options,
    timeZone: "UTC",
    hourCycle: "h23",
  }).format(new Date(iso));
}
