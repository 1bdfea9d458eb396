import { fnv1a32 } from "~/engine/hash";
import { type Rng, mulberry32, pick } from "~/engine/random";

/**
 * A deterministic synthetic outdoor-gear shop for demo mode: a few hundred products with
 * tiered variants, and a year of orders with real co-purchase structure (each product has a
 * few true partners), brand affinity, and consumables that customers re-order on a rhythm.
 */

export const DEMO_SHOP = "cartlift-demo.myshopify.com";
export const DEMO_CURRENCY = "USD";

/**
 * Signed-in customers the storefront preview can play (its "Signed in as" switcher, which names
 * them in demo/theme/locales), by their Shopify customer id: a loyal customer with a year of
 * orders, coffee and stove fuel every few weeks among them, and a bargain hunter who buys
 * low-priced items on sale.
 */
export const DEMO_CUSTOMERS = {
  loyal: { id: "81001" },
  bargain: { id: "81002" },
} as const;
export type DemoCustomer = keyof typeof DEMO_CUSTOMERS;

export interface DemoVariant {
  id: string;
  title: string;
  sku: string;
  price: number; // minor units
  /** What the shop pays for one unit (Shopify's inventory item unit cost), minor units. */
  unitCost: number;
  compareAtPrice: number | null;
  inventoryQuantity: number;
  options: { name: string; value: string }[];
  position: number;
}
export interface DemoProduct {
  id: string;
  title: string;
  handle: string;
  productType: string;
  vendor: string;
  tags: string[];
  collections: string[];
  variants: DemoVariant[];
}
export interface DemoOrder {
  id: string;
  name: string;
  createdAt: string;
  customerId: string | null;
  lines: {
    id: string;
    productId: string;
    variantId: string;
    quantity: number;
    price: number;
    /** Units the shop refunded since (Shopify reports the rest as the line's current quantity). */
    refunded: number;
    /** The order's discount code's share of the line (all units), minor units; 0 without one. */
    discount: number;
  }[];
}
export interface DemoShop {
  shop: string;
  currency: string;
  products: DemoProduct[];
  orders: DemoOrder[];
}

interface Family {
  type: string;
  option?: { name: string; values: string[]; stepPct: number };
  price: [number, number]; // dollars
  /** The range of unit cost as a share of the price, in percent: each product draws its own. */
  costPct: [number, number];
  consumable?: boolean;
  complements: string[];
  collection: string;
}

const FAMILIES: Family[] = [
  {
    type: "Tent",
    option: {
      name: "Capacity",
      values: ["2-person", "3-person", "4-person"],
      stepPct: 25,
    },
    price: [199, 349],
    costPct: [55, 65],
    complements: ["Sleeping Bag", "Sleeping Pad", "Headlamp"],
    collection: "Shelter",
  },
  {
    type: "Sleeping Bag",
    option: { name: "Length", values: ["Regular", "Long"], stepPct: 15 },
    price: [89, 179],
    costPct: [50, 62],
    complements: ["Sleeping Pad", "Tent"],
    collection: "Sleep",
  },
  {
    type: "Sleeping Pad",
    option: { name: "Size", values: ["Regular", "Long", "Wide"], stepPct: 12 },
    price: [49, 129],
    costPct: [45, 58],
    complements: ["Sleeping Bag"],
    collection: "Sleep",
  },
  {
    type: "Backpack",
    option: { name: "Volume", values: ["30L", "45L", "60L"], stepPct: 20 },
    price: [99, 249],
    costPct: [50, 62],
    complements: ["Water Bottle", "Water Filter", "Trekking Poles"],
    collection: "Packs",
  },
  {
    type: "Stove",
    price: [49, 129],
    costPct: [52, 64],
    complements: ["Fuel", "Cookware", "Coffee"],
    collection: "Camp Kitchen",
  },
  {
    type: "Fuel",
    option: { name: "Size", values: ["100g", "230g", "450g"], stepPct: 60 },
    price: [5, 9],
    costPct: [45, 55],
    consumable: true,
    complements: ["Stove"],
    collection: "Camp Kitchen",
  },
  {
    type: "Cookware",
    price: [25, 80],
    costPct: [38, 52],
    complements: ["Fuel", "Stove"],
    collection: "Camp Kitchen",
  },
  {
    type: "Coffee",
    option: { name: "Weight", values: ["250g", "500g", "1kg"], stepPct: 70 },
    price: [12, 18],
    costPct: [30, 40],
    consumable: true,
    complements: ["Cookware"],
    collection: "Camp Kitchen",
  },
  {
    type: "Headlamp",
    price: [29, 69],
    costPct: [45, 58],
    complements: ["Batteries"],
    collection: "Lighting",
  },
  {
    type: "Batteries",
    option: {
      name: "Pack",
      values: ["4-pack", "8-pack", "16-pack"],
      stepPct: 70,
    },
    price: [6, 9],
    costPct: [40, 50],
    consumable: true,
    complements: ["Headlamp"],
    collection: "Lighting",
  },
  {
    type: "Water Bottle",
    option: { name: "Capacity", values: ["500ml", "750ml", "1L"], stepPct: 15 },
    price: [19, 39],
    costPct: [32, 45],
    complements: ["Water Filter"],
    collection: "Hydration",
  },
  {
    type: "Water Filter",
    price: [39, 99],
    costPct: [45, 58],
    complements: ["Water Bottle"],
    collection: "Hydration",
  },
  {
    type: "Jacket",
    option: { name: "Size", values: ["S", "M", "L", "XL"], stepPct: 0 },
    price: [129, 299],
    costPct: [40, 55],
    complements: ["Socks", "Backpack"],
    collection: "Apparel",
  },
  {
    type: "Socks",
    option: { name: "Size", values: ["S", "M", "L"], stepPct: 0 },
    price: [15, 25],
    costPct: [28, 40],
    complements: ["Jacket", "Trekking Poles"],
    collection: "Apparel",
  },
  {
    type: "GPS Watch",
    option: { name: "Storage", values: ["16GB", "32GB", "64GB"], stepPct: 25 },
    price: [199, 399],
    costPct: [58, 68],
    complements: ["Batteries", "Backpack"],
    collection: "Navigation",
  },
  {
    type: "Trekking Poles",
    price: [59, 129],
    costPct: [48, 60],
    complements: ["Socks", "Backpack"],
    collection: "Packs",
  },
];

