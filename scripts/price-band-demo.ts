/**
 * How often a signed-in customer's price band chooses the upsell tier, on the demo shop: for every
 * (customer, product with an upgrade) pair where the customer bought the product's type, whether a
 * tier is inside the band, whether it differs from today's first tier, and, when none is inside,
 * whether every tier was above the band. One row per band width; the app uses PRICE_BAND_FACTOR.
 * Descriptive only: the demo's orders say nothing about which tier a customer would have taken.
 * Figures: docs/decisions/027-personal-price-band.md.
 *   npx tsx scripts/price-band-demo.ts
 */
import { demoCatalog, demoEngineOrders } from "../demo/engine-view";
import { generateDemoShop } from "../demo/shop";
import {
  buildCustomerProfiles,
  priceBand,
} from "../app/engine/customer-profile";
import { PRICE_BAND_FACTOR, tierInBand } from "../app/engine/personal";
import { buildTierIndex, upgradeOptions } from "../app/engine/tiers";

const shop = generateDemoShop({ now: new Date("2026-01-01T00:00:00Z") });
const products = demoCatalog(shop);
const typeOf = new Map(products.map((p) => [p.id, p.productType]));
const orders = demoEngineOrders(shop);
const profiles = buildCustomerProfiles(orders, (id) => typeOf.get(id) ?? "");
const index = buildTierIndex(products);
const tiered = products
  .filter((p) => p.productType.trim() !== "")
  .map((p) => ({
    type: p.productType,
    prices: upgradeOptions(index, p.id).map((u) => u.price.amount),
  }))
  .filter((x) => x.prices.length > 0);

console.log(
  `demo shop: ${profiles.size} customers, ${tiered.length} typed products with an upgrade`,
);
for (const factor of [1.1, PRICE_BAND_FACTOR, 1.5, 2]) {
  let pairs = 0;
  let inside = 0;
  let moved = 0;
  let allAbove = 0;
  for (const key of profiles.keys()) {
    const profile = profiles.get(key)!;
    for (const { type, prices } of tiered) {
      const band = priceBand(profile, type);
      if (band === undefined) continue;
      pairs++;
      const chosen = tierInBand(profile, type, prices, factor);
      if (chosen !== undefined) {
        inside++;
        if (chosen !== 0) moved++;
      } else if (prices.every((price) => price > band)) allAbove++;
    }
  }
  const share = (n: number) => `${((100 * n) / pairs).toFixed(1)}%`;
  console.log(
    `factor ${factor}: pairs ${pairs} inside ${inside} (${share(inside)}) not today's first ${moved} (${share(moved)}) none inside, all above ${allAbove} (${share(allAbove)})`,
  );
}
