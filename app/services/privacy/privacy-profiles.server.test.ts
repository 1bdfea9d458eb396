import { describe, expect, it, vi } from "vitest";
import prisma from "~/db.server";
import { recommenderFor } from "~/services/model/model.server";
import { recommend } from "~/services/storefront/recommendations.server";
import { seedCustomerShop } from "../../../test/fixtures";
import { exportCustomerData, redactCustomer } from "./privacy.server";
import { customerKey } from "./pseudonym.server";

const SHOP = "privacy-profiles.myshopify.com";

const cartOffers = (key?: string) =>
  recommend(SHOP, {
    placement: "cart",
    context: { type: "cart", productIds: ["1"] },
    customerKey: key,
  });

describe("customers/data_request and customers/redact with customer profiles", () => {
  it("exports the profile, then forgets it: in the database, in this instance's serving state and memo, and in a state rebuilt from the database", async () => {
    await seedCustomerShop(SHOP);
    const alice = customerKey(SHOP, "601");
    const bob = customerKey(SHOP, "602");
    const anonymous = await cartOffers();
    const personal = await cartOffers(alice);
    expect(personal.offers).not.toEqual(anonymous.offers);

    const exported = await exportCustomerData(SHOP, {
      customer: { id: "601" },
    });
    expect(exported.profile).toEqual({
      orders: 1,
      firstOrderAt: "2026-03-10T00:00:00.000Z",
      lastOrderAt: "2026-03-10T00:00:00.000Z",
      cadenceDays: null,
      discountShare: null,
      priceBands: { "": 1000 },
      products: [
        { productId: "2", orders: 1, lastBoughtAt: "2026-03-10T00:00:00.000Z" },
      ],
    });
    expect(
      (await exportCustomerData(SHOP, { customer: { id: "999" } })).profile,
    ).toBeNull();

    const before = await recommenderFor(SHOP);
    await redactCustomer(SHOP, { customer: { id: "601" } });
    expect(before.customers?.profiles.get(alice)).toBeUndefined();
    expect(before.customers?.profiles.get(bob)).toBeDefined();
    expect(
      await prisma.order.count({ where: { shop: SHOP, customerKey: alice } }),
    ).toBe(0);
    expect(
      await prisma.dataRequest.count({
        where: { shop: SHOP, customerKey: alice },
      }),
    ).toBe(0);
    // Neither the memo nor the state serves their personal answer again.
    const after = await cartOffers(alice);
    expect(after.memo).not.toBe("miss");
    expect(JSON.stringify(after.offers)).toBe(JSON.stringify(anonymous.offers));

    // The redaction moved the customers version: the state is rebuilt from the database, where
    // no order names them any more (how every other instance forgets them).
    const { customersVersion } = await prisma.shop.findUniqueOrThrow({
      where: { shop: SHOP },
      select: { customersVersion: true },
    });
    expect(customersVersion).toBe(1);
    await vi.waitFor(async () =>
      expect((await recommenderFor(SHOP)).customers).not.toBe(before.customers),
    );
    const rebuilt = (await recommenderFor(SHOP)).customers!;
    expect(rebuilt.profiles.get(alice)).toBeUndefined();
    expect(rebuilt.profiles.get(bob)?.orderIds.size).toBe(1);
    expect(rebuilt.profiles.size).toBe(before.customers!.profiles.size);
  });
});
