import { describe, expect, it } from "vitest";
import { PRODUCTS_BULK_QUERY } from "~/services/catalog/import.server";
import { parseOperation } from "~/services/platform/query-cost";
import { deniedField } from "./access-scopes";

const denied = (query: string, granted: string[]) =>
  deniedField(parseOperation(query), granted);

describe("the stand-in's access scopes per field", () => {
  it("names the first field the grant does not cover, nested ones included", () => {
    const query = `query CartliftReplenishmentCustomers($cursor: String) {
      orders(first: 100, after: $cursor) { nodes { customer { id metafield(namespace: "cartlift", key: "replenishment_due") { id } } } }
    }`;
    expect(denied(query, ["read_orders"])).toEqual({
      field: "customer",
      scopes: ["read_customers"],
    });
    expect(denied(query, ["read_customers"])).toMatchObject({
      field: "orders",
    });
    expect(denied(query, ["read_orders", "read_customers"])).toBe(null);
  });

  it("lets a write scope read, and reads unit costs with read_products or read_inventory", () => {
    expect(
      denied(`{ customers(first: 1) { nodes { id } } }`, ["write_customers"]),
    ).toBe(null);
    expect(denied(PRODUCTS_BULK_QUERY, ["read_products"])).toBe(null);
    expect(
      denied(
        `{ productVariant(id: "1") { inventoryItem { unitCost { amount } } } }`,
        ["read_inventory"],
      ),
    ).toBe(null);
    expect(denied(PRODUCTS_BULK_QUERY, ["read_inventory"])).toEqual({
      field: "products",
      scopes: ["read_products"],
    });
  });

  it("checks mutations by their own scope", () => {
    const create = `mutation CartliftWebPixelCreate($webPixel: WebPixelInput!) {
      webPixelCreate(webPixel: $webPixel) { webPixel { id } userErrors { field message code } }
    }`;
    expect(denied(create, ["read_customer_events"])).toEqual({
      field: "webPixelCreate",
      scopes: ["write_pixels"],
    });
    expect(denied(create, ["write_pixels"])).toBe(null);
  });

  it("refuses the level 2 fields of customers and orders: the app declares level 1 only", () => {
    const granted = ["read_orders", "read_customers"];
    expect(
      denied(
        `{ orders(first: 1) { nodes { name customer { id email } } } }`,
        granted,
      ),
    ).toEqual({
      field: "email",
      scopes: ["protected customer data (level 2)"],
    });
    expect(
      denied(
        `{ order(id: "gid://shopify/Order/1") { shippingAddress { city } } }`,
        granted,
      ),
    ).toMatchObject({ field: "shippingAddress" });
    // An order's name is its number, not the customer's: level 1 reads it.
    expect(
      denied(
        `{ orders(first: 1) { nodes { name customer { id emailMarketingConsent { marketingState } } } } }`,
        granted,
      ),
    ).toBe(null);
  });
});
