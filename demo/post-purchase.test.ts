import { describe, expect, it, vi } from "vitest";
import { type FunctionComponent, type ReactNode, createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { API_KEY, API_SECRET_KEY } from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import { action as offerAction } from "~/routes/api.post-purchase.offer";
import { signJwt } from "~/services/platform/jwt.server";
import type { PostPurchaseOfferPayload } from "../extensions/cartlift-post-purchase/src/contract";
import {
  decodeSignedChangeset,
  mintCheckoutToken,
  offerScreenHtml,
  postPurchaseDemoHtml,
} from "./post-purchase";

// Shopify's post-purchase components only run inside checkout (and on React 17). Stand-ins render
// each one as a plain element with the text it shows: its text props (a banner's title, a
// select's label and options) and its children.
vi.mock("@shopify/post-purchase-ui-extensions-react", async () => {
  const { createElement: h } = await import("react");
  const stub =
    () =>
    ({
      children,
      title,
      label,
      options,
    }: {
      children?: ReactNode;
      title?: string;
      label?: string;
      options?: { label: string }[];
    }) =>
      h(
        "div",
        null,
        title ? h("p", null, title) : null,
        label ? h("p", null, label) : null,
        ...(options ?? []).map((o) => h("p", null, o.label)),
        children,
      );
  return Object.fromEntries(
    [
      "BlockStack",
      "Button",
      "CalloutBanner",
      "Heading",
      "Image",
      "Layout",
      "Select",
      "Separator",
      "Text",
      "TextBlock",
      "TextContainer",
      "View",
    ].map((name) => [name, stub()]),
  );
});

// The extension is its own package, type-checked against Shopify's types in its own tsconfig;
// a path the app's compiler does not follow keeps those types out of the app's program.
const OFFER_SCREEN = "../extensions/cartlift-post-purchase/src/OfferScreen";
const { OfferScreen } = (await import(/* @vite-ignore */ OFFER_SCREEN)) as {
  OfferScreen: FunctionComponent<Record<string, unknown>>;
};

/** The words a page shows, in reading order. */
const words = (html: string) =>
  html
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .split(/\s+/)
    .filter(Boolean);

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
      // Two $10 units: a $10 offer is within half of the order just placed.
      lineItems: [{ productId: "1", variantId: "11", quantity: 2 }],
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

  it("previews the offer with the words of the extension's own screen, in its order", () => {
    const offer: PostPurchaseOfferPayload = {
      referenceId: "r",
      productId: "2",
      variantId: "21",
      title: "Pour-over kettle",
      variantTitle: "Matte black",
      imageUrl: null,
      reason: "Often bought with Coffee grinder",
      currency: "EUR",
      priceMinor: 2500,
      discountedPriceMinor: 2250,
      discount: { value: 10, valueType: "percentage", title: "10% off" },
      minQuantity: 1,
      maxQuantity: 3,
    };
    const extension = (locale: string) =>
      renderToStaticMarkup(
        createElement(OfferScreen, {
          offer,
          quantity: 1,
          charges: null,
          busy: false,
          error: null,
          locale,
          onQuantityChange: () => {},
          onAccept: () => {},
          onDecline: () => {},
        }),
      );
    expect(words(offerScreenHtml(offer))).toEqual(words(extension("en")));
    expect(words(offerScreenHtml(offer, "fr"))).toEqual(words(extension("fr")));
  });

  /** The page for a sample order the app made no offer for, of a product named like a script. */
  const pageFor = (locale?: string) =>
    postPurchaseDemoHtml(
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
              refunded: 0,
              discount: 0,
            },
          ],
        },
        referenceId: "r",
        offerStatus: 200,
        offer: null,
        signStatus: null,
        token: null,
        decoded: null,
        webhooks: [],
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
        locale,
      },
    );

  it("escapes shop data in the page", () => {
    const html = pageFor();
    expect(html).not.toContain("<script>alert");
    expect(html).toContain("&lt;script&gt;");
    expect(html).toContain("made no offer");
  });

  it("confirms the order in the buyer's language", () => {
    expect(pageFor()).toContain("Order #1001 confirmed");
    const french = pageFor("fr");
    expect(french).toContain("Commande #1001 confirmée");
    expect(french).not.toContain("confirmed");
  });
});
