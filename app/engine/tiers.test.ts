import { describe, expect, it } from "vitest";
import {
  buildTierIndex,
  buildTierTable,
  nextTier,
  parseOptionScale,
  upgradeOptions,
} from "./tiers";
import type { CatalogProduct, CatalogVariant } from "./types";

type VariantSpec = {
  options: Record<string, string>;
  price: number;
  stock?: number;
};

function product(
  id: string,
  variants: VariantSpec[],
  fields: Partial<
    Pick<CatalogProduct, "title" | "productType" | "vendor" | "tags">
  > = {},
): CatalogProduct {
  return {
    id,
    title: fields.title ?? id,
    handle: id,
    productType: fields.productType ?? "",
    vendor: fields.vendor ?? "",
    tags: fields.tags ?? [],
    collections: [],
    variants: variants.map((v, i): CatalogVariant => ({
      id: `${id}-${i}`,
      productId: id,
      title: Object.values(v.options).join(" / "),
      sku: `${id}-${i}`,
      options: Object.entries(v.options).map(([name, value]) => ({
        name,
        value,
      })),
      price: { amount: v.price, currency: "USD" },
      inventoryQuantity: v.stock ?? 10,
      availableForSale: true,
    })),
  };
}

const phone = product("phone", [
  { options: { Storage: "128GB", Color: "Black" }, price: 79_900 },
  { options: { Storage: "256GB", Color: "Black" }, price: 89_900 },
  { options: { Storage: "512GB", Color: "Black" }, price: 109_900 },
  { options: { Storage: "128GB", Color: "Blue" }, price: 80_900 },
  { options: { Storage: "1TB", Color: "Black" }, price: 149_900 },
]);

describe("option scales", () => {
  it("orders sizes, capacities with units and plain numbers", () => {
    expect(parseOptionScale("Large")).toEqual({ kind: "size", rank: 5 });
    expect(parseOptionScale("X-Large")).toEqual({ kind: "size", rank: 6 });
    expect(parseOptionScale("256 GB")).toEqual({
      kind: "measure",
      dimension: "storage",
      value: 256e9,
    });
    expect(parseOptionScale("1TB")).toEqual({
      kind: "measure",
      dimension: "storage",
      value: 1e12,
    });
    expect(parseOptionScale("1.5l")).toEqual({
      kind: "measure",
      dimension: "volume",
      value: 1_500,
    });
    expect(parseOptionScale("6-pack")).toEqual({
      kind: "measure",
      dimension: "quantity",
      value: 6,
    });
    expect(parseOptionScale("10")).toEqual({ kind: "number", value: 10 });
    expect(parseOptionScale("Midnight")).toBeUndefined();
  });
});

