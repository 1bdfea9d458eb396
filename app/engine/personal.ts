import { cartNeighbours, scoreCart, type CartModel } from "./cart-model";
import {
  discountShare,
  priceBand,
  provenLift,
  rebuyLift,
  rebuyRate,
  type CustomerProfile,
  type RebuyStats,
} from "./customer-profile";
import {
  dueStatus,
  type DueStatus,
  type ReplenishmentModel,
} from "./replenishment";

// A returning customer's ranking: the cart model's, with the customer's own history as more cart
// context (recent purchases weigh more), products they already own kept as far as the shop's
// customers re-buy them (or, under the older rules, held back unless they are consumables), the
// ones they re-buy brought forward, and consumables due again too; an upsell tier inside what they
// usually pay for the kind of product (`tierInBand`). Without a profile nothing here runs.

const DAY_MS = 86_400_000;

export interface PersonalOptions {
  /** Weight of the history's scores against the cart's (both scaled to a best of 1). */
  historyWeight: number;
  /** Half-life in days of a past purchase's weight in that context. */
  historyHalfLifeDays: number;
  /** Products of the history used as context, the weightiest first. */
  historyItems: number;
  /** Added to an owned consumable whose re-order window is open. */
  dueWeight: number;
  /**
   * Which owned products may be offered again, and how strongly:
   * - "rebuy": each keeps its score times its re-buy rate (`rebuyRate`, shrunk with
   *   `rebuyPseudoCount`); those at 0 are held back unless due;
   * - "lift": the same with the re-buy lift (`rebuyLift`) to the power `liftPower`;
   * - "proven": only products the shop's customers are shown to re-buy, a lift above 1 with the
   *   re-buy rate shrunk toward the product's own adoption rate (`provenLift`: no evidence, no
   *   re-offer), scaled like "lift"; the rest held back unless due;
   * - "consumable": any product with a re-order interval, however long ago it was bought, the rest
   *   held back; "due": only consumables in their re-order window;
   * - "all": every one, as if not owned.
   */
  reoffer: "rebuy" | "lift" | "proven" | "consumable" | "due" | "all";
  /** Below 1 tempers the lift (`reoffer: "lift"` or "proven"). */
  liftPower: number;
  /** Customers at the shop's rates added to each product's own (`reoffer: "rebuy"`, "lift" or "proven"). */
  rebuyPseudoCount: number;
  /** Weight of a re-offered product's own history (orders, recency; best of 1) times its rate. */
  repeatWeight: number;
  /**
   * How the products the customer may be offered again (`Ownership.keep`) weigh against the rest:
   * - "scale": each keeps its share of its score;
   * - "cart": together they get the share of the scores that the cart itself gives to what the
   *   customer bought before, `(owned in the cart + m/2) / (cart + m)` with m `cartPseudoCount`
   *   (a cart of re-buys says the missing item is likelier one too), the rest the remainder; each
   *   score first raised to `cartPower` (negatives at 0), and an owned product's raised by
   *   `ownWeight` times the share of the customer's orders with it, halved every
   *   `historyHalfLifeDays` since they last bought it.
   */
  mix: "scale" | "cart";
  /** Above 1 sharpens the cart's scores before the mix (`mix: "cart"`). */
  cartPower: number;
  /** Carts' worth of an even share added to the cart's own share of owned products. */
  cartPseudoCount: number;
  /** Weight of the customer's own frequency of an owned product (`mix: "cart"`). */
  ownWeight: number;
}

/**
 * Chosen on the validation split of the shared data, Protocol C (returning customers), never on
 * test: docs/decisions/023-personal-recommendations.md.
 */
export const DEFAULT_PERSONAL_OPTIONS: PersonalOptions = {
  historyWeight: 0,
  historyHalfLifeDays: 90,
  historyItems: 50,
  dueWeight: 0,
  reoffer: "proven",
  rebuyPseudoCount: 10,
  liftPower: 0.25,
  repeatWeight: 0,
  mix: "cart",
  cartPower: 1.5,
  cartPseudoCount: 2,
  ownWeight: 0.2,
};

export interface Shopper {
  profile: CustomerProfile;
  /** When the shopper asks, in ms. */
  now: number;
  replenishment?: ReplenishmentModel;
  /** The shop's re-buy counts; without them owned products are held back under "rebuy" and "lift". */
  rebuy?: RebuyStats;
}

