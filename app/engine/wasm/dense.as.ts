// AssemblyScript source of dense.wasm (build: npm run build:wasm). Kernels
// for the EASE^R fit in linalg.ts. This file is not TypeScript: `v128`,
// `load<T>` and friends are AssemblyScript built-ins, so tsc is told to skip it.
// eslint-disable-next-line @typescript-eslint/ban-ts-comment
// @ts-nocheck

// Matrices are row-major f64 in the imported (shared) memory; pointers are
// byte offsets, leading dimensions are in elements. Sizes are multiples of 4
// (the caller pads the matrix), which keeps the SIMD loops free of tails.

// K is cut into chunks so that the B rows of one call stay in L2 while the
// two A rows stay in L1.
const KC: i32 = 256;

/** C[m×n] -= A[m×k] · B[n×k]ᵀ (m, n multiples of 2 and 4, k even). */
export function gemmNT(
  c: usize,
  ldc: i32,
  a: usize,
  lda: i32,
  b: usize,
  ldb: i32,
  m: i32,
  n: i32,
  k: i32,
): void {
  const sa = (<usize>lda) << 3;
  const sb = (<usize>ldb) << 3;
  for (let p0: i32 = 0; p0 < k; p0 += KC) {
    const kc = min(KC, k - p0);
    const bytes = (<usize>kc) << 3;
    for (let i: i32 = 0; i < m; i += 2) {
      const a0 = a + <usize>i * sa + ((<usize>p0) << 3);
      const a1 = a0 + sa;
      for (let j: i32 = 0; j < n; j += 4) {
        const b0 = b + <usize>j * sb + ((<usize>p0) << 3);
        const b1 = b0 + sb;
        const b2 = b1 + sb;
        const b3 = b2 + sb;
        let c00 = f64x2.splat(0.0);
        let c01 = f64x2.splat(0.0);
        let c02 = f64x2.splat(0.0);
        let c03 = f64x2.splat(0.0);
        let c10 = f64x2.splat(0.0);
        let c11 = f64x2.splat(0.0);
        let c12 = f64x2.splat(0.0);
        let c13 = f64x2.splat(0.0);
        for (let p: usize = 0; p < bytes; p += 16) {
          const x0 = v128.load(a0 + p);
          const x1 = v128.load(a1 + p);
          const y0 = v128.load(b0 + p);
          const y1 = v128.load(b1 + p);
          const y2 = v128.load(b2 + p);
          const y3 = v128.load(b3 + p);
          c00 = f64x2.add(c00, f64x2.mul(x0, y0));
          c01 = f64x2.add(c01, f64x2.mul(x0, y1));
          c02 = f64x2.add(c02, f64x2.mul(x0, y2));
          c03 = f64x2.add(c03, f64x2.mul(x0, y3));
          c10 = f64x2.add(c10, f64x2.mul(x1, y0));
          c11 = f64x2.add(c11, f64x2.mul(x1, y1));
          c12 = f64x2.add(c12, f64x2.mul(x1, y2));
          c13 = f64x2.add(c13, f64x2.mul(x1, y3));
        }
        const r0 = c + ((<usize>i * ldc + j) << 3);
        const r1 = r0 + ((<usize>ldc) << 3);
        store<f64>(
          r0,
          load<f64>(r0) -
            (f64x2.extract_lane(c00, 0) + f64x2.extract_lane(c00, 1)),
        );
        store<f64>(
          r0,
          load<f64>(r0, 8) -
            (f64x2.extract_lane(c01, 0) + f64x2.extract_lane(c01, 1)),
          8,
        );
        store<f64>(
          r0,
          load<f64>(r0, 16) -
            (f64x2.extract_lane(c02, 0) + f64x2.extract_lane(c02, 1)),
          16,
        );
        store<f64>(
          r0,
          load<f64>(r0, 24) -
            (f64x2.extract_lane(c03, 0) + f64x2.extract_lane(c03, 1)),
          24,
        );
        store<f64>(
          r1,
          load<f64>(r1) -
            (f64x2.extract_lane(c10, 0) + f64x2.extract_lane(c10, 1)),
        );
        store<f64>(
          r1,
          load<f64>(r1, 8) -
            (f64x2.extract_lane(c11, 0) + f64x2.extract_lane(c11, 1)),
          8,
        );
        store<f64>(
          r1,
          load<f64>(r1, 16) -
            (f64x2.extract_lane(c12, 0) + f64x2.extract_lane(c12, 1)),
          16,
        );
        store<f64>(
          r1,
          load<f64>(r1, 24) -
            (f64x2.extract_lane(c13, 0) + f64x2.extract_lane(c13, 1)),
          24,
        );
      }
    }
  }
}

