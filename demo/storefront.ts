import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import express, { type Request as ExpressRequest, type Router } from "express";
import { Drop, Liquid, type TagToken, type TopLevelToken } from "liquidjs";
import {
  DEMO_CUSTOMERS,
  type DemoCustomer,
  type DemoProduct,
  type DemoShop,
} from "./shop";
import type { Post } from "../extensions/cartlift-pixel/src/pixel";
import { DEMO_IMAGES, productImageFile } from "./product-image";
import {
  type DemoBundleDiscount,
  demoBundleDiscounts,
} from "./bundle-discount";
import {
  type DemoPixelEvent,
  type DemoWebPixels,
  publishPixelEvent,
} from "./web-pixel";

// The storefront preview of demo mode: a minimal product page and cart page of the synthetic
// shop that render the theme extension's real Liquid blocks with liquidjs, plus just enough of
// Shopify's storefront to run them: the Ajax cart API (/cart.js, /cart/add.js, /cart/change.js,
// /cart/update.js) kept in memory per cookie, the Section Rendering API for the cart sections,
// presentment currencies, and the app proxy, which signs the query, calls the real /proxy route
// and renders its Liquid answer in the shopper's context, as Shopify does.

/** Demo exchange rates from the shop currency (USD); Shopify Markets would supply these. */
export const DEMO_RATES: Record<string, number> = {
  USD: 1,
  EUR: 0.92,
  GBP: 0.79,
  CAD: 1.37,
};
/**
 * A shop-currency amount in the shopper's currency at the demo's rates, rounded to the minor unit,
 * as Markets would price it: the storefront's prices, its cart and the post-purchase offer
 * (demo/post-purchase.ts) all convert through it, so the buyer meets the same price everywhere.
 */
export function demoPresentmentMinor(shopMinor: number, currency: string) {
  const rate = Object.hasOwn(DEMO_RATES, currency)
    ? DEMO_RATES[currency]
    : undefined;
  if (rate === undefined)
    throw new RangeError(`The demo shop does not sell in ${currency}`);
  return Math.round(shopMinor * rate);
}
/** The demo's markets: the country a shopper paying in each currency is in. */
const DEMO_COUNTRIES: Record<string, string> = {
  USD: "US",
  EUR: "FR",
  GBP: "GB",
  CAD: "CA",
};
const LOCALES = ["en", "fr"] as const;
type Locale = (typeof LOCALES)[number];
/** Whether the shop asks this shopper's consent; the theme's locale files name each choice. */
const PRIVACY = ["open", "consent"] as const;
type Privacy = (typeof PRIVACY)[number];

type Json = Record<string, unknown>;

/** The `{% schema %}` JSON of a block file (what Shopify reads for settings and their defaults). */
export function extractSchema(source: string): Json {
  const match =
    /\{%-?\s*schema\s*-?%\}([\s\S]*?)\{%-?\s*endschema\s*-?%\}/.exec(source);
  if (!match) throw new Error("No {% schema %} in block");
  return JSON.parse(match[1]) as Json;
}

/** Settings as the theme editor would store them for a freshly added block: the defaults. */
export function defaultSettings(schema: Json): Json {
  const settings = (schema.settings ?? []) as {
    id: string;
    default?: unknown;
  }[];
  return Object.fromEntries(settings.map((s) => [s.id, s.default ?? ""]));
}

function lookupKey(messages: Json, key: string): string | undefined {
  const value = key
    .split(".")
    .reduce<unknown>(
      (node, part) =>
        node && typeof node === "object" ? (node as Json)[part] : undefined,
      messages,
    );
  return typeof value === "string" ? value : undefined;
}

/** A message by its key ("cart.subtotal"), with its `{{ name }}` values filled in. */
export type Translate = (
  key: string,
  values?: Record<string, unknown>,
) => string;

/**
 * Shopify's `t` over a folder of locale files: the locale's message, else the default locale's
 * (en.default.json), as Shopify falls back. The app's blocks read the theme extension's files
 * through the Liquid filter; the stand-in theme reads its own files the same way.
 */
export function translations(dir: string, locale: string): Translate {
  const read = (name: string) =>
    JSON.parse(readFileSync(path.join(dir, name), "utf8")) as Json;
  const fallback = read("en.default.json");
  const messages = locale === "en" ? fallback : read(`${locale}.json`);
  return (key, values = {}) =>
    (
      lookupKey(messages, key) ??
      lookupKey(fallback, key) ??
      `translation missing: ${key}`
    ).replace(/\{\{\s*(\w+)\s*\}\}/g, (_, name: string) =>
      String(values[name] ?? ""),
    );
}

/**
 * The stand-in theme's own words (and those of the checkout it stands in for), kept as a Shopify
 * theme keeps them: the app's blocks are not the only part of the page in the shopper's language.
 */
export const THEME_LOCALES = path.join(import.meta.dirname, "theme", "locales");

export interface StorefrontLiquidOptions {
  extensionDir: string;
  locale?: string;
  currency?: string;
}

