import { describe, expect, it } from "vitest";
import { instantLabel, metricOptions } from "./experiment-format";

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

describe("a chart's axis labels", () => {
  it("name a day as a merchant reads it, the same whatever the reader's time zone", () => {
    expect(instantLabel("2026-11-07", "day")).toBe("Nov 7");
    expect(instantLabel("2026-12-01T23:30:00Z", "day")).toBe("Dec 1");
    expect(instantLabel("2026-12-01T23:30:00Z", "hour")).toBe("Dec 1, 23:30");
  });
});
