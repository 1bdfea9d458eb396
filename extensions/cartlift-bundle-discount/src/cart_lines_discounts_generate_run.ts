import type { BundleConfig, FunctionConfiguration } from "./config";
import { parseFunctionConfiguration } from "./config";
import {
  convertMinorUnits,
  currencyExponent,
  formatMinorUnits,
  mulDivCeil,
  toMinorUnits,
} from "./money";
import {
  BPS,
  type BundleTerms,
  instanceDiscounts,
  percentageOf,
} from "./unit-discount";

// Input and output types written by hand from the Discount Function API schema (2025-07), limited
// to what src/cart_lines_discounts_generate_run.graphql asks for. `shopify app function typegen`
// would generate the same shapes but needs the network.

type Decimal = string | number;

export type DiscountClass = "ORDER" | "PRODUCT" | "SHIPPING";

export interface CartLineInput {
  id: string;
  quantity: number;
  merchandise:
    | { __typename: "ProductVariant"; id: string; product: { id: string } }
    | { __typename: "CustomProduct" };
  cost: { amountPerQuantity: { amount: Decimal; currencyCode: string } };
}

export interface CartLinesDiscountsGenerateRunInput {
  cart: { lines: CartLineInput[] };
  discount: {
    discountClasses: DiscountClass[];
    metafield: { jsonValue: unknown } | null;
  };
  presentmentCurrencyRate: Decimal;
}

export interface CartLineTarget {
  cartLine: { id: string; quantity?: number };
}

export type ProductDiscountCandidateValue =
  | { percentage: { value: Decimal } }
  | { fixedAmount: { amount: Decimal; appliesToEachItem?: boolean } };

export interface ProductDiscountCandidate {
  targets: CartLineTarget[];
  value: ProductDiscountCandidateValue;
  message?: string;
}

export type ProductDiscountSelectionStrategy = "ALL" | "FIRST" | "MAXIMUM";

export interface CartOperation {
  productDiscountsAdd: {
    candidates: ProductDiscountCandidate[];
    selectionStrategy: ProductDiscountSelectionStrategy;
  };
}

export interface CartLinesDiscountsGenerateRunResult {
  operations: CartOperation[];
}

const NO_DISCOUNT: CartLinesDiscountsGenerateRunResult = { operations: [] };

/** One cart line as a pool of units that bundle instances draw from. */
interface LinePool {
  id: string;
  order: number;
  productId: string;
  variantId: string;
  unitPrice: number;
  remaining: number;
  /** Discount granted to each consumed unit, with the bundle that consumed it. */
  consumed: ConsumedUnit[];
}

interface ConsumedUnit {
  bundle: number;
  amount: number;
  /** Set when Shopify's own percentage maths gives exactly `amount` (no cap, no rounding). */
  exactPercentageBps: number | null;
}

interface PlannedUnit {
  line: LinePool;
  amount: number;
  exactPercentageBps: number | null;
}

interface PreparedBundle {
  index: number;
  config: BundleConfig;
  /** Product GID -> units of it one instance needs. */
  requirements: Map<string, number>;
  /** The discount with a fixed amount already converted into the cart currency. */
  terms: BundleTerms;
  costs: Map<string, number>;
  exhausted: boolean;
}

/**
 * Discounts every complete Cartlift bundle in the cart.
 *
 * Rules (see README.md):
 * - A bundle instance is one unit of each of its products (a product listed twice needs two units).
 *   Units of a product may come from any of its variants' lines; the dearest unit is used first.
 * - Instances are assigned one at a time, each time to the bundle whose next instance saves the
 *   most (ties: the bundle listed first). A unit consumed by one instance is never used by another,
 *   so discounts never stack on a unit.
 * - Margin floor f per unit at price p: with a known unit cost c the discounted price keeps a gross
 *   margin of at least f, i.e. p − d ≥ ceil(c / (1 − f)); without a cost the discounted price keeps
 *   at least f of the list price, i.e. p − d ≥ ceil(p × f). The discount is capped, never refused.
 * - Percentage: each unit gets floor(p × value / 10000), capped. Fixed amount: the instance's value
 *   (capped at the sum of its units' caps) is split across its units in proportion to price.
 *   Both live in unit-discount.ts, which the app's storefront and admin share.
 */