/**
 * A liquidjs engine that reads the extension's blocks and snippets, with the Shopify filters
 * and tags they use: `t` (the extension's locales), `money` (presentment currency),
 * `asset_url`, and a `schema` tag that renders nothing.
 */
export function storefrontLiquid({
  extensionDir,
  locale = "en",
  currency = "USD",
}: StorefrontLiquidOptions): Liquid {
  const liquid = new Liquid({
    root: [path.join(extensionDir, "blocks")],
    partials: [path.join(extensionDir, "snippets")],
    extname: ".liquid",
    strictFilters: true,
    cache: true,
  });
  liquid.registerTag("schema", {
    parse(_token: TagToken, remain: TopLevelToken[]) {
      for (let t = remain.shift(); t; t = remain.shift()) {
        if ((t as TagToken).name === "endschema") return;
      }
      throw new Error("{% schema %} without {% endschema %}");
    },
    render: () => "",
  });
  const t = translations(path.join(extensionDir, "locales"), locale);
  liquid.registerFilter("t", (key: string, ...args: unknown[]) =>
    t(
      key,
      Object.fromEntries(args.filter(Array.isArray) as [string, unknown][]),
    ),
  );
  const format = new Intl.NumberFormat(locale, { style: "currency", currency });
  liquid.registerFilter("money", (cents: number) =>
    format.format(Number(cents) / 100),
  );
  // Shopify's image filters, as far as the blocks use them: the demo's pictures are one size.
  liquid.registerFilter("image_url", (image: { src?: string } | string) =>
    typeof image === "string" ? image : (image?.src ?? ""),
  );
  liquid.registerFilter(
    "image_tag",
    (url: string, ...args: unknown[]) =>
      `<img src="${escapeHtml(url)}" ${(args.filter(Array.isArray) as [string, unknown][]).map(([k, v]) => `${k}="${escapeHtml(String(v))}"`).join(" ")}>`,
  );
  liquid.registerFilter(
    "asset_url",
    (file: string) => `/demo/storefront/assets/${file}`,
  );
  return liquid;
}

/** `all_products[handle]`: Shopify's product objects, in the cart's presentment currency. */
export class AllProducts extends Drop {
  private byHandle: Map<string, DemoProduct>;
  constructor(
    products: readonly DemoProduct[],
    private readonly rate: number,
  ) {
    super();
    this.byHandle = new Map(products.map((p) => [p.handle, p]));
  }
  override liquidMethodMissing(handle: string) {
    const product = this.byHandle.get(handle);
    return product ? productObject(product, this.rate) : undefined;
  }
}

/** Shopify's product drop; `selected` is the `variant` URL parameter on a product page. */
export function productObject(
  product: DemoProduct,
  rate: number,
  selected?: string,
) {
  const variants = product.variants.map((v) => ({
    id: Number(v.id),
    title: v.title,
    price: Math.round(v.price * rate),
    available: v.inventoryQuantity > 0,
    options: v.options.map((o) => o.value),
  }));
  return {
    id: Number(product.id),
    title: product.title,
    handle: product.handle,
    url: `/demo/storefront/products/${product.handle}`,
    type: product.productType,
    vendor: product.vendor,
    featured_image: {
      src: `${DEMO_IMAGES}/${productImageFile(product)}`,
      alt: product.title,
      width: 160,
      height: 160,
    },
    available: variants.some((v) => v.available),
    has_only_default_variant: variants.length === 1,
    variants,
    price: Math.min(...variants.map((v) => v.price)),
    selected_or_first_available_variant:
      variants.find((v) => String(v.id) === selected) ??
      variants.find((v) => v.available) ??
      variants[0],
  };
}

/** The shop's free-shipping threshold in its own currency (USD cents), as the footer states it. */
const FREE_SHIPPING_OVER = 7_500;

const DEMO_ROUTES = {
  root_url: "/",
  cart_url: "/cart",
  cart_add_url: "/cart/add",
  cart_change_url: "/cart/change",
};

interface CartLine {
  key: string;
  variantId: string;
  productId: string;
  quantity: number;
  properties: Record<string, string>;
}
/** Who the shopper is signed in as: a guest, or one of the demo shop's customers. */
type SignedIn = DemoCustomer | "anonymous";
const SIGNED_IN: readonly SignedIn[] = [
  "anonymous",
  ...(Object.keys(DEMO_CUSTOMERS) as DemoCustomer[]),
];

interface DemoCart {
  token: string;
  currency: string;
  locale: Locale;
  /** Shopify's customer session: the app proxy signs this customer's id. */
  customer: SignedIn;
  /** Whether the shop asks this shopper's consent before analytics (merchant setting and region). */
  privacy: Privacy;
  lines: CartLine[];
  attributes: Record<string, string>;
}

