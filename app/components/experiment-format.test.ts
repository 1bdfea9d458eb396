import { describe, expect, it } from "vitest";
import { metricOptions } from "./experiment-format";

describe("the new experiment's metric choices", () => {
  const labels = (placements: string[]) =>
    metricOptions(placements).map((o) => o.label);

  it("name revenue per visitor for storefront placements, and before any placement is chosen", () => {
    for (const placements of [[], ["cart", "drawer"], ["product_upgrade"]])
      expect(labels(placements)).toEqual([
        "Revenue per visitor",
        "Average order value",
        "Conversion rate",
      ]);
  });

  it("name revenue per checkout once the post-purchase placement is chosen", () => {
    expect(labels(["post_purchase"])).toEqual([
      "Revenue per checkout",
      "Average order value",
      "Conversion rate",
    ]);
    expect(metricOptions(["post_purchase"]).map((o) => o.value)).toEqual([
      "rpv",
      "aov",
      "conversion",
    ]);
  });
});
