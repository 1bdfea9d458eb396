import { formatMoney, formatPercent } from "./money";
import type {
  MeasureNoun,
  MonthParam,
  Money,
  Reason,
  ReasonKey,
} from "./types";

// Every shopper-facing sentence the engine produces is built here, so wording stays consistent
// across placements. Each is a message of the theme extension's locale files (`key`, a path in
// extensions/cartlift-theme/locales/*.json, and its `params`), which the storefront renders in the
// shopper's language, plus its English `text` for the admin. A value that is itself the app's
// wording (a benefit, a noun) is a message too; the merchant's own words (titles, categories,
// option names and values) are plain strings and stay as the merchant wrote them.

const message = (
  key: ReasonKey,
  text: string,
  params: Reason["params"] = {},
): Reason => ({ key, params, text });

/** Share of the anchor's buyers who also bought the offer, e.g. "Bought together by 31% of buyers". */
export function boughtTogetherReason(confidenceBps: number): Reason {
  return message(
    "reasons.bought_together",
    `Bought together by ${formatPercent(confidenceBps)} of buyers`,
    { percent: { percentBps: confidenceBps } },
  );
}

export function oftenBoughtWithReason(anchorTitle: string): Reason {
  return message(
    "reasons.often_bought_with",
    `Often bought with ${anchorTitle}`,
    { title: anchorTitle },
  );
}

export function cartCompanionReason(): Reason {
  return message(
    "reasons.cart_companion",
    "Often added with items in your cart",
  );
}

/** After checkout there is no cart: the order just placed is what the offer goes with. */
export function orderCompanionReason(): Reason {
  return message(
    "reasons.order_companion",
    "Often bought with what you just ordered",
  );
}

export function similarToReason(anchorTitle: string): Reason {
  return message("reasons.similar_to", `Similar to ${anchorTitle}`, {
    title: anchorTitle,
  });
}

/** "Popular in Kitchen"; without a category the store itself is the scope. */
export function popularReason(category: string | undefined): Reason {
  const trimmed = category?.trim();
  return trimmed
    ? message("reasons.popular_in", `Popular in ${trimmed}`, {
        category: trimmed,
      })
    : message("reasons.popular_store", "Popular in our store");
}

export function storePickReason(): Reason {
  return message("reasons.store_pick", "Picked by our team");
}

/**
 * "+$20 for double the storage", "+£5 for the Large"; with `inBand`, a tier chosen because its price
 * is inside what the signed-in customer usually pays for the kind of product (decision 027):
 * "+$90 for double the capacity, in your usual price range".
 */
export function upgradeReason(
  priceDelta: Money,
  benefit: Reason,
  inBand = false,
): Reason {
  const amount = formatMoney(priceDelta);
  const text = `+${amount} for ${benefit.text}`;
  return inBand
    ? message(
        "reasons.upgrade_in_range",
        `${text}, in your usual price range`,
        {
          amount,
          benefit,
        },
      )
    : message("reasons.upgrade", text, { amount, benefit });
}

export function bundleReason(discountBps: number, itemCount: number): Reason {
  if (discountBps <= 0)
    return message(
      "reasons.bundle_items",
      `Frequently bought together (${itemCount} items)`,
      { count: String(itemCount) },
    );
  return message(
    "reasons.bundle_save",
    `Save ${formatPercent(discountBps)} when bought together`,
    { percent: { percentBps: discountBps } },
  );
}

/** A month as a language names it: "March", "mars", "March 2025". */
export function monthIn(param: MonthParam, language = "en"): string {
  const [year, month] = param.month.split("-").map(Number);
  return new Intl.DateTimeFormat(language, {
    month: "long",
    year: param.withYear ? "numeric" : undefined,
    timeZone: "UTC",
  }).format(Date.UTC(year, month - 1, 15));
}

/** A month named without its year stays within this many days of the purchase. */
const MONTH_WITHOUT_YEAR_DAYS = 300;

/**
 * "You bought the Trail Coffee in March": a signed-in customer's own last purchase of the offered
 * product, from their orders. The year is said when the month alone could be read as a later one.
 */
export function boughtBeforeReason(
  title: string,
  lastBoughtAt: number,
  now: number,
): Reason {
  const at = new Date(lastBoughtAt);
  const month: MonthParam = {
    month: `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, "0")}`,
    withYear: now - lastBoughtAt > MONTH_WITHOUT_YEAR_DAYS * 86_400_000,
  };
  return message(
    "reasons.bought_before",
    `You bought the ${title} in ${monthIn(month)}`,
    { title, month },
  );
}

/** "storage", "volume": what a measured option gives more of, in the app's words. */
export function measureNoun(noun: MeasureNoun): Reason {
  return message(`nouns.${noun}`, noun);
}

/**
 * "double the storage" for a ×2, "triple" for ×3, "4× the storage" for other whole ratios. `what`
 * is the app's noun for a measure, or the merchant's option name.
 */
export function multipleBenefit(
  ratio: number,
  what: string | Reason,
): Reason | undefined {
  const word = typeof what === "string" ? what : what.text;
  if (Math.abs(ratio - 2) < 1e-9)
    return message("benefits.double", `double the ${word}`, { what });
  if (Math.abs(ratio - 3) < 1e-9)
    return message("benefits.triple", `triple the ${word}`, { what });
  const rounded = Math.round(ratio);
  if (rounded > 3 && Math.abs(ratio - rounded) < 1e-9)
    return message("benefits.times", `${rounded}× the ${word}`, {
      times: String(rounded),
      what,
    });
  return undefined;
}

/** "the Large", "the Blender Pro": the option value or product the upgrade leads to. */
export function namedBenefit(name: string): Reason {
  return message("benefits.named", `the ${name}`, { name });
}
