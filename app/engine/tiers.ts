import { compareIds } from "./copurchase";
import { applyBasisPoints, basisPoints, formatMoney } from "./money";
import {
  measureNoun,
  multipleBenefit,
  namedBenefit,
  upgradeReason,
} from "./reasons";
import type {
  CatalogProduct,
  CatalogVariant,
  MeasureNoun,
  Money,
  Reason,
  TierDifference,
  UpgradeStep,
} from "./types";

// "Next tier up" for a product: the smallest step up that is still clearly better.
//
// Variant upgrades: another variant of the same product whose differing options all move up an
// ordered scale (sizes XS…4XL, capacities with units such as 128GB → 256GB or 250g → 500g, plain
// numbers), or — for options with no recognisable scale — are simply dearer, except options that
// change taste rather than tier (colour, flavour, scent …): a blue case is not an upgrade of a red
// one. Sibling upgrades: a dearer product of the same product type, preferring the same vendor,
// whose variant is better on a measured option (capacity, volume, storage: 4-person over 3-person)
// and no worse on any other; a brand or a price alone is not a tier, nor is a size (that is the
// shopper's fit), nor an option with no scale (which of "Regular" and "Wide" is better?).
// Either must sit inside the price band (default at most +50%): bigger jumps convert worse. And
// neither may earn the merchant less per sale than what the shopper has (unitMargin): an upgrade
// that lowers the margin is a discount in disguise. Decision: docs/decisions/015-offers-a-shopper-would-take.md.

export const DEFAULT_MAX_INCREASE_BPS = 5_000;

/** Margin assumed where the merchant recorded no unit cost (half the price). */
export const ASSUMED_MARGIN_BPS = 5_000;

const SIDEWAYS_OPTIONS = new Set([
  "color",
  "colour",
  "pattern",
  "flavor",
  "flavour",
  "scent",
  "design",
  "print",
  "style",
]);

const SIZE_RANKS: Record<string, number> = {
  xxxs: 0,
  xxs: 1,
  xs: 2,
  extrasmall: 2,
  s: 3,
  small: 3,
  m: 4,
  medium: 4,
  l: 5,
  large: 5,
  xl: 6,
  xlarge: 6,
  extralarge: 6,
  xxl: 7,
  "2xl": 7,
  xxlarge: 7,
  xxxl: 8,
  "3xl": 8,
  xxxlarge: 8,
  "4xl": 9,
  xxxxl: 9,
};

type Dimension = "storage" | "volume" | "weight" | "length" | "quantity";

const UNITS: Record<string, [Dimension, number]> = {
  kb: ["storage", 1e3],
  mb: ["storage", 1e6],
  gb: ["storage", 1e9],
  tb: ["storage", 1e12],
  ml: ["volume", 1],
  cl: ["volume", 10],
  dl: ["volume", 100],
  l: ["volume", 1_000],
  litre: ["volume", 1_000],
  liter: ["volume", 1_000],
  mg: ["weight", 0.001],
  g: ["weight", 1],
  kg: ["weight", 1_000],
  oz: ["weight", 28.349523125],
  lb: ["weight", 453.59237],
  lbs: ["weight", 453.59237],
  mm: ["length", 1],
  cm: ["length", 10],
  m: ["length", 1_000],
  in: ["length", 25.4],
  ft: ["length", 304.8],
  pack: ["quantity", 1],
  pk: ["quantity", 1],
  pcs: ["quantity", 1],
  pieces: ["quantity", 1],
  count: ["quantity", 1],
  ct: ["quantity", 1],
};

const BENEFIT_NOUN: Record<Dimension, MeasureNoun> = {
  storage: "storage",
  volume: "volume",
  weight: "amount",
  length: "length",
  quantity: "quantity",
};

/** Where an option value sits on an ordered scale, if it has one. */
export type OptionScale =
  | { kind: "size"; rank: number }
  | { kind: "measure"; dimension: Dimension; value: number }
  | { kind: "number"; value: number };

