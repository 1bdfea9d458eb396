import { describe, expect, it, vi } from "vitest";
import {
  type ReactElement,
  type ReactNode,
  createElement,
  isValidElement,
} from "react";
import { renderToStaticMarkup } from "react-dom/server";
import {
  type CalculatedPurchase,
  type PostPurchaseOfferPayload,
  acceptOffer,
  calculatedLinePrice,
  changesFor,
  chargeSummary,
  clampQuantity,
  decimalToMinor,
  declineOffer,
  minorToDecimal,
  offerLinePrice,
  offerRequestBody,
  presentmentCurrencyOf,
  requestOffer,
} from "./contract";
import { OfferScreen, type OfferScreenProps } from "./OfferScreen";
import { SCREEN_MESSAGES } from "./messages";

// The real components need React 17 and Shopify's checkout host. Stand-ins render each component
// as a tag named after it, with its text props, so the markup shows what the buyer would see.
vi.mock("@shopify/post-purchase-ui-extensions-react", async () => {
  const { createElement: h } = await import("react");
  const stub =
    (name: string) =>
    ({
      children,
      ...props
    }: { children?: ReactNode } & Record<string, unknown>) =>
      h(
        `x-${name.toLowerCase()}`,
        Object.fromEntries(
          Object.entries(props)
            .filter(([, v]) => typeof v === "string" || typeof v === "boolean")
            .map(([k, v]) => [k.toLowerCase(), String(v)]),
        ),
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
    ].map((name) => [name, stub(name)]),
  );
});

/**
 * What `calculateChangeset` answers for the offer (variant 201, 10% off) on an order paid in
 * euros: the order's own line, then the added one; its unit price €23.00, the line after the
 * discount €20.70 a unit.
 */
function euroPurchase(quantity: number): CalculatedPurchase {
  const bag = (usd: string, eur: string) => ({
    shopMoney: { amount: usd, currencyCode: "USD" },
    presentmentMoney: { amount: eur, currencyCode: "EUR" },
  });
  const line = minorToDecimal(2070 * quantity, "EUR");
  return {
    totalOutstandingSet: bag(minorToDecimal(2250 * quantity, "USD"), line),
    updatedLineItems: [
      {
        variantId: 101,
        quantity: 2,
        priceSet: bag("59.00", "54.28"),
        totalPriceSet: bag("118.00", "108.56"),
      },
      {
        variantId: 201,
        quantity,
        priceSet: bag("25.00", "23.00"),
        totalPriceSet: bag(minorToDecimal(2250 * quantity, "USD"), line),
      },
    ],
    addedShippingLines: [],
    addedTaxLines: [],
  };
}

const offer: PostPurchaseOfferPayload = {
  referenceId: "ref-1",
  productId: "2",
  variantId: "201",
  title: "Pour-over kettle",
  variantTitle: "Matte black",
  imageUrl: "https://cdn.example/kettle.png",
  reason: "Often bought with Coffee grinder",
  currency: "USD",
  priceMinor: 2500,
  discountedPriceMinor: 2250,
  discount: { value: 10, valueType: "percentage", title: "10% off" },
  minQuantity: 1,
  maxQuantity: 3,
};

/** The offer's own figures, as shown to a buyer paying in the shop's currency (USD). */
const shopPrice = offerLinePrice(offer, 1, null, "USD");

function props(overrides: Partial<OfferScreenProps> = {}): OfferScreenProps {
  return {
    offer,
    quantity: 1,
    price: shopPrice,
    charges: null,
    busy: false,
    error: null,
    onQuantityChange: vi.fn(),
    onAccept: vi.fn(),
    onDecline: vi.fn(),
    ...overrides,
  };
}

/** Every element in the tree OfferScreen returns (it is a plain function of its props). */
function elements(node: ReactNode): ReactElement[] {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (!isValidElement(node)) return [];
  const children = (node.props as { children?: ReactNode }).children;
  return [node, ...elements(children)];
}

function text(node: ReactNode): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(text).join("");
  if (isValidElement(node))
    return text((node.props as { children?: ReactNode }).children);
  return "";
}

function button(tree: ReactNode, label: RegExp) {
  const found = elements(tree).find(
    (e) =>
      typeof e.type === "function" &&
      (e.type as { name?: string }).name !== "OfferScreen" &&
      "onPress" in (e.props as object) &&
      label.test(text(e)),
  );
  if (!found) throw new Error(`No button labelled ${label}`);
  return found.props as { onPress: () => void; disabled?: boolean };
}