export interface Ownership {
  /** Bought before and not offered. */
  held: Set<string>;
  /** Bought before, a consumable, and in its re-order window now. */
  due: Map<string, DueStatus>;
  /** Bought before and offered: the share of its score it keeps (1 when not listed). */
  keep: Map<string, number>;
}

const NO_REBUYS: RebuyStats = {
  products: new Map(),
  shop: { buyers: 0, rebuyers: 0, openers: 0, adopters: 0 },
  returning: 0,
};

/** A proven re-buy keeps lift^power of its score; anything not shown to be re-bought, none. */
const provenShare = (lift: number, power: number) =>
  lift > 1 ? lift ** power : 0;

export function ownership(
  shopper: Shopper,
  options: Pick<
    PersonalOptions,
    "reoffer" | "rebuyPseudoCount" | "liftPower"
  > = DEFAULT_PERSONAL_OPTIONS,
): Ownership {
  const held = new Set<string>();
  const due = new Map<string, DueStatus>();
  const keep = new Map<string, number>();
  const { reoffer } = options;
  const intervals = shopper.replenishment?.products;
  for (const [productId, history] of shopper.profile.products) {
    const interval = intervals?.[productId];
    const status =
      interval && dueStatus(interval, (shopper.now - history.lastAt) / DAY_MS);
    if (status) due.set(productId, status);
    if (reoffer === "rebuy" || reoffer === "lift" || reoffer === "proven") {
      const stats = shopper.rebuy ?? NO_REBUYS;
      const m = options.rebuyPseudoCount;
      const share =
        reoffer === "rebuy"
          ? rebuyRate(stats, productId, m)
          : reoffer === "lift"
            ? rebuyLift(stats, productId, m) ** options.liftPower
            : provenShare(provenLift(stats, productId, m), options.liftPower);
      if (share > 0 || status) keep.set(productId, share);
      else held.add(productId);
    } else if (!status && reoffer !== "all" && (!interval || reoffer === "due"))
      held.add(productId);
  }
  return { held, due, keep };
}

/** The history as weighted cart context: each product by recency and how often it was bought. */
export function historyContext(
  shopper: Shopper,
  options: PersonalOptions = DEFAULT_PERSONAL_OPTIONS,
): { productId: string; weight: number }[] {
  const out: { productId: string; weight: number }[] = [];
  for (const [productId, h] of shopper.profile.products) {
    const age = Math.max(0, (shopper.now - h.lastAt) / DAY_MS);
    out.push({
      productId,
      weight: h.orders * 0.5 ** (age / options.historyHalfLifeDays),
    });
  }
  out.sort(
    (a, b) =>
      b.weight - a.weight ||
      (a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0),
  );
  return out.slice(0, options.historyItems);
}

function scaleToBest(scores: Float64Array): void {
  let best = 0;
  for (const v of scores) if (v > best) best = v;
  if (best > 0) for (let i = 0; i < scores.length; i++) scores[i] /= best;
}

/**
 * `mix: "cart"` (in place): the owned products that may be offered again get, together, the share
 * of the scores outside the cart that the cart gives to the customer's own purchases; the other
 * products the remainder, held-back ones aside. Without any such product, or with nothing else scored, the scores stay
 * as they are (sharpened).
 */
function mixByCart(
  model: CartModel,
  cart: readonly string[],
  shopper: Shopper,
  options: PersonalOptions,
  owned: Ownership,
  scores: Float64Array,
): void {
  const inCart = new Set(cart);
  const { profile } = shopper;
  // By item index, so that the passes over every item look nothing up: 1 for a product in the
  // cart or held back (no share), 2 for an owned one offered again, 0 for the rest.
  const group = new Uint8Array(scores.length);
  for (const productId of [...inCart, ...owned.held]) {
    const j = model.index.get(productId);
    if (j !== undefined) group[j] = 1;
  }
  for (let j = 0; j < scores.length; j++) {
    const v = scores[j];
    scores[j] = v > 0 ? v ** options.cartPower : 0;
  }
  let mass = 0;
  for (const productId of owned.keep.keys()) {
    const j = model.index.get(productId);
    if (j === undefined || inCart.has(productId)) continue;
    const h = profile.products.get(productId)!;
    const age = Math.max(0, (shopper.now - h.lastAt) / DAY_MS);
    scores[j] +=
      (options.ownWeight *
        h.orders *
        0.5 ** (age / options.historyHalfLifeDays)) /
      profile.orderTimes.length;
    mass += scores[j];
    group[j] = 2;
  }
  let total = 0;
  for (let j = 0; j < scores.length; j++)
    if (group[j] !== 1) total += scores[j];
  if (!(mass > 0 && mass < total)) return;
  let ownedInCart = 0;
  for (const productId of inCart)
    if (profile.products.has(productId)) ownedInCart++;
  const m = options.cartPseudoCount;
  const share = (ownedInCart + m / 2) / (inCart.size + m);
  const up = share / (mass / total);
  const down = (1 - share) / (1 - mass / total);
  for (let j = 0; j < scores.length; j++)
    scores[j] *= group[j] === 2 ? up : down;
}

