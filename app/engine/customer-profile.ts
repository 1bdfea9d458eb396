import { orderTime } from "./copurchase";
import { quantile } from "./replenishment";
import type { EngineOrder } from "./types";

// What a returning customer's own orders say about them: what they bought and when, what they
// usually pay for each kind of product, whether they wait for a discount, and how often they order.
// Keyed by the pseudonymous customer key; guest orders make no profile.

const DAY_MS = 86_400_000;

export interface ProductHistory {
  /** Time of the first order with the product, in ms. */
  firstAt: number;
  /** Time of the latest order with the product, in ms. */
  lastAt: number;
  /** Orders with the product. */
  orders: number;
}

export interface CustomerProfile {
  customerKey: string;
  /** Ids of the orders counted, so that an order delivered twice counts once. */
  orderIds: Set<string>;
  /** Order times in ms, ascending. */
  orderTimes: number[];
  products: Map<string, ProductHistory>;
  /** Unit prices paid (minor units) per product type, in order of purchase: the band is their median. */
  prices: Map<string, number[]>;
  /** Lines whose order says whether they were discounted, and how many of them were. */
  linesWithDiscountInfo: number;
  discountedLines: number;
}

/** A product's type, as the catalog has it ("" when the shop does not say). */
export type ProductTypeOf = (productId: string) => string;

function insertSorted(list: number[], value: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, value);
}

/** The profiles of a shop's customers: built in one pass, then kept up to date order by order. */
export class CustomerProfiles {
  private readonly byKey = new Map<string, CustomerProfile>();

  constructor(private readonly typeOf: ProductTypeOf = () => "") {}

  get size(): number {
    return this.byKey.size;
  }

  get(customerKey: string): CustomerProfile | undefined {
    return this.byKey.get(customerKey);
  }

  keys(): IterableIterator<string> {
    return this.byKey.keys();
  }

  /** Counts an order into its customer's profile; guest orders and repeats change nothing. */
  addOrder(order: EngineOrder): void {
    const key = order.customerKey;
    if (!key) return;
    let profile = this.byKey.get(key);
    if (!profile) {
      profile = {
        customerKey: key,
        orderIds: new Set(),
        orderTimes: [],
        products: new Map(),
        prices: new Map(),
        linesWithDiscountInfo: 0,
        discountedLines: 0,
      };
      this.byKey.set(key, profile);
    }
    if (profile.orderIds.has(order.id)) return;
    profile.orderIds.add(order.id);
    const t = orderTime(order);
    insertSorted(profile.orderTimes, t);
    const seen = new Set<string>();
    for (const line of order.lines) {
      if (line.quantity <= 0) continue;
      if (!seen.has(line.productId)) {
        seen.add(line.productId);
        const history = profile.products.get(line.productId);
        if (history) {
          history.orders++;
          history.firstAt = Math.min(history.firstAt, t);
          history.lastAt = Math.max(history.lastAt, t);
        } else
          profile.products.set(line.productId, {
            firstAt: t,
            lastAt: t,
            orders: 1,
          });
      }
      const type = this.typeOf(line.productId);
      let prices = profile.prices.get(type);
      if (!prices) profile.prices.set(type, (prices = []));
      // Sorted when a band is asked for: a wholesale customer's thousands of lines would make
      // keeping them sorted here quadratic.
      prices.push(line.price.amount);
      if (line.discounted !== undefined) {
        profile.linesWithDiscountInfo++;
        if (line.discounted) profile.discountedLines++;
      }
    }
  }

  /** Forgets a customer entirely (a redaction request). */
  forget(customerKey: string): boolean {
    return this.byKey.delete(customerKey);
  }
}

export function buildCustomerProfiles(
  orders: Iterable<EngineOrder>,
  typeOf?: ProductTypeOf,
): CustomerProfiles {
  const profiles = new CustomerProfiles(typeOf);
  for (const order of orders) profiles.addOrder(order);
  return profiles;
}

/** What the shop's returning customers (two orders or more) did with a product. */
export interface RebuyCounts {
  /** Customers with an order after their first purchase of the product: they had a chance. */
  buyers: number;
  /** Of those, customers who bought it in a later order. */
  rebuyers: number;
  /** Customers who bought it in their first order. */
  openers: number;
  /** Customers who first bought it in a later order. */
  adopters: number;
}

/** How much the shop's customers re-buy what they bought: per product and over the whole shop. */
export interface RebuyStats {
  products: Map<string, RebuyCounts>;
  /** Over every product. */
  shop: RebuyCounts;
  /** Customers with two orders or more. */
  returning: number;
}

/** Counted from the profiles in one pass over each returning customer's products. */
export function rebuyStats(profiles: CustomerProfiles): RebuyStats {
  const products = new Map<string, RebuyCounts>();
  const shop = { buyers: 0, rebuyers: 0, openers: 0, adopters: 0 };
  let returning = 0;
  for (const key of profiles.keys()) {
    const t = profiles.get(key)!.orderTimes;
    if (t.length < 2) continue;
    returning++;
    for (const [productId, h] of profiles.get(key)!.products) {
      let counts = products.get(productId);
      if (!counts)
        products.set(
          productId,
          (counts = { buyers: 0, rebuyers: 0, openers: 0, adopters: 0 }),
        );
      const bought = h.firstAt === t[0] ? "openers" : "adopters";
      counts[bought]++;
      shop[bought]++;
      // Bought in two orders, or once with a later order: either way there was a chance.
      const rebought = h.orders >= 2;
      if (!rebought && h.lastAt >= t[t.length - 1]) continue;
      counts.buyers++;
      shop.buyers++;
      if (rebought) {
        counts.rebuyers++;
        shop.rebuyers++;
      }
    }
  }
  return { products, shop, returning };
}