describe("the offer screen", () => {
  it("shows the product, the discounted and original price, the discount, the reason and the quantity choices", () => {
    const html = renderToStaticMarkup(createElement(OfferScreen, props()));
    expect(html).toContain("Pour-over kettle");
    expect(html).toContain("Matte black");
    expect(html).toContain("$22.50");
    expect(html).toContain("$25.00");
    expect(html).toContain("10% off");
    expect(html).toContain("Often bought with Coffee grinder");
    expect(html).toContain('source="https://cdn.example/kettle.png"');
    const select = elements(OfferScreen(props())).find(
      (e) => (e.props as { label?: string }).label === "Quantity",
    );
    expect(
      (select?.props as { options: { value: string }[] }).options.map(
        (o) => o.value,
      ),
    ).toEqual(["1", "2", "3"]);
  });

  it("shows every word of the screen in the buyer's French, none in English", () => {
    const html = renderToStaticMarkup(
      createElement(
        OfferScreen,
        props({
          locale: "fr-FR",
          offer: { ...offer, reason: "Souvent acheté avec Moulin à café" },
          price: {
            currency: "EUR",
            quantity: 1,
            priceMinor: 2300,
            discountedPriceMinor: 2070,
          },
          charges: {
            currency: "EUR",
            shippingMinor: 500,
            taxesMinor: 450,
            totalMinor: 3200,
          },
          error: SCREEN_MESSAGES.fr.failed,
        }),
      ),
    );
    const select = elements(OfferScreen(props({ locale: "fr" }))).find(
      (e) => "options" in (e.props as object),
    );
    const shown = `${html} ${(select?.props as { label: string }).label}`;
    expect(shown).toContain("Ajoutez ceci à votre commande");
    expect(shown).toContain("Quantité");
    expect(shown).toMatch(/10\s%\sde remise/);
    expect(shown).toMatch(/Payer maintenant · 32,00\s€/);
    expect(shown).toMatch(/20,70\s€/);
    expect(shown).not.toContain("$");
    const english = Object.values(SCREEN_MESSAGES.en).flatMap((message) =>
      message
        .split(/\{\w+\}/)
        .map((words) => words.trim())
        .filter(Boolean),
    );
    for (const words of english) {
      const escaped = words.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      expect(shown).not.toMatch(
        new RegExp(`(^|[^\\p{L}])${escaped}($|[^\\p{L}])`, "u"),
      );
    }
  });

  it("shows what accepting will charge once Shopify has calculated it", () => {
    const html = renderToStaticMarkup(
      createElement(
        OfferScreen,
        props({
          charges: {
            currency: "EUR",
            shippingMinor: 0,
            taxesMinor: 410,
            totalMinor: 2360,
          },
        }),
      ),
    );
    expect(html).toContain("Taxes: €4.10");
    expect(html).toContain("Total: €23.60");
    expect(html).toContain("Pay now · €23.60");
  });

  it("shows a buyer paying in euros the offer's price as Shopify calculated it in euros, never the shop's dollars", () => {
    const price = offerLinePrice(offer, 1, euroPurchase(1), "EUR");
    const html = renderToStaticMarkup(
      createElement(
        OfferScreen,
        props({
          price,
          charges: chargeSummary(euroPurchase(1)),
        }),
      ),
    );
    expect(html).toContain("€20.70");
    expect(html).toContain("€23.00");
    expect(html).toContain("10% off");
    expect(html).toContain("Pay now · €20.70");
    expect(html).not.toContain("$");
    expect(button(OfferScreen(props({ price })), /Pay now/).disabled).toBe(
      false,
    );
  });

  it("until Shopify has priced the offer, shows a buyer paying in another currency no amount, and no way to pay yet", () => {
    const price = offerLinePrice(offer, 1, null, "EUR");
    expect(price).toBeNull();
    const tree = OfferScreen(props({ price }));
    const html = renderToStaticMarkup(tree);
    expect(html).toContain("Calculating your price…");
    expect(html).not.toMatch(/[$€]|\d[.,]\d\d/);
    expect(html).not.toContain("10% off");
    expect(button(tree, /Pay now/).disabled).toBe(true);
    // When Shopify cannot price it, the buyer reads why instead.
    const failed = renderToStaticMarkup(
      OfferScreen(props({ price, error: "This offer is not available." })),
    );
    expect(failed).toContain("This offer is not available.");
    expect(failed).not.toContain("Calculating");
  });

  it("strikes no price through when Shopify priced the line without a discount", () => {
    const html = renderToStaticMarkup(
      createElement(
        OfferScreen,
        props({
          price: {
            currency: "EUR",
            quantity: 1,
            priceMinor: 2300,
            discountedPriceMinor: 2300,
          },
        }),
      ),
    );
    expect(html).toContain("€23.00");
    expect(html).not.toContain('role="deletion"');
    expect(html).not.toContain("10% off");
  });

  it("declines through the decline button and never accepts", () => {
    const p = props();
    button(OfferScreen(p), /Decline this offer/).onPress();
    expect(p.onDecline).toHaveBeenCalledOnce();
    expect(p.onAccept).not.toHaveBeenCalled();
  });

  it("accepts through the pay button and reports a quantity change", () => {
    const p = props();
    const tree = OfferScreen(p);
    button(tree, /Pay now/).onPress();
    expect(p.onAccept).toHaveBeenCalledOnce();
    const select = elements(tree).find(
      (e) => (e.props as { label?: string }).label === "Quantity",
    );
    (select?.props as { onChange: (v: string) => void }).onChange("3");
    expect(p.onQuantityChange).toHaveBeenCalledWith(3);
  });

  it("disables decline while an acceptance is in flight and shows the error", () => {
    const tree = OfferScreen(props({ busy: true, error: "Offer gone." }));
    expect(button(tree, /Decline/).disabled).toBe(true);
    expect(renderToStaticMarkup(tree)).toContain("Offer gone.");
  });

  it("offers no quantity choice when only one unit can be added", () => {
    const tree = OfferScreen(props({ offer: { ...offer, maxQuantity: 1 } }));
    expect(
      elements(tree).some(
        (e) => (e.props as { label?: string }).label === "Quantity",
      ),
    ).toBe(false);
  });
});

