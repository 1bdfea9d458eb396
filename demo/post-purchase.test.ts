import { describe, expect, it, vi } from "vitest";
import { type FunctionComponent, type ReactNode, createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import {
  API_KEY,
  API_SECRET_KEY,
  APP_URL,
} from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import { action as offerAction } from "~/routes/api.post-purchase.offer";
import { action as signAction } from "~/routes/api.post-purchase.sign-changeset";
import { action as ordersWebhook } from "~/routes/webhooks.orders";
import { signJwt } from "~/services/platform/jwt.server";
import {
  type PostPurchaseOfferPayload,
  calculationChangesFor,
  decimalToMinor,
  offerLinePrice,
} from "../extensions/cartlift-post-purchase/src/contract";
import {
  calculateChangesetStandIn,
  decodeSignedChangeset,
  mintCheckoutToken,
  offerScreenHtml,
  postPurchaseDemoHtml,
  runPostPurchaseDemo,
} from "./post-purchase";
import { demoPresentmentMinor } from "./storefront";
import { demoOrder } from "../test/fixtures";
import type { DemoProduct } from "./shop";

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

/** Two $59 units of product 1, the order the currency tests play. */
const order = demoOrder({
  productId: "1",
  variantId: "11",
  quantity: 2,
  price: 5900,
});

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
      // Paid in euros: checkout hands the extension the total in both currencies.
      totalPriceSet: {
        shopMoney: { amount: "20.00", currencyCode: "USD" },
        presentmentMoney: { amount: "18.40", currencyCode: "EUR" },
      },
    });
    expect(
      decodeSignedChangeset(token, API_SECRET_KEY).claims.input_data,
    ).toMatchObject({
      initialPurchase: {
        totalPriceSet: { presentmentMoney: { currencyCode: "EUR" } },
      },
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
    const price = offerLinePrice(offer, 1, null, "EUR");
    const extension = (locale: string, shown = price) =>
      renderToStaticMarkup(
        createElement(OfferScreen, {
          offer,
          quantity: 1,
          price: shown,
          charges: null,
          busy: false,
          error: null,
          locale,
          onQuantityChange: () => {},
          onAccept: () => {},
          onDecline: () => {},
        }),
      );
    expect(words(offerScreenHtml(offer, price))).toEqual(
      words(extension("en")),
    );
    expect(words(offerScreenHtml(offer, price, "fr"))).toEqual(
      words(extension("fr")),
    );
    // Before a price in the buyer's currency is known, both say it is being calculated.
    expect(words(offerScreenHtml(offer, null, "fr"))).toEqual(
      words(extension("fr", null)),
    );
    expect(offerScreenHtml(offer, null)).toContain("Calculating your price…");
  });

  /** The page for a sample order the app made no offer for, of a product named like a script. */
  const pageFor = (locale?: string) =>
    postPurchaseDemoHtml(
      {
        order: demoOrder({
          productId: "9",
          variantId: "91",
          quantity: 1,
          price: 500,
        }),
        presentmentCurrency: "USD",
        referenceId: "r",
        offerStatus: 200,
        offer: null,
        calculation: null,
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

  it("names the French page and its buyer's screen in French, and marks the demo's notes as English", () => {
    const offer: PostPurchaseOfferPayload = {
      referenceId: "r",
      productId: "2",
      variantId: "21",
      title: "Bouilloire",
      variantTitle: "Default Title",
      imageUrl: null,
      reason: "Souvent acheté avec Moulin",
      currency: "EUR",
      priceMinor: 2500,
      discountedPriceMinor: 2500,
      discount: null,
      minQuantity: 1,
      maxQuantity: 1,
    };
    expect(offerScreenHtml(offer, null, "fr")).toContain(
      'aria-label="L’offre telle que l’acheteur la voit"',
    );
    expect(offerScreenHtml(offer, null)).toContain(
      'aria-label="The offer as the buyer sees it"',
    );
    const french = pageFor("fr");
    expect(french).toMatch(/<html lang="fr">/);
    expect(french).toContain(
      "<title>Démo Cartlift : offre après l’achat</title>",
    );
    // What is not the buyer's is in English, and says so to the page and to the reader.
    const notes =
      /<section class="pp-dev" lang="en"[^>]*>([\s\S]*?)<\/section>/.exec(
        french,
      );
    expect(notes?.[1]).toContain("For developers");
    expect(notes?.[1]).toContain("in English whatever the buyer's language");
    expect(french).toMatch(
      /<p class="pp-none" lang="en">The app made no offer/,
    );
    expect(pageFor()).not.toContain("in English whatever");
  });

  it("prices the change in the order's presentment currency, as Shopify's calculateChangeset does", () => {
    const changes = [
      {
        type: "add_variant" as const,
        variantId: 21,
        quantity: 2,
        discount: {
          value: 10,
          valueType: "percentage" as const,
          title: "10 % de remise",
        },
      },
    ];
    const result = calculateChangesetStandIn({
      order,
      changes,
      variantPrices: new Map([["21", 2500]]),
      currency: "USD",
      presentmentCurrency: "EUR",
    });
    expect(result.status).toBe("processed");
    const purchase = result.calculatedPurchase!;
    const added = purchase.updatedLineItems!.find((l) => l.variantId === 21)!;
    // $25.00 at the demo's 0.92 is €23.00 a unit; two units €46.00, 10% off €41.40.
    expect(demoPresentmentMinor(2500, "EUR")).toBe(2300);
    expect(added.priceSet).toEqual({
      shopMoney: { amount: "25.00", currencyCode: "USD" },
      presentmentMoney: { amount: "23.00", currencyCode: "EUR" },
    });
    expect(added.totalPriceSet).toEqual({
      shopMoney: { amount: "45.00", currencyCode: "USD" },
      presentmentMoney: { amount: "41.40", currencyCode: "EUR" },
    });
    expect(purchase.totalOutstandingSet?.presentmentMoney).toEqual({
      amount: "41.40",
      currencyCode: "EUR",
    });
    // The order's own line is there too, converted the same way.
    expect(
      purchase.updatedLineItems!.find((l) => l.variantId === 11)?.totalPriceSet
        ?.presentmentMoney,
    ).toEqual({ amount: "108.56", currencyCode: "EUR" });
    // A variant the shop does not sell is refused, as Shopify refuses it.
    expect(
      calculateChangesetStandIn({
        order,
        changes: [{ ...changes[0], variantId: 99 }],
        variantPrices: new Map([["21", 2500]]),
        currency: "USD",
        presentmentCurrency: "EUR",
      }).status,
    ).toBe("unprocessed");
  });

  it("shows a buyer who paid in euros the offer in euros, and no dollar amount, on the French page", async () => {
    const shop = "demo-pp-eur.myshopify.com";
    await prisma.shop.create({ data: { shop, currency: "USD" } });
    await prisma.product.createMany({
      data: ["1", "2"].map((id) => ({
        shop,
        id,
        title: id === "1" ? "Tente" : "Bouilloire",
        handle: `p${id}`,
        updatedAt: new Date(),
      })),
    });
    await prisma.variant.createMany({
      data: [
        { id: "11", productId: "1", priceMinor: 5900 },
        { id: "21", productId: "2", priceMinor: 2500 },
      ].map((v) => ({
        shop,
        ...v,
        title: "Default",
        currency: "USD",
        inventoryQuantity: 4,
      })),
    });
    const routes: Record<string, typeof offerAction> = {
      "/api/post-purchase/offer": offerAction,
      "/api/post-purchase/sign-changeset": signAction,
      "/webhooks/orders": ordersWebhook,
    };
    const result = await runPostPurchaseDemo({
      appUrl: APP_URL,
      shop,
      apiKey: API_KEY,
      apiSecret: API_SECRET_KEY,
      order,
      currency: "USD",
      presentmentCurrency: "EUR",
      variantPrices: new Map([
        ["11", 5900],
        ["21", 2500],
      ]),
      locale: "fr",
      send: (request) =>
        routes[new URL(request.url).pathname]({
          request,
          params: {},
          context: {},
        }).catch((thrown: unknown) => {
          if (thrown instanceof Response) return thrown;
          throw thrown;
        }),
    });
    // The app's offer stays in the shop's currency: the facts the changeset is signed against.
    expect(result.offer).toMatchObject({
      variantId: "21",
      currency: "USD",
      priceMinor: 2500,
    });
    expect(result.signStatus).toBe(200);
    expect(result.calculation?.status).toBe("processed");

    const products = new Map<string, DemoProduct>(
      ["1", "2"].map((id) => [
        id,
        {
          id,
          title: id === "1" ? "Tente" : "Bouilloire",
          handle: `p${id}`,
          productType: "",
          vendor: "",
          tags: [],
          collections: [],
          variants: [],
        },
      ]),
    );
    const page = postPurchaseDemoHtml(result, {
      products,
      currency: "USD",
      orderIndex: 0,
      orderCount: 1,
      locale: "fr",
    });
    const screen = /<section class="pp-screen"[\s\S]*?<\/section>/.exec(
      page,
    )![0];
    const eur = (minor: number) =>
      new Intl.NumberFormat("fr", { style: "currency", currency: "EUR" })
        .format(minor / 100)
        .replace(/\s/g, " ");
    const shown = screen.replace(/\s/g, " ");
    const discounted = decimalToMinor(
      result.calculation!.calculatedPurchase!.updatedLineItems!.at(-1)!
        .totalPriceSet!.presentmentMoney!.amount,
      "EUR",
    );
    expect(shown).toContain(eur(demoPresentmentMinor(2500, "EUR")));
    expect(shown).toContain(eur(discounted));
    expect(discounted).toBeLessThan(demoPresentmentMinor(2500, "EUR"));
    expect(shown).not.toMatch(/\$|US|USD/);
    expect(shown).not.toContain(
      new Intl.NumberFormat("fr", { style: "currency", currency: "USD" })
        .format(25)
        .replace(/\s/g, " "),
    );
    // The developer's part says what the buyer paid in and shows the calculation.
    expect(page).toContain("Paid in EUR");
    expect(page).toContain('aria-label="Calculated changeset"');
    expect(page).toContain("currency=EUR");
    // Changing the quantity prices the change again, in euros too.
    const two = calculateChangesetStandIn({
      order,
      changes: calculationChangesFor(result.offer!, 2),
      variantPrices: new Map([["21", 2500]]),
      currency: "USD",
      presentmentCurrency: "EUR",
    });
    expect(
      offerLinePrice(result.offer!, 2, two.calculatedPurchase, "EUR"),
    ).toMatchObject({ currency: "EUR", priceMinor: 4600 });
  });
});
