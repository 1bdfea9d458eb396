import { describe, expect, it } from "vitest";
import { mswServer } from "../test/msw";
import { demoAdminHandlers } from "./admin-api";
import { DEMO_SHOP, generateDemoShop } from "./shop";
import {
  MAX_TRIGGER_PAYLOAD_BYTES,
  checkFlowTrigger,
  checkMetafieldsSet,
  readTriggerDefinition,
} from "./flow";

const trigger = readTriggerDefinition("cartlift-next-offer");
const ALL = ["read_orders", "read_products", "read_customers", "write_orders"];
const valid = {
  order_id: 5001,
  product_id: 2,
  "Offer reason": "bought_next",
  "Due date": "2026-06-12",
};

describe("the demo's Flow trigger check", () => {
  it("reads the trigger's fields from the extension's TOML", () => {
    expect(trigger).toEqual({
      handle: "cartlift-next-offer",
      fields: [
        { type: "order_reference" },
        { type: "product_reference" },
        { type: "single_line_text_field", key: "Offer reason" },
        { type: "single_line_text_field", key: "Due date" },
      ],
    });
  });

  it("accepts a payload with every declared field", () => {
    expect(checkFlowTrigger([trigger], ALL, trigger.handle, valid)).toEqual({
      ok: true,
    });
  });

  it("refuses an unknown handle, a missing or mistyped field and an undeclared one", () => {
    const errors = (handle: string, payload: object) => {
      const checked = checkFlowTrigger([trigger], ALL, handle, payload);
      return !checked.ok && "userErrors" in checked
        ? checked.userErrors.map((e) => e.message)
        : [];
    };
    expect(errors("cartlift-other", valid)).toEqual([
      "Invalid handle: cartlift-other",
    ]);
    const { product_id: _product, ...withoutProduct } = valid;
    expect(errors(trigger.handle, withoutProduct)).toEqual([
      "Missing required property: product_id",
    ]);
    expect(
      errors(trigger.handle, { ...valid, "Due date": "2026-06-12\nlater" }),
    ).toEqual(["Invalid value for Due date (single_line_text_field)"]);
    expect(errors(trigger.handle, { ...valid, order_id: "5001" })).toEqual([
      "Invalid value for order_id (order_reference)",
    ]);
    expect(
      errors(trigger.handle, { ...valid, customer_email: "a@b.c" }),
    ).toEqual(["Property not declared by the trigger: customer_email"]);
  });

  it("refuses a payload of 50,000 bytes or more", () => {
    const padding = "x".repeat(MAX_TRIGGER_PAYLOAD_BYTES);
    const checked = checkFlowTrigger([trigger], ALL, trigger.handle, {
      ...valid,
      "Offer reason": padding,
    });
    expect(checked.ok).toBe(false);
    expect(JSON.stringify(checked)).toMatch(/must be under 50000 bytes/);
  });

  it("denies access when a reference field's read scope is missing", () => {
    const checked = checkFlowTrigger(
      [trigger],
      ["read_products", "read_customers"],
      trigger.handle,
      valid,
    );
    expect(checked).toMatchObject({
      ok: false,
      error: { code: "ACCESS_DENIED" },
    });
  });
});

describe("the demo's metafieldsSet check", () => {
  const order = {
    ownerId: "gid://shopify/Order/5001",
    namespace: "$app:cartlift",
    key: "next_offer",
    type: "json",
    value: "{}",
  };
  const codes = (granted: string[], metafields: (typeof order)[]) => {
    const checked = checkMetafieldsSet(granted, metafields);
    return !checked.ok && "userErrors" in checked
      ? checked.userErrors.map((e) => e.code)
      : [];
  };

  it("writes an app-owned order metafield with write_orders", () => {
    expect(checkMetafieldsSet(ALL, [order])).toEqual({ ok: true });
  });

  it("refuses an owner the app may not change, invalid JSON and a key too short", () => {
    expect(codes(["read_orders"], [order])).toEqual(["APP_NOT_AUTHORIZED"]);
    expect(codes(ALL, [{ ...order, value: "{oops" }])).toEqual([
      "INVALID_VALUE",
    ]);
    expect(codes(ALL, [{ ...order, key: "n" }])).toEqual(["INVALID"]);
    expect(codes(ALL, [{ ...order, namespace: "ab" }])).toEqual(["INVALID"]);
    expect(
      codes(ALL, [{ ...order, value: JSON.stringify("x".repeat(131_072)) }]),
    ).toEqual(["TOO_LONG"]);
  });

  it("refuses more than 25 metafields in one call", () => {
    expect(
      checkMetafieldsSet(
        ALL,
        Array.from({ length: 26 }, () => order),
      ),
    ).toMatchObject({ ok: false, error: { code: "MAX_INPUT_SIZE_EXCEEDED" } });
    expect(
      checkMetafieldsSet(
        ALL,
        Array.from({ length: 25 }, () => order),
      ),
    ).toEqual({ ok: true });
  });
});

describe("the demo's metafield deletions", () => {
  const demo = generateDemoShop({ orders: 10 });
  const remove = async (scopes: string) => {
    mswServer.use(...demoAdminHandlers(demo, { scopes }));
    const response = await fetch(
      `https://${DEMO_SHOP}/admin/api/2025-10/graphql.json`,
      {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          query: `mutation CartliftReplenishmentDelete($metafields: [MetafieldIdentifierInput!]!) {
            metafieldsDelete(metafields: $metafields) { deletedMetafields { ownerId } userErrors { field message } }
          }`,
          variables: {
            metafields: [
              {
                ownerId: "gid://shopify/Customer/81001",
                namespace: "cartlift",
                key: "replenishment_due",
              },
            ],
          },
        }),
      },
    );
    const body = (await response.json()) as {
      data: {
        metafieldsDelete: {
          deletedMetafields: unknown;
          userErrors: { code?: string }[];
        };
      };
    };
    return body.data.metafieldsDelete;
  };

  it("takes the owner's write scope, as writing does", async () => {
    const denied = await remove("read_orders,read_customers");
    expect(denied.deletedMetafields).toBe(null);
    expect(denied.userErrors).toMatchObject([{ code: "APP_NOT_AUTHORIZED" }]);
    const done = await remove("read_orders,write_customers");
    expect(done.userErrors).toEqual([]);
    expect(done.deletedMetafields).toEqual([
      { ownerId: "gid://shopify/Customer/81001" },
    ]);
  });
});
