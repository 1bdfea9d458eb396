import { describe, expect, it } from "vitest";
import { API_KEY, API_SECRET_KEY } from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import { action as offerAction } from "~/routes/api.post-purchase.offer";
import { signJwt } from "~/services/platform/jwt.server";
import {
  decodeSignedChangeset,
  mintCheckoutToken,
  postPurchaseDemoHtml,
} from "./post-purchase";

const SHOP = "demo-pp.myshopify.com";

describe("demo post-purchase", () => {
  it("mints a checkout token the app's real offer endpoint accepts", async () => {
    await prisma.product.createMany({
      data: ["1", "2"].map((id) => ({
        shop: SHOP,
        id,
        title: `P${id}`,
        handle: `p${id}`,
        updatedAt: new Date(),
      })),
    });
    await prisma.variant.createMany({
      data: ["1", "2"].map((id) => ({
        shop: SHOP,
        id: `${id}1`,
        productId: id,
        title: "Default",
        priceMinor: 1000,
        currency: "USD",
        inventoryQuantity: 4,
      })),
    });
    const token = mintCheckoutToken({
      shop: SHOP,
      apiKey: API_KEY,
      apiSecret: API_SECRET_KEY,
      referenceId: "demo-ref",
      lineItems: [{ productId: "1", variantId: "11", quantity: 1 }],
    });

    const response = await offerAction({
      request: new Request(
        "https://my-test-app.myshopify.io/api/post-purchase/offer",
        {
          method: "POST",
          headers: {
            Authorization: `Bearer ${token}`,
            "User-Agent": "Mozilla/5.0 (Cartlift demo post-purchase)",
          },
          body: JSON.stringify({ referenceId: "demo-ref", productIds: ["1"] }),
        },
      ),
      params: {},
      context: {},
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      offer: { referenceId: "demo-ref", productId: "2" },
    });
  });

  it("reports a changeset whose signature does not match the secret", () => {
    const claims = {
      iss: "k",
      jti: "j",
      iat: 1,
      sub: "r",
      changes: [{ type: "add_variant" as const, variantID: 1, quantity: 1 }],
    };
    const token = signJwt(claims, "secret");
    expect(decodeSignedChangeset(token, "secret")).toMatchObject({
      claims,
      signatureValid: true,
    });
    expect(decodeSignedChangeset(token, "other").signatureValid).toBe(false);
  });

  it("escapes shop data in the page", () => {
    const html = postPurchaseDemoHtml(
      {
        order: {
          id: "1",
          name: "#1001",
          createdAt: "2026-01-01T00:00:00Z",
          customerId: null,
          lines: [
            {
              id: "l1",
              productId: "9",
              variantId: "91",
              quantity: 1,
              price: 500,
            },
          ],
        },
        referenceId: "r",
        offerStatus: 200,
        offer: null,
        signStatus: null,
        token: null,
        decoded: null,
      },
      {
        products: new Map([
          [
            "9",
            {
              id: "9",
              title: "<script>alert(1)</script>",
              handle: "x",
              productType: "",
              vendor: "",
              tags: [],
              collections: [],
              variants: [],
            },
          ],
        ]),
        currency: "USD",
        orderIndex: 0,
        orderCount: 1,
      },
    );
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("made no offer");
  });
});