describe("next tier up", () => {
  it("finds 256GB over 128GB, keeping the colour, with a reason and a comparison", () => {
    const upgrade = nextTier(buildTierIndex([phone]), "phone", "phone-0")!;
    expect(upgrade.kind).toBe("variant");
    expect(upgrade.toVariantId).toBe("phone-1");
    expect(upgrade.reason.text).toBe("+$100 for double the storage");
    expect(upgrade.increaseBps).toBe(1_252);
    expect(upgrade.differences).toEqual([
      { attribute: "Storage", from: "128GB", to: "256GB" },
      { attribute: "Price", from: "$799", to: "$899" },
    ]);
  });

  it("never treats a colour change as an upgrade, even when it costs more", () => {
    const options = upgradeOptions(buildTierIndex([phone]), "phone", "phone-0");
    expect(options.map((o) => o.toVariantId)).not.toContain("phone-3");
  });

  it("stays inside the price band", () => {
    const index = buildTierIndex([phone]);
    const all = upgradeOptions(index, "phone", "phone-0");
    // +50% of $799 is $1,198.50: 512GB fits, 1TB does not.
    expect(all.map((o) => o.toVariantId)).toEqual(["phone-1", "phone-2"]);
    for (const o of all) expect(o.increaseBps).toBeLessThanOrEqual(5_000);
    const tight = upgradeOptions(index, "phone", "phone-0", {
      maxIncreaseBps: 1_000,
    });
    expect(tight).toEqual([]);
  });

  it("offers Large over Small and names it", () => {
    const tee = product(
      "tee",
      [
        { options: { Size: "Small" }, price: 2_000 },
        { options: { Size: "Large" }, price: 2_500 },
        { options: { Size: "Medium" }, price: 2_000 },
      ],
      {},
    );
    const gbp = {
      ...tee,
      variants: tee.variants.map((v) => ({
        ...v,
        price: { ...v.price, currency: "GBP" },
      })),
    };
    const upgrade = nextTier(buildTierIndex([gbp]), "tee", "tee-0")!;
    expect(upgrade.toVariantId).toBe("tee-1");
    expect(upgrade.reason.text).toBe("+£5 for the Large");
  });

  it("does not offer a smaller size that happens to cost more", () => {
    const odd = product("odd", [
      { options: { Size: "Large" }, price: 2_000 },
      { options: { Size: "Small" }, price: 2_500 },
    ]);
    expect(nextTier(buildTierIndex([odd]), "odd", "odd-0")).toBeUndefined();
  });

  it("falls back to price order for options without a scale", () => {
    const plan = product("plan", [
      { options: { Edition: "Standard" }, price: 10_000 },
      { options: { Edition: "Deluxe" }, price: 13_000 },
    ]);
    expect(
      nextTier(buildTierIndex([plan]), "plan", "plan-0")!.reason.text,
    ).toBe("+$30 for the Deluxe");
  });

  it("skips upgrades that are out of stock", () => {
    const soldOut = product("ssd", [
      { options: { Capacity: "500GB" }, price: 5_000 },
      { options: { Capacity: "1TB" }, price: 7_000, stock: 0 },
    ]);
    expect(nextTier(buildTierIndex([soldOut]), "ssd")).toBeUndefined();
  });

  it("suggests a dearer sibling of the same type that holds more, same vendor first, inside the band", () => {
    const blender = (
      id: string,
      capacity: string,
      price: number,
      fields: Parameters<typeof product>[2],
    ) =>
      product(id, [{ options: { Capacity: capacity }, price }], {
        productType: "Blender",
        ...fields,
      });
    const catalog = [
      blender("blender", "1L", 10_000, { title: "Blender", vendor: "Whirl" }),
      blender("blender-pro", "2L", 14_000, {
        title: "Blender Pro",
        vendor: "Whirl",
        tags: ["glass jar"],
      }),
      blender("other-brand", "1.5L", 12_000, {
        title: "Mixmaster",
        vendor: "Other",
      }),
      blender("blender-max", "3L", 30_000, {
        title: "Blender Max",
        vendor: "Whirl",
      }),
      product("toaster", [{ options: {}, price: 11_000 }], {
        title: "Toaster",
        productType: "Toaster",
        vendor: "Whirl",
      }),
    ];
    const options = upgradeOptions(buildTierIndex(catalog), "blender");
    expect(options.map((o) => o.toProductId)).toEqual([
      "blender-pro",
      "other-brand",
    ]);
    expect(options[0].reason.text).toBe("+$40 for double the volume");
    expect(options[0].differences).toContainEqual({
      attribute: "Also",
      label: "also",
      from: "",
      to: "glass jar",
    });
    expect(options[1].reason.text).toBe("+$20 for the 1.5L Mixmaster");
    expect(options[1].differences).toContainEqual({
      attribute: "Brand",
      label: "brand",
      from: "Whirl",
      to: "Other",
    });
  });

  it("never offers another brand's product with nothing measurably better, or a smaller one", () => {
    const tent = (id: string, vendor: string, prices: number[]) =>
      product(
        id,
        ["2-person", "3-person", "4-person"].map((capacity, i) => ({
          options: { Capacity: capacity },
          price: prices[i],
        })),
        { title: `${vendor} Tent`, productType: "Tent", vendor },
      );
    const chosen = tent("ours", "Northpeak", [21_000, 25_000, 30_000]);
    const other = tent("theirs", "Ridgeline", [24_000, 30_100, 36_000]);
    const index = buildTierIndex([chosen, other]);
    // The 3-person of another brand is $1 dearer than our 4-person; theirs 4-person only dearer.
    expect(upgradeOptions(index, "ours", "ours-2")).toEqual([]);
    const fromTwo = upgradeOptions(index, "ours", "ours-0");
    expect(fromTwo.map((o) => o.toVariantId)).toEqual([
      "ours-1",
      "ours-2",
      "theirs-1",
    ]);
    expect(fromTwo[2].reason.text).toBe("+$91 for the 3-person Ridgeline Tent");

    const sameAmount = [
      product("stove", [{ options: {}, price: 5_000 }], {
        productType: "Stove",
        vendor: "A",
      }),
      product("stove-b", [{ options: {}, price: 5_100 }], {
        productType: "Stove",
        vendor: "B",
      }),
    ];
    expect(upgradeOptions(buildTierIndex(sameAmount), "stove")).toEqual([]);
  });

  it("never offers a sibling of another size: a size is the shopper's fit, not a tier", () => {
    const jacket = (id: string, size: string, price: number) =>
      product(id, [{ options: { Size: size }, price }], {
        productType: "Jacket",
      });
    const index = buildTierIndex([
      jacket("m", "M", 10_000),
      jacket("l", "L", 12_000),
    ]);
    expect(upgradeOptions(index, "m")).toEqual([]);
  });

  it("never offers an upgrade that earns the merchant less than what the shopper has", () => {
    const ssd = product("ssd", [
      { options: { Capacity: "500GB" }, price: 5_000 },
      { options: { Capacity: "1TB" }, price: 5_400 },
      { options: { Capacity: "2TB" }, price: 7_000 },
    ]);
    const cost = (i: number, amount: number) =>
      (ssd.variants[i].cost = { amount, currency: "USD" });
    cost(0, 3_000); // margin $20
    cost(1, 3_550); // margin $18.50: +$4 for the shopper, −$1.50 for the merchant
    cost(2, 4_000); // margin $30
    expect(
      upgradeOptions(buildTierIndex([ssd]), "ssd").map((o) => o.toVariantId),
    ).toEqual(["ssd-2"]);
  });

  it("builds a table for every product that has a next tier", () => {
    const table = buildTierTable([
      phone,
      product("lonely", [{ options: {}, price: 100 }]),
    ]);
    expect([...table.keys()]).toEqual(["phone"]);
    expect(table.get("phone")!.toVariantId).toBe("phone-1");
  });
});
