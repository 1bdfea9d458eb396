import { describe, expect, it } from "vitest";
import { API_SECRET_KEY } from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import { proxiedQuery } from "../../demo/proxy-signature";
import { loader } from "~/routes/proxy.recommendations";
import { seedCustomerShop } from "../fixtures";

const SHOP = "proxy-shop.myshopify.com";

const call = (query: URLSearchParams) =>
  loader({
    request: new Request(
      `https://my-test-app.myshopify.io/proxy/recommendations?${query}`,
    ),
    params: {},
    context: {},
  }).catch((thrown: unknown) => {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  });

const signed = (
  params: Record<string, string>,
  options: { secret?: string; now?: number } = {},
) =>
  proxiedQuery(new URLSearchParams(params), {
    shop: SHOP,
    secret: options.secret ?? API_SECRET_KEY,
    now: options.now,
  });

async function seedCatalog() {
  await prisma.product.createMany({
    data: ["1", "2", "3"].map((id) => ({
      shop: SHOP,
      id,
      title: `Product ${id}`,
      handle: `product-${id}`,
      updatedAt: new Date(),
    })),
  });
  await prisma.variant.createMany({
    data: ["1", "2", "3"].map((id) => ({
      shop: SHOP,
      id: `10${id}`,
      productId: id,
      title: "Default",
      priceMinor: 1000 * Number(id),
      currency: "USD",
      inventoryQuantity: 5,
    })),
  });
}

describe("app proxy", () => {
  it("answers a correctly signed request with a Liquid fragment of the signed shop's offers", async () => {
    await seedCatalog();
    const response = (await call(
      signed({ placement: "cart", cart: "1" }),
    )) as Response;
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(
      /^application\/liquid/,
    );
    expect(response.headers.get("Cache-Control")).toMatch(/^private/);
    const body = await response.text();
    // Offers are looked up in Shopify's own product objects, never printed from app data.
    const handles = [...body.matchAll(/all_products\['([^']+)'\]/g)]
      .map((m) => m[1])
      .sort();
    expect(handles).toEqual(["product-2", "product-3"]);
  });

  it("shapes the offers by the signed-in customer that Shopify signed for, and only that one", async () => {
    const shop = "proxy-customers.myshopify.com";
    await seedCustomerShop(shop);
    const body = async (customerId?: string, tamper?: string) => {
      const query = proxiedQuery(
        new URLSearchParams({ placement: "cart", cart: "1" }),
        { shop, secret: API_SECRET_KEY, customerId },
      );
      if (tamper !== undefined) query.set("logged_in_customer_id", tamper);
      const response = (await call(query)) as Response;
      return { status: response.status, text: await response.text() };
    };
    const guest = await body();
    expect(guest.status).toBe(200);
    expect(guest.text).not.toContain("You bought");
    const customer = await body("601");
    expect(customer.text).toContain("You bought the P2 in March");
    expect(customer.text).toContain("Vous avez acheté P2 en mars");
    // A guest's request signed by Shopify cannot be claimed for a customer afterwards.
    expect((await body(undefined, "601")).status).toBe(401);
    expect((await body("60a1")).status).toBe(400);
  });

  it("refuses a signature made with another secret", async () => {
    const response = (await call(
      signed({ placement: "cart", cart: "1" }, { secret: "wrong" }),
    )) as Response;
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: expect.stringMatching(/signature/),
    });
  });

  it("refuses a signature older than 90 seconds", async () => {
    const response = (await call(
      signed({ placement: "cart" }, { now: Date.now() - 120_000 }),
    )) as Response;
    expect(response.status).toBe(401);
  });

  it("refuses a signed query whose parameters were changed afterwards", async () => {
    const query = signed({ placement: "cart", cart: "1" });
    query.set("shop", "another-shop.myshopify.com");
    expect(((await call(query)) as Response).status).toBe(401);
  });

  it("refuses a request without a signature", async () => {
    const query = new URLSearchParams({
      placement: "cart",
      shop: SHOP,
      timestamp: String(Math.floor(Date.now() / 1000)),
    });
    expect(((await call(query)) as Response).status).toBe(401);
  });

  it("answers a malformed query with 400 and a reason", async () => {
    const response = (await call(
      signed({ placement: "nowhere", cart: "1;DROP" }),
    )) as Response;
    expect(response.status).toBe(400);
    const body = await response.json();
    expect(body.issues.join(" ")).toMatch(/placement/);
    expect(body.issues.join(" ")).toMatch(/cart/);
  });

  it("takes the shopper's currency, country and locale into its address and refuses malformed ones", async () => {
    const shopper = { currency: "EUR", country: "FR", locale: "fr-CA" };
    const ok = (await call(
      signed({ placement: "cart", cart: "1", ...shopper }),
    )) as Response;
    expect(ok.status).toBe(200);
    const bad = (await call(
      signed({
        placement: "cart",
        cart: "1",
        currency: "euro",
        country: "France",
        locale: "fr_FR'",
      }),
    )) as Response;
    expect(bad.status).toBe(400);
    const issues = (await bad.json()).issues.join(" ");
    for (const name of ["currency", "country", "locale"])
      expect(issues).toMatch(name);
  });
});
