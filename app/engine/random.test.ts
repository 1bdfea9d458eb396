import { describe, expect, it } from "vitest";
import {
  mulberry32,
  sampleBeta,
  sampleBinomial,
  sampleGamma,
  sampleNormal,
} from "./random";

function moments(
  draw: () => number,
  n: number,
): { mean: number; variance: number } {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i += 1) {
    const x = draw();
    sum += x;
    sumSq += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sumSq / n - mean * mean };
}

describe("seeded randomness", () => {
  it("repeats the same sequence for the same seed and differs across seeds", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const seqA = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(seqA);
    expect(Array.from({ length: 5 }, c)).not.toEqual(seqA);
    for (const x of seqA) expect(x >= 0 && x < 1).toBe(true);
  });

  it("draws standard normals", () => {
    const rng = mulberry32(1);
    const { mean, variance } = moments(() => sampleNormal(rng), 100_000);
    expect(Math.abs(mean)).toBeLessThan(0.015);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
  });

  it.each([0.3, 1, 2.5, 40])(
    "draws Gamma(%s) with mean and variance equal to the shape",
    (shape) => {
      const rng = mulberry32(7);
      const n = 60_000;
      const { mean, variance } = moments(() => sampleGamma(rng, shape), n);
      expect(Math.abs(mean - shape)).toBeLessThan(5 * Math.sqrt(shape / n));
      expect(Math.abs(variance / shape - 1)).toBeLessThan(0.05);
    },
  );

  it("draws Beta(a, b) with mean a / (a + b)", () => {
    const rng = mulberry32(9);
    const { mean, variance } = moments(() => sampleBeta(rng, 3, 7), 60_000);
    expect(Math.abs(mean - 0.3)).toBeLessThan(0.003);
    expect(Math.abs(variance - (3 * 7) / (100 * 11))).toBeLessThan(0.001);
  });

  it("draws Binomial(n, p) with mean np and variance np(1 − p), for small and large p", () => {
    const rng = mulberry32(11);
    for (const [n, p] of [
      [10_000, 0.03],
      [50, 0.8],
    ]) {
      const { mean, variance } = moments(
        () => sampleBinomial(rng, n, p),
        20_000,
      );
      expect(Math.abs(mean - n * p)).toBeLessThan(
        5 * Math.sqrt((n * p * (1 - p)) / 20_000),
      );
      expect(Math.abs(variance / (n * p * (1 - p)) - 1)).toBeLessThan(0.05);
    }
  });
});