/**
 * Scores over `model.items` for a returning customer's cart. Products held back score -Infinity;
 * cart products are left to the caller, as with `scoreCart`. With `reoffer: "all"` and every
 * weight 0 the ranking is the cart's.
 */
export function personalCartScores(
  model: CartModel,
  cart: readonly string[],
  shopper: Shopper,
  options: PersonalOptions = DEFAULT_PERSONAL_OPTIONS,
  owned: Ownership = ownership(shopper, options),
): Float64Array {
  const scores = scoreCart(model, cart);
  scaleToBest(scores);
  const context =
    options.historyWeight > 0 || options.repeatWeight > 0
      ? historyContext(shopper, options)
      : [];
  if (options.historyWeight > 0) {
    const history = new Float64Array(model.items.length);
    for (const { productId, weight } of context)
      for (const [j, s] of cartNeighbours(model, [productId]))
        history[j] += weight * s;
    scaleToBest(history);
    for (let j = 0; j < scores.length; j++)
      scores[j] += options.historyWeight * history[j];
  }
  if (options.mix === "cart")
    mixByCart(model, cart, shopper, options, owned, scores);
  else
    for (const [productId, share] of owned.keep) {
      const j = model.index.get(productId);
      if (j !== undefined) scores[j] *= share;
    }
  if (options.repeatWeight > 0 && context.length > 0) {
    const best = context[0].weight;
    for (const { productId, weight } of context) {
      const j = model.index.get(productId);
      const share = owned.keep.get(productId) ?? 1;
      if (j !== undefined)
        scores[j] += (options.repeatWeight * share * weight) / best;
    }
  }
  for (const productId of owned.due.keys()) {
    const j = model.index.get(productId);
    if (j !== undefined) scores[j] += options.dueWeight;
  }
  for (const productId of owned.held) {
    const j = model.index.get(productId);
    if (j !== undefined) scores[j] = -Infinity;
  }
  return scores;
}

/**
 * How far a tier's price may sit from the median the customer paid for the product type and still
 * be inside their band: at most a quarter above it, at most a fifth below (a factor of 1.25 either
 * way). Narrower than the upgrade's own step (+50% by default), so that the band tells two tiers of
 * one ladder apart: docs/decisions/027-personal-price-band.md.
 */
export const PRICE_BAND_FACTOR = 1.25;

/** From this share of lines bought on discount (more often than not), a customer hunts bargains. */
export const BARGAIN_HUNTER_SHARE = 0.5;

/**
 * Which of the upsell tiers (their prices in minor units, in today's order) is inside the
 * customer's band for the product type: the cheapest for a bargain hunter, otherwise the nearest
 * their median on a ratio scale (+25% and −20% are as far); a tie keeps today's order. Undefined
 * for a product without a type, a customer who never bought the type, or when no tier is inside
 * the band: today's order then stands, so the profile never brings forward a tier priced beyond
 * what the customer pays. `factor` is the band's width (scripts/price-band-demo.ts tries others).
 */
export function tierInBand(
  profile: CustomerProfile,
  productType: string,
  prices: readonly number[],
  factor = PRICE_BAND_FACTOR,
): number | undefined {
  if (productType.trim() === "") return undefined;
  const band = priceBand(profile, productType);
  if (band === undefined || !(band > 0)) return undefined;
  const bargain = (discountShare(profile) ?? 0) >= BARGAIN_HUNTER_SHARE;
  let chosen: number | undefined;
  let best = Infinity;
  prices.forEach((price, i) => {
    if (price > band * factor || price * factor < band) return;
    const key = bargain ? price : Math.max(price / band, band / price);
    if (key < best) {
      chosen = i;
      best = key;
    }
  });
  return chosen;
}
