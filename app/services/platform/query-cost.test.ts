import { describe, expect, it } from "vitest";
import { requestedQueryCost } from "./query-cost";

describe("requested query cost", () => {
  it("charges objects 1 and scalars nothing", () => {
    expect(requestedQueryCost(`{ shop { id name currencyCode } }`)).toBe(1);
    expect(
      requestedQueryCost(
        `query Named { shop { currencyCode } currentAppInstallation { accessScopes { handle } } }`,
      ),
    ).toBe(3);
  });

  it("charges a connection 2 plus its page size times one node's cost, nested connections multiplied", () => {
    const query = `#graphql
      query Catalog($cursor: String, $size: Int!) {
        products(first: $size, after: $cursor) {
          pageInfo { hasNextPage endCursor }
          edges { cursor node {
            id title
            featuredImage { url }
            variants(first: 5) { nodes { id price selectedOptions { name value } } }
          } }
        }
      }`;
    // A product: itself 1 + image 1 + variants (2 + 5 × (1 + options 1)) = 14.
    expect(requestedQueryCost(query, { size: 10, cursor: null })).toBe(
      2 + 10 * 14,
    );
    expect(requestedQueryCost(query, { size: 50, cursor: "abc" })).toBe(
      2 + 50 * 14,
    );
  });

  it("reads aliases, literal arguments, strings and inline fragments", () => {
    const query = `{
      recent: orders(first: 3, query: "created_at:>='2026-01-01' {not a selection}", sortKey: CREATED_AT) {
        nodes { id customer { id } }
      }
      node(id: "gid://shopify/BulkOperation/1") { ... on BulkOperation { id status } }
    }`;
    expect(requestedQueryCost(query)).toBe(2 + 3 * 2 + 1);
  });

  it("charges a mutation 10", () => {
    expect(
      requestedQueryCost(
        `mutation Run($query: String!) { bulkOperationRunQuery(query: $query) { bulkOperation { id } userErrors { message } } }`,
        { query: "{ products { edges { node { id } } } }" },
      ),
    ).toBe(10);
  });
});