describe("offer requests", () => {
  it("sends the order's reference id and distinct product ids with the checkout token", async () => {
    const fetchFn = vi.fn(async () => Response.json({ offer }));
    const result = await requestOffer(fetchFn, "https://app.test", "tok", {
      referenceId: "ref-1",
      lineItems: [
        { product: { id: 1 }, quantity: 1 },
        { product: { id: 1 }, quantity: 2 },
        { product: { id: 7 }, quantity: 1 },
      ],
    });
    expect(result).toEqual(offer);
    const [url, init] = fetchFn.mock.calls[0] as unknown as [
      string,
      RequestInit,
    ];
    expect(url).toBe("https://app.test/api/post-purchase/offer");
    expect((init.headers as Record<string, string>).Authorization).toBe(
      "Bearer tok",
    );
    expect(JSON.parse(init.body as string)).toEqual({
      referenceId: "ref-1",
      productIds: ["1", "7"],
    });
  });

  it("renders nothing rather than failing when the app refuses, answers nonsense or is unreachable", async () => {
    const purchase = { referenceId: "r", lineItems: [] };
    const answers = [
      async () => new Response("no", { status: 401 }),
      async () => Response.json({ offer: null }),
      async () => Response.json({ offer: { ...offer, variantId: "x" } }),
      async () => Response.json({ offer: { ...offer, maxQuantity: 0 } }),
      async () => {
        throw new TypeError("Failed to fetch");
      },
    ];
    for (const answer of answers)
      expect(
        await requestOffer(answer, "https://app.test", "t", purchase),
      ).toBeNull();
  });

  it("builds the changes from the offer, keeping the quantity inside its bounds", () => {
    expect(changesFor(offer, 2)).toEqual([
      {
        type: "add_variant",
        variantID: 201,
        quantity: 2,
        discount: { value: 10, valueType: "percentage", title: "10% off" },
      },
    ]);
    expect(changesFor(offer, 9)[0].quantity).toBe(3);
    expect(clampQuantity(offer, 0)).toBe(1);
    expect(clampQuantity(offer, Number.NaN)).toBe(1);
    expect(
      offerRequestBody({ referenceId: "r", lineItems: [] }).productIds,
    ).toEqual([]);
  });
});

