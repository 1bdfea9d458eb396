import { describe, expect, it } from "vitest";
import {
  boughtTogetherReason,
  bundleReason,
  measureNoun,
  multipleBenefit,
  namedBenefit,
  popularReason,
  boughtBeforeReason,
  monthIn,
  upgradeReason,
} from "./reasons";

describe("reason strings", () => {
  it("states the co-purchase share as a whole percentage", () => {
    expect(boughtTogetherReason(3_100).text).toBe(
      "Bought together by 31% of buyers",
    );
  });

  it("prices an upgrade with the currency of the difference", () => {
    expect(
      upgradeReason(
        { amount: 2_000, currency: "USD" },
        multipleBenefit(2, measureNoun("storage"))!,
      ).text,
    ).toBe("+$20 for double the storage");
    expect(
      upgradeReason({ amount: 500, currency: "GBP" }, namedBenefit("Large"))
        .text,
    ).toBe("+£5 for the Large");
  });

  it("says when an upgrade is inside the customer's usual price range, under its own message", () => {
    const inBand = upgradeReason(
      { amount: 9_000, currency: "USD" },
      multipleBenefit(2, "capacity")!,
      true,
    );
    expect(inBand.key).toBe("reasons.upgrade_in_range");
    expect(inBand.text).toBe(
      "+$90 for double the capacity, in your usual price range",
    );
  });

  it("names the category of a popular product, or the store when there is none", () => {
    expect(popularReason("Kitchen").text).toBe("Popular in Kitchen");
    expect(popularReason("  ").text).toBe("Popular in our store");
  });

  it("describes exact multiples in words and declines inexact ones", () => {
    expect(multipleBenefit(2, "storage")?.text).toBe("double the storage");
    expect(multipleBenefit(3, "volume")?.text).toBe("triple the volume");
    expect(multipleBenefit(4, "storage")?.text).toBe("4× the storage");
    expect(multipleBenefit(1.5, "storage")).toBeUndefined();
  });

  it("only promises savings when there is a discount", () => {
    expect(bundleReason(1_000, 2).text).toBe("Save 10% when bought together");
    expect(bundleReason(0, 3).text).toBe(
      "Frequently bought together (3 items)",
    );
  });

  it("names the month of a customer's last purchase, with its year once it could be read as a later one", () => {
    const now = Date.UTC(2026, 11, 6);
    const march = boughtBeforeReason(
      "Trail Coffee",
      Date.UTC(2026, 2, 31, 23),
      now,
    );
    expect(march.text).toBe("You bought the Trail Coffee in March");
    expect(march.params.month).toEqual({ month: "2026-03", withYear: false });
    expect(monthIn({ month: "2026-03", withYear: false }, "fr")).toBe("mars");
    expect(
      boughtBeforeReason("Trail Coffee", Date.UTC(2025, 11, 20), now).text,
    ).toBe("You bought the Trail Coffee in December 2025");
  });
});
