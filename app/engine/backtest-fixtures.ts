import type { OrderInput } from "./cart-model";

// Hand-built shops whose backtest answer is known, for the backtest's and the shop model's tests.

const DAY_MS = 86_400_000;

/** Day `day` of 2026 plus `k` minutes, as the app stores order times. */
export const at = (day: number, k: number) =>
  new Date(Date.UTC(2026, 0, 1) + day * DAY_MS + k * 60_000).toISOString();

/**
 * 180 days of orders around twelve old best sellers, then a new one ("new") in every order; the
 * other item of each order is never seen again, so no pair evidence predicts anything and only a
 * recent best-seller list finds the new product. Score it on its last 100 orders.
 */
export function changedBestSellerShop(): OrderInput[] {
  const orders: OrderInput[] = [];
  let u = 0;
  for (let day = 0; day < 230; day++) {
    const perDay = day < 180 ? 4 : 3;
    for (let k = 0; k < perDay; k++, u++)
      orders.push({
        id: `o${u}`,
        createdAt: at(day, k),
        items: [day < 180 ? `old${u % 12}` : "new", `once${u}`],
      });
  }
  return orders;
}