/** Zeroes an m×n block. */
export function zero(c: usize, ldc: i32, m: i32, n: i32): void {
  for (let i: i32 = 0; i < m; i++)
    memory.fill(c + ((<usize>i * ldc) << 3), 0, (<usize>n) << 3);
}

/**
 * In-place lower Cholesky of the n×n block at `a` (only the lower triangle
 * is read). Returns 0, or 1 + the row whose pivot was not positive.
 */
export function potrf(a: usize, lda: i32, n: i32): i32 {
  for (let j: i32 = 0; j < n; j++) {
    const rj = a + ((<usize>j * lda) << 3);
    let d = load<f64>(rj + ((<usize>j) << 3));
    for (let p: i32 = 0; p < j; p++) {
      const v = load<f64>(rj + ((<usize>p) << 3));
      d -= v * v;
    }
    if (!(d > 0)) return j + 1;
    d = Math.sqrt(d);
    store<f64>(rj + ((<usize>j) << 3), d);
    const inv = 1.0 / d;
    for (let i: i32 = j + 1; i < n; i++) {
      const ri = a + ((<usize>i * lda) << 3);
      let s = load<f64>(ri + ((<usize>j) << 3));
      for (let p: i32 = 0; p < j; p++) {
        s -=
          load<f64>(ri + ((<usize>p) << 3)) * load<f64>(rj + ((<usize>p) << 3));
      }
      store<f64>(ri + ((<usize>j) << 3), s * inv);
    }
  }
  return 0;
}

/** A[m×n] := A · L⁻ᵀ for the lower n×n block L (row-wise forward substitution). */
export function trsmRLT(
  a: usize,
  lda: i32,
  l: usize,
  ldl: i32,
  m: i32,
  n: i32,
): void {
  for (let r: i32 = 0; r < m; r++) {
    const ar = a + ((<usize>r * lda) << 3);
    for (let j: i32 = 0; j < n; j++) {
      const lj = l + ((<usize>j * ldl) << 3);
      let s = load<f64>(ar + ((<usize>j) << 3));
      for (let p: i32 = 0; p < j; p++) {
        s -=
          load<f64>(ar + ((<usize>p) << 3)) * load<f64>(lj + ((<usize>p) << 3));
      }
      store<f64>(ar + ((<usize>j) << 3), s / load<f64>(lj + ((<usize>j) << 3)));
    }
  }
}

/**
 * Inverse of the lower n×n block L, written transposed (an upper block)
 * at `v`, with explicit zeros below its diagonal.
 */
export function trtriT(v: usize, ldv: i32, l: usize, ldl: i32, n: i32): void {
  // Column j of W = L⁻¹ is row j of V.
  for (let j: i32 = 0; j < n; j++) {
    const vj = v + ((<usize>j * ldv) << 3);
    for (let i: i32 = 0; i < j; i++) store<f64>(vj + ((<usize>i) << 3), 0.0);
    store<f64>(
      vj + ((<usize>j) << 3),
      1.0 / load<f64>(l + ((<usize>j * ldl + j) << 3)),
    );
    for (let i: i32 = j + 1; i < n; i++) {
      const li = l + ((<usize>i * ldl) << 3);
      let s = 0.0;
      for (let p: i32 = j; p < i; p++) {
        s +=
          load<f64>(li + ((<usize>p) << 3)) * load<f64>(vj + ((<usize>p) << 3));
      }
      store<f64>(
        vj + ((<usize>i) << 3),
        -s / load<f64>(li + ((<usize>i) << 3)),
      );
    }
  }
}

