import {
  type CartLinesDiscountsGenerateRunResult,
  cartLinesDiscountsGenerateRun,
} from "../extensions/cartlift-bundle-discount/src/cart_lines_discounts_generate_run";
import {
  currencyExponent,
  formatMinorUnits,
  toMinorUnits,
} from "../extensions/cartlift-bundle-discount/src/money";

/**
 * The shop's bundle discount as the demo's Admin API last received it: the configuration
 * metafield the app writes on its automatic discount (app/services/merchandising/
 * bundle-discount.server.ts), which the demo's cart hands to the discount Function as Shopify
 * hands it at cart and checkout. Null until the app has activated a bundle.
 */
export class DemoBundleDiscount {
  configuration: unknown = null;

  /** Keeps the configuration among metafields written on the discount, on create or later. */
  remember(metafields: readonly { key: string; value: string }[]) {
    for (const m of metafields)
      if (m.key === "function-configuration")
        this.configuration = JSON.parse(m.value);
  }
}

export interface DemoDiscountLine {
  key: string;
  productId: string;
  variantId: string;
  quantity: number;
  /** One unit, in minor units of the cart's currency. */
  price: number;
}

/** One bundle's saving in the cart: its title (the Function's message) and the amount taken off. */
export interface DemoCartDiscount {
  title: string;
  amount: number;
}

/**
 * What Shopify takes off the cart for the shop's bundles: the discount Function run on the cart
 * (prices in the cart's currency, `rate` from the shop's), and its candidates applied as Shopify
 * applies them: a percentage of the targeted units, or a fixed amount for each unit or once.
 */
export function demoBundleDiscounts(
  discount: DemoBundleDiscount,
  lines: readonly DemoDiscountLine[],
  currency: string,
  rate: number,
): DemoCartDiscount[] {
  if (discount.configuration === null || lines.length === 0) return [];
  const exponent = currencyExponent(currency);
  const result: CartLinesDiscountsGenerateRunResult =
    cartLinesDiscountsGenerateRun({
      cart: {
        lines: lines.map((l) => ({
          id: l.key,
          quantity: l.quantity,
          merchandise: {
            __typename: "ProductVariant",
            id: `gid://shopify/ProductVariant/${l.variantId}`,
            product: { id: `gid://shopify/Product/${l.productId}` },
          },
          cost: {
            amountPerQuantity: {
              amount: formatMinorUnits(l.price, exponent),
              currencyCode: currency,
            },
          },
        })),
      },
      discount: {
        discountClasses: ["PRODUCT"],
        metafield: { jsonValue: discount.configuration },
      },
      presentmentCurrencyRate: String(rate),
    });
  const byKey = new Map(lines.map((l) => [l.key, l]));
  const saved = new Map<string, number>();
  for (const operation of result.operations)
    for (const candidate of operation.productDiscountsAdd.candidates)
      for (const { cartLine } of candidate.targets) {
        const line = byKey.get(cartLine.id);
        if (!line) continue;
        const units = Math.min(
          cartLine.quantity ?? line.quantity,
          line.quantity,
        );
        const value = candidate.value;
        // The Function sends a percentage only where it is exact to the minor unit.
        const amount =
          "percentage" in value
            ? Math.round(
                (line.price * units * Number(value.percentage.value)) / 100,
              )
            : (toMinorUnits(value.fixedAmount.amount, exponent) ?? 0) *
              (value.fixedAmount.appliesToEachItem ? units : 1);
        const title = candidate.message ?? "";
        saved.set(title, (saved.get(title) ?? 0) + amount);
      }
  return [...saved].map(([title, amount]) => ({ title, amount }));
}