describe("accept and decline", () => {
  function harness(signAnswer: () => Promise<Response>) {
    const log: string[] = [];
    const fetchFn = vi.fn(async (url: string, init: RequestInit) => {
      log.push(`sign ${init.body}`);
      void url;
      return signAnswer();
    });
    const actions = {
      token: "checkout-token",
      referenceId: "ref-1",
      calculateChangeset: vi.fn(async () => {
        log.push("calculate");
        return { status: "processed" };
      }),
      applyChangeset: vi.fn(async (token: string) => {
        log.push(`apply ${token}`);
        return { status: "processed" };
      }),
      done: vi.fn(async () => {
        log.push("done");
      }),
    };
    return { log, fetchFn, actions };
  }

  it("accept: calculates, has the app sign exactly the offered changes, applies the signed token, then leaves", async () => {
    const { log, fetchFn, actions } = harness(async () =>
      Response.json({ token: "signed.jwt.here" }),
    );
    const result = await acceptOffer(
      fetchFn,
      "https://app.test",
      actions,
      offer,
      2,
    );
    expect(result).toEqual({ status: "accepted" });
    expect(log).toEqual([
      "calculate",
      `sign ${JSON.stringify({ referenceId: "ref-1", changes: changesFor(offer, 2) })}`,
      "apply signed.jwt.here",
      "done",
    ]);
    expect(fetchFn.mock.calls[0][0]).toBe(
      "https://app.test/api/post-purchase/sign-changeset",
    );
    // calculateChangeset takes `variantId`; only the signed changeset spells it `variantID`.
    expect(actions.calculateChangeset).toHaveBeenCalledWith({
      changes: [
        {
          type: "add_variant",
          variantId: 201,
          quantity: 2,
          discount: { value: 10, valueType: "percentage", title: "10% off" },
        },
      ],
    });
  });

  it("accept: sends the buyer's locale with the changes, so the app signs the discount's title in their language", async () => {
    const { fetchFn, actions } = harness(async () =>
      Response.json({ token: "signed.jwt.here" }),
    );
    const french = {
      ...offer,
      discount: { ...offer.discount!, title: "10 % de remise" },
    };
    await acceptOffer(
      fetchFn,
      "https://app.test",
      { ...actions, locale: "fr-FR" },
      french,
      1,
    );
    expect(JSON.parse(String(fetchFn.mock.calls[0][1].body))).toEqual({
      referenceId: "ref-1",
      changes: changesFor(french, 1),
      locale: "fr-FR",
    });
  });

  it("accept: when the app refuses to sign, nothing is applied and the buyer stays with a message", async () => {
    const { fetchFn, actions } = harness(async () =>
      Response.json({ error: "already accepted" }, { status: 409 }),
    );
    const result = await acceptOffer(
      fetchFn,
      "https://app.test",
      actions,
      offer,
      1,
    );
    expect(result).toEqual({
      status: "failed",
      message: "This offer is no longer available.",
    });
    expect(actions.applyChangeset).not.toHaveBeenCalled();
    expect(actions.done).not.toHaveBeenCalled();
  });

  it("accept: a changeset Shopify will not process is never sent for signing", async () => {
    const { fetchFn, actions } = harness(async () =>
      Response.json({ token: "t" }),
    );
    actions.calculateChangeset.mockResolvedValueOnce({ status: "unprocessed" });
    const result = await acceptOffer(
      fetchFn,
      "https://app.test",
      actions,
      offer,
      1,
    );
    expect(result.status).toBe("failed");
    expect(fetchFn).not.toHaveBeenCalled();
  });

  it("decline: leaves the page without asking the app for anything", async () => {
    const { fetchFn, actions } = harness(async () =>
      Response.json({ token: "t" }),
    );
    await declineOffer(actions);
    expect(actions.done).toHaveBeenCalledOnce();
    expect(fetchFn).not.toHaveBeenCalled();
    expect(actions.applyChangeset).not.toHaveBeenCalled();
  });
});

describe("charges", () => {
  it("parses Shopify's decimal strings into minor units without floats", () => {
    expect(decimalToMinor("22.5", "USD")).toBe(2250);
    expect(decimalToMinor("0.10", "EUR")).toBe(10);
    expect(decimalToMinor("1500", "JPY")).toBe(1500);
    expect(decimalToMinor("1.005", "KWD")).toBe(1005);
    expect(() => decimalToMinor("1.234", "USD")).toThrow(RangeError);
  });

  it("sums added shipping and taxes and reads the total to pay now", () => {
    expect(
      chargeSummary({
        totalOutstandingSet: {
          presentmentMoney: { amount: "27.10", currencyCode: "CAD" },
        },
        addedShippingLines: [
          {
            priceSet: {
              presentmentMoney: { amount: "2.00", currencyCode: "CAD" },
            },
          },
        ],
        addedTaxLines: [
          {
            priceSet: {
              presentmentMoney: { amount: "1.35", currencyCode: "CAD" },
            },
          },
          {
            priceSet: {
              presentmentMoney: { amount: "1.25", currencyCode: "CAD" },
            },
          },
        ],
      }),
    ).toEqual({
      currency: "CAD",
      shippingMinor: 200,
      taxesMinor: 260,
      totalMinor: 2710,
    });
    expect(chargeSummary(null)).toBeNull();
    expect(
      chargeSummary({
        totalOutstandingSet: {
          presentmentMoney: { amount: "1.00", currencyCode: "CAD" },
        },
        addedTaxLines: [
          {
            priceSet: {
              presentmentMoney: { amount: "1.00", currencyCode: "USD" },
            },
          },
        ],
      }),
    ).toBeNull();
  });
});

