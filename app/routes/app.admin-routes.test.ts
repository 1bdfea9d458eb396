import { beforeEach, describe, expect, it } from "vitest";
import { HttpResponse, graphql } from "msw";
import type { LoaderFunctionArgs } from "@remix-run/node";
import {
  API_KEY,
  API_SECRET_KEY,
  getJwt,
  setUpValidSession,
} from "@shopify/shopify-api/test-helpers";
import { mswServer } from "../../test/msw";
import prisma from "~/db.server";
import { sessionStorage } from "~/shopify.server";
import * as bundleRoute from "~/routes/app.bundles.$id";
import * as ruleRoute from "~/routes/app.rules.$id";
import * as settingsRoute from "~/routes/app.settings";
import * as suggestionsRoute from "~/routes/app.suggestions";

// The admin routes called as Remix calls them, with real session tokens from the test helpers:
// shop A's token must never reach shop B's rows, and bad input must come back as field errors.

const SHOP_A = "shop-a.myshopify.com";
const SHOP_B = "shop-b.myshopify.com";
const SCOPES = "read_products,read_orders,read_customers,write_discounts";
const BROWSER =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

async function request(
  shop: string,
  path: string,
  form?: Record<string, string>,
): Promise<Request> {
  const { token } = await getJwt(shop.split(".")[0], API_KEY, API_SECRET_KEY);
  return new Request(`https://my-test-app.myshopify.io${path}`, {
    method: form ? "POST" : "GET",
    headers: { Authorization: `Bearer ${token}`, "User-Agent": BROWSER },
    body: form ? new URLSearchParams(form) : undefined,
  });
}

type Handler = (args: LoaderFunctionArgs) => Promise<unknown>;

