import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type {
  CartLineInput,
  CartLinesDiscountsGenerateRunInput,
  CartLinesDiscountsGenerateRunResult,
} from "./cart_lines_discounts_generate_run";
import { cartLinesDiscountsGenerateRun } from "./cart_lines_discounts_generate_run";

interface Fixture {
  description: string;
  input: CartLinesDiscountsGenerateRunInput;
  output: CartLinesDiscountsGenerateRunResult;
}

const fixturesDir = fileURLToPath(
  new URL("../tests/fixtures/", import.meta.url),
);
const fixtureNames = readdirSync(fixturesDir)
  .filter((name) => name.endsWith(".json"))
  .sort();

function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(`${fixturesDir}${name}`, "utf8")) as Fixture;
}

describe("bundle discount fixtures", () => {
  it("covers every scenario the issue asks for", () => {
    expect(fixtureNames).toEqual(
      expect.arrayContaining([
        "no-bundle.json",
        "exact-bundle.json",
        "bundle-x2-quantities.json",
        "partial-quantities.json",
        "two-bundles-overlapping-on-one-product.json",
        "margin-floor-caps-the-discount.json",
        "fixed-amount.json",
        "fixed-amount-in-another-currency.json",
        "invalid-configuration.json",
        "missing-configuration.json",
        "zero-decimal-currency-jpy.json",
      ]),
    );
  });

  it.each(fixtureNames)("%s", (name) => {
    const fixture = loadFixture(name);
    expect(cartLinesDiscountsGenerateRun(fixture.input)).toEqual(
      fixture.output,
    );
  });
});

// Property tests: whatever the cart and bundles, the output must respect the promises in the
// function's doc comment. Prices and values are generated in minor units of USD.
const PRODUCTS = 5;

interface GeneratedLine {
  product: number;
  quantity: number;
  priceMinor: number;
}

const lineArb = fc.record({
  product: fc.integer({ min: 1, max: PRODUCTS }),
  quantity: fc.integer({ min: 1, max: 4 }),
  priceMinor: fc.integer({ min: 1, max: 50_000 }),
});

const bundleArb: fc.Arbitrary<GeneratedBundle> = fc.record({
  products: fc.uniqueArray(fc.integer({ min: 1, max: PRODUCTS }), {
    minLength: 2,
    maxLength: 3,
  }),
  discountType: fc.constantFrom("percentage" as const, "fixed_amount" as const),
  value: fc.integer({ min: 1, max: 10_000 }),
  marginFloorBps: fc.integer({ min: 0, max: 9_000 }),
  cost: fc.option(fc.integer({ min: 0, max: 40_000 }), { nil: undefined }),
});

function formatUsd(minor: number): string {
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, "0")}`;
}

function toMinor(amount: string | number): number {
  const [whole, fraction = ""] = String(amount).split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

interface GeneratedBundle {
  products: number[];
  discountType: "percentage" | "fixed_amount";
  value: number;
  marginFloorBps: number;
  cost: number | undefined;
}

function buildInput(
  lines: GeneratedLine[],
  bundles: GeneratedBundle[],
): CartLinesDiscountsGenerateRunInput {
  const cartLines: CartLineInput[] = lines.map((line, i) => ({
    id: `gid://shopify/CartLine/${i}`,
    quantity: line.quantity,
    merchandise: {
      __typename: "ProductVariant",
      id: `gid://shopify/ProductVariant/${i}`,
      product: { id: `gid://shopify/Product/${line.product}` },
    },
    cost: {
      amountPerQuantity: {
        amount: formatUsd(line.priceMinor),
        currencyCode: "USD",
      },
    },
  }));
  return {
    cart: { lines: cartLines },
    discount: {
      discountClasses: ["PRODUCT"],
      metafield: {
        jsonValue: {
          currencyCode: "USD",
          bundles: bundles.map((bundle, i) => ({
            id: `b${i}`,
            title: `Bundle ${i}`,
            productIds: bundle.products.map(
              (p) => `gid://shopify/Product/${p}`,
            ),
            discountType: bundle.discountType,
            value: bundle.value,
            marginFloorBps: bundle.marginFloorBps,
            ...(bundle.cost === undefined
              ? {}
              : {
                  costs: Object.fromEntries(
                    bundle.products.map((p) => [
                      `gid://shopify/Product/${p}`,
                      bundle.cost,
                    ]),
                  ),
                }),
          })),
        },
      },
    },
    presentmentCurrencyRate: "1.0",
  };
}