export function cartLinesDiscountsGenerateRun(
  input: CartLinesDiscountsGenerateRunInput,
): CartLinesDiscountsGenerateRunResult {
  if (!input.discount.discountClasses.includes("PRODUCT")) return NO_DISCOUNT;
  const config = parseFunctionConfiguration(
    input.discount.metafield?.jsonValue,
  );
  if (!config || config.bundles.length === 0) return NO_DISCOUNT;

  const currencyCode = cartCurrency(input.cart.lines);
  if (!currencyCode) return NO_DISCOUNT;
  const exponent = currencyExponent(currencyCode);

  const pools = linePools(input.cart.lines, exponent);
  if (!pools) return NO_DISCOUNT;
  const poolsByProduct = new Map<string, LinePool[]>();
  for (const pool of pools) {
    const list = poolsByProduct.get(pool.productId) ?? [];
    list.push(pool);
    poolsByProduct.set(pool.productId, list);
  }
  for (const list of poolsByProduct.values())
    list.sort((a, b) => b.unitPrice - a.unitPrice || a.order - b.order);

  const bundles = prepareBundles(
    config,
    currencyCode,
    input.presentmentCurrencyRate,
  );
  if (!bundles) return NO_DISCOUNT;

  // Each round consumes at least one unit, so the loop ends within the cart's total quantity.
  for (;;) {
    let best: {
      bundle: PreparedBundle;
      units: PlannedUnit[];
      total: number;
    } | null = null;
    for (const bundle of bundles) {
      if (bundle.exhausted) continue;
      const units = planInstance(bundle, poolsByProduct);
      if (!units) {
        // Units only ever get consumed, so a bundle that cannot be completed now never will be.
        bundle.exhausted = true;
        continue;
      }
      const total = units.reduce((sum, unit) => sum + unit.amount, 0);
      if (!best || total > best.total) best = { bundle, units, total };
    }
    if (!best || best.total === 0) break;
    for (const unit of best.units) {
      unit.line.remaining -= 1;
      unit.line.consumed.push({
        bundle: best.bundle.index,
        amount: unit.amount,
        exactPercentageBps: unit.exactPercentageBps,
      });
    }
  }

  const candidates = pools
    .map((pool) => candidateFor(pool, bundles, exponent))
    .filter(
      (candidate): candidate is ProductDiscountCandidate => candidate !== null,
    );
  if (candidates.length === 0) return NO_DISCOUNT;
  // Every candidate targets a different line (units are merged per line), so ALL cannot stack
  // two candidates on one line.
  return {
    operations: [
      { productDiscountsAdd: { candidates, selectionStrategy: "ALL" } },
    ],
  };
}

function cartCurrency(lines: CartLineInput[]): string | null {
  const codes = new Set(
    lines.map((line) => line.cost.amountPerQuantity.currencyCode),
  );
  // One cart has one presentment currency; anything else is an input we do not understand.
  return codes.size === 1 ? [...codes][0] : null;
}

function linePools(
  lines: CartLineInput[],
  exponent: number,
): LinePool[] | null {
  const pools: LinePool[] = [];
  for (const [order, line] of lines.entries()) {
    if (line.merchandise.__typename !== "ProductVariant") continue;
    const unitPrice = toMinorUnits(
      line.cost.amountPerQuantity.amount,
      exponent,
    );
    if (unitPrice === null || !Number.isSafeInteger(line.quantity)) return null;
    if (line.quantity <= 0 || unitPrice === 0) continue;
    pools.push({
      id: line.id,
      order,
      productId: line.merchandise.product.id,
      variantId: line.merchandise.id,
      unitPrice,
      remaining: line.quantity,
      consumed: [],
    });
  }
  return pools;
}

