import type en from "../../../extensions/cartlift-theme/locales/en.default.json";
import type { Reason } from "~/engine/types";
import {
  DEFAULT_LOCALE,
  SHOPPER_LOCALES,
  fillMessage,
  messageIn,
  paramIn,
} from "~/services/platform/shopper-messages";
import type {
  StorefrontBundle,
  StorefrontItem,
  StorefrontOffers,
} from "./offers.server";

// The proxy answers with Liquid, which Shopify renders in the shop's theme context before it
// reaches the browser: product titles, availability and prices come from Shopify's own product
// and variant objects, and `| money` formats them in the shopper's presentment currency. The app
// never prints a price it computed. Values from the app's data (handles, ids, reasons, option
// names) are escaped for HTML and for Liquid, so merchant text can never become Liquid code.

type Key = keyof typeof en.fragment;

/** HTML-escapes and neutralises Liquid delimiters (`{` and `}` become character references). */
export function escapeText(text: string): string {
  // One pass: this runs for every id, handle and reason of every storefront answer.
  return text.replace(UNSAFE, (c) => ESCAPES[c]);
}

const UNSAFE = /[&<>"'{}]/g;
const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "{": "&#123;",
  "}": "&#125;",
};

const digits = (id: string) => {
  if (!/^\d{1,20}$/.test(id)) throw new RangeError(`Not an id: ${id}`);
  return id;
};

/**
 * A placeholder's content: Liquid (or escaped text) inserted as it is, or a nested message given
 * in each language. Callers pass only expressions they built and text they escaped.
 */
type Vars = Record<string, string | ((language: string) => string)>;

/** The message at `path` in one language, its own words escaped and its placeholders filled. */
const phrase = (language: string, path: string, vars: Vars) =>
  fillMessage(messageIn(language, path), escapeText, (name) => {
    const v = vars[name];
    return typeof v === "function" ? v(language) : (v ?? "");
  });

/**
 * The language a fragment's words are written in: one of the theme extension's locale files, or
 * null for every one of them, chosen by Shopify's Liquid at render time (`cl_lang`).
 */
type Language = string | null;

/**
 * The language the fragment's Liquid would choose for a storefront locale ("fr-CA"): its
 * `cl_lang` (the locale code up to its first "-", as it is) when a locale file has it, else the
 * default. The storefront block sends the locale it was rendered in (`request.locale.iso_code`,
 * cartlift-block.liquid) to the proxy under the same locale's root URL, so Shopify renders the
 * answer in that locale: the fragment can be written in its language alone, with no `case`.
 */
export function liquidLanguage(locale: string): string {
  const first = locale.split("-")[0];
  return first !== DEFAULT_LOCALE && Object.hasOwn(SHOPPER_LOCALES, first)
    ? first
    : DEFAULT_LOCALE;
}

/**
 * A message in the storefront's language: `language`'s, or, when null, chosen by Shopify's Liquid
 * at render time among the theme extension's locale files.
 */
function translated(language: Language, path: string, vars: Vars = {}): string {
  if (language !== null) return phrase(language, path, vars);
  const branches = Object.keys(SHOPPER_LOCALES)
    .filter((language) => language !== DEFAULT_LOCALE)
    .map(
      (language) => `{%- when '${language}' -%}${phrase(language, path, vars)}`,
    )
    .join("");
  return `{%- case cl_lang -%}${branches}{%- else -%}${phrase(DEFAULT_LOCALE, path, vars)}{%- endcase -%}`;
}

const t = (language: Language, key: Key, vars?: Vars) =>
  translated(language, `fragment.${key}`, vars);

/**
 * A reason's values: the merchant's words escaped, shares written as each language writes them,
 * the app's own words (benefits, nouns) translated.
 */
const reasonVars = (reason: Reason): Vars =>
  Object.fromEntries(
    Object.entries(reason.params).map(([name, param]) => [
      name,
      typeof param === "string"
        ? escapeText(param)
        : (language: string) =>
            paramIn(param, language, (nested) =>
              phrase(language, nested.key, reasonVars(nested)),
            ),
    ]),
  );

/** Finds the offered variant by id among the product's variants (Liquid has no lookup by id). */
function lookup(item: { handle: string; variantId: string }, as: string) {
  return (
    `{%- assign ${as}_p = all_products['${item.handle}'] -%}{%- assign ${as} = nil -%}` +
    `{%- for x in ${as}_p.variants -%}{%- if x.id == ${digits(item.variantId)} -%}{%- assign ${as} = x -%}{%- endif -%}{%- endfor -%}`
  );
}