export interface DemoStorefrontOptions {
  root: string;
  demo: DemoShop;
  /**
   * Sends a request to the app exactly as Shopify's app proxy would (the caller signs the query,
   * with the signed-in customer's id, and hands it to the app's request handler) and returns the
   * app's response.
   */
  proxy: (
    pathAndQuery: string,
    init: RequestInit,
    customerId?: string,
  ) => Promise<Response>;
  /** The app's web pixel: its settings as the app wrote them, and how its posts reach the app. */
  pixel?: { pixels: DemoWebPixels; post: Post };
  /** The shop's bundle discount, as the app configured it: the cart takes its saving off. */
  bundleDiscount?: DemoBundleDiscount;
}

/**
 * A stand-in for Shopify's Customer Privacy API (window.Shopify.loadFeatures and
 * customerPrivacy), which Shopify puts on every Online Store page: processing is allowed where
 * the shop requires no consent, or once the shopper accepted. The decision is kept in Shopify's
 * `_tracking_consent` cookie, and setTrackingConsent announces it with the
 * `visitorConsentCollected` document event, as Shopify's does.
 */
function customerPrivacy(privacy: Privacy): string {
  return `<script>
(() => {
  const required = ${privacy === "consent"};
  const decided = () => /(?:^|; )_tracking_consent=(yes|no)/.exec(document.cookie)?.[1];
  const allowed = () => !required || decided() === "yes";
  const api = {
    analyticsProcessingAllowed: allowed,
    marketingAllowed: allowed,
    preferencesProcessingAllowed: allowed,
    saleOfDataAllowed: allowed,
    userCanBeTracked: allowed,
    shouldShowBanner: () => required && !decided(),
    setTrackingConsent(consent, callback) {
      const yes = consent.analytics === true;
      document.cookie = "_tracking_consent=" + (yes ? "yes" : "no") + "; path=/; SameSite=Lax";
      const detail = { analyticsAllowed: yes, marketingAllowed: yes, preferencesAllowed: yes, saleOfDataAllowed: yes };
      document.dispatchEvent(new CustomEvent("visitorConsentCollected", { detail }));
      callback?.();
    },
  };
  window.Shopify = {
    ...window.Shopify,
    loadFeatures(features, callback) {
      setTimeout(() => {
        window.Shopify.customerPrivacy = api;
        callback();
      });
    },
  };
})();
</script>`;
}

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) =>
      ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[
        c
      ] as string,
  );