export function parseOptionScale(raw: string): OptionScale | undefined {
  const text = raw.trim().toLowerCase();
  const compact = text.replace(/[\s_-]+/g, "");
  if (compact in SIZE_RANKS) return { kind: "size", rank: SIZE_RANKS[compact] };
  const packOf = /^pack of (\d+)$/.exec(text);
  if (packOf)
    return { kind: "measure", dimension: "quantity", value: Number(packOf[1]) };
  const measure = /^(\d+(?:[.,]\d+)?)\s*-?\s*([a-z]+)\b/.exec(text);
  if (measure && measure[2] in UNITS) {
    const [dimension, factor] = UNITS[measure[2]];
    return {
      kind: "measure",
      dimension,
      value: Number(measure[1].replace(",", ".")) * factor,
    };
  }
  const number = /^(\d+(?:\.\d+)?)\b/.exec(text);
  if (number) return { kind: "number", value: Number(number[1]) };
  return undefined;
}

/** Positive when `to` is higher than `from`; undefined when the two are not on one scale. */
export function compareOnScale(
  from: OptionScale,
  to: OptionScale,
): number | undefined {
  if (from.kind === "size" && to.kind === "size") return to.rank - from.rank;
  if (from.kind === "measure" && to.kind === "measure") {
    return from.dimension === to.dimension ? to.value - from.value : undefined;
  }
  if (from.kind === "number" && to.kind === "number")
    return to.value - from.value;
  return undefined;
}

export interface TierUpgrade extends UpgradeStep {
  kind: "variant" | "sibling";
  fromProductId: string;
  toProductId: string;
  toVariantId: string;
  price: Money;
  priceDelta: Money;
  increaseBps: number;
  /** "+$20 for double the storage". */
  reason: Reason;
}

export interface TierOptions {
  /** Largest allowed price increase in basis points (5 000 = +50%). */
  maxIncreaseBps?: number;
  /** Also look at other products of the same type when no variant upgrade exists. */
  siblings?: boolean;
}

export interface TierIndex {
  readonly byId: Map<string, CatalogProduct>;
  /** Products of each normalised product type (any order: upgrades are sorted whole). */
  readonly byType: Map<string, CatalogProduct[]>;
}

export function buildTierIndex(products: readonly CatalogProduct[]): TierIndex {
  const index: TierIndex = { byId: new Map(), byType: new Map() };
  for (const p of products) addToTierIndex(index, p);
  return index;
}

/** Adds a product the index does not hold (remove its previous copy first). */
export function addToTierIndex(index: TierIndex, p: CatalogProduct): void {
  index.byId.set(p.id, p);
  const type = normalise(p.productType);
  if (!type) return;
  let list = index.byType.get(type);
  if (!list) index.byType.set(type, (list = []));
  list.push(p);
}

export function removeFromTierIndex(index: TierIndex, productId: string): void {
  const p = index.byId.get(productId);
  if (!p) return;
  index.byId.delete(productId);
  const type = normalise(p.productType);
  const list = index.byType.get(type);
  if (!list) return;
  list.splice(list.indexOf(p), 1);
  if (list.length === 0) index.byType.delete(type);
}

export function isInStock(variant: CatalogVariant): boolean {
  return (
    variant.availableForSale &&
    (variant.inventoryQuantity === null || variant.inventoryQuantity > 0)
  );
}

/** The variant a product page shows first: the first one that can be bought. */
export function defaultVariant(
  product: CatalogProduct,
): CatalogVariant | undefined {
  return product.variants.find(isInStock);
}

/**
 * What one sale of the variant earns the merchant: price less the recorded unit cost, or the
 * assumed margin when there is no cost in the price's currency.
 */
export function unitMargin(variant: CatalogVariant): {
  margin: Money;
  assumed: boolean;
} {
  const { price, cost } = variant;
  const known = cost !== undefined && cost.currency === price.currency;
  return {
    margin: {
      amount: known
        ? price.amount - cost.amount
        : applyBasisPoints(price.amount, ASSUMED_MARGIN_BPS),
      currency: price.currency,
    },
    assumed: !known,
  };
}

/**
 * All upgrades for a variant, best (smallest step) first: variant upgrades before siblings.
 * The first element is "the next tier up".
 */