const image = (product: string) =>
  `{%- if ${product}.featured_image -%}{{ ${product}.featured_image | image_url: width: 160 | image_tag: width: 80, height: 80, loading: 'lazy', alt: '', class: 'cartlift__img' }}{%- else -%}<span class="cartlift__img" aria-hidden="true"></span>{%- endif -%}`;

const reason = (language: Language, item: StorefrontItem) =>
  item.reason
    ? `<p class="cartlift__reason">${translated(language, item.reason.key, reasonVars(item.reason))}</p>`
    : "";

/**
 * What one click adds: the product's title and, when it has variants, the one offered, as
 * Shopify names a cart line ("Socks – M"). A shopper must see which size or length they get.
 */
const named = (product: string, variant: string) =>
  `{{ ${product}.title | escape }}{% if ${product}.has_only_default_variant == false %} – {{ ${variant}.title | escape }}{% endif %}`;

/** The offer's product page; a click on it is the "clicked" of clicked-then-bought. */
const link = (item: StorefrontItem) =>
  `<a class="cartlift__title" href="{{ v_p.url }}" data-token="${escapeText(item.token)}">${named("v_p", "v")}</a>`;

const attrs = (item: StorefrontItem) =>
  `data-cartlift-offer data-product-id="${digits(item.productId)}" data-variant-id="{{ v.id }}" data-token="${escapeText(item.token)}"`;

/**
 * Adds one unit of variant `x` to the bundle's saving as the discount Function prices it
 * (extensions/cartlift-bundle-discount/src/unit-discount.ts), on the same presentment price:
 * a percentage rounded down, at most the unit's cap; the cap keeps the margin floor, over the
 * recorded cost when there is one. That minimum is in the shop currency, so `cl_free` sums
 * what the units without a cost give, which holds in any currency.
 */
function bundleUnit(x: string, productId: string, bundle: StorefrontBundle) {
  const costed = Object.entries(bundle.minimumPrices[productId] ?? {})
    .map(
      ([variantId, minimum]) =>
        `{%- when ${digits(variantId)} -%}{%- assign cl_min = ${minimum} -%}{%- assign cl_costed = true -%}{%- assign cl_own = 0 -%}`,
    )
    .join("");
  const percentage = bundle.discountType === "percentage";
  return (
    `{%- assign cl_min = ${x}.price | times: ${bundle.marginFloorBps} | plus: 9999 | divided_by: 10000 | floor -%}{%- assign cl_own = 1 -%}` +
    (costed ? `{%- case ${x}.id -%}${costed}{%- endcase -%}` : "") +
    `{%- assign cl_cap = ${x}.price | minus: cl_min | at_least: 0 -%}{%- assign cl_caps = cl_caps | plus: cl_cap -%}` +
    (percentage
      ? `{%- assign cl_off = ${x}.price | times: ${bundle.discountValue} | divided_by: 10000 | floor | at_most: cl_cap -%}{%- assign cl_saving = cl_saving | plus: cl_off -%}`
      : `{%- assign cl_off = cl_cap -%}`) +
    `{%- assign cl_off = cl_off | times: cl_own -%}{%- assign cl_free = cl_free | plus: cl_off -%}`
  );
}

/**
 * "Save …" with what checkout takes off this selection, shown only when every other product of
 * the bundle is on the page. An amount in the shop currency (a fixed discount, a recorded cost)
 * cannot be priced in another currency: such a shopper reads "applied at checkout", and only
 * when the units without a cost already get something.
 */
