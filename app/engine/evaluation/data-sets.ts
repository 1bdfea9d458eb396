import type { OrderInput } from "../cart-model";
import { mulberry32 } from "../random";
import { trainPopularity } from "./protocol";

// Shops of other kinds than the shared wholesale export, for the per-shop choice (decision 021):
// what serves must hold up on each, not on the shared data alone.

/** The shared orders restricted to the `count` best sellers of the train orders (a small catalog). */
export function restrictToBestSellers(
  orders: readonly OrderInput[],
  trainBefore: string,
  count: number,
): OrderInput[] {
  const kept = new Set(
    trainPopularity(
      orders.filter((o) => o.createdAt < trainBefore),
    ).catalog.slice(0, count),
  );
  return orders.flatMap((o) => {
    const items = o.items.filter((sku) => kept.has(sku));
    return items.length > 0 ? [{ ...o, items }] : [];
  });
}

const DAY_MS = 86_400_000;

/**
 * A synthetic B2C shop: mostly one-item orders (three in four), a strong best-seller head (Zipf,
 * exponent 1.2, over 300 products), a seasonal set of ten products that changes every 60 days, and
 * weak complements (a second item is the first one's partner a third of the time). Deterministic
 * from its seed.
 */
export function singleItemShop({
  seed = 21,
  orders = 8000,
  products = 300,
  days = 365,
}: {
  seed?: number;
  orders?: number;
  products?: number;
  days?: number;
} = {}): OrderInput[] {
  const rng = mulberry32(seed);
  const weights = Array.from(
    { length: products },
    (_, i) => 1 / (i + 1) ** 1.2,
  );
  const cumulative: number[] = [];
  weights.reduce((sum, w, i) => (cumulative[i] = sum + w), 0);
  const total = cumulative[products - 1];
  const zipf = () => {
    const x = rng() * total;
    let lo = 0;
    let hi = products - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const start = Date.UTC(2025, 0, 1);
  const out: OrderInput[] = [];
  for (let u = 0; u < orders; u++) {
    const day = Math.floor((u / orders) * days);
    // Seasonal products: ten of the tail, a different ten each 60 days.
    const season = Math.floor(day / 60);
    const draw = () =>
      rng() < 0.2
        ? 100 + ((season * 37 + Math.floor(rng() * 10)) % 200)
        : zipf();
    const first = draw();
    const items = [first];
    const size = rng() < 0.75 ? 1 : rng() < 0.7 ? 2 : 3;
    while (items.length < size) {
      const next = rng() < 0.33 ? first ^ 1 : draw();
      if (!items.includes(next)) items.push(next);
    }
    out.push({
      id: `s${u}`,
      createdAt: new Date(
        start + day * DAY_MS + (u % 1000) * 60_000,
      ).toISOString(),
      items: items.map((i) => `p${String(i).padStart(3, "0")}`),
    });
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

/** The time from which the last `share` of a shop's orders are scored (a shop without a named split). */
export function lastShareFrom(
  orders: readonly OrderInput[],
  share = 0.2,
): string {
  const times = orders.map((o) => o.createdAt).sort();
  return times[Math.floor(times.length * (1 - share))];
}
