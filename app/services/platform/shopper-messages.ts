import en from "../../../extensions/cartlift-theme/locales/en.default.json";
import fr from "../../../extensions/cartlift-theme/locales/fr.json";
import { monthIn } from "~/engine/reasons";
import type { Reason, ReasonParam } from "~/engine/types";
import { percentIn } from "../../../extensions/cartlift-post-purchase/src/messages";

// Every word a shopper reads comes from the theme extension's locale files, the one place a
// translator edits: the storefront renders them through Liquid (liquid.ts), the post-purchase offer
// takes its reason from here in the buyer's language. A message missing from a language falls
// back to English, as Shopify's `t` filter does; a test keeps both files complete.

export const DEFAULT_LOCALE = "en";
/** A locale code as Shopify sends it: "fr", "fr-CA", "zh-Hant-TW". */
export const LOCALE_CODE = /^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/;
export const SHOPPER_LOCALES: Readonly<Record<string, object>> = { en, fr };

/** The language of a locale code ("fr-CA" is "fr"), or English when there is no file for it. */
export function shopperLanguage(locale: string | undefined): string {
  const language = locale?.split("-")[0].toLowerCase() ?? "";
  return language in SHOPPER_LOCALES ? language : DEFAULT_LOCALE;
}

const lookup = (messages: object, path: string): string | undefined => {
  const value = path
    .split(".")
    .reduce<unknown>(
      (node, part) =>
        node && typeof node === "object"
          ? (node as Record<string, unknown>)[part]
          : undefined,
      messages,
    );
  return typeof value === "string" ? value : undefined;
};

/** The message at `path` ("fragment.total", "reasons.store_pick") in a language. */
export function messageIn(language: string, path: string): string {
  const message =
    lookup(SHOPPER_LOCALES[language] ?? {}, path) ??
    lookup(SHOPPER_LOCALES[DEFAULT_LOCALE], path);
  if (message === undefined) throw new RangeError(`No message ${path}`);
  return message;
}

/**
 * Fills a message's `{{ name }}` placeholders: `text` maps the message's own words (escaping them
 * for Liquid, or not), `value` gives each placeholder's content.
 */
export function fillMessage(
  message: string,
  text: (words: string) => string,
  value: (name: string) => string,
): string {
  return message
    .split(/\{\{\s*(\w+)\s*\}\}/)
    .map((part, i) => (i % 2 ? value(part) : text(part)))
    .join("");
}

/**
 * A reason's value in a language: the merchant's words as written, a share as the language writes
 * it ("25.6%", "25,6 %"), a month as it names it ("March", "mars"), or (through `nested`) the
 * app's own words translated.
 */
export function paramIn(
  param: ReasonParam | undefined,
  language: string,
  nested: (reason: Reason) => string,
): string {
  if (param === undefined) return "";
  if (typeof param === "string") return param;
  // To a tenth of a percent, as the English text (engine/money.ts formatPercent) rounds it.
  if ("percentBps" in param)
    return percentIn(Math.round(param.percentBps / 10) / 10, language);
  if ("month" in param) return monthIn(param, language);
  return nested(param);
}

/** A reason as plain text in a language: its nested messages translated, the merchant's words as written. */
export function reasonIn(reason: Reason, language: string): string {
  return fillMessage(
    messageIn(language, reason.key),
    (words) => words,
    (name) =>
      paramIn(reason.params[name], language, (nested) =>
        reasonIn(nested, language),
      ),
  );
}