function bundleSaving(
  language: Language,
  bundle: StorefrontBundle,
  others: number,
): string {
  const currency = `'${escapeText(bundle.currency)}'`;
  const saving = (data: string) =>
    `<p class="cartlift__bundle" data-cartlift-bundle ${data}>${t(language, "bundle_saving", { amount: "{{ cl_saving | money }}" })}</p>`;
  const atCheckout = `{%- if cl_free > 0 -%}<p class="cartlift__bundle" data-cartlift-bundle>${t(language, "bundle_saving_checkout")}</p>{%- endif -%}`;
  const line =
    bundle.discountType === "percentage"
      ? `{%- if cl_costed and cart.currency.iso_code != ${currency} -%}${atCheckout}{%- elsif cl_saving > 0 -%}${saving(`data-bps="${bundle.discountValue}"`)}{%- endif -%}`
      : // The Function converts a fixed amount at checkout, rounding down: one worth less than a
        // minor unit of the shopper's currency would be nothing, which no real bundle is.
        `{%- assign cl_saving = cl_caps | at_most: ${bundle.discountValue} -%}{%- if cart.currency.iso_code == ${currency} -%}{%- if cl_saving > 0 -%}${saving(`data-fixed="${bundle.discountValue}"`)}{%- endif -%}{%- else -%}${atCheckout}{%- endif -%}`;
  return `{%- if cl_count == ${others} -%}${line}{%- endif -%}`;
}

/**
 * Whether product `x_p` is in the shopper's cart (any variant), as `cl_has`, with the box's
 * state and the words that go with it: a product already in the cart starts unticked, so "Add
 * all" never adds a second tent, and says so; the shopper may still tick it for another one.
 */
function inCart(language: Language, x: string) {
  return {
    check: `{%- assign cl_has = false -%}{%- for cl_i in cart.items -%}{%- if cl_i.product_id == ${x}_p.id -%}{%- assign cl_has = true -%}{%- assign cl_held = true -%}{%- endif -%}{%- endfor -%}`,
    box: `{% if cl_has %}data-in-cart{% else %}checked{% endif %}`,
    note: `{%- if cl_has -%}<span class="cartlift__in-cart">${t(language, "in_cart")}</span>{%- endif -%}`,
  };
}

function fbt(language: Language, offers: StorefrontOffers): string {
  const anchor = offers.anchor!;
  const bundle = offers.bundle;
  const unit = (x: string, productId: string) =>
    bundle ? bundleUnit(x, productId, bundle) : "";
  const row = inCart(language, "v");
  const rows = offers.items
    .map(
      (item) =>
        `${lookup(item, "v")}{%- if v and v.available -%}{%- assign cl_count = cl_count | plus: 1 -%}${row.check}{%- unless cl_has -%}{%- assign cl_total = cl_total | plus: v.price -%}{%- endunless -%}${unit("v", item.productId)}` +
        `<li class="cartlift__item">${image("v_p")}<span class="cartlift__choice"><input type="checkbox" ${row.box} ${attrs(item)} data-price="{{ v.price }}" aria-label="${t(language, "select_item", { title: named("v_p", "v") })}">` +
        `${link(item)}${row.note}</span><span class="cartlift__price">{{ v.price | money }}</span>${reason(language, item)}</li>{%- endif -%}`,
    )
    .join("");
  const own = inCart(language, "a");
  const saving = bundle
    ? bundleSaving(language, bundle, offers.items.length)
    : "";
  // "This item" is the variant the shopper chose on the page, not the product's first one.
  const chosen = anchor.variantId
    ? lookup({ handle: anchor.handle, variantId: anchor.variantId }, "a")
    : `{%- assign a_p = all_products['${escapeText(anchor.handle)}'] -%}{%- assign a = a_p.selected_or_first_available_variant -%}`;
  return (
    `{%- assign cl_total = 0 -%}{%- assign cl_count = 0 -%}{%- assign cl_held = false -%}${bundle ? "{%- assign cl_saving = 0 -%}{%- assign cl_caps = 0 -%}{%- assign cl_free = 0 -%}{%- assign cl_costed = false -%}" : ""}${chosen}` +
    `{%- if a and a.available -%}${own.check}{%- unless cl_has -%}{%- assign cl_total = a.price -%}{%- endunless -%}${unit("a", anchor.productId)}` +
    `<ul class="cartlift__list" role="list"><li class="cartlift__item">${image("a_p")}<label class="cartlift__choice"><input type="checkbox" ${own.box} data-cartlift-anchor data-variant-id="{{ a.id }}" data-price="{{ a.price }}">` +
    `<span class="cartlift__title">${t(language, "this_item", { title: named("a_p", "a") })}</span>${own.note}</label><span class="cartlift__price">{{ a.price | money }}</span></li>` +
    `${rows}</ul>{%- if cl_count > 0 -%}<p class="cartlift__total"><span>${t(language, "total")}</span> <output data-cartlift-total data-currency="{{ cart.currency.iso_code }}">{{ cl_total | money }}</output></p>` +
    `${saving}<button type="button" class="cartlift__button" data-cartlift-add-all{% if cl_total == 0 %} disabled{% endif %}>{%- if cl_held -%}${t(language, "add_selected")}{%- else -%}${t(language, "add_all")}{%- endif -%}</button>{%- endif -%}{%- endif -%}`
  );
}