export function upgradeOptions(
  index: TierIndex,
  productId: string,
  variantId?: string,
  options: TierOptions = {},
): TierUpgrade[] {
  const product = index.byId.get(productId);
  if (!product) return [];
  const from =
    variantId === undefined
      ? (defaultVariant(product) ?? product.variants[0])
      : product.variants.find((v) => v.id === variantId);
  if (!from) return [];
  const maxIncreaseBps = options.maxIncreaseBps ?? DEFAULT_MAX_INCREASE_BPS;
  const ceiling =
    from.price.amount + applyBasisPoints(from.price.amount, maxIncreaseBps);
  const fromMargin = unitMargin(from).margin.amount;
  const inBand = (v: CatalogVariant) =>
    isInStock(v) &&
    v.price.currency === from.price.currency &&
    v.price.amount > from.price.amount &&
    v.price.amount <= ceiling &&
    unitMargin(v).margin.amount >= fromMargin;

  const variantUpgrades: TierUpgrade[] = [];
  product.variants.forEach((to) => {
    if (to.id === from.id || !inBand(to)) return;
    const step = variantStep(from, to);
    if (step)
      variantUpgrades.push(
        makeUpgrade("variant", product, from, product, to, step),
      );
  });
  variantUpgrades.sort(byStep);

  const siblingUpgrades: TierUpgrade[] = [];
  if (options.siblings ?? true) {
    for (const sibling of index.byType.get(normalise(product.productType)) ??
      []) {
      if (sibling.id === product.id) continue;
      const cheapest = sibling.variants
        .filter(inBand)
        .sort((a, b) => a.price.amount - b.price.amount)
        .flatMap((to) => {
          const step = siblingStep(product, from, sibling, to);
          return step ? [{ to, step }] : [];
        })[0];
      if (!cheapest) continue;
      siblingUpgrades.push(
        makeUpgrade(
          "sibling",
          product,
          from,
          sibling,
          cheapest.to,
          cheapest.step,
        ),
      );
    }
    const vendor = normalise(product.vendor);
    siblingUpgrades.sort(
      (a, b) =>
        Number(sameVendor(index, b, vendor)) -
          Number(sameVendor(index, a, vendor)) || byStep(a, b),
    );
  }
  return [...variantUpgrades, ...siblingUpgrades];
}

export function nextTier(
  index: TierIndex,
  productId: string,
  variantId?: string,
  options: TierOptions = {},
): TierUpgrade | undefined {
  return upgradeOptions(index, productId, variantId, options)[0];
}

/** For every product, the next tier up from its default variant (products without one omitted). */
export function buildTierTable(
  products: readonly CatalogProduct[],
  options: TierOptions = {},
): Map<string, TierUpgrade> {
  const index = buildTierIndex(products);
  const table = new Map<string, TierUpgrade>();
  for (const p of [...products].sort((a, b) => compareIds(a.id, b.id))) {
    const upgrade = nextTier(index, p.id, undefined, options);
    if (upgrade) table.set(p.id, upgrade);
  }
  return table;
}

interface Step {
  differences: TierDifference[];
  benefit: Reason;
}

function variantStep(
  from: CatalogVariant,
  to: CatalogVariant,
): Step | undefined {
  if (from.options.length !== to.options.length) return undefined;
  const differences: TierDifference[] = [];
  let benefit: Reason | undefined;
  for (const option of from.options) {
    const other = to.options.find((o) => o.name === option.name);
    if (!other) return undefined;
    if (other.value === option.value) continue;
    if (SIDEWAYS_OPTIONS.has(normalise(option.name))) return undefined;
    const a = parseOptionScale(option.value);
    const b = parseOptionScale(other.value);
    const order = a && b ? compareOnScale(a, b) : undefined;
    // On a shared scale the option must go up; without one, the higher price is the order.
    if (order !== undefined && order <= 0) return undefined;
    differences.push({
      attribute: option.name,
      from: option.value,
      to: other.value,
    });
    benefit ??= describeBenefit(option.name, other.value, a, b);
  }
  if (differences.length === 0 || !benefit) return undefined;
  return { differences, benefit };
}