describe("prices in the buyer's currency", () => {
  it("reads the offered line of Shopify's calculation in the presentment currency, for the quantity chosen", () => {
    expect(calculatedLinePrice(euroPurchase(1), offer, 1)).toEqual({
      currency: "EUR",
      quantity: 1,
      priceMinor: 2300,
      discountedPriceMinor: 2070,
    });
    // Two units: the unit price twice before the discount, the line's total after it.
    expect(calculatedLinePrice(euroPurchase(2), offer, 2)).toEqual({
      currency: "EUR",
      quantity: 2,
      priceMinor: 4600,
      discountedPriceMinor: 4140,
    });
    // A calculation for another quantity (the buyer changed it meanwhile) is not this one's.
    expect(calculatedLinePrice(euroPurchase(1), offer, 2)).toBeNull();
    expect(calculatedLinePrice(null, offer, 1)).toBeNull();
    expect(calculatedLinePrice({}, offer, 1)).toBeNull();
  });

  it("takes the added line when the order already had the variant, and nothing from a line whose amounts disagree", () => {
    const calculated = euroPurchase(1);
    const added = calculated.updatedLineItems![1];
    calculated.updatedLineItems!.unshift({
      ...added,
      totalPriceSet: added.priceSet,
    });
    expect(
      calculatedLinePrice(calculated, offer, 1)?.discountedPriceMinor,
    ).toBe(2070);
    const mixed: CalculatedPurchase = {
      updatedLineItems: [
        {
          ...added,
          totalPriceSet: {
            presentmentMoney: { amount: "22.50", currencyCode: "USD" },
          },
        },
      ],
    };
    expect(calculatedLinePrice(mixed, offer, 1)).toBeNull();
  });

  it("shows the app's shop-currency figures only to a buyer paying in the shop's currency, until Shopify's answer replaces them", () => {
    expect(offerLinePrice(offer, 2, null, "usd")).toEqual({
      currency: "USD",
      quantity: 2,
      priceMinor: 5000,
      discountedPriceMinor: 4500,
    });
    expect(offerLinePrice(offer, 1, null, "EUR")).toBeNull();
    expect(offerLinePrice(offer, 1, null, null)).toBeNull();
    expect(offerLinePrice(offer, 1, euroPurchase(1), "EUR")?.currency).toBe(
      "EUR",
    );
    // Shopify's figures win over the app's even in the shop's currency.
    const usd = euroPurchase(1);
    usd.updatedLineItems![1].totalPriceSet!.presentmentMoney = {
      amount: "22.49",
      currencyCode: "USD",
    };
    usd.updatedLineItems![1].priceSet!.presentmentMoney = {
      amount: "25.00",
      currencyCode: "USD",
    };
    expect(offerLinePrice(offer, 1, usd, "USD")?.discountedPriceMinor).toBe(
      2249,
    );
  });

  it("reads the buyer's currency from the initial purchase", () => {
    expect(
      presentmentCurrencyOf({
        totalPriceSet: {
          shopMoney: { amount: "118.00", currencyCode: "USD" },
          presentmentMoney: { amount: "108.56", currencyCode: "EUR" },
        },
      }),
    ).toBe("EUR");
    expect(presentmentCurrencyOf({})).toBeNull();
    expect(presentmentCurrencyOf(undefined)).toBeNull();
  });

  it("writes minor units as Shopify's decimal strings, and reads them back unchanged", () => {
    expect(minorToDecimal(2070, "EUR")).toBe("20.70");
    expect(minorToDecimal(5, "EUR")).toBe("0.05");
    expect(minorToDecimal(-250, "USD")).toBe("-2.50");
    expect(minorToDecimal(1500, "JPY")).toBe("1500");
    expect(minorToDecimal(1005, "KWD")).toBe("1.005");
    for (const [minor, currency] of [
      [0, "EUR"],
      [99, "USD"],
      [123_456_789, "GBP"],
      [7, "JPY"],
      [10_001, "BHD"],
    ] as const)
      expect(decimalToMinor(minorToDecimal(minor, currency), currency)).toBe(
        minor,
      );
    expect(() => minorToDecimal(1.5, "EUR")).toThrow(RangeError);
  });
});
