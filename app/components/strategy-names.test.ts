import { describe, expect, it } from "vitest";
import { STRATEGIES } from "~/engine/strategies";
import { strategyName } from "./strategy-names";

describe("strategyName", () => {
  it("names each strategy in words, and shows a strategy the app no longer has as recorded", () => {
    expect(STRATEGIES.map(strategyName)).toEqual([
      "Blended",
      "Bought together",
      "Similar products",
      "Best sellers",
    ]);
    expect(strategyName("cross_sell")).toBe("cross_sell");
    expect(strategyName("toString")).toBe("toString");
  });
});
