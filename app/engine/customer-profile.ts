import { orderTime } from "./copurchase";
import { quantile } from "./replenishment";
import type { EngineOrder } from "./types";

// What a returning customer's own orders say about them: what they bought and when, what they
// usually pay for each kind of product, whether they wait for a discount, and how often they order.
// Keyed by the pseudonymous customer key; guest orders make no profile.

const DAY_MS = 86_400_000;

export interface ProductHistory {
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
          history.lastAt = Math.max(history.lastAt, t);
        } else profile.products.set(line.productId, { lastAt: t, orders: 1 });
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

/** Customers who bought a product and placed an order after it, and how many bought it again. */
export interface RebuyCounts {
  /** Customers with an order after their first purchase of the product: they had a chance. */
  buyers: number;
  /** Of those, customers who bought it in a later order. */
  rebuyers: number;
}

/** How much the shop's customers re-buy what they bought: per product and over the whole shop. */
export interface RebuyStats {
  products: Map<string, RebuyCounts>;
  /** Over every customer and product. */
  shop: RebuyCounts;
}

/** Counted from the profiles in one pass over each customer's products. */
export function rebuyStats(profiles: CustomerProfiles): RebuyStats {
  const products = new Map<string, RebuyCounts>();
  const shop = { buyers: 0, rebuyers: 0 };
  for (const key of profiles.keys()) {
    const profile = profiles.get(key)!;
    const lastOrderAt = profile.orderTimes[profile.orderTimes.length - 1];
    for (const [productId, h] of profile.products) {
      // Bought in two orders, or once with a later order: either way there was a chance.
      const rebought = h.orders >= 2;
      if (!rebought && h.lastAt >= lastOrderAt) continue;
      let counts = products.get(productId);
      if (!counts)
        products.set(productId, (counts = { buyers: 0, rebuyers: 0 }));
      counts.buyers++;
      shop.buyers++;
      if (rebought) {
        counts.rebuyers++;
        shop.rebuyers++;
      }
    }
  }
  return { products, shop };
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
  const shopRate =
    stats.shop.buyers > 0 ? stats.shop.rebuyers / stats.shop.buyers : 0;
  const counts = stats.products.get(productId);
  if (!counts) return shopRate;
  const total = counts.buyers + pseudoCount;
  return total > 0
    ? (counts.rebuyers + pseudoCount * shopRate) / total
    : shopRate;
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
