import { beforeEach, describe, expect, it } from "vitest";
import { jwtVerify } from "jose";
import {
  API_KEY,
  API_SECRET_KEY,
  getJwt,
} from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import { forgetServingState } from "~/services/storefront/serving-cache.server";
import {
  action as offerAction,
  loader as offerLoader,
} from "~/routes/api.post-purchase.offer";
import { action as signAction } from "~/routes/api.post-purchase.sign-changeset";
import {
  type AddVariantChange,
  type PostPurchaseOfferPayload,
  changesFor,
  signChangesetBody,
} from "../../extensions/cartlift-post-purchase/src/contract";
import {
  DEFAULT_LOCALE,
  SHOPPER_LOCALES,
} from "~/services/platform/shopper-messages";

const STORE = "pp-shop";
const SHOP = `${STORE}.myshopify.com`;
const OTHER_STORE = "pp-other";
const OTHER_SHOP = `${OTHER_STORE}.myshopify.com`;
const APP = "https://my-test-app.myshopify.io";
const EXTENSION_ORIGIN = "https://extensions.shopifycdn.com";
const BROWSER =
  "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";

/** A post-purchase checkout token as Shopify signs it: the extension's input under input_data. */
async function checkoutToken(
  store: string,
  referenceId: string,
  // Two of product 1 by default: a $50 order, so the $25 product 2 is inside the offer's price band
  // (at most half the order just placed).
  {
    secret = API_SECRET_KEY,
    audience = API_KEY,
    productIds = [1],
    quantity = 2,
  } = {},
) {
  // getJwt's type lists the admin session token's claims; Shopify's post-purchase token adds
  // input_data, which the helper signs like any other claim.
  const overrides = {
    input_data: {
      shop: { domain: `${store}.myshopify.com` },
      initialPurchase: {
        referenceId,
        lineItems: productIds.map((id) => ({
          product: { id, variant: { id: id * 100 + 1 } },
          quantity,
        })),
      },
    },
  } as Parameters<typeof getJwt>[3];
  const { token } = await getJwt(store, audience, secret, overrides);
  return token;
}