function prepareBundles(
  config: FunctionConfiguration,
  cartCurrencyCode: string,
  rate: Decimal,
): PreparedBundle[] | null {
  const sameCurrency = config.currencyCode === cartCurrencyCode;
  const fromExponent = currencyExponent(config.currencyCode);
  const toExponent = currencyExponent(cartCurrencyCode);
  const convert = (minor: number, mode: "floor" | "ceil") =>
    sameCurrency
      ? minor
      : convertMinorUnits(minor, rate, fromExponent, toExponent, mode);

  const prepared: PreparedBundle[] = [];
  for (const [index, bundle] of config.bundles.entries()) {
    const requirements = new Map<string, number>();
    for (const productId of bundle.productIds)
      requirements.set(productId, (requirements.get(productId) ?? 0) + 1);
    // Discounts round down and costs round up so a currency conversion never loosens the floor.
    const fixedValue =
      bundle.discountType === "fixed_amount"
        ? convert(bundle.value, "floor")
        : 0;
    if (fixedValue === null) return null;
    const costs = new Map<string, number>();
    for (const [key, cost] of Object.entries(bundle.costs ?? {})) {
      const converted = convert(cost, "ceil");
      if (converted === null) return null;
      costs.set(key, converted);
    }
    prepared.push({
      index,
      config: bundle,
      requirements,
      terms: {
        discountType: bundle.discountType,
        value:
          bundle.discountType === "fixed_amount" ? fixedValue : bundle.value,
        marginFloorBps: bundle.marginFloorBps,
      },
      costs,
      exhausted: false,
    });
  }
  return prepared;
}

/** Picks the units of the bundle's next instance and prices them, or null when it is incomplete. */
function planInstance(
  bundle: PreparedBundle,
  poolsByProduct: Map<string, LinePool[]>,
): PlannedUnit[] | null {
  const picked: LinePool[] = [];
  for (const [productId, needed] of bundle.requirements) {
    let missing = needed;
    for (const pool of poolsByProduct.get(productId) ?? []) {
      const take = Math.min(pool.remaining, missing);
      for (let i = 0; i < take; i += 1) picked.push(pool);
      missing -= take;
      if (missing === 0) break;
    }
    if (missing > 0) return null;
  }

  const amounts = instanceDiscounts(
    picked.map((pool) => ({
      unitPrice: pool.unitPrice,
      cost:
        bundle.costs.get(pool.variantId) ?? bundle.costs.get(pool.productId),
    })),
    bundle.terms,
  );
  return picked.map((line, i) => {
    const amount = amounts[i];
    if (bundle.terms.discountType !== "percentage")
      return { line, amount, exactPercentageBps: null };
    const bps = bundle.terms.value;
    const exact =
      amount === percentageOf(line.unitPrice, bps) &&
      mulDivCeil(line.unitPrice, bps, BPS) === amount;
    return { line, amount, exactPercentageBps: exact ? bps : null };
  });
}

function candidateFor(
  pool: LinePool,
  bundles: PreparedBundle[],
  exponent: number,
): ProductDiscountCandidate | null {
  const units = pool.consumed.filter((unit) => unit.amount > 0);
  if (units.length === 0) return null;
  const titles = [
    ...new Set(units.map((unit) => bundles[unit.bundle].config.title)),
  ];
  const message = titles.join(" + ");
  const targets = [{ cartLine: { id: pool.id, quantity: units.length } }];

  const first = units[0];
  const uniform = units.every((unit) => unit.amount === first.amount);
  const onePercentage =
    first.exactPercentageBps !== null &&
    units.every(
      (unit) =>
        unit.bundle === first.bundle &&
        unit.exactPercentageBps === first.exactPercentageBps,
    );
  if (onePercentage && first.exactPercentageBps !== null)
    return {
      targets,
      value: {
        percentage: { value: formatMinorUnits(first.exactPercentageBps, 2) },
      },
      message,
    };
  if (uniform)
    return {
      targets,
      value: {
        fixedAmount: {
          amount: formatMinorUnits(first.amount, exponent),
          appliesToEachItem: true,
        },
      },
      message,
    };
  const total = units.reduce((sum, unit) => sum + unit.amount, 0);
  return {
    targets,
    value: {
      fixedAmount: {
        amount: formatMinorUnits(total, exponent),
        appliesToEachItem: false,
      },
    },
    message,
  };
}