/**
 * Block row J of V = (L⁻¹)ᵀ, given L (lower, at `l`) and the diagonal blocks
 * of V. Column block J of W = L⁻¹ only depends on itself, so block rows are
 * independent jobs. `scratch` holds nb×nb doubles.
 */
export function invBlockRow(
  l: usize,
  v: usize,
  ld: i32,
  nb: i32,
  nB: i32,
  J: i32,
  scratch: usize,
): void {
  const row = (<usize>ld) << 3;
  const j0 = <usize>(J * nb);
  for (let I: i32 = J + 1; I < nB; I++) {
    const i0 = <usize>(I * nb);
    // T = -(L[I, J..I) · W[J..I, J]) = -(L[I, J..I) · V[J, J..I)ᵀ)
    zero(scratch, nb, nb, nb);
    gemmNT(
      scratch,
      nb,
      l + i0 * row + (j0 << 3),
      ld,
      v + j0 * row + (j0 << 3),
      ld,
      nb,
      nb,
      (I - J) * nb,
    );
    // W[I, J] = W_II · T, stored transposed: V[J, I][c][r] = Σ_s V_II[s][r] T[s][c]
    const vii = v + i0 * row + (i0 << 3);
    const out = v + j0 * row + (i0 << 3);
    for (let c: i32 = 0; c < nb; c++) {
      const oc = out + <usize>c * row;
      for (let s: i32 = 0; s < nb; s++) {
        const t = load<f64>(scratch + ((<usize>(s * nb + c)) << 3));
        if (t == 0.0) continue;
        const tt = f64x2.splat(t);
        const vs = vii + <usize>s * row;
        for (
          let r: usize = (<usize>(s & ~1)) << 3;
          r < (<usize>nb) << 3;
          r += 16
        ) {
          v128.store(
            oc + r,
            f64x2.add(v128.load(oc + r), f64x2.mul(tt, v128.load(vs + r))),
          );
        }
      }
    }
  }
}

/**
 * Block (I, J), J ≥ I, of -(V·Vᵀ) into `p` (V upper, so the sum starts at
 * column block J).
 */
export function syrkBlock(
  p: usize,
  v: usize,
  ld: i32,
  nb: i32,
  I: i32,
  J: i32,
): void {
  const row = (<usize>ld) << 3;
  const i0 = <usize>(I * nb);
  const j0 = <usize>(J * nb);
  const c = p + i0 * row + (j0 << 3);
  zero(c, ld, nb, nb);
  gemmNT(
    c,
    ld,
    v + i0 * row + (j0 << 3),
    ld,
    v + j0 * row + (j0 << 3),
    ld,
    nb,
    nb,
    ld - J * nb,
  );
}

/** Block (I, J), I > J, of the Cholesky factor: update from the left, then solve. */
export function panelBlock(a: usize, ld: i32, nb: i32, I: i32, J: i32): void {
  const row = (<usize>ld) << 3;
  const i0 = <usize>(I * nb);
  const j0 = <usize>(J * nb);
  const c = a + i0 * row + (j0 << 3);
  gemmNT(c, ld, a + i0 * row, ld, a + j0 * row, ld, nb, nb, J * nb);
  trsmRLT(c, ld, a + j0 * row + (j0 << 3), ld, nb, nb);
}

/** Copies block (I, J) transposed into block (J, I). */
export function mirrorBlock(p: usize, ld: i32, nb: i32, I: i32, J: i32): void {
  const row = (<usize>ld) << 3;
  const src = p + <usize>(I * nb) * row + ((<usize>(J * nb)) << 3);
  const dst = p + <usize>(J * nb) * row + ((<usize>(I * nb)) << 3);
  for (let r: i32 = 0; r < nb; r++) {
    for (let c: i32 = 0; c < nb; c++) {
      store<f64>(
        dst + <usize>c * row + ((<usize>r) << 3),
        load<f64>(src + <usize>r * row + ((<usize>c) << 3)),
      );
    }
  }
}
