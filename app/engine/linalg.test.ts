import { describe, expect, it } from "vitest";
import { DenseSpdMatrix, NotPositiveDefiniteError } from "./linalg";

function filled(
  n: number,
  values: (i: number, j: number) => number,
  threads = 1,
) {
  const m = new DenseSpdMatrix(n, { threads });
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) m.data[i * m.ld + j] = values(i, j);
  return m;
}

/** A Gram matrix of pseudo-random sparse baskets plus a ridge: SPD like EASE's. */
function gramLike(n: number, seed: number): Float64Array {
  let s = seed;
  const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const g = new Float64Array(n * n);
  for (let u = 0; u < 3 * n; u++) {
    const basket = Array.from({ length: 6 }, () => Math.floor(next() * n));
    for (const a of basket) for (const b of basket) g[a * n + b] += 1;
  }
  for (let i = 0; i < n; i++) g[i * n + i] += 3;
  return g;
}

describe("DenseSpdMatrix.invert", () => {
  it("matches the known inverse of a 3×3 matrix", () => {
    const a = [
      [4, 2, 0],
      [2, 5, 1],
      [0, 1, 3],
    ];
    const m = filled(3, (i, j) => a[i][j]);
    m.invert();
    const expected = [
      [14, -6, 2],
      [-6, 12, -4],
      [2, -4, 16],
    ].map((row) => row.map((v) => v / 44));
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++)
        expect(m.data[i * m.ld + j]).toBeCloseTo(expected[i][j], 14);
    }
  });

  it("inverts a matrix spanning several blocks (order not a multiple of the block)", () => {
    const n = 150;
    const g = gramLike(n, 1);
    const m = filled(n, (i, j) => g[i * n + j]);
    m.invert();
    let worst = 0;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let k = 0; k < n; k++) s += g[i * n + k] * m.data[k * m.ld + j];
        worst = Math.max(worst, Math.abs(s - (i === j ? 1 : 0)));
      }
    }
    expect(worst).toBeLessThan(1e-10);
    // The inverse of a symmetric matrix is symmetric, both halves written.
    expect(m.data[3 * m.ld + 140]).toBe(m.data[140 * m.ld + 3]);
  });

  it("gives bit-identical results with one thread and with a worker", () => {
    const n = 130;
    const g = gramLike(n, 2);
    const one = filled(n, (i, j) => g[i * n + j], 1);
    const two = filled(n, (i, j) => g[i * n + j], 2);
    one.invert();
    two.invert();
    const bytes = (m: DenseSpdMatrix) =>
      Buffer.from(m.data.buffer, m.data.byteOffset, m.data.byteLength);
    expect(bytes(two).equals(bytes(one))).toBe(true);
    expect(one.data[5 * one.ld + 7]).not.toBe(0);
  });

  it("rejects a matrix that is not positive definite and names the pivot", () => {
    const m = filled(3, (i, j) => (i === j ? [1, -1, 1][i] : 0));
    expect(() => m.invert()).toThrow(NotPositiveDefiniteError);
    const again = filled(3, (i, j) => (i === j ? [1, -1, 1][i] : 0));
    expect(() => again.invert()).toThrow(/pivot 1/);
  });
});
