import { describe, expect, it } from "vitest";
import { isPlacement, PLACEMENTS } from "./types";

describe("placements", () => {
  it("recognises every declared placement", () => {
    for (const placement of PLACEMENTS)
      expect(isPlacement(placement)).toBe(true);
  });

  it("rejects names that are not placements, including near misses", () => {
    expect(isPlacement("Cart")).toBe(false);
    expect(isPlacement("product")).toBe(false);
    expect(isPlacement("")).toBe(false);
  });
});
