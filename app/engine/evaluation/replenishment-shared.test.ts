import { describe, expect, it } from "vitest";
import { buildReplenishment } from "../replenishment";
import type { EngineOrder } from "../types";
import { readOrdersCsv } from "./orders-csv";
import { SHARED_ORDERS, haveSharedOrders } from "./shared-orders";

// The re-buyable rule (docs/decisions/011-replenishment-reminders.md) on a real shop's year of
// orders: a gift wholesaler whose customers restock what sells, so many products do repeat, and
// seasonal or one-off items do not.

const haveShared = haveSharedOrders("replenishment-shared.test");

describe.skipIf(!haveShared)(
  "re-buyable products on the shared Online Retail file",
  () => {
    it("keeps products a share of buyers restock and drops those only a few bought twice", async () => {
      const { orders } = await readOrdersCsv(SHARED_ORDERS);
      // The file's times are UK wall-clock without an offset; UTC keeps every gap exact.
      const engineOrders: EngineOrder[] = orders.map((o) => ({
        id: o.id,
        createdAt: `${o.createdAt}Z`,
        customerKey: o.customerId,
        lines: o.items.map((sku) => ({
          productId: sku,
          quantity: 1,
          price: { amount: 0, currency: "GBP" },
        })),
      }));
      const model = buildReplenishment(engineOrders);
      const ungated = buildReplenishment(engineOrders, { minRepeatShare: 0 });
      expect(Object.keys(ungated.products)).toHaveLength(1_995);
      expect(Object.keys(model.products)).toHaveLength(664);

      // A staple restocked by over half its buyers, about every seven weeks.
      expect(model.products["20725"]).toMatchObject({
        customers: 276,
        buyers: 497,
        medianDays: expect.closeTo(47.8, 1),
      });
      // 54 customers bought these candles twice, but 336 of their buyers never came back.
      expect(ungated.products["22969"]).toMatchObject({
        customers: 54,
        buyers: 390,
      });
      expect(model.products["22969"]).toBeUndefined();
    }, 60_000);
  },
);