describe("bundle discount invariants", () => {
  it("targets each line once, never more units than it has, and never lowers a unit below what some bundle's floor allows", () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 6 }),
        fc.array(bundleArb, { minLength: 1, maxLength: 3 }),
        (lines, bundles) => {
          const result = cartLinesDiscountsGenerateRun(
            buildInput(lines, bundles),
          );
          if (result.operations.length === 0) return;
          expect(result.operations).toHaveLength(1);
          const { candidates, selectionStrategy } =
            result.operations[0].productDiscountsAdd;
          expect(selectionStrategy).toBe("ALL");
          const seen = new Set<string>();
          for (const candidate of candidates) {
            expect(candidate.targets).toHaveLength(1);
            const { id, quantity } = candidate.targets[0].cartLine;
            expect(seen.has(id)).toBe(false);
            seen.add(id);
            const index = Number(id.split("/").pop());
            const line = lines[index];
            expect(quantity).toBeGreaterThan(0);
            expect(quantity).toBeLessThanOrEqual(line.quantity);
            // The loosest floor any bundle containing this product could apply bounds each unit.
            const loosestCap = Math.max(
              ...bundles
                .filter((bundle) => bundle.products.includes(line.product))
                .map((bundle) => {
                  const minimum =
                    bundle.cost === undefined
                      ? Math.ceil(
                          (line.priceMinor * bundle.marginFloorBps) / 10_000,
                        )
                      : Math.ceil(
                          (bundle.cost * 10_000) /
                            (10_000 - bundle.marginFloorBps),
                        );
                  return Math.max(0, line.priceMinor - minimum);
                }),
            );
            const value = candidate.value;
            const perUnit =
              "percentage" in value
                ? (line.priceMinor * Number(value.percentage.value)) / 100
                : value.fixedAmount.appliesToEachItem
                  ? toMinor(value.fixedAmount.amount)
                  : toMinor(value.fixedAmount.amount) /
                    (quantity ?? line.quantity);
            expect(perUnit).toBeGreaterThan(0);
            expect(perUnit).toBeLessThanOrEqual(loosestCap);
          }
        },
      ),
      { numRuns: 300, seed: 20_250_701 },
    );
  });

  it("gives nothing when no bundle is complete", () => {
    fc.assert(
      fc.property(
        fc.array(lineArb, { minLength: 1, maxLength: 6 }),
        (lines) => {
          // Product 99 is never in a generated cart, so this bundle can never be complete.
          const bundles = [
            {
              products: [1, 99],
              discountType: "percentage" as const,
              value: 1_000,
              marginFloorBps: 0,
              cost: undefined,
            },
          ];
          expect(
            cartLinesDiscountsGenerateRun(buildInput(lines, bundles)),
          ).toEqual({
            operations: [],
          });
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });

  it("is deterministic: the same cart always gets the same discount", () => {
    const fixture = loadFixture("two-bundles-overlapping-on-one-product.json");
    const first = cartLinesDiscountsGenerateRun(structuredClone(fixture.input));
    const second = cartLinesDiscountsGenerateRun(
      structuredClone(fixture.input),
    );
    expect(second).toEqual(first);
  });

  it("ignores custom products (no product id) instead of failing", () => {
    const fixture = loadFixture("exact-bundle.json");
    const input = structuredClone(fixture.input);
    input.cart.lines.push({
      id: "gid://shopify/CartLine/99",
      quantity: 1,
      merchandise: { __typename: "CustomProduct" },
      cost: { amountPerQuantity: { amount: "5.00", currencyCode: "USD" } },
    });
    expect(cartLinesDiscountsGenerateRun(input)).toEqual(fixture.output);
  });
});