function post(path: string, token: string | null, body: unknown) {
  const headers: Record<string, string> = {
    "User-Agent": BROWSER,
    Origin: EXTENSION_ORIGIN,
    "Content-Type": "application/json",
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  return new Request(`${APP}${path}`, {
    method: "POST",
    headers,
    body: JSON.stringify(body),
  });
}

const settle = (promise: Promise<Response>) =>
  promise.catch((thrown: unknown) => {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  });

const askOffer = (token: string | null, body: unknown) =>
  settle(
    offerAction({
      request: post("/api/post-purchase/offer", token, body),
      params: {},
      context: {},
    }),
  );

const askSignature = (token: string | null, body: unknown) =>
  settle(
    signAction({
      request: post("/api/post-purchase/sign-changeset", token, body),
      params: {},
      context: {},
    }),
  );

async function seedShop(shop: string) {
  await prisma.shop.create({ data: { shop, currency: "USD" } });
  await prisma.product.createMany({
    data: ["1", "2"].map((id) => ({
      shop,
      id,
      title: `Product ${id}`,
      handle: `product-${id}`,
      updatedAt: new Date(),
    })),
  });
  await prisma.variant.createMany({
    data: ["1", "2"].map((id) => ({
      shop,
      id: `${id}01`,
      productId: id,
      title: "Default",
      priceMinor: 2500,
      currency: "USD",
      inventoryQuantity: 3,
    })),
  });
}

beforeEach(async () => {
  // One database per file: each test starts from two freshly seeded shops.
  for (const shop of [SHOP, OTHER_SHOP]) {
    await prisma.postPurchaseOffer.deleteMany({ where: { shop } });
    await prisma.placementSetting.deleteMany({ where: { shop } });
    await prisma.product.deleteMany({ where: { shop } });
    await prisma.shop.deleteMany({ where: { shop } });
    await seedShop(shop);
    // Tests write settings straight to the database: nothing cached from the last test serves.
    forgetServingState(shop);
  }
});

async function offerFor(referenceId: string) {
  const response = await askOffer(await checkoutToken(STORE, referenceId), {
    referenceId,
    productIds: ["1"],
  });
  expect(response.status).toBe(200);
  const { offer } = (await response.json()) as {
    offer: PostPurchaseOfferPayload;
  };
  expect(offer).not.toBeNull();
  return offer;
}

/** The one change of the changeset an answer signed, its signature checked. */
async function signedChange(response: Response): Promise<AddVariantChange> {
  expect(response.status).toBe(200);
  const { token } = (await response.json()) as { token: string };
  const { payload } = await jwtVerify(
    token,
    new TextEncoder().encode(API_SECRET_KEY),
  );
  return (payload.changes as AddVariantChange[])[0];
}

async function signedRows() {
  return prisma.postPurchaseOffer.count({ where: { signedAt: { not: null } } });
}

describe("POST /api/post-purchase/offer", () => {
  it("offers a product from the order's context with a margin-safe discount and stock-capped quantity", async () => {
    const offer = await offerFor("ref-1");

    expect(offer).toMatchObject({
      referenceId: "ref-1",
      productId: "2",
      variantId: "201",
      title: "Product 2",
      currency: "USD",
      priceMinor: 2500,
      discountedPriceMinor: 2250,
      discount: { value: 10, valueType: "percentage", title: "10% off" },
      minQuantity: 1,
      maxQuantity: 3,
    });
    const stored = await prisma.postPurchaseOffer.findUnique({
      where: { shop_referenceId: { shop: SHOP, referenceId: "ref-1" } },
    });
    expect(stored).toMatchObject({
      variantId: "201",
      priceMinor: 2500,
      discountBps: 1000,
      maxQuantity: 3,
      signedAt: null,
    });
  });

  it("offers nothing dearer than half the order just placed, as the checkout token's lines price it", async () => {
    const token = await checkoutToken(STORE, "ref-small", { quantity: 1 });
    const response = await askOffer(token, {
      referenceId: "ref-small",
      productIds: ["1"],
    });
    expect(response.status).toBe(200);
    // One $25 item: the only other product, also $25, is out of the band.
    expect(await response.json()).toEqual({ offer: null });
  });

  it("gives the reason in the buyer's language, English when the app does not speak it", async () => {
    const reasonIn = async (referenceId: string, locale: string) => {
      const response = await askOffer(await checkoutToken(STORE, referenceId), {
        referenceId,
        productIds: ["1"],
        locale,
      });
      return ((await response.json()) as { offer: PostPurchaseOfferPayload })
        .offer.reason;
    };
    const english = await reasonIn("ref-en", "en-US");
    const french = await reasonIn("ref-fr", "fr-CA");
    expect(english).not.toBe("");
    expect(french).not.toBe(english);
    expect(await reasonIn("ref-de", "de-DE")).toBe(english);
  });

  it("adds CORS headers for the extension's origin and answers the preflight", async () => {
    const response = await askOffer(await checkoutToken(STORE, "ref-cors"), {
      referenceId: "ref-cors",
      productIds: ["1"],
    });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");

    const preflight = await settle(
      offerLoader({
        request: new Request(`${APP}/api/post-purchase/offer`, {
          method: "OPTIONS",
          headers: {
            "User-Agent": BROWSER,
            Origin: EXTENSION_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
          },
        }),
        params: {},
        context: {},
      }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("Access-Control-Allow-Origin")).toBe("*");
    expect(preflight.headers.get("Access-Control-Allow-Headers")).toMatch(
      /Authorization/,
    );
  });

  it("offers nothing when the merchant turned the post-purchase placement off", async () => {
    await prisma.placementSetting.create({
      data: { shop: SHOP, placement: "post_purchase", enabled: false },
    });
    const response = await askOffer(await checkoutToken(STORE, "ref-off"), {
      referenceId: "ref-off",
      productIds: ["1"],
    });
    expect(await response.json()).toEqual({ offer: null });
    expect(await prisma.postPurchaseOffer.count()).toBe(0);
  });

  it("never offers a product that is out of stock", async () => {
    await prisma.variant.update({
      where: { shop_id: { shop: SHOP, id: "201" } },
      data: { inventoryQuantity: 0 },
    });
    const response = await askOffer(await checkoutToken(STORE, "ref-oos"), {
      referenceId: "ref-oos",
      productIds: ["1"],
    });
    expect(await response.json()).toEqual({ offer: null });
  });

  it("refuses a token signed with another secret", async () => {
    const forged = await checkoutToken(STORE, "ref-forged", {
      secret: "not-the-app-secret",
    });
    const response = await askOffer(forged, {
      referenceId: "ref-forged",
      productIds: ["1"],
    });
    expect(response.status).toBe(401);
    expect(await prisma.postPurchaseOffer.count()).toBe(0);
  });

  it("refuses a correctly signed token issued to another app (audience), and signs nothing", async () => {
    const elsewhere = await checkoutToken(STORE, "ref-aud", {
      audience: "another-apps-api-key",
    });
    const offer = await askOffer(elsewhere, {
      referenceId: "ref-aud",
      productIds: ["1"],
    });
    expect(offer.status).toBe(403);
    expect(await prisma.postPurchaseOffer.count()).toBe(0);

    const made = await offerFor("ref-aud-sign");
    const signature = await askSignature(
      await checkoutToken(STORE, "ref-aud-sign", { audience: "" }),
      { referenceId: "ref-aud-sign", changes: changesFor(made, 1) },
    );
    expect(signature.status).toBe(403);
    expect(await signedRows()).toBe(0);
  });

  it("refuses a request without a token", async () => {
    const response = await askOffer(null, {
      referenceId: "ref-none",
      productIds: ["1"],
    });
    expect(response.status).toBe(401);
  });

  it("refuses a reference id other than the one in the token", async () => {
    const response = await askOffer(await checkoutToken(STORE, "ref-a"), {
      referenceId: "ref-b",
      productIds: ["1"],
    });
    expect(response.status).toBe(403);
    expect(await prisma.postPurchaseOffer.count()).toBe(0);
  });

  it("answers a malformed body with 400 and the reasons", async () => {
    const response = await askOffer(await checkoutToken(STORE, "ref-bad"), {
      referenceId: "",
      productIds: ["1; DROP"],
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { issues: string[] };
    expect(body.issues.join(" ")).toMatch(/referenceId/);
    expect(body.issues.join(" ")).toMatch(/productIds/);
  });

  it("returns the same offer when asked again for the same order", async () => {
    const first = await offerFor("ref-again");
    const second = await offerFor("ref-again");
    expect(second).toEqual(first);
    expect(await prisma.postPurchaseOffer.count()).toBe(1);
  });
});

describe("POST /api/post-purchase/sign-changeset", () => {
  it("signs the offered changes as an HS256 JWT with the claims Shopify requires", async () => {
    const offer = await offerFor("ref-ok");
    const before = Math.floor(Date.now() / 1000);

    const response = await askSignature(await checkoutToken(STORE, "ref-ok"), {
      referenceId: "ref-ok",
      changes: changesFor(offer, 2),
    });

    expect(response.status).toBe(200);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe("*");
    const { token } = (await response.json()) as { token: string };
    // Verified with jose, independently of the code that signed it.
    const { payload, protectedHeader } = await jwtVerify(
      token,
      new TextEncoder().encode(API_SECRET_KEY),
      { algorithms: ["HS256"], issuer: API_KEY, subject: "ref-ok" },
    );
    expect(protectedHeader.alg).toBe("HS256");
    expect(payload.jti).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.iat).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(payload.changes).toEqual([
      {
        type: "add_variant",
        variantID: 201,
        quantity: 2,
        discount: { value: 10, valueType: "percentage", title: "10% off" },
      },
    ]);
    const stored = await prisma.postPurchaseOffer.findUnique({
      where: { shop_referenceId: { shop: SHOP, referenceId: "ref-ok" } },
    });
    expect(stored?.signedJti).toBe(payload.jti);
    expect(stored?.signedQuantity).toBe(2);
  });

  it("titles the discount in the buyer's language, on the offer and on the signed order, in every language the storefront speaks", async () => {
    const titleIn = async (language: string) => {
      const referenceId = `ref-title-${language}`;
      const token = await checkoutToken(STORE, referenceId);
      const locale = `${language}-CA`;
      const offered = await askOffer(token, {
        referenceId,
        productIds: ["1"],
        locale,
      });
      const { offer } = (await offered.json()) as {
        offer: PostPurchaseOfferPayload;
      };
      const change = await signedChange(
        await askSignature(
          token,
          signChangesetBody(referenceId, changesFor(offer, 1), locale),
        ),
      );
      expect(change.discount?.title).toBe(offer.discount?.title);
      return offer.discount!.title;
    };
    const english = await titleIn(DEFAULT_LOCALE);
    expect(english).toBe("10% off");
    const others = Object.keys(SHOPPER_LOCALES).filter(
      (language) => language !== DEFAULT_LOCALE,
    );
    expect(others.length).toBeGreaterThan(0);
    for (const language of others) {
      const title = await titleIn(language);
      expect(title).toMatch(/10/);
      expect(title).not.toMatch(/\boff\b/);
    }
  });

  it("signs the offer for a buyer who switched language after it was shown, titled in their new language", async () => {
    const offer = await offerFor("ref-language");
    expect(offer.discount?.title).toBe("10% off");
    const change = await signedChange(
      await askSignature(
        await checkoutToken(STORE, "ref-language"),
        signChangesetBody("ref-language", changesFor(offer, 1), "fr"),
      ),
    );
    expect(change.discount).toMatchObject({ value: 10 });
    expect(change.discount?.title).toMatch(/^10\s%\sde remise$/);
  });

  it("refuses a discount title the app did not write, whatever the buyer's language, and signs nothing", async () => {
    const offer = await offerFor("ref-title-forged");
    const token = await checkoutToken(STORE, "ref-title-forged");
    const [change] = changesFor(offer, 1);
    for (const locale of ["en", "fr"]) {
      const response = await askSignature(
        token,
        signChangesetBody(
          "ref-title-forged",
          [{ ...change, discount: { ...change.discount!, title: "Free" } }],
          locale,
        ),
      );
      expect(response.status).toBe(422);
    }
    expect(await signedRows()).toBe(0);
  });

  it("refuses a forged checkout token and signs nothing", async () => {
    const offer = await offerFor("ref-forge");
    const forged = await checkoutToken(STORE, "ref-forge", {
      secret: "attacker",
    });
    const response = await askSignature(forged, {
      referenceId: "ref-forge",
      changes: changesFor(offer, 1),
    });
    expect(response.status).toBe(401);
    expect(await response.text()).not.toMatch(/token/);
    expect(await signedRows()).toBe(0);
  });

  it("refuses another variant, a bigger discount or a quantity beyond the offer, and still signs the offer afterwards", async () => {
    const offer = await offerFor("ref-tamper");
    const token = await checkoutToken(STORE, "ref-tamper");
    const [change] = changesFor(offer, 1);
    const tampered = [
      { ...change, variantID: 101 },
      { ...change, discount: { ...change.discount, value: 90 } },
      { ...change, discount: undefined },
      { ...change, quantity: offer.maxQuantity + 1 },
    ];
    for (const bad of tampered) {
      const response = await askSignature(token, {
        referenceId: "ref-tamper",
        changes: [bad],
      });
      expect(response.status).toBe(422);
      expect(await response.json()).toMatchObject({
        code: "changes_not_offered",
      });
    }
    const twoLines = await askSignature(token, {
      referenceId: "ref-tamper",
      changes: [change, change],
    });
    expect(twoLines.status).toBe(422);
    expect(await signedRows()).toBe(0);

    const honest = await askSignature(token, {
      referenceId: "ref-tamper",
      changes: [change],
    });
    expect(honest.status).toBe(200);
  });

  it("signs an offer once: a replayed request is refused", async () => {
    const offer = await offerFor("ref-replay");
    const token = await checkoutToken(STORE, "ref-replay");
    const body = { referenceId: "ref-replay", changes: changesFor(offer, 1) };

    const [first, second] = await Promise.all([
      askSignature(token, body),
      askSignature(token, body),
    ]);
    const statuses = [first.status, second.status].sort();
    expect(statuses).toEqual([200, 409]);

    const third = await askSignature(token, body);
    expect(third.status).toBe(409);
    expect(await signedRows()).toBe(1);

    // Nor can the buyer ask for a fresh offer on an order whose offer was accepted.
    const again = await askOffer(token, {
      referenceId: "ref-replay",
      productIds: ["1"],
    });
    expect(again.status).toBe(409);
  });

  it("refuses another shop's reference id: offers are looked up in the token's shop only", async () => {
    const offer = await offerFor("ref-shop-a");
    // A valid token for another shop that names shop A's order.
    const foreign = await checkoutToken(OTHER_STORE, "ref-shop-a");

    const response = await askSignature(foreign, {
      referenceId: "ref-shop-a",
      changes: changesFor(offer, 1),
    });

    expect(response.status).toBe(404);
    expect(await signedRows()).toBe(0);
  });

  it("refuses a reference id other than the token's", async () => {
    const offer = await offerFor("ref-mine");
    await offerFor("ref-theirs");
    const response = await askSignature(
      await checkoutToken(STORE, "ref-mine"),
      {
        referenceId: "ref-theirs",
        changes: changesFor(offer, 1),
      },
    );
    expect(response.status).toBe(403);
    expect(await signedRows()).toBe(0);
  });

  it("refuses an order for which no offer was made", async () => {
    const response = await askSignature(
      await checkoutToken(STORE, "ref-never"),
      {
        referenceId: "ref-never",
        changes: [{ type: "add_variant", variantID: 201, quantity: 1 }],
      },
    );
    expect(response.status).toBe(404);
  });

  it("refuses an offer older than an hour", async () => {
    const offer = await offerFor("ref-old");
    await prisma.postPurchaseOffer.update({
      where: { shop_referenceId: { shop: SHOP, referenceId: "ref-old" } },
      data: { createdAt: new Date(Date.now() - 2 * 60 * 60 * 1000) },
    });
    const response = await askSignature(await checkoutToken(STORE, "ref-old"), {
      referenceId: "ref-old",
      changes: changesFor(offer, 1),
    });
    expect(response.status).toBe(410);
    expect(await signedRows()).toBe(0);
  });
});
