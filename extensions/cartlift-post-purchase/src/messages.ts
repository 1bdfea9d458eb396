// The offer screen's words in each language the app speaks. The extension reads no locale files in
// checkout, so they live here, chosen by the buyer's locale (`inputData.locale`); the reason comes
// from the app already in that language. `{name}` marks a value filled in by `say`.

export interface ScreenMessages {
  bannerTitle: string;
  bannerBody: string;
  /** The discount beside the struck-through price: "10% off". */
  off: string;
  quantity: string;
  /** In place of the price until checkout has priced the item in the buyer's currency. */
  pricing: string;
  shipping: string;
  taxes: string;
  total: string;
  payNow: string;
  payNowAmount: string;
  decline: string;
  unavailable: string;
  notAdded: string;
  noLongerAvailable: string;
  failed: string;
}

export const SCREEN_MESSAGES: Readonly<Record<string, ScreenMessages>> = {
  en: {
    bannerTitle: "Add this to your order",
    bannerBody:
      "One click adds it to the order you just placed, with the same payment and delivery.",
    off: "{percent} off",
    quantity: "Quantity",
    pricing: "Calculating your price…",
    shipping: "Shipping: {amount}",
    taxes: "Taxes: {amount}",
    total: "Total: {amount}",
    payNow: "Pay now",
    payNowAmount: "Pay now · {amount}",
    decline: "Decline this offer",
    unavailable: "This offer is not available.",
    notAdded: "The item could not be added.",
    noLongerAvailable: "This offer is no longer available.",
    failed: "Something went wrong. Your order is not affected.",
  },
  fr: {
    bannerTitle: "Ajoutez ceci à votre commande",
    bannerBody:
      "Un clic l’ajoute à la commande que vous venez de passer, avec le même paiement et la même livraison.",
    off: "{percent} de remise",
    quantity: "Quantité",
    pricing: "Calcul de votre prix…",
    shipping: "Livraison : {amount}",
    taxes: "Taxes : {amount}",
    total: "Total : {amount}",
    payNow: "Payer maintenant",
    payNowAmount: "Payer maintenant · {amount}",
    decline: "Refuser cette offre",
    unavailable: "Cette offre n’est pas disponible.",
    notAdded: "L’article n’a pas pu être ajouté.",
    noLongerAvailable: "Cette offre n’est plus disponible.",
    failed: "Un problème est survenu. Votre commande n’est pas affectée.",
  },
};

/** The messages for a locale ("fr-CA" reads French), English when the app does not speak it. */
export function screenMessages(locale = "en"): ScreenMessages {
  return (
    SCREEN_MESSAGES[locale.split("-")[0].toLowerCase()] ?? SCREEN_MESSAGES.en
  );
}

/** A message with its `{name}` values filled in. */
export function say(message: string, values: Record<string, string>): string {
  return message.replace(/\{(\w+)\}/g, (_, name: string) => values[name] ?? "");
}

/** A discount percentage (10 for 10%) as the locale writes it: "10%", "10 %". */
export function percentIn(value: number, locale = "en"): string {
  return new Intl.NumberFormat(locale, {
    style: "percent",
    maximumFractionDigits: 1,
  }).format(value / 100);
}

/**
 * The discount (10 for 10%) as the buyer reads it: beside the price on the offer screen, and as
 * the discount's title on the order the app signs ("10% off", "10 % de remise").
 */
export function discountLabel(value: number, locale = "en"): string {
  return say(screenMessages(locale).off, { percent: percentIn(value, locale) });
}
