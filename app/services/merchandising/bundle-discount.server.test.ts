import { beforeEach, describe, expect, it } from "vitest";
import { HttpResponse, graphql } from "msw";
import { setUpValidSession } from "@shopify/shopify-api/test-helpers";
import { mswServer } from "../../../test/msw";
import prisma from "~/db.server";
import { sessionStorage, unauthenticated } from "~/shopify.server";
import {
  BundleDiscountSyncError,
  syncBundleDiscount,
} from "./bundle-discount.server";

const SHOP = "discount-shop.myshopify.com";
const DISCOUNT_ID = "gid://shopify/DiscountAutomaticNode/77";
const admin = graphql.link(`https://${SHOP}/admin/api/2025-10/graphql.json`);
const instant = { sleep: async () => {} };
const now = new Date("2026-11-25T12:00:00Z");

async function client() {
  return (await unauthenticated.admin(SHOP)).admin.graphql;
}

/** Records every operation's variables so a test can assert what reached Shopify. */
function recorder() {
  const calls: { operation: string; variables: Record<string, unknown> }[] = [];
  return {
    calls,
    record(operation: string, variables: Record<string, unknown>) {
      calls.push({ operation, variables });
    },
  };
}

beforeEach(async () => {
  // One database per test file: start each test from an empty shop.
  await prisma.bundleDiscount.deleteMany({});
  await prisma.bundle.deleteMany({ where: { shop: SHOP } });
  await prisma.product.deleteMany({ where: { shop: SHOP } });
  await prisma.shop.deleteMany({ where: { shop: SHOP } });
  await sessionStorage.storeSession(
    setUpValidSession({
      shop: SHOP,
      isOnline: false,
      scope: "read_products,read_orders,read_customers,write_discounts",
    }),
  );
  await prisma.shop.create({ data: { shop: SHOP, currency: "EUR" } });
  await prisma.product.createMany({
    data: ["1", "2"].map((id) => ({
      shop: SHOP,
      id,
      title: `P${id}`,
      handle: `p${id}`,
      updatedAt: now,
    })),
  });
  await prisma.variant.createMany({
    data: [
      {
        shop: SHOP,
        id: "11",
        productId: "1",
        title: "Default",
        priceMinor: 2000,
        costMinor: 900,
        currency: "EUR",
      },
      {
        shop: SHOP,
        id: "21",
        productId: "2",
        title: "Default",
        priceMinor: 1500,
        currency: "EUR",
      },
    ],
  });
});

async function addBundle(overrides: Partial<{ id: string; status: string }>) {
  await prisma.bundle.create({
    data: {
      shop: SHOP,
      id: overrides.id ?? "b1",
      title: "Coffee kit",
      productIds: JSON.stringify(["1", "2"]),
      discountType: "percentage",
      discountValue: 1000,
      marginFloorBps: 2500,
      status: overrides.status ?? "active",
    },
  });
}

const createOk = (rec: ReturnType<typeof recorder>) =>
  admin.mutation("CartliftBundleDiscountCreate", ({ variables }) => {
    rec.record("create", variables);
    return HttpResponse.json({
      data: {
        discountAutomaticAppCreate: {
          automaticAppDiscount: { discountId: DISCOUNT_ID },
          userErrors: [],
        },
      },
    });
  });

const setOk = (rec: ReturnType<typeof recorder>) =>
  admin.mutation("CartliftMetafieldsSet", ({ variables }) => {
    rec.record("set", variables);
    return HttpResponse.json({
      data: {
        metafieldsSet: {
          metafields: [{ id: "gid://shopify/Metafield/5" }],
          userErrors: [],
        },
      },
    });
  });