const VENDORS = [
  "Northpeak",
  "Ridgeline",
  "Alder & Co",
  "Summit Works",
  "Lumen Trail",
];
const NAMES = [
  "Ember",
  "Granite",
  "Cirrus",
  "Juniper",
  "Talus",
  "Aspen",
  "Drift",
  "Kestrel",
  "Meridian",
  "Sable",
  "Tundra",
  "Vista",
  "Cobalt",
  "Fable",
  "Harbor",
  "Quill",
];
const DAY_MS = 86_400_000;

function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/&/g, "and")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

/** Rounds a price in cents to a shelf price ending in .99 or .00. */
function shelfPrice(cents: number): number {
  const dollars = Math.max(1, Math.round(cents / 100));
  return dollars >= 20 ? dollars * 100 - 1 : dollars * 100;
}

/**
 * `rng` draws the catalog; `costs` draws each product's cost share, from a stream of its own so
 * that costs leave every other draw (and with them the orders) as they were.
 */
function buildCatalog(
  rng: Rng,
  costs: Rng,
  productsPerFamily: number,
): DemoProduct[] {
  const products: DemoProduct[] = [];
  let variantId = 50_000;
  const collectionIds = new Map(
    [...new Set(FAMILIES.map((f) => f.collection))].map((c, i) => [
      c,
      String(300 + i),
    ]),
  );
  FAMILIES.forEach((family, f) => {
    for (let i = 0; i < productsPerFamily; i++) {
      const vendor = VENDORS[(i + f) % VENDORS.length];
      // Past the first sixteen names (the demo's whole catalog), a series number keeps titles unique.
      const series =
        i >= NAMES.length ? ` ${Math.floor(i / NAMES.length) + 1}` : "";
      const title = `${vendor} ${NAMES[i % NAMES.length]}${series} ${family.type}`;
      const id = String(10_000 + f * Math.max(100, productsPerFamily) + i);
      const [lo, hi] = family.price;
      const base = Math.round((lo + (hi - lo) * rng()) * 100);
      const values = family.option?.values ?? ["Default Title"];
      // One cost share per product (its variants are made alike), in basis points.
      const [costLo, costHi] = family.costPct;
      const costBps = Math.round((costLo + (costHi - costLo) * costs()) * 100);
      products.push({
        id,
        title,
        handle: slug(title),
        productType: family.type,
        vendor,
        tags: [
          family.collection.toLowerCase(),
          ...(family.consumable ? ["consumable"] : []),
        ],
        collections: [collectionIds.get(family.collection) as string],
        variants: values.map((value, position) => {
          const price = shelfPrice(
            base * (1 + ((family.option?.stepPct ?? 0) / 100) * position),
          );
          return {
            id: String(variantId++),
            title: value,
            sku: `${slug(family.type).toUpperCase().slice(0, 4)}-${i}-${position}`,
            price,
            unitCost: Math.round((price * costBps) / 10_000),
            compareAtPrice: rng() < 0.15 ? shelfPrice(price * 1.2) : null,
            // One in twenty variants is sold out, so stock filtering is visible in the demo.
            inventoryQuantity: rng() < 0.05 ? 0 : 5 + Math.floor(rng() * 60),
            options: family.option ? [{ name: family.option.name, value }] : [],
            position: position + 1,
          };
        }),
      });
    }
  });
  return products;
}

