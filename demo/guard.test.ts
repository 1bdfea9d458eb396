import { describe, expect, it } from "vitest";
import { demoRefusal } from "./guard";

describe("demo mode guard", () => {
  it("allows a plain development environment", () => {
    expect(demoRefusal({ NODE_ENV: "development" })).toBeNull();
    expect(demoRefusal({})).toBeNull();
  });
  it("refuses production", () => {
    expect(demoRefusal({ NODE_ENV: "production" })).toMatch(
      /NODE_ENV=production/,
    );
  });
  it("refuses when real Shopify credentials are present", () => {
    expect(demoRefusal({ SHOPIFY_API_SECRET: "shpss_real" })).toMatch(
      /SHOPIFY_API_SECRET/,
    );
    expect(
      demoRefusal({ SHOPIFY_API_KEY: "abc", SHOPIFY_API_SECRET: "def" }),
    ).toMatch(/SHOPIFY_API_KEY, SHOPIFY_API_SECRET/);
  });
});