describe("syncBundleDiscount", () => {
  it("creates the automatic app discount with the Function handle and the bundles' configuration", async () => {
    await addBundle({});
    const rec = recorder();
    mswServer.use(createOk(rec));

    const result = await syncBundleDiscount(SHOP, await client(), { now });

    expect(result).toEqual({
      status: "created",
      discountId: DISCOUNT_ID,
      bundles: 1,
    });
    expect(rec.calls).toHaveLength(1);
    const discount = rec.calls[0].variables.discount as {
      functionHandle: string;
      discountClasses: string[];
      combinesWith: Record<string, boolean>;
      startsAt: string;
      metafields: {
        namespace: string;
        key: string;
        type: string;
        value: string;
      }[];
    };
    expect(discount.functionHandle).toBe("cartlift-bundle-discount");
    expect(discount.discountClasses).toEqual(["PRODUCT"]);
    expect(discount.combinesWith).toEqual({
      orderDiscounts: false,
      productDiscounts: false,
      shippingDiscounts: true,
    });
    expect(discount.startsAt).toBe(now.toISOString());
    expect(discount.metafields).toHaveLength(1);
    const [metafield] = discount.metafields;
    expect(metafield).toMatchObject({
      namespace: "$app",
      key: "function-configuration",
      type: "json",
    });
    expect(JSON.parse(metafield.value)).toEqual({
      currencyCode: "EUR",
      bundles: [
        {
          id: "b1",
          title: "Coffee kit",
          productIds: ["gid://shopify/Product/1", "gid://shopify/Product/2"],
          discountType: "percentage",
          value: 1000,
          marginFloorBps: 2500,
          costs: { "gid://shopify/ProductVariant/11": 900 },
        },
      ],
    });
    const stored = await prisma.bundleDiscount.findUnique({
      where: { shop: SHOP },
    });
    expect(stored?.discountId).toBe(DISCOUNT_ID);
    expect(stored?.config).toBe(metafield.value);
  });

  it("sends nothing when the bundles have not changed since the last sync", async () => {
    await addBundle({});
    const rec = recorder();
    mswServer.use(createOk(rec), setOk(rec));
    await syncBundleDiscount(SHOP, await client(), { now });

    const again = await syncBundleDiscount(SHOP, await client(), { now });

    expect(again).toEqual({
      status: "unchanged",
      discountId: DISCOUNT_ID,
      bundles: 1,
    });
    expect(rec.calls.map((c) => c.operation)).toEqual(["create"]);
  });

  it("rewrites the configuration metafield on the existing discount when a bundle changes", async () => {
    await addBundle({});
    const rec = recorder();
    mswServer.use(createOk(rec), setOk(rec));
    await syncBundleDiscount(SHOP, await client(), { now });
    await prisma.bundle.update({
      where: { id: "b1" },
      data: { status: "archived" },
    });

    const result = await syncBundleDiscount(SHOP, await client(), { now });

    expect(result).toEqual({
      status: "updated",
      discountId: DISCOUNT_ID,
      bundles: 0,
    });
    expect(rec.calls.map((c) => c.operation)).toEqual(["create", "set"]);
    const [metafield] = rec.calls[1].variables.metafields as {
      ownerId: string;
      namespace: string;
      key: string;
      type: string;
      value: string;
    }[];
    expect(metafield).toMatchObject({
      ownerId: DISCOUNT_ID,
      namespace: "$app",
      key: "function-configuration",
      type: "json",
    });
    // Archiving the only bundle leaves an empty list: the Function then discounts nothing.
    expect(JSON.parse(metafield.value)).toEqual({
      currencyCode: "EUR",
      bundles: [],
    });
  });

  it("creates no discount while the shop has no bundle to apply", async () => {
    await addBundle({ status: "draft" });
    const rec = recorder();
    mswServer.use(createOk(rec), setOk(rec));

    const result = await syncBundleDiscount(SHOP, await client(), { now });

    expect(result).toEqual({ status: "not_needed", bundles: 0 });
    expect(rec.calls).toEqual([]);
    expect(
      await prisma.bundleDiscount.findUnique({ where: { shop: SHOP } }),
    ).toBeNull();
  });

  it("raises Shopify's userErrors as a typed error and remembers nothing", async () => {
    await addBundle({});
    mswServer.use(
      admin.mutation("CartliftBundleDiscountCreate", () =>
        HttpResponse.json({
          data: {
            discountAutomaticAppCreate: {
              automaticAppDiscount: null,
              userErrors: [
                {
                  field: ["automaticAppDiscount", "functionHandle"],
                  message: "Function not found.",
                  code: "INVALID",
                },
              ],
            },
          },
        }),
      ),
    );

    const error = await syncBundleDiscount(SHOP, await client(), {
      now,
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BundleDiscountSyncError);
    expect((error as BundleDiscountSyncError).userErrors).toEqual([
      {
        field: ["automaticAppDiscount", "functionHandle"],
        message: "Function not found.",
        code: "INVALID",
      },
    ]);
    expect((error as Error).message).toContain(
      "automaticAppDiscount.functionHandle: Function not found.",
    );
    expect(
      await prisma.bundleDiscount.findUnique({ where: { shop: SHOP } }),
    ).toBeNull();
  });

  it("raises metafieldsSet userErrors on an update as a typed error and keeps the last good config", async () => {
    await addBundle({});
    const rec = recorder();
    mswServer.use(createOk(rec));
    await syncBundleDiscount(SHOP, await client(), { now });
    const before = await prisma.bundleDiscount.findUnique({
      where: { shop: SHOP },
    });
    await addBundle({ id: "b2" });
    mswServer.use(
      admin.mutation("CartliftMetafieldsSet", () =>
        HttpResponse.json({
          data: {
            metafieldsSet: {
              metafields: null,
              userErrors: [
                {
                  field: ["metafields", "0", "value"],
                  message: "Value exceeds the maximum size.",
                  code: "INVALID_VALUE",
                },
              ],
            },
          },
        }),
      ),
    );

    const error = await syncBundleDiscount(SHOP, await client(), {
      now,
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BundleDiscountSyncError);
    expect((error as BundleDiscountSyncError).operation).toBe("update");
    expect(
      await prisma.bundleDiscount.findUnique({ where: { shop: SHOP } }),
    ).toEqual(before);
  });

  it("waits and retries when Shopify answers THROTTLED", async () => {
    await addBundle({});
    const rec = recorder();
    let attempts = 0;
    mswServer.use(
      admin.mutation("CartliftBundleDiscountCreate", (info) => {
        attempts++;
        if (attempts === 1)
          return HttpResponse.json({
            errors: [
              { message: "Throttled", extensions: { code: "THROTTLED" } },
            ],
            extensions: {
              cost: {
                requestedQueryCost: 10,
                throttleStatus: { currentlyAvailable: 0, restoreRate: 50 },
              },
            },
          });
        rec.record("create", info.variables);
        return HttpResponse.json({
          data: {
            discountAutomaticAppCreate: {
              automaticAppDiscount: { discountId: DISCOUNT_ID },
              userErrors: [],
            },
          },
        });
      }),
    );
    const waits: number[] = [];

    const result = await syncBundleDiscount(SHOP, await client(), {
      now,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });

    expect(result.status).toBe("created");
    expect(attempts).toBe(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(0);
  });

  it("never touches another shop's discount: each shop has its own row", async () => {
    await prisma.bundleDiscount.create({
      data: {
        shop: "other.myshopify.com",
        discountId: "gid://shopify/DiscountAutomaticNode/1",
        config: "{}",
        syncedAt: now,
      },
    });
    await addBundle({});
    const rec = recorder();
    mswServer.use(createOk(rec), setOk(rec));

    const result = await syncBundleDiscount(SHOP, await client(), {
      now,
      ...instant,
    });

    expect(result.status).toBe("created");
    expect(rec.calls.map((c) => c.operation)).toEqual(["create"]);
  });
});