/** Runs a loader or action; a thrown Response (404, redirect) is returned for assertions. */
async function run(handler: Handler, req: Request, params = {}) {
  try {
    return await handler({ request: req, params, context: {} });
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** Remix's `data()` results carry their status in `init`. */
function statusOf(result: unknown): number {
  if (result instanceof Response) return result.status;
  const init = (result as { init?: { status?: number } })?.init;
  return init?.status ?? 200;
}

const validBundle = {
  title: "Tent kit",
  productIds: JSON.stringify(["1", "2"]),
  discountType: "percentage",
  discountValue: "10",
  marginFloorPct: "20",
  status: "draft",
  startsAt: "",
  endsAt: "",
};

/** Shop A's products "1", "2"… each with one variant at the given price and optional cost. */
async function productsWithPrices(
  prices: Record<string, number>,
  costs: Record<string, number> = {},
) {
  for (const [id, priceMinor] of Object.entries(prices))
    await prisma.product.create({
      data: {
        shop: SHOP_A,
        id,
        title: `P${id}`,
        handle: `p${id}`,
        updatedAt: new Date(),
        variants: {
          create: {
            id: `${id}0`,
            title: "Default",
            priceMinor,
            costMinor: costs[id] ?? null,
            currency: "USD",
          },
        },
      },
    });
}

let bundleB: string;
let ruleB: string;

beforeEach(async () => {
  for (const shop of [SHOP_A, SHOP_B]) {
    await sessionStorage.storeSession(
      setUpValidSession({
        shop,
        isOnline: false,
        scope: SCOPES,
        expires: new Date(Date.now() + 3_600_000),
      }),
    );
    await prisma.shop.upsert({
      where: { shop },
      create: { shop },
      update: {},
    });
  }
  await prisma.bundle.deleteMany({});
  await prisma.variant.deleteMany({});
  await prisma.product.deleteMany({});
  await prisma.upsellRule.deleteMany({});
  await prisma.placementSetting.deleteMany({});
  bundleB = (
    await prisma.bundle.create({
      data: {
        shop: SHOP_B,
        title: "B's bundle",
        productIds: '["7","8"]',
        discountType: "percentage",
        discountValue: 500,
      },
    })
  ).id;
  ruleB = (
    await prisma.upsellRule.create({
      data: {
        shop: SHOP_B,
        name: "B's rule",
        triggerType: "any",
        action: "pin",
        targetProductIds: '["7"]',
      },
    })
  ).id;
});

describe("another shop's bundle", () => {
  it("gives 404 to read, update and delete, and stays untouched", async () => {
    const path = `/app/bundles/${bundleB}`;
    const read = await run(bundleRoute.loader, await request(SHOP_A, path), {
      id: bundleB,
    });
    expect(statusOf(read)).toBe(404);
    const update = await run(
      bundleRoute.action,
      await request(SHOP_A, path, validBundle),
      { id: bundleB },
    );
    expect(statusOf(update)).toBe(404);
    const remove = await run(
      bundleRoute.action,
      await request(SHOP_A, path, { intent: "delete" }),
      { id: bundleB },
    );
    expect(statusOf(remove)).toBe(404);
    expect(
      await prisma.bundle.findUnique({
        where: { id: bundleB },
        select: { title: true, shop: true },
      }),
    ).toEqual({ title: "B's bundle", shop: SHOP_B });
  });

  it("is readable by its own shop", async () => {
    const result = (await run(
      bundleRoute.loader,
      await request(SHOP_B, `/app/bundles/${bundleB}`),
      { id: bundleB },
    )) as { values: { title: string } };
    expect(result.values.title).toBe("B's bundle");
  });
});

describe("another shop's rule", () => {
  it("gives 404 to read, update and delete", async () => {
    const path = `/app/rules/${ruleB}`;
    expect(
      statusOf(
        await run(ruleRoute.loader, await request(SHOP_A, path), { id: ruleB }),
      ),
    ).toBe(404);
    const form = {
      name: "Hijack",
      triggerType: "any",
      action: "exclude",
      targetProductIds: '["1"]',
      priority: "1",
      active: "true",
    };
    expect(
      statusOf(
        await run(ruleRoute.action, await request(SHOP_A, path, form), {
          id: ruleB,
        }),
      ),
    ).toBe(404);
    expect(
      statusOf(
        await run(
          ruleRoute.action,
          await request(SHOP_A, path, { intent: "delete" }),
          { id: ruleB },
        ),
      ),
    ).toBe(404);
    expect(
      await prisma.upsellRule.findUnique({
        where: { id: ruleB },
        select: { name: true, action: true },
      }),
    ).toEqual({ name: "B's rule", action: "pin" });
  });
});

describe("settings", () => {
  it("are written for the session's shop only, whatever the form says", async () => {
    const result = await run(
      settingsRoute.action,
      await request(SHOP_A, "/app/settings", {
        shop: SHOP_B,
        placement: "cart",
        enabled: "true",
        maxOffers: "2",
        strategy: "blended",
        showReasons: "false",
        priceBandPct: "40",
      }),
    );
    expect(statusOf(result)).toBe(200);
    expect(
      await prisma.placementSetting.findMany({
        select: { shop: true, placement: true, maxOffers: true },
      }),
    ).toEqual([{ shop: SHOP_A, placement: "cart", maxOffers: 2 }]);
  });

  it("reads the session's shop's placements, not another shop's", async () => {
    await prisma.placementSetting.create({
      data: { shop: SHOP_B, placement: "cart", maxOffers: 9 },
    });
    const settings = (await run(
      settingsRoute.loader,
      await request(SHOP_A, "/app/settings"),
    )) as { placements: { placement: string; maxOffers: number }[] };
    expect(settings.placements.find((p) => p.placement === "cart")).toEqual(
      expect.objectContaining({ maxOffers: 4 }),
    );
  });

  it("answers an out-of-range count with a field error and stores nothing", async () => {
    const result = await run(
      settingsRoute.action,
      await request(SHOP_A, "/app/settings", {
        placement: "cart",
        maxOffers: "40",
        strategy: "blended",
        priceBandPct: "50",
      }),
    );
    expect(statusOf(result)).toBe(422);
    expect(result).toMatchObject({
      data: { ok: false, errors: { maxOffers: "Between 1 and 12" } },
    });
    expect(await prisma.placementSetting.count()).toBe(0);
  });
});

describe("bundle form", () => {
  it("answers bad input with an error next to each field", async () => {
    const result = await run(
      bundleRoute.action,
      await request(SHOP_A, "/app/bundles/new", {
        ...validBundle,
        title: " ",
        productIds: '["1"]',
        discountValue: "ten",
      }),
      { id: "new" },
    );
    expect(statusOf(result)).toBe(422);
    expect(result).toMatchObject({
      data: {
        errors: {
          title: "Give the bundle a name",
          productIds: "A bundle needs at least 2 products",
          discountValue: "Enter a number, e.g. 10 or 4.50",
        },
      },
    });
    expect(await prisma.bundle.count({ where: { shop: SHOP_A } })).toBe(0);
  });

  it("answers a 30-digit amount and a date in the year 275760 with field errors", async () => {
    await productsWithPrices({ "1": 5000, "2": 5000 });
    for (const discountType of ["percentage", "fixed_amount"]) {
      const result = await run(
        bundleRoute.action,
        await request(SHOP_A, "/app/bundles/new", {
          ...validBundle,
          discountType,
          discountValue: "9".repeat(30),
          startsAt: "275760-09-13",
          endsAt: "2026-02-31",
        }),
        { id: "new" },
      );
      expect(statusOf(result)).toBe(422);
      expect(result).toMatchObject({
        data: {
          errors: {
            discountValue: "Too large",
            startsAt: "Not a date (YYYY-MM-DD)",
            endsAt: "Not a date (YYYY-MM-DD)",
          },
        },
      });
    }
    expect(await prisma.bundle.count({ where: { shop: SHOP_A } })).toBe(0);
  });

  it("answers a body that is not a form with 400 and writes nothing", async () => {
    const { token } = await getJwt("shop-a", API_KEY, API_SECRET_KEY);
    for (const [type, body] of [
      ["application/json", JSON.stringify(validBundle)],
      ["multipart/form-data; boundary=x", "--x\r\nbroken"],
      [undefined, undefined],
    ]) {
      const headers: Record<string, string> = {
        Authorization: `Bearer ${token}`,
        "User-Agent": BROWSER,
      };
      if (type) headers["Content-Type"] = type;
      const result = await run(
        bundleRoute.action,
        new Request("https://my-test-app.myshopify.io/app/bundles/new", {
          method: "POST",
          headers,
          body,
        }),
        { id: "new" },
      );
      expect([type, statusOf(result)]).toEqual([type, 400]);
    }
    expect(await prisma.bundle.count({ where: { shop: SHOP_A } })).toBe(0);
  });

  it("stores money and percentages as integers for the session's shop", async () => {
    const result = await run(
      bundleRoute.action,
      await request(SHOP_A, "/app/bundles/new", {
        ...validBundle,
        discountType: "fixed_amount",
        discountValue: "4.50",
        marginFloorPct: "12.5",
      }),
      { id: "new" },
    );
    expect(statusOf(result)).toBe(302);
    expect(
      await prisma.bundle.findFirst({
        where: { shop: SHOP_A },
        select: { discountValue: true, marginFloorBps: true, source: true },
      }),
    ).toMatchObject({
      discountValue: 450,
      marginFloorBps: 1250,
      source: "manual",
    });
  });

  // A $450.98 bundle at a 20% floor. 149.99 with a 100.00 cost must sell for at least 125.00
  // to keep 20%, so 16.66% off at most; without costs each product keeps 20% of its price.
  it.each([
    {
      refused: "a discount larger than the bundle's price",
      form: { discountType: "fixed_amount", discountValue: "9999" },
      costs: {} as Record<string, number>,
      message:
        "More than the bundle's price of $450.98: at most $360.78 keeps the 20% margin floor",
    },
    {
      refused: "a percentage under the margin floor of a recorded cost",
      form: { discountValue: "100" },
      costs: { "2": 10_000 },
      message: "At most 16.66% keeps the 20% margin floor at today's prices",
    },
  ])(
    "refuses $refused, naming the most the floor allows",
    async ({ form, costs, message }) => {
      await productsWithPrices({ "1": 30_099, "2": 14_999 }, costs);
      const result = await run(
        bundleRoute.action,
        await request(SHOP_A, "/app/bundles/new", { ...validBundle, ...form }),
        { id: "new" },
      );
      expect(statusOf(result)).toBe(422);
      expect(result).toMatchObject({
        data: { errors: { discountValue: message } },
      });
      expect(await prisma.bundle.count({ where: { shop: SHOP_A } })).toBe(0);
    },
  );

  it("shows Shopify's userErrors when the bundle discount cannot be created", async () => {
    await prisma.product.createMany({
      data: ["1", "2"].map((id) => ({
        shop: SHOP_A,
        id,
        title: `P${id}`,
        handle: `p${id}`,
        updatedAt: new Date(),
      })),
    });
    mswServer.use(
      graphql
        .link(`https://${SHOP_A}/admin/api/2025-10/graphql.json`)
        .mutation("CartliftBundleDiscountCreate", () =>
          HttpResponse.json({
            data: {
              discountAutomaticAppCreate: {
                automaticAppDiscount: null,
                userErrors: [
                  {
                    field: ["automaticAppDiscount", "functionHandle"],
                    message: "Function not found",
                    code: "INVALID",
                  },
                ],
              },
            },
          }),
        ),
    );
    const result = await run(
      bundleRoute.action,
      await request(SHOP_A, "/app/bundles/new", {
        ...validBundle,
        status: "active",
      }),
      { id: "new" },
    );
    expect(statusOf(result)).toBe(502);
    expect(result).toMatchObject({
      data: { discountError: expect.stringContaining("Function not found") },
    });
    // The merchant's bundle is kept; the next write retries the discount.
    expect(await prisma.bundle.count({ where: { shop: SHOP_A } })).toBe(1);
  });
});

describe("suggestions", () => {
  it("refuses to accept a suggestion the engine does not make", async () => {
    const result = await run(
      suggestionsRoute.action,
      await request(SHOP_A, "/app/suggestions", {
        intent: "accept",
        key: "bundle:7,8",
      }),
    );
    expect(statusOf(result)).toBe(404);
    expect(await prisma.bundle.count({ where: { shop: SHOP_A } })).toBe(0);
  });
});