/** Zipf-like weights: a few bestsellers, a long tail. */
function weightedIndex(rng: Rng, cumulative: number[]): number {
  const x = rng() * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function buildOrders(
  rng: Rng,
  products: DemoProduct[],
  orderCount: number,
  now: Date,
): DemoOrder[] {
  const byType = new Map<string, DemoProduct[]>();
  for (const p of products)
    byType.set(p.productType, [...(byType.get(p.productType) ?? []), p]);
  const popularity = products.map(
    (_, i) => 1 / (1 + ((i * 7919) % products.length)) ** 0.8,
  );
  const cumulative = popularity.map(
    (
      (sum) => (w: number) =>
        (sum += w)
    )(0),
  );
  // Each product has up to three true partners: complements of the same vendor first.
  const partners = new Map<string, DemoProduct[]>();
  FAMILIES.forEach((family) => {
    for (const p of byType.get(family.type) ?? []) {
      partners.set(
        p.id,
        family.complements.slice(0, 3).map((type) => {
          const candidates = byType.get(type) ?? [];
          const sameVendor = candidates.filter((c) => c.vendor === p.vendor);
          return pick(
            rng,
            sameVendor.length > 0 && rng() < 0.7 ? sameVendor : candidates,
          );
        }),
      );
    }
  });
  const customers = Array.from(
    { length: Math.round(orderCount / 3.5) },
    (_, i) => String(70_000 + i),
  );
  const start = now.getTime() - 365 * DAY_MS;
  const orders: DemoOrder[] = [];
  let lineId = 900_000;
  const variantFor = (p: DemoProduct) => {
    // Lower tiers sell more often than higher ones.
    const v =
      p.variants[
        Math.min(p.variants.length - 1, Math.floor(-Math.log(1 - rng()) * 0.8))
      ];
    return v;
  };
  const addOrder = (
    at: number,
    customerId: string | null,
    items: DemoProduct[],
    choose = variantFor,
    // One order in eight used a 10% discount code: picked by its first line's id, so the random
    // draws (and with them the rest of the shop) are the same as without discounts.
    discountPct = lineId % 8 === 3 ? 10 : 0,
  ) => {
    const seen = new Set<string>();
    const lines = items
      .filter((p) => !seen.has(p.id) && seen.add(p.id))
      .map((p) => {
        const v = choose(p);
        const id = lineId++;
        const quantity = rng() < 0.85 ? 1 : 2;
        return {
          id: String(id),
          productId: p.id,
          variantId: v.id,
          quantity,
          price: v.price,
          // One line in 25 came back for one unit: picked by id, so the random draws (and with
          // them the rest of the shop) are the same as without refunds.
          refunded: id % 25 === 0 ? 1 : 0,
          discount: Math.round((v.price * quantity * discountPct) / 100),
        };
      });
    orders.push({
      id: "",
      name: "",
      createdAt: new Date(at).toISOString(),
      customerId,
      lines,
    });
  };
  // Nobody buys the same tent twice: an order with gear its drawn customer already owns goes to
  // the next customer who owns none of it (a guest if none is found soon), so the shop's re-buys
  // are its consumables', as in a real shop. Customers are drawn in random order of time, which a
  // real history is not; ownership is what matters to the offers.
  const owned = new Map<string, Set<string>>();
  const buyer = (drawn: number, items: DemoProduct[]): string | null => {
    const gear = items.filter((p) => !p.tags.includes("consumable"));
    for (let k = 0; k < 20; k++) {
      const id = customers[(drawn + k) % customers.length];
      const has = owned.get(id) ?? new Set<string>();
      if (gear.some((p) => has.has(p.id))) continue;
      for (const p of gear) has.add(p.id);
      owned.set(id, has);
      return id;
    }
    return null;
  };
  for (let n = 0; n < orderCount; n++) {
    const at = start + Math.floor(rng() * 365 * DAY_MS);
    const anchor = products[weightedIndex(rng, cumulative)];
    const items = [anchor];
    for (const partner of partners.get(anchor.id) ?? [])
      if (rng() < 0.45) items.push(partner);
    if (rng() < 0.2) items.push(products[weightedIndex(rng, cumulative)]);
    const customerId =
      rng() < 0.7 ? buyer(Math.floor(rng() * customers.length), items) : null;
    addOrder(at, customerId, items);
    // Consumables come back: a share of their buyers re-order every few weeks.
    const consumable = items.find((p) => p.tags.includes("consumable"));
    if (consumable && customerId && rng() < 0.6) {
      const interval = reorderDays(consumable) * DAY_MS;
      for (
        let t = at + interval * (0.85 + rng() * 0.3);
        t < now.getTime();
        t += interval * (0.85 + rng() * 0.3)
      ) {
        addOrder(t, customerId, [consumable]);
        if (rng() < 0.3) break;
      }
    }
  }
  addNamedCustomers(byType, partners, addOrder, now.getTime());
  orders.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  orders.forEach((o, i) => {
    o.id = String(5_000_000 + i);
    o.name = `#${1001 + i}`;
  });
  return orders;
}

/** Days between a consumable's re-orders, as its buyers in the demo keep them. */
const reorderDays = (p: DemoProduct) => 21 + (Number(p.id) % 5) * 6;

/**
 * The histories of DEMO_CUSTOMERS. The loyal customer kitted out for camping a year ago (the
 * storefront's featured tent's companions, a stove, a backpack), came back for more gear, and
 * re-orders coffee and stove fuel on their rhythm, the last time one interval ago: due again now.
 * The bargain hunter buys low-priced items on sale (under $40, below their compare-at price), two
 * at a time, six times a year, each time with a 20% discount code: every line of theirs is
 * discounted, so their profile's discount share makes them a bargain hunter (decision 027).
 */
function addNamedCustomers(
  byType: Map<string, DemoProduct[]>,
  partners: Map<string, DemoProduct[]>,
  addOrder: (
    at: number,
    customerId: string | null,
    items: DemoProduct[],
    choose?: (p: DemoProduct) => DemoVariant,
    discountPct?: number,
  ) => void,
  now: number,
): void {
  const first = (type: string) => byType.get(type)![0];
  const loyal = DEMO_CUSTOMERS.loyal.id;
  const tent = first("Tent");
  addOrder(now - 330 * DAY_MS, loyal, [
    ...(partners.get(tent.id) ?? []),
    first("Stove"),
  ]);
  addOrder(now - 250 * DAY_MS, loyal, [first("Backpack"), first("Socks")]);
  addOrder(now - 120 * DAY_MS, loyal, [first("Jacket")]);
  // One order a day at most: consumables whose rhythms meet are bought together, in one size.
  const restocks = new Map<number, DemoProduct[]>();
  for (const consumable of [first("Coffee"), first("Fuel")]) {
    const interval = reorderDays(consumable) * DAY_MS;
    for (let t = now - interval; t > now - 340 * DAY_MS; t -= interval)
      restocks.set(t, [...(restocks.get(t) ?? []), consumable]);
  }
  for (const [t, items] of restocks)
    addOrder(t, loyal, items, (p) => p.variants[0]);
  // A variant under $40 marked down from its compare-at price.
  const bargain = (p: DemoProduct) =>
    p.variants.find((v) => v.compareAtPrice !== null && v.price < 4_000);
  const onSale = [...byType.values()].flat().filter(bargain);
  // Spread over the catalog: every few product types, not one shelf.
  const step = Math.max(1, Math.floor(onSale.length / 12));
  [300, 220, 150, 90, 40, 12].forEach((daysAgo, k) =>
    addOrder(
      now - daysAgo * DAY_MS,
      DEMO_CUSTOMERS.bargain.id,
      [
        onSale[(2 * k * step) % onSale.length],
        onSale[((2 * k + 1) * step) % onSale.length],
      ],
      (p) => bargain(p)!,
      20,
    ),
  );
}

/**
 * The demo shop: 256 products and about 4,000 orders by default. The load benchmark asks for far
 * more (`productsPerFamily`, `orders`) with the same structure.
 */
export function generateDemoShop({
  seed = 42,
  orders = 3000,
  productsPerFamily = 16,
  now = new Date(),
}: {
  seed?: number;
  orders?: number;
  productsPerFamily?: number;
  now?: Date;
} = {}): DemoShop {
  const rng = mulberry32(seed);
  // Dates are anchored to the start of today, so a run on the same day is byte-for-byte identical.
  const today = new Date(Math.floor(now.getTime() / DAY_MS) * DAY_MS);
  const products = buildCatalog(
    rng,
    mulberry32(fnv1a32(`unit costs ${seed}`)),
    productsPerFamily,
  );
  return {
    shop: DEMO_SHOP,
    currency: DEMO_CURRENCY,
    products,
    orders: buildOrders(rng, products, orders, today),
  };
}