function upgrade(language: Language, offers: StorefrontOffers): string {
  const up = offers.upgrade!;
  const from = { handle: offers.anchor!.handle, variantId: up.fromVariantId };
  const rows = up.differences
    .map(
      (d) =>
        `<tr><th scope="row">${d.label ? t(language, `compare_${d.label}`) : escapeText(d.attribute)}</th><td>${escapeText(d.from)}</td><td>${escapeText(d.to)}</td></tr>`,
    )
    .join("");
  // The engine's amount is in the shop's currency: the presentment difference replaces it.
  const benefit = up.reason
    ? `<p class="cartlift__reason">${translated(language, up.reason.key, { ...reasonVars(up.reason), amount: "{{ v.price | minus: f.price | money }}" })}</p>`
    : "";
  // The variant upgraded from may be in the cart already: the upgrade then takes one unit's place
  // (its line key and the quantity left), so the shopper gets the better one, not a second one.
  const swap = `{%- assign cl_swap = '' -%}{%- for cl_i in cart.items -%}{%- if cl_swap == '' and cl_i.variant_id == f.id -%}{%- assign cl_swap = cl_i.key -%}{%- assign cl_swap_left = cl_i.quantity | minus: 1 -%}{%- endif -%}{%- endfor -%}`;
  return (
    `${lookup(from, "f")}${lookup(up.item, "v")}{%- if f and v and v.available -%}<div class="cartlift__upgrade" data-cartlift-offer-group>` +
    `<p class="cartlift__title"><a href="{{ v_p.url }}" data-token="${escapeText(up.item.token)}">${named("v_p", "v")}</a></p>${benefit}` +
    `<table class="cartlift__table"><caption>${t(language, "compare_caption")}</caption><thead><tr><td></td><th scope="col">${t(language, "current")}</th><th scope="col">${t(language, "upgrade")}</th></tr></thead>` +
    `<tbody>${rows}<tr><th scope="row">${t(language, "price")}</th><td>{{ f.price | money }}</td><td>{{ v.price | money }}</td></tr></tbody></table>` +
    `${swap}<button type="button" class="cartlift__button" ${attrs(up.item)}{% if cl_swap != '' %} data-swap-key="{{ cl_swap | escape }}" data-swap-quantity="{{ cl_swap_left }}"{% endif %}>` +
    `{%- if cl_swap != '' -%}${t(language, "swap_upgrade")}{%- else -%}${t(language, "choose_upgrade")}{%- endif -%}</button></div>{%- endif -%}`
  );
}

function list(language: Language, offers: StorefrontOffers): string {
  const rows = offers.items
    .map(
      (item) =>
        `${lookup(item, "v")}{%- if v and v.available -%}<li class="cartlift__item">${image("v_p")}${link(item)}` +
        `<span class="cartlift__price">{{ v.price | money }}</span>${reason(language, item)}` +
        `<button type="button" class="cartlift__button" ${attrs(item)} aria-label="${t(language, "add_named", { title: named("v_p", "v") })}">${t(language, "add")}</button></li>{%- endif -%}`,
    )
    .join("");
  return `<ul class="cartlift__list" role="list">${rows}</ul>`;
}

/**
 * The Liquid fragment for one placement's offers; empty markup when there is nothing to show.
 * Its words are in `language` (liquidLanguage of the request's locale), or, when null, in every
 * language, the Liquid choosing by the storefront's locale as Shopify renders it.
 */
export function offersLiquid(
  offers: StorefrontOffers,
  language: Language = null,
): string {
  const head =
    language === null
      ? `{%- assign cl_lang = request.locale.iso_code | split: '-' | first -%}`
      : "";
  if (offers.items.length === 0) return "";
  switch (offers.placement) {
    case "product_fbt":
      return offers.anchor ? head + fbt(language, offers) : "";
    case "product_upgrade":
      return offers.upgrade && offers.anchor
        ? head + upgrade(language, offers)
        : "";
    case "cart":
    case "drawer":
      return head + list(language, offers);
  }
}
