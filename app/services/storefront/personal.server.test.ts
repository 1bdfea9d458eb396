import { describe, expect, it, vi } from "vitest";
import { saveOrders } from "~/services/catalog/orders.server";
import { savePersonalisation } from "~/services/merchandising/settings.server";
import { refreshRecommender } from "~/services/model/model.server";
import { customerKey } from "~/services/privacy/pseudonym.server";
import { orderInput, seedCustomerShop } from "../../../test/fixtures";
import { recommend } from "./recommendations.server";

const SHOP = "personal-serving.myshopify.com";
const NOW = Date.UTC(2026, 10, 15);

/** The cart page's offers for a cart holding product 1, for a customer (Shopify id) or a guest. */
const cartOffers = (customerId?: string) =>
  recommend(SHOP, {
    placement: "cart",
    context: { type: "cart", productIds: ["1"] },
    customerKey: customerId ? customerKey(SHOP, customerId) : undefined,
    now: NOW,
  });

const reasonOf = (
  result: Awaited<ReturnType<typeof cartOffers>>,
  productId: string,
) => result.offers.find((o) => o.productId === productId)?.reason;

describe("personal offers at the storefront", () => {
  it("give a signed-in customer their own answer, never another's from the memo, and anyone without history the anonymous one", async () => {
    await seedCustomerShop(SHOP);
    const anonymous = await cartOffers();
    expect(anonymous.memo).toBe("miss");
    expect(anonymous.offers.map((o) => o.productId).sort()).toEqual(["2", "3"]);
    expect(reasonOf(anonymous, "2")?.key).not.toBe("reasons.bought_before");

    // A guest again, and a customer who never ordered: the anonymous entry, the same offers.
    for (const shopper of [undefined, "999"]) {
      const again = await cartOffers(shopper);
      expect(again.memo).toBe("hit");
      expect(JSON.stringify(again.offers)).toBe(
        JSON.stringify(anonymous.offers),
      );
    }

    // Customer 601 bought product 2 in March: offered again, the reason says so.
    const alice = await cartOffers("601");
    expect(alice.memo).toBe("miss");
    expect(reasonOf(alice, "2")).toMatchObject({
      key: "reasons.bought_before",
      text: "You bought the P2 in March",
      params: { month: { month: "2026-03", withYear: false } },
    });
    expect(reasonOf(alice, "3")?.key).not.toBe("reasons.bought_before");

    // Customer 602 has a profile too: ranked for them, not served 601's answer.
    const bob = await cartOffers("602");
    expect(bob.memo).toBe("miss");
    expect(reasonOf(bob, "3")?.text).toBe("You bought the P3 in May");
    expect(reasonOf(bob, "2")?.key).not.toBe("reasons.bought_before");
    // His cart holds nothing he bought before, so the cart model gives what he may re-buy a
    // third of its scores, (0 + 1) / (1 + 2) (decision 023), and product 2 the other two thirds.
    const completionOf = (productId: string) =>
      bob.offers.find((o) => o.productId === productId)!.breakdown.completion;
    expect(completionOf("3") / completionOf("2")).toBeCloseTo(0.5, 10);
    const aliceAgain = await cartOffers("601");
    expect(aliceAgain.memo).toBe("hit");
    expect(aliceAgain.offers).toEqual(alice.offers);

    // The merchant turns personal offers off: everyone gets the anonymous offers.
    expect(
      await savePersonalisation(SHOP, { personalisation: "maybe" }),
    ).toEqual({ ok: false, errors: { personalisation: expect.any(String) } });
    expect(
      await savePersonalisation(SHOP, { personalisation: "false" }),
    ).toEqual({ ok: true });
    for (const customer of ["601", "602"])
      expect(JSON.stringify((await cartOffers(customer)).offers)).toBe(
        JSON.stringify(anonymous.offers),
      );
    await savePersonalisation(SHOP, { personalisation: "true" });
    expect(reasonOf(await cartOffers("601"), "2")?.key).toBe(
      "reasons.bought_before",
    );

    // A first order by customer 603 arrives by webhook: their next answer counts it, no retraining.
    expect(JSON.stringify((await cartOffers("603")).offers)).toBe(
      JSON.stringify(anonymous.offers),
    );
    await saveOrders(SHOP, [
      orderInput("carol", "603", ["2"], new Date(Date.UTC(2026, 9, 20))),
    ]);
    refreshRecommender(SHOP);
    await vi.waitFor(async () =>
      expect(reasonOf(await cartOffers("603"), "2")?.text).toBe(
        "You bought the P2 in October",
      ),
    );
  });
});