export function demoStorefront({
  root,
  demo,
  proxy,
  pixel,
  bundleDiscount,
}: DemoStorefrontOptions): Router {
  const extensionDir = path.join(root, "extensions", "cartlift-theme");
  const carts = new Map<string, DemoCart>();
  const variants = new Map(
    demo.products.flatMap((p) => p.variants.map((v) => [v.id, { p, v }])),
  );
  const engines = new Map<string, Liquid>();
  const engine = (cart: DemoCart) => {
    const key = `${cart.locale}:${cart.currency}`;
    let liquid = engines.get(key);
    if (!liquid) {
      liquid = storefrontLiquid({
        extensionDir,
        locale: cart.locale,
        currency: cart.currency,
      });
      engines.set(key, liquid);
    }
    return liquid;
  };
  const rate = (cart: DemoCart) => DEMO_RATES[cart.currency] ?? 1;
  const themeWords = new Map<Locale, Translate>();
  /** The theme's messages in the shopper's language. */
  const words = (cart: DemoCart): Translate => {
    let t = themeWords.get(cart.locale);
    if (!t) {
      t = translations(THEME_LOCALES, cart.locale);
      themeWords.set(cart.locale, t);
    }
    return t;
  };
  /** The same, HTML-escaped with their values, for the page's markup. */
  const say =
    (cart: DemoCart): Translate =>
    (key, values) =>
      escapeHtml(words(cart)(key, values));

  /**
   * The shopper's cart, from its cookie. On a page (`switches`), the query is Shopify's
   * localization form and the demo's own switches; an app proxy request's query is the app's
   * (the storefront script adds the currency and language it was rendered in, for the browser's
   * cache), and a late one from the page before must not switch the shopper back.
   */
  function cartFor(
    req: ExpressRequest,
    res: express.Response,
    switches = true,
  ): DemoCart {
    const token = /(?:^|;\s*)cart=([a-f0-9]{32})/.exec(
      req.headers.cookie ?? "",
    )?.[1];
    let cart = token ? carts.get(token) : undefined;
    if (!cart) {
      cart = {
        token: token ?? randomBytes(16).toString("hex"),
        currency: demo.currency,
        locale: "en",
        privacy: "open",
        customer: "anonymous",
        lines: [],
        attributes: {},
      };
      carts.set(cart.token, cart);
      res.cookie("cart", cart.token, { httpOnly: true, sameSite: "lax" });
    }
    if (!switches) return cart;
    // Shopify's localization form: the shopper picks a currency and a language.
    const currency = String(req.query.currency ?? "");
    if (currency in DEMO_RATES) cart.currency = currency;
    const locale = String(req.query.locale ?? "");
    if ((LOCALES as readonly string[]).includes(locale))
      cart.locale = locale as Locale;
    // Where the shop requires consent (the merchant's setting for the shopper's region).
    const privacy = String(req.query.privacy ?? "");
    if ((PRIVACY as readonly string[]).includes(privacy))
      cart.privacy = privacy as Privacy;
    // Signing in and out, as the shop's customer accounts would.
    // Signing in sets Shopify's customer session cookie: the app's answers vary on cookies, so
    // the browser never reuses one shopper's cached answer for another.
    const customer = String(req.query.customer ?? "");
    if (
      (SIGNED_IN as readonly string[]).includes(customer) &&
      customer !== cart.customer
    ) {
      cart.customer = customer as SignedIn;
      res.cookie("customer_session", customer, {
        httpOnly: true,
        sameSite: "lax",
      });
    }
    return cart;
  }

  function cartJson(cart: DemoCart) {
    const items = cart.lines.map((line) => {
      const { p, v } = variants.get(line.variantId)!;
      const price = demoPresentmentMinor(v.price, cart.currency);
      return {
        key: line.key,
        id: Number(v.id),
        variant_id: Number(v.id),
        product_id: Number(p.id),
        title: `${p.title}${p.variants.length > 1 ? ` - ${v.title}` : ""}`,
        handle: p.handle,
        quantity: line.quantity,
        price,
        line_price: price * line.quantity,
        properties: line.properties,
        url: `/demo/storefront/products/${p.handle}`,
      };
    });
    return {
      token: cart.token,
      currency: cart.currency,
      item_count: items.reduce((n, i) => n + i.quantity, 0),
      total_price: items.reduce((n, i) => n + i.line_price, 0),
      attributes: cart.attributes,
      items,
    };
  }

  /** Shopify's customer events for the app's pixel, with the consent the privacy stand-in gives. */
  async function publish(
    req: ExpressRequest,
    cart: DemoCart,
    event: DemoPixelEvent,
  ) {
    if (!pixel) return;
    const decided = /(?:^|;\s*)_tracking_consent=(yes|no)/.exec(
      req.headers.cookie ?? "",
    )?.[1];
    await publishPixelEvent(
      pixel.pixels,
      pixel.post,
      {
        client: cart.token,
        analyticsAllowed: cart.privacy !== "consent" || decided === "yes",
        currency: cart.currency,
        cartAttributes: cart.attributes,
      },
      event,
    );
  }

  /** Shopify's `cart`, `localization` and `request` objects, as far as the blocks read them. */
  const shopperContext = (cart: DemoCart) => ({
    cart: { ...cartJson(cart), currency: { iso_code: cart.currency } },
    localization: {
      country: { iso_code: DEMO_COUNTRIES[cart.currency] ?? "US" },
    },
    request: { locale: { iso_code: cart.locale } },
  });

  const money = (
    cart: DemoCart,
    cents: number,
    style: Intl.NumberFormatOptions = {},
  ) =>
    new Intl.NumberFormat(cart.locale, {
      style: "currency",
      currency: cart.currency,
      ...style,
    }).format(cents / 100);

  // The theme's own sections, as the Section Rendering API returns them. On a phone the cart's
  // lines show the unit price under the title, as Dawn does, instead of in a column of its own:
  // four columns of prices such as "1 234,56 $US" are wider than a phone.
  const SECTIONS: Record<string, (cart: DemoCart) => string> = {
    "cart-icon-bubble": (cart) =>
      `<span id="shopify-section-cart-icon-bubble"><a href="/demo/storefront/cart">${say(cart)("general.cart_link", { count: cartJson(cart).item_count })}</a></span>`,
    "cart-drawer": (cart) => {
      const t = say(cart);
      const c = cartJson(cart);
      const lines = c.items
        .map(
          (i) =>
            `<li>${escapeHtml(i.title)} × ${i.quantity} — ${money(cart, i.line_price)}</li>`,
        )
        .join("");
      return `<div id="shopify-section-cart-drawer"><aside class="drawer" data-cart-drawer aria-label="${t("general.cart_drawer")}"><button type="button" class="drawer__close" data-drawer-close>${t("cart.close")}</button><h2>${t("cart.title")}</h2><ul>${lines || `<li>${t("cart.empty")}</li>`}</ul></aside></div>`;
    },
    "main-cart": (cart) => {
      const t = say(cart);
      const c = cartJson(cart);
      const rows = c.items
        .map(
          (i, n) =>
            `<tr><td><a href="${i.url}">${escapeHtml(i.title)}</a>${i.properties._cartlift ? ` <small>${t("cart.suggested")}</small>` : ""}<span class="cart-line__price">${money(cart, i.price)}</span></td><td>${money(cart, i.price)}</td>` +
            `<td><button type="button" data-line="${n + 1}" data-quantity="${i.quantity - 1}" aria-label="${t("cart.remove_one", { title: i.title })}">−</button> ${i.quantity} ` +
            `<button type="button" data-line="${n + 1}" data-quantity="${i.quantity + 1}" aria-label="${t("cart.add_one", { title: i.title })}">+</button></td><td>${money(cart, i.line_price)}</td></tr>`,
        )
        .join("");
      const heads = ["product", "price", "quantity", "total"]
        .map((key) => `<th scope="col">${t(`cart.${key}`)}</th>`)
        .join("");
      // The bundles' savings, as Shopify shows an automatic discount in the cart, and what is left.
      const discounts = bundleDiscount
        ? demoBundleDiscounts(
            bundleDiscount,
            c.items.map((i) => ({
              key: i.key,
              productId: String(i.product_id),
              variantId: String(i.variant_id),
              quantity: i.quantity,
              price: i.price,
            })),
            cart.currency,
            rate(cart),
          ).filter((d) => d.amount > 0)
        : [];
      const saved = discounts.reduce((sum, d) => sum + d.amount, 0);
      const savings = discounts.length
        ? discounts
            .map(
              (d) =>
                `<p class="cart-discount">${t("cart.bundle_discount", { title: escapeHtml(d.title), amount: money(cart, d.amount) })}</p>`,
            )
            .join("") +
          `<p><strong>${t("cart.estimated_total", { amount: money(cart, c.total_price - saved) })}</strong></p>`
        : "";
      return `<div id="shopify-section-main-cart"><table aria-label="${t("cart.lines")}"><thead><tr>${heads}</tr></thead><tbody>${rows}</tbody></table><p>${t("cart.subtotal", { amount: money(cart, c.total_price) })}</p>${savings}</div>`;
    },
  };
  const sections = (cart: DemoCart, ids: unknown) =>
    typeof ids === "string" && ids
      ? Object.fromEntries(
          ids
            .split(",")
            .slice(0, 5)
            .map((id) => [id, SECTIONS[id]?.(cart) ?? null]),
        )
      : undefined;

  async function renderBlock(
    file: string,
    cart: DemoCart,
    product?: ReturnType<typeof productObject>,
  ): Promise<string> {
    const source = readFileSync(
      path.join(extensionDir, "blocks", `${file}.liquid`),
      "utf8",
    );
    const settings = defaultSettings(extractSchema(source));
    return engine(cart).renderFile(
      file,
      {
        block: { id: file, settings, shopify_attributes: "" },
        product,
      },
      // Shopify's global objects are visible inside rendered snippets too.
      { globals: { routes: DEMO_ROUTES, ...shopperContext(cart) } },
    );
  }

  function page(
    cart: DemoCart,
    title: string,
    main: string,
    embed: string,
  ): string {
    const t = say(cart);
    const currencyOptions = Object.keys(DEMO_RATES)
      .map(
        (c) => `<option${c === cart.currency ? " selected" : ""}>${c}</option>`,
      )
      .join("");
    const privacyOptions = PRIVACY.map(
      (value) =>
        `<option value="${value}"${value === cart.privacy ? " selected" : ""}>${t(`privacy.${value}`)}</option>`,
    ).join("");
    const customerOptions = SIGNED_IN.map(
      (value) =>
        `<option value="${value}"${value === cart.customer ? " selected" : ""}>${t(`customers.${value}`)}</option>`,
    ).join("");
    const localeOptions = LOCALES.map(
      (l) => `<option${l === cart.locale ? " selected" : ""}>${l}</option>`,
    ).join("");
    return `<!doctype html>
<html lang="${cart.locale}">
<head>
<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} – Cartlift demo store</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
${customerPrivacy(cart.privacy)}
<style>
body{font-family:system-ui,sans-serif;margin:0;color:#1a1a1a;display:grid;grid-template-columns:minmax(0,1fr) 20rem}
header,main,footer{grid-column:1;padding:1rem 2rem}footer{border-top:1px solid #ddd;color:#555}header{display:flex;flex-wrap:wrap;gap:.5rem 1.5rem;align-items:center;border-bottom:1px solid #ddd}
#shopify-section-cart-drawer{grid-column:2;grid-row:1/span 3;border-left:1px solid #ddd;padding:1rem}
main{max-width:48rem}.product-header{display:flex;gap:1rem;align-items:center}.product-image{flex:none;border-radius:.5rem}table{border-collapse:collapse}.cart-line__price{display:none}td,th{padding:.3rem .6rem;text-align:left}
button{font:inherit;padding:.4rem .8rem}header label{display:inline-block}fieldset{min-width:0}fieldset label{display:inline-block;margin:.25rem 1rem .25rem 0}
[data-drawer-toggle],.drawer__close{display:none}
.consent{position:fixed;inset:auto 0 0 0;z-index:20;padding:1rem 2rem;background:#1a1a1a;color:#fff}.consent[hidden]{display:none}.consent p{margin:0 0 .5rem}
@media (max-width:50rem){
body{display:block}header,main,footer{padding:1rem}td,th{padding:.3rem}td:nth-child(3){white-space:nowrap}
.product-image{width:96px;height:96px}#shopify-section-main-cart :is(th,td):nth-child(2){display:none}.cart-line__price{display:block}
[data-drawer-toggle]{display:inline-block}.drawer__close{display:block;margin-left:auto}
#shopify-section-cart-drawer{display:none;position:fixed;inset:0 0 0 auto;z-index:10;width:min(22rem,100%);box-sizing:border-box;overflow-y:auto;background:#fff;box-shadow:0 0 2rem #0004}
.drawer-open #shopify-section-cart-drawer{display:block}
}
</style>
</head>
<body>
<header><a href="/demo/storefront">Cartlift demo store</a>${SECTIONS["cart-icon-bubble"](cart)}<button type="button" data-drawer-toggle aria-controls="shopify-section-cart-drawer" aria-expanded="false">${t("general.cart_drawer")}</button>
<form><label>${t("localization.currency")} <select name="currency" onchange="this.form.submit()">${currencyOptions}</select></label>
<label>${t("localization.language")} <select name="locale" onchange="this.form.submit()">${localeOptions}</select></label>
<label>${t("localization.privacy")} <select name="privacy" onchange="this.form.submit()">${privacyOptions}</select></label>
<label>${t("localization.signed_in_as")} <select name="customer" onchange="this.form.submit()">${customerOptions}</select></label></form></header>
<main>${main}</main>
<footer><p>Cartlift demo store · ${t("general.footer", { amount: money(cart, demoPresentmentMinor(FREE_SHIPPING_OVER, cart.currency), { trailingZeroDisplay: "stripIfInteger" }) })}</p><nav aria-label="${t("general.footer_nav")}"><a href="/demo/storefront">${t("general.shop")}</a> <a href="/demo/storefront/cart">${t("general.cart")}</a></nav></footer>
${SECTIONS["cart-drawer"](cart)}
${embed}
${consentBanner(t)}
</body>
</html>`;
  }

  // Shopify's consent banner, as a shop that requires consent shows it until the shopper decides:
  // fixed over the page's foot, so it moves nothing.
  const consentBanner = (
    t: Translate,
  ) => `<aside class="consent" aria-label="${t("privacy.banner_label")}" hidden data-consent-banner>
<p>${t("privacy.banner")}</p>
<button type="button" data-consent="yes">${t("privacy.accept")}</button> <button type="button" data-consent="no">${t("privacy.decline")}</button></aside>
<script>
const banner = document.querySelector("[data-consent-banner]");
Shopify.loadFeatures([{ name: "consent-tracking-api", version: "0.1" }], () => {
  banner.hidden = !Shopify.customerPrivacy.shouldShowBanner();
});
banner.addEventListener("click", (e) => {
  const choice = e.target.closest("[data-consent]");
  if (!choice) return;
  const yes = choice.dataset.consent === "yes";
  Shopify.customerPrivacy.setTrackingConsent(
    { analytics: yes, marketing: yes, preferences: yes, sale_of_data: yes },
    () => (banner.hidden = true),
  );
});
</script>`;

  // What a theme shows below the app blocks. Content below them is what makes a block's layout
  // shift count: a block that grows or collapses on screen moves these.
  const description = (t: Translate, product: DemoProduct) =>
    `<section aria-labelledby="description"><h2 id="description">${t("product.description")}</h2>
<p>${t("product.description_body", { title: product.title, vendor: product.vendor })}</p>
<p>${t("product.care")}</p></section>`;
  const cartNotes = (t: Translate) =>
    `<section aria-labelledby="cart-notes"><h2 id="cart-notes">${t("cart.notes")}</h2>
<p>${t("cart.notes_body")}</p></section>`;

  // A stand-in for the theme's own JavaScript, shaped like Dawn's: a variant picker that writes
  // the chosen variant into the product form's id input (with a change event) and the URL, an
  // add-to-cart form and cart quantity buttons on the Ajax and Section Rendering APIs, and a cart
  // drawer that opens after an add. It announces nothing else to apps. On a wide screen the
  // drawer is always open beside the page; on a phone it covers the page until closed.
  const THEME_SCRIPT = `<script>
const drawerToggle = document.querySelector("[data-drawer-toggle]");
function setDrawer(open) {
  document.body.classList.toggle("drawer-open", open);
  drawerToggle.setAttribute("aria-expanded", String(open));
  if (open) document.querySelector("[data-drawer-close]")?.focus();
}
drawerToggle.addEventListener("click", () => setDrawer(!document.body.classList.contains("drawer-open")));
document.addEventListener("click", (e) => {
  if (!e.target.closest("[data-drawer-close]")) return;
  setDrawer(false);
  drawerToggle.focus();
});
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape" && document.body.classList.contains("drawer-open")) {
    setDrawer(false);
    drawerToggle.focus();
  }
});
document.addEventListener("change", (e) => {
  const picker = e.target.closest("fieldset[data-variant-picker]");
  if (!picker) return;
  const id = document.querySelector("form[data-product-form] input[name=id]");
  id.value = e.target.value;
  id.dispatchEvent(new Event("change", { bubbles: true }));
  const url = new URL(location.href);
  url.searchParams.set("variant", e.target.value);
  history.replaceState(null, "", url);
});
document.addEventListener("click", async (e) => {
  const b = e.target.closest("button[data-theme-add], button[data-line]");
  if (!b) return;
  e.preventDefault();
  const url = b.dataset.themeAdd ? "/cart/add.js" : "/cart/change.js";
  const body = b.dataset.themeAdd
    ? { id: Number(b.form.elements.id.value), quantity: 1 }
    : { line: Number(b.dataset.line), quantity: Number(b.dataset.quantity) };
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ ...body, sections: "cart-icon-bubble,cart-drawer,main-cart" }) });
  const { sections } = await r.json();
  for (const [id, html] of Object.entries(sections || {})) {
    if (!html) continue;
    // A section's wrapper is replaced whole; an element of the section's name (Dawn's cart
    // bubble) takes the section's content.
    const old = document.getElementById("shopify-section-" + id);
    const own = !old && document.getElementById(id);
    if (old) old.outerHTML = html;
    else if (own) own.innerHTML = new DOMParser().parseFromString(html, "text/html").body.firstElementChild.innerHTML;
  }
  if (b.dataset.themeAdd) setDrawer(true);
});
</script>`;

  const router = express.Router();
  // Only the cart routes parse bodies: the proxy forwards its body to the app untouched.
  const parse = express.json({ limit: "32kb" });

  router.get("/demo/storefront/assets/:file", (req, res) => {
    if (!/^cartlift\.(js|css)$/.test(req.params.file))
      return void res.sendStatus(404);
    res
      .type(path.extname(req.params.file))
      .set("Cache-Control", "no-cache")
      .send(readFileSync(path.join(extensionDir, "assets", req.params.file)));
  });

  router.get("/demo/storefront", (req, res) => {
    // A product with a next tier and known partners shows every product block at once. The query
    // (?locale=fr&currency=EUR) goes along, so a link to the store can open it in a language.
    const product =
      demo.products.find((p) => p.productType === "Tent") ?? demo.products[0];
    const query = new URL(req.originalUrl, "http://localhost").search;
    res.redirect(`/demo/storefront/products/${product.handle}${query}`);
  });

  router.get("/demo/storefront/products/:handle", async (req, res, next) => {
    try {
      const product = demo.products.find((p) => p.handle === req.params.handle);
      if (!product) return void res.sendStatus(404);
      const cart = cartFor(req, res);
      const t = say(cart);
      const shown = productObject(
        product,
        rate(cart),
        typeof req.query.variant === "string" ? req.query.variant : undefined,
      );
      const chosen = shown.selected_or_first_available_variant;
      await publish(req, cart, {
        name: "product_viewed",
        item: {
          product_id: Number(shown.id),
          variant_id: Number(chosen.id),
          quantity: 1,
          price: chosen.price,
          line_price: chosen.price,
        },
      });
      const options = shown.variants
        .map(
          (v) =>
            `<label><input type="radio" name="variant-choice" value="${v.id}"${v.id === chosen.id ? " checked" : ""}${v.available ? "" : " disabled"}> ${escapeHtml(v.title)} — ${money(cart, v.price)}</label>`,
        )
        .join(" ");
      const blocks = `${await renderBlock("frequently-bought-together", cart, shown)}${await renderBlock("upgrade", cart, shown)}`;
      const main = `<div class="product-header"><img class="product-image" src="${shown.featured_image.src}" alt="${escapeHtml(product.title)}" width="160" height="160">
<div><h1>${escapeHtml(product.title)}</h1><p>${escapeHtml(product.vendor)} · ${escapeHtml(product.productType)}</p></div></div>
<form action="/cart/add" method="post" data-product-form>
<fieldset data-variant-picker><legend>${t("product.variant")}</legend>${options}</fieldset>
<input type="hidden" name="id" value="${chosen.id}"><input type="hidden" name="product-id" value="${shown.id}">
<button type="submit" data-theme-add="1">${t("product.add_to_cart")}</button></form>
<div id="shopify-section-apps-main">${blocks}</div>${description(t, product)}${THEME_SCRIPT}`;
      res
        .type("html")
        .set("Cache-Control", "no-store")
        .send(
          page(
            cart,
            product.title,
            main,
            await renderBlock("cart-drawer", cart),
          ),
        );
    } catch (error) {
      next(error);
    }
  });

  router.get("/demo/storefront/cart", async (req, res, next) => {
    try {
      const cart = cartFor(req, res);
      if (cart.lines.length > 0)
        await publish(req, cart, {
          name: "cart_viewed",
          items: cartJson(cart).items,
        });
      const t = say(cart);
      const main = `<h1>${t("cart.title")}</h1>${SECTIONS["main-cart"](cart)}
<div id="shopify-section-apps-main">${await renderBlock("complete-your-order", cart)}</div>${cartNotes(t)}${THEME_SCRIPT}`;
      res
        .type("html")
        .set("Cache-Control", "no-store")
        .send(page(cart, words(cart)("general.cart"), main, ""));
    } catch (error) {
      next(error);
    }
  });

  // Shopify's Ajax cart API, in memory per cart cookie.
  router.get("/cart.js", (req, res) => {
    res.set("Cache-Control", "no-store").json(cartJson(cartFor(req, res)));
  });
  router.post("/cart/add.js", parse, async (req, res) => {
    const cart = cartFor(req, res);
    const body = req.body as Json;
    const items = (Array.isArray(body.items) ? body.items : [body]) as Json[];
    const added: CartLine[] = [];
    for (const item of items) {
      const variantId = String(item.id);
      const found = variants.get(variantId);
      if (!found || found.v.inventoryQuantity <= 0)
        return void res.status(422).json({
          status: 422,
          message: "Cart Error",
          description: "The product is not available.",
        });
      const properties = Object.fromEntries(
        Object.entries((item.properties ?? {}) as Json).map(([k, v]) => [
          k,
          String(v),
        ]),
      );
      const quantity = Math.max(1, Number(item.quantity ?? 1) | 0);
      // Same variant and same properties merge into one line, as in Shopify.
      const key = `${variantId}:${JSON.stringify(properties)}`;
      const line = cart.lines.find((l) => l.key === key);
      if (line) line.quantity += quantity;
      else
        cart.lines.push({
          key,
          variantId,
          productId: found.p.id,
          quantity,
          properties,
        });
      added.push(cart.lines.find((l) => l.key === key)!);
      const price = demoPresentmentMinor(found.v.price, cart.currency);
      await publish(req, cart, {
        name: "product_added_to_cart",
        item: {
          product_id: Number(found.p.id),
          variant_id: Number(variantId),
          quantity,
          price,
          line_price: price * quantity,
        },
      });
    }
    const json = cartJson(cart);
    res.json({
      items: json.items.filter((i) => added.some((a) => a.key === i.key)),
      sections: sections(cart, body.sections),
    });
  });
  router.post("/cart/change.js", parse, (req, res) => {
    const cart = cartFor(req, res);
    const body = req.body as Json;
    const index =
      body.line !== undefined
        ? Number(body.line) - 1
        : cart.lines.findIndex((l) => l.key === body.id);
    if (!cart.lines[index])
      return void res
        .status(400)
        .json({ status: 400, message: "no valid id or line parameter" });
    const quantity = Math.max(0, Number(body.quantity) | 0);
    if (quantity === 0) cart.lines.splice(index, 1);
    else cart.lines[index].quantity = quantity;
    res.json({ ...cartJson(cart), sections: sections(cart, body.sections) });
  });
  router.post("/cart/update.js", parse, (req, res) => {
    const cart = cartFor(req, res);
    const attributes = ((req.body as Json).attributes ?? {}) as Json;
    for (const [k, v] of Object.entries(attributes))
      cart.attributes[k] = String(v);
    res.json(cartJson(cart));
  });

  // The app proxy: Shopify signs the query, forwards it, and renders a Liquid answer in the
  // shopper's context (cart, currency, language) before the browser sees it.
  router.all("/apps/cartlift/*", async (req, res, next) => {
    try {
      const cart = cartFor(req, res, false);
      const url = new URL(req.originalUrl, "http://localhost");
      const init: RequestInit = {
        method: req.method,
        headers: {
          "User-Agent": req.get("User-Agent") ?? "Mozilla/5.0",
          // Like Shopify's proxy: the shopper's address, which the app's rate limit keys on.
          "X-Forwarded-For": req.socket.remoteAddress ?? "",
          ...(req.get("Content-Type")
            ? { "Content-Type": req.get("Content-Type") as string }
            : {}),
        },
      };
      if (req.method === "POST") {
        init.body = await new Promise<string>((resolve, reject) => {
          const chunks: Buffer[] = [];
          req.on("data", (c: Buffer) => chunks.push(c));
          req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
          req.on("error", reject);
        });
      }
      const response = await proxy(
        `${url.pathname.replace(/^\/apps\/cartlift/, "")}${url.search}`,
        init,
        cart.customer === "anonymous"
          ? undefined
          : DEMO_CUSTOMERS[cart.customer].id,
      );
      const type = response.headers.get("Content-Type") ?? "";
      for (const header of ["Cache-Control", "Vary"]) {
        const value = response.headers.get(header);
        if (value) res.set(header, value);
      }
      res.status(response.status);
      if (type.startsWith("application/liquid")) {
        const html = await engine(cart).parseAndRender(await response.text(), {
          all_products: new AllProducts(demo.products, rate(cart)),
          ...shopperContext(cart),
          shop: { currency: demo.currency },
        });
        res.type("html").send(html.trim());
      } else {
        res
          .type(type || "text")
          .send(Buffer.from(await response.arrayBuffer()));
      }
    } catch (error) {
      next(error);
    }
  });
  return router;
}
