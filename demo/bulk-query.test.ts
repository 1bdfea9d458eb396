import { describe, expect, it } from "vitest";
import {
  ORDERS_BULK_QUERY,
  PRODUCTS_BULK_QUERY,
} from "~/services/catalog/import.server";
import { parseOperation } from "~/services/platform/query-cost";
import { bulkQueryRefusal } from "./bulk-query";

const refusal = (query: string) => bulkQueryRefusal(parseOperation(query));

describe("the stand-in's bulk query restrictions", () => {
  it("starts the import's bulk queries", () => {
    expect(refusal(PRODUCTS_BULK_QUERY)).toBe(null);
    expect(refusal(ORDERS_BULK_QUERY)).toBe(null);
  });

  it("refuses connections nested three levels deep", () => {
    const query = `{ products { edges { node { id
      variants { edges { node { id
        inventoryItem { inventoryLevels { edges { node { id } } } } } } } } } } }`;
    expect(refusal(query)).toMatch(/nested more than 2 levels/);
  });

  it("refuses more than five connections, none, or a top-level node", () => {
    const six = `{ products { edges { node { id
      a: collections { edges { node { id } } }
      b: collections { edges { node { id } } }
      c: variants { nodes { id } }
      d: variants { nodes { id } }
      e: media { nodes { id } } } } } }`;
    expect(refusal(six)).toMatch(/more than 5 connections/);
    expect(refusal(`{ shop { id name } }`)).toMatch(/at least one connection/);
    expect(
      refusal(
        `{ node(id: "gid://shopify/Product/1") { ... on Product { variants { nodes { id } } } } }`,
      ),
    ).toMatch(/top-level node/);
  });
});
