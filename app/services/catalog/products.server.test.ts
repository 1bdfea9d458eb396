import { describe, expect, it } from "vitest";
import prisma from "~/db.server";
import { seedSmallShop } from "../../../test/fixtures";
import {
  type ProductInput,
  deleteProduct,
  saveInventoryItemCost,
  saveProducts,
} from "./products.server";

const SHOP = "catalog-version.myshopify.com";

const version = async () =>
  (
    await prisma.shop.findUniqueOrThrow({
      where: { shop: SHOP },
      select: { catalogVersion: true },
    })
  ).catalogVersion;

const product = (updatedAt: string): ProductInput => ({
  id: "2",
  title: "Renamed",
  handle: "p2",
  productType: "",
  vendor: "",
  tags: [],
  status: "ACTIVE",
  imageUrl: null,
  updatedAt: new Date(updatedAt),
  variants: [
    {
      id: "92",
      title: "Default",
      sku: "",
      options: [],
      priceMinor: 1200,
      compareAtMinor: null,
      inventoryQuantity: 3,
      availableForSale: true,
      position: 1,
      inventoryItemId: "700",
    },
  ],
});

describe("the catalog version", () => {
  it("moves with every catalog write, and not with a write that changed nothing", async () => {
    await seedSmallShop(SHOP, new Date("2026-10-01T00:00:00Z"));
    const start = await version();

    await saveProducts(SHOP, [product("2026-10-02T00:00:00Z")], "USD");
    expect(await version()).toBe(start + 1);
    // A late, older payload of the same product is not applied: nothing moved.
    await saveProducts(SHOP, [product("2026-10-01T12:00:00Z")], "USD");
    expect(await version()).toBe(start + 1);

    await saveInventoryItemCost(SHOP, { id: "700", cost: "4.00" });
    expect(await version()).toBe(start + 2);
    await saveInventoryItemCost(SHOP, { id: "no-such-item", cost: "4.00" });
    expect(await version()).toBe(start + 2);

    await deleteProduct(SHOP, "2");
    expect(await version()).toBe(start + 3);
    await deleteProduct(SHOP, "2");
    expect(await version()).toBe(start + 3);
  });
});

describe("what changed since a catalog version", () => {
  const SINCE = "catalog-changes.myshopify.com";
  const stamped = async () =>
    Object.fromEntries(
      (
        await prisma.product.findMany({
          where: { shop: SINCE },
          select: { id: true, catalogVersion: true },
        })
      ).map((p) => [p.id, p.catalogVersion]),
    );
  const deleted = () =>
    prisma.deletedProduct.findMany({
      where: { shop: SINCE },
      select: { id: true, catalogVersion: true },
    });

  it("is on the products a write changed, and in a record of each deletion until the product returns", async () => {
    await seedSmallShop(SINCE);
    await saveProducts(SINCE, [product("2026-10-02T00:00:00Z")], "USD");
    expect(await stamped()).toEqual({ "1": 0, "2": 1, "3": 0 });

    // A cost reaches the products of the inventory item's variants.
    await saveInventoryItemCost(SINCE, { id: "700", cost: "4.00" });
    expect(await stamped()).toEqual({ "1": 0, "2": 2, "3": 0 });

    await deleteProduct(SINCE, "2");
    expect(await stamped()).toEqual({ "1": 0, "3": 0 });
    expect(await deleted()).toEqual([{ id: "2", catalogVersion: 3 }]);

    await saveProducts(SINCE, [product("2026-10-03T00:00:00Z")], "USD");
    expect(await stamped()).toEqual({ "1": 0, "2": 4, "3": 0 });
    expect(await deleted()).toEqual([]);
  });
});