function siblingStep(
  product: CatalogProduct,
  from: CatalogVariant,
  sibling: CatalogProduct,
  to: CatalogVariant,
): Step | undefined {
  const optionDifferences: TierDifference[] = [];
  let benefit: Reason | undefined;
  for (const option of from.options) {
    const other = to.options.find(
      (o) => normalise(o.name) === normalise(option.name),
    );
    if (!other || normalise(other.value) === normalise(option.value)) continue;
    const difference = {
      attribute: option.name,
      from: option.value,
      to: other.value,
    };
    if (SIDEWAYS_OPTIONS.has(normalise(option.name))) {
      optionDifferences.push(difference);
      continue;
    }
    const a = parseOptionScale(option.value);
    const b = parseOptionScale(other.value);
    if (!a || !b || a.kind === "size" || b.kind === "size") return undefined;
    const order = compareOnScale(a, b);
    if (order === undefined || order < 0) return undefined;
    // "1L" and "1000ml" are the same value written two ways.
    if (order === 0) continue;
    optionDifferences.push(difference);
    benefit ??=
      multipleOf(option.name, a, b) ??
      namedBenefit(`${other.value} ${sibling.title}`);
  }
  if (!benefit) return undefined;
  const differences: TierDifference[] = [
    {
      attribute: "Product",
      label: "product",
      from: product.title,
      to: sibling.title,
    },
  ];
  if (normalise(product.vendor) !== normalise(sibling.vendor)) {
    differences.push({
      attribute: "Brand",
      label: "brand",
      from: product.vendor,
      to: sibling.vendor,
    });
  }
  differences.push(...optionDifferences);
  const fromTags = new Set(product.tags.map(normalise));
  const extra = sibling.tags.filter((t) => !fromTags.has(normalise(t)));
  if (extra.length > 0)
    differences.push({
      attribute: "Also",
      label: "also",
      from: "",
      to: extra.join(", "),
    });
  return { differences, benefit };
}

function describeBenefit(
  name: string,
  toValue: string,
  from: OptionScale | undefined,
  to: OptionScale | undefined,
): Reason {
  return (from && to && multipleOf(name, from, to)) ?? namedBenefit(toValue);
}

/** "double the storage" when the step is a whole multiple of a measured option. */
function multipleOf(
  name: string,
  from: OptionScale,
  to: OptionScale,
): Reason | undefined {
  if (from.kind === "measure" && to.kind === "measure" && from.value > 0)
    return multipleBenefit(
      to.value / from.value,
      measureNoun(BENEFIT_NOUN[from.dimension]),
    );
  if (from.kind === "number" && to.kind === "number" && from.value > 0)
    return multipleBenefit(to.value / from.value, name.trim().toLowerCase());
  return undefined;
}

function makeUpgrade(
  kind: TierUpgrade["kind"],
  fromProduct: CatalogProduct,
  from: CatalogVariant,
  toProduct: CatalogProduct,
  to: CatalogVariant,
  step: Step,
): TierUpgrade {
  const priceDelta = {
    amount: to.price.amount - from.price.amount,
    currency: to.price.currency,
  };
  return {
    kind,
    fromProductId: fromProduct.id,
    fromVariantId: from.id,
    toProductId: toProduct.id,
    toVariantId: to.id,
    price: to.price,
    priceDelta,
    increaseBps: basisPoints(priceDelta.amount, from.price.amount),
    differences: [
      ...step.differences,
      {
        attribute: "Price",
        from: formatMoney(from.price),
        to: formatMoney(to.price),
      },
    ],
    benefit: step.benefit,
    reason: upgradeReason(priceDelta, step.benefit),
  };
}

function byStep(a: TierUpgrade, b: TierUpgrade): number {
  return (
    a.priceDelta.amount - b.priceDelta.amount ||
    a.differences.length - b.differences.length ||
    compareIds(a.toProductId, b.toProductId) ||
    compareIds(a.toVariantId, b.toVariantId)
  );
}

function sameVendor(
  index: TierIndex,
  upgrade: TierUpgrade,
  vendor: string,
): boolean {
  return (
    normalise(index.byId.get(upgrade.toProductId)?.vendor ?? "") === vendor
  );
}

function normalise(text: string): string {
  return text.trim().toLowerCase();
}
