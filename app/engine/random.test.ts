import { describe, expect, it } from "vitest";
import { pick, seededRng } from "./random";

describe("seededRng", () => {
  it("repeats the same sequence for the same seed and differs for another", () => {
    const a = seededRng(42);
    const b = seededRng(42);
    const c = seededRng(43);
    const seqA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA);
  });
  it("draws uniformly in [0, 1)", () => {
    const rng = seededRng(7);
    const draws = Array.from({ length: 20_000 }, rng);
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
  });
  it("picks every element of a list over many draws", () => {
    const rng = seededRng(1);
    const seen = new Set(
      Array.from({ length: 200 }, () => pick(rng, ["a", "b", "c"])),
    );
    expect([...seen].sort()).toEqual(["a", "b", "c"]);
  });
});
