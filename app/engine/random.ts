// Seeded randomness for the offer-count bandit, the experiment simulations and the demo shop.
// Math.random cannot be seeded, and a bandit decision, a simulated verdict or a demo catalog must
// be reproducible from its seed.

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32: a 32-bit state generator, small and fast, with good enough equidistribution for
 * Thompson sampling and Monte Carlo (it is not cryptographic and must not pick anything secret).
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[Math.floor(rng() * items.length)];
}

/** Standard normal by the Marsaglia polar method (no trigonometry, exact in distribution). */
export function sampleNormal(rng: Rng): number {
  for (;;) {
    const u = 2 * rng() - 1;
    const v = 2 * rng() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/**
 * Gamma(shape, rate 1) by Marsaglia and Tsang (2000). Shapes below 1 use the boost
 * Gamma(a) = Gamma(a + 1) × U^(1/a), since the squeeze needs a ≥ 1.
 */
export function sampleGamma(rng: Rng, shape: number): number {
  if (!(shape > 0))
    throw new RangeError(`Gamma shape must be positive, got ${shape}`);
  if (shape < 1) {
    const u = 1 - rng(); // in (0, 1], so the power never sees 0
    return sampleGamma(rng, shape + 1) * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v)))
      return d * v;
  }
}

/** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const x = sampleGamma(rng, a);
  const y = sampleGamma(rng, b);
  return x / (x + y);
}

/**
 * Binomial(n, p) by counting geometric gaps between successes: exact, and O(n × p) draws, which
 * is what the simulations need (many visitors, few conversions).
 */
export function sampleBinomial(rng: Rng, n: number, p: number): number {
  if (p <= 0 || n <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - sampleBinomial(rng, n, 1 - p);
  const logQ = Math.log1p(-p);
  let successes = 0;
  let position = 0;
  for (;;) {
    position += Math.floor(Math.log(1 - rng()) / logQ) + 1;
    if (position > n) return successes;
    successes += 1;
  }
}