/** `(k + m·prior) / (n + m)`, the prior alone without evidence. */
function shrunk(k: number, n: number, prior: number, m: number): number {
  return n + m > 0 ? (k + m * prior) / (n + m) : prior;
}

/**
 * A product's re-buy rate shrunk toward the shop's with `pseudoCount` customers at the shop's rate
 * (empirical Bayes): a product with few buyers says little on its own. 0 for a shop with no
 * customer who ordered twice.
 */
export function rebuyRate(
  stats: RebuyStats,
  productId: string,
  pseudoCount: number,
): number {
  const { buyers, rebuyers } = stats.shop;
  const counts = stats.products.get(productId);
  return shrunk(
    counts?.rebuyers ?? 0,
    counts?.buyers ?? 0,
    buyers > 0 ? rebuyers / buyers : 0,
    pseudoCount,
  );
}

/**
 * How many times likelier a returning customer is to buy a product again than to buy it for the
 * first time in a later order: the re-buy rate over the adoption rate (the share of returning
 * customers without it in their first order who bought it later), both shrunk alike. Below 1 for a
 * durable, far above for a staple; the re-buy rate itself when nobody adopts anything.
 */
export function rebuyLift(
  stats: RebuyStats,
  productId: string,
  pseudoCount: number,
): number {
  const adoption = adoptionRate(stats, productId, pseudoCount);
  const rate = rebuyRate(stats, productId, pseudoCount);
  return adoption === undefined ? rate : rate / adoption;
}

/**
 * The re-buy lift with no lift assumed: the re-buy rate shrunk toward the product's own adoption
 * rate rather than the shop's re-buy rate, so that a product with little evidence sits at 1 and
 * only customers seen buying it again lift it above. (The shop's re-buy rate is mostly its
 * staples': toward it, a durable nobody re-bought would look like one.) When nobody adopts
 * anything there is nothing to compare with: twice the re-buy rate, above 1 when most of the
 * product's buyers with a later order bought it again; 0 with no returning customer.
 */
export function provenLift(
  stats: RebuyStats,
  productId: string,
  pseudoCount: number,
): number {
  const adoption = adoptionRate(stats, productId, pseudoCount);
  if (adoption === undefined)
    return 2 * rebuyRate(stats, productId, pseudoCount);
  const counts = stats.products.get(productId);
  return (
    shrunk(counts?.rebuyers ?? 0, counts?.buyers ?? 0, adoption, pseudoCount) /
    adoption
  );
}

/**
 * The share of returning customers without the product in their first order who bought it later,
 * shrunk toward the shop's; undefined when nobody adopts anything.
 */
function adoptionRate(
  stats: RebuyStats,
  productId: string,
  pseudoCount: number,
): number | undefined {
  const { openers, adopters } = stats.shop;
  const chances = stats.returning * stats.products.size - openers;
  if (adopters === 0 || chances <= 0) return undefined;
  const counts = stats.products.get(productId);
  return shrunk(
    counts?.adopters ?? 0,
    stats.returning - (counts?.openers ?? 0),
    adopters / chances,
    pseudoCount,
  );
}

/** Median unit price the customer paid for products of this type; undefined if they bought none. */
export function priceBand(
  profile: CustomerProfile,
  productType: string,
): number | undefined {
  const prices = profile.prices.get(productType);
  return prices && prices.length > 0
    ? quantile(
        [...prices].sort((a, b) => a - b),
        0.5,
      )
    : undefined;
}

/** Share of the customer's lines bought on discount; null when their orders do not say. */
export function discountShare(profile: CustomerProfile): number | null {
  return profile.linesWithDiscountInfo === 0
    ? null
    : profile.discountedLines / profile.linesWithDiscountInfo;
}

/** Median days between consecutive orders; null before a second order. */
export function cadenceDays(profile: CustomerProfile): number | null {
  const t = profile.orderTimes;
  if (t.length < 2) return null;
  const gaps: number[] = [];
  for (let i = 1; i < t.length; i++) gaps.push((t[i] - t[i - 1]) / DAY_MS);
  gaps.sort((a, b) => a - b);
  return quantile(gaps, 0.5);
}

/** A profile as plain data, for a data request and for storage. */
export interface ProfileSummary {
  orders: number;
  firstOrderAt: string;
  lastOrderAt: string;
  cadenceDays: number | null;
  discountShare: number | null;
  /** Median unit price paid per product type, minor units. */
  priceBands: Record<string, number>;
  products: { productId: string; orders: number; lastBoughtAt: string }[];
}

export function summariseProfile(profile: CustomerProfile): ProfileSummary {
  const t = profile.orderTimes;
  return {
    orders: t.length,
    firstOrderAt: new Date(t[0]).toISOString(),
    lastOrderAt: new Date(t[t.length - 1]).toISOString(),
    cadenceDays: cadenceDays(profile),
    discountShare: discountShare(profile),
    priceBands: Object.fromEntries(
      [...profile.prices.keys()].map((type) => [
        type,
        priceBand(profile, type)!,
      ]),
    ),
    products: [...profile.products]
      .map(([productId, h]) => ({
        productId,
        orders: h.orders,
        lastBoughtAt: new Date(h.lastAt).toISOString(),
      }))
      .sort((a, b) =>
        a.productId < b.productId ? -1 : a.productId > b.productId ? 1 : 0,
      ),
  };
}
