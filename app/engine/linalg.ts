import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { DENSE_WASM_BASE64 } from "./wasm/dense-wasm";

/**
 * Inverse of a dense symmetric positive definite matrix, the heavy step of
 * EASE^R. Blocked left-looking Cholesky, block triangular inverse, then
 * P = L⁻ᵀL⁻¹, all through one WebAssembly SIMD kernel (C -= A·Bᵀ on
 * row-major blocks) over a shared memory, with the blocks of each step
 * spread over the calling thread plus worker threads. Choice and timings:
 * docs/decisions/004-engine-linear-algebra.md.
 *
 * The API is synchronous: the caller blocks on Atomics.wait while the worker
 * runs, which is fine for a training job and keeps callers simple.
 */

export const BLOCK = 64;
const PAGE = 65536;
// Bytes kept free at the start of the memory for the module's own data.
const RESERVED = 1 << 20;

let compiled: WebAssembly.Module | undefined;
function wasmModule(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(DENSE_WASM_BASE64, "base64"));
  return compiled;
}

interface DenseExports {
  gemmNT(...args: number[]): void;
  zero(c: number, ldc: number, m: number, n: number): void;
  potrf(a: number, lda: number, n: number): number;
  trsmRLT(...args: number[]): void;
  trtriT(v: number, ldv: number, l: number, ldl: number, n: number): void;
  invBlockRow(...args: number[]): void;
  syrkBlock(
    p: number,
    v: number,
    ld: number,
    nb: number,
    I: number,
    J: number,
  ): void;
  panelBlock(a: number, ld: number, nb: number, I: number, J: number): void;
  mirrorBlock(p: number, ld: number, nb: number, I: number, J: number): void;
}

const enum Op {
  Panel = 0,
  InvRow = 1,
  Syrk = 2,
  Mirror = 3,
}
const JOB_INTS = 8;
const JOB_BASE = 16;
const CTRL_GEN = 0;
const CTRL_NEXT = 1;
const CTRL_COUNT = 2;
const CTRL_ERROR = 3;
const CTRL_DONE = 4; // one slot per worker from here

// Runs in each worker (CommonJS eval). Kept as plain JS so that it needs no
// TypeScript loader in the worker, whatever runs the engine (tsx, vitest, app).
const WORKER_SOURCE = `
const { workerData } = require("node:worker_threads");
const { module, memory, control, scratch, index } = workerData;
const ex = new WebAssembly.Instance(module, { env: { memory } }).exports;
const ctrl = new Int32Array(control);
${runJobSource()}
let gen = 0;
for (;;) {
  Atomics.wait(ctrl, ${CTRL_GEN}, gen);
  gen = Atomics.load(ctrl, ${CTRL_GEN});
  if (gen < 0) break;
  try {
    const count = Atomics.load(ctrl, ${CTRL_COUNT});
    for (;;) {
      const j = Atomics.add(ctrl, ${CTRL_NEXT}, 1);
      if (j >= count) break;
      runJob(ex, ctrl, ${JOB_BASE} + j * ${JOB_INTS}, scratch);
    }
  } catch (error) {
    Atomics.store(ctrl, ${CTRL_ERROR}, 1);
  }
  Atomics.store(ctrl, ${CTRL_DONE} + index, gen);
  Atomics.notify(ctrl, ${CTRL_DONE} + index);
}
`;

function runJobSource(): string {
  return `function runJob(ex, c, o, scratch) {
  switch (c[o]) {
    case ${Op.Panel}: ex.panelBlock(c[o + 1], c[o + 2], c[o + 3], c[o + 4], c[o + 5]); break;
    case ${Op.InvRow}: ex.invBlockRow(c[o + 1], c[o + 2], c[o + 3], c[o + 4], c[o + 5], c[o + 6], scratch); break;
    case ${Op.Syrk}: ex.syrkBlock(c[o + 1], c[o + 2], c[o + 3], c[o + 4], c[o + 5], c[o + 6]); break;
    case ${Op.Mirror}: ex.mirrorBlock(c[o + 1], c[o + 2], c[o + 3], c[o + 4], c[o + 5]); break;
    default: throw new Error("unknown job " + c[o]);
  }
}`;
}
const runJob = new Function(`${runJobSource()}; return runJob;`)() as (
  ex: DenseExports,
  ctrl: Int32Array,
  offset: number,
  scratch: number,
) => void;

export class NotPositiveDefiniteError extends Error {
  constructor(readonly row: number) {
    super(`matrix is not positive definite (pivot ${row})`);
    this.name = "NotPositiveDefiniteError";
  }
}

export interface DenseSpdOptions {
  /** Threads including the caller; default min(2, available cores). */
  threads?: number;
}

/**
 * An n×n matrix padded to a multiple of BLOCK, in memory the kernels and
 * workers share. Fill `data` (row-major, stride `ld`; only the lower
 * triangle is read), call `invert()`, then read the full inverse from `data`.
 */
export class DenseSpdMatrix {
  readonly ld: number;
  readonly data: Float64Array;
  private readonly memory: WebAssembly.Memory;
  private readonly exports: DenseExports;
  private readonly vOffset: number;
  private readonly scratch: number[];
  private readonly threads: number;

  constructor(
    readonly n: number,
    options: DenseSpdOptions = {},
  ) {
    this.threads = Math.max(
      1,
      Math.floor(options.threads ?? Math.min(2, availableParallelism())),
    );
    this.ld = Math.max(BLOCK, Math.ceil(n / BLOCK) * BLOCK);
    const matrixBytes = this.ld * this.ld * 8;
    const scratchBytes = BLOCK * BLOCK * 8;
    const bytes = RESERVED + 2 * matrixBytes + this.threads * scratchBytes;
    const pages = Math.ceil(bytes / PAGE);
    if (pages > 32768)
      throw new RangeError(
        `matrix of order ${n} is too large (${bytes} bytes)`,
      );
    this.memory = new WebAssembly.Memory({
      initial: pages,
      maximum: pages,
      shared: true,
    });
    this.exports = new WebAssembly.Instance(wasmModule(), {
      env: { memory: this.memory },
    }).exports as unknown as DenseExports;
    this.data = new Float64Array(
      this.memory.buffer,
      RESERVED,
      this.ld * this.ld,
    );
    this.vOffset = RESERVED + matrixBytes;
    this.scratch = Array.from(
      { length: this.threads },
      (_, t) => RESERVED + 2 * matrixBytes + t * scratchBytes,
    );
    // Padding rows get a unit diagonal, so the padded inverse is block diagonal.
    for (let i = n; i < this.ld; i++) this.data[i * this.ld + i] = 1;
  }

  /** Replaces `data` (lower triangle of an SPD matrix) by its full inverse. */
  invert(): void {
    const pool = new JobPool(
      this.memory,
      this.exports,
      this.scratch,
      this.threads,
    );
    try {
      this.factorAndInvert(pool);
    } finally {
      pool.close();
    }
  }

  private factorAndInvert(pool: JobPool): void {
    const ex = this.exports;
    const ld = this.ld;
    const nB = ld / BLOCK;
    const a = RESERVED;
    const v = this.vOffset;
    const block = (base: number, I: number, J: number) =>
      base + (I * BLOCK * ld + J * BLOCK) * 8;

    for (let J = 0; J < nB; J++) {
      const d = block(a, J, J);
      if (J > 0)
        ex.gemmNT(
          d,
          ld,
          block(a, J, 0),
          ld,
          block(a, J, 0),
          ld,
          BLOCK,
          BLOCK,
          J * BLOCK,
        );
      const info = ex.potrf(d, ld, BLOCK);
      if (info !== 0) throw new NotPositiveDefiniteError(J * BLOCK + info - 1);
      const jobs: number[][] = [];
      for (let I = J + 1; I < nB; I++)
        jobs.push([Op.Panel, a, ld, BLOCK, I, J]);
      pool.run(jobs);
    }

    for (let J = 0; J < nB; J++)
      ex.trtriT(block(v, J, J), ld, block(a, J, J), ld, BLOCK);
    const rows: number[][] = [];
    for (let J = 0; J < nB - 1; J++)
      rows.push([Op.InvRow, a, v, ld, BLOCK, nB, J]);
    pool.run(rows);

    // L is dead from here on: P = VVᵀ goes where the matrix was.
    const syrk: number[][] = [];
    for (let J = 0; J < nB; J++)
      for (let I = 0; I <= J; I++) syrk.push([Op.Syrk, a, v, ld, BLOCK, I, J]);
    pool.run(syrk);
    const mirror: number[][] = [];
    for (let J = 1; J < nB; J++)
      for (let I = 0; I < J; I++) mirror.push([Op.Mirror, a, ld, BLOCK, I, J]);
    pool.run(mirror);

    // The kernel subtracts, so what it left is -P.
    const data = this.data;
    for (let i = 0; i < data.length; i++) data[i] = -data[i];
  }
}

/**
 * The calling thread and (threads - 1) workers pull jobs from one shared
 * counter, so uneven job sizes balance themselves.
 */
class JobPool {
  private readonly control: SharedArrayBuffer;
  private readonly ctrl: Int32Array;
  private readonly workers: Worker[] = [];
  private generation = 0;
  private capacity: number;

  constructor(
    memory: WebAssembly.Memory,
    private readonly exports: DenseExports,
    private readonly scratch: number[],
    threads: number,
  ) {
    this.capacity = 4096;
    this.control = new SharedArrayBuffer(
      (JOB_BASE + this.capacity * JOB_INTS) * 4,
    );
    this.ctrl = new Int32Array(this.control);
    for (let index = 0; index < threads - 1; index++) {
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: {
          module: wasmModule(),
          memory,
          control: this.control,
          scratch: scratch[index + 1],
          index,
        },
      });
      worker.unref();
      this.workers.push(worker);
    }
  }

  run(jobs: number[][]): void {
    if (jobs.length === 0) return;
    if (jobs.length > this.capacity) {
      for (let i = 0; i < jobs.length; i += this.capacity)
        this.run(jobs.slice(i, i + this.capacity));
      return;
    }
    const ctrl = this.ctrl;
    jobs.forEach((job, j) => ctrl.set(job, JOB_BASE + j * JOB_INTS));
    Atomics.store(ctrl, CTRL_COUNT, jobs.length);
    Atomics.store(ctrl, CTRL_NEXT, 0);
    const gen = ++this.generation;
    if (this.workers.length > 0) {
      Atomics.store(ctrl, CTRL_GEN, gen);
      Atomics.notify(ctrl, CTRL_GEN);
    }
    for (;;) {
      const j = Atomics.add(ctrl, CTRL_NEXT, 1);
      if (j >= jobs.length) break;
      runJob(this.exports, ctrl, JOB_BASE + j * JOB_INTS, this.scratch[0]);
    }
    for (let w = 0; w < this.workers.length; w++) {
      let seen: number;
      while ((seen = Atomics.load(ctrl, CTRL_DONE + w)) !== gen) {
        Atomics.wait(ctrl, CTRL_DONE + w, seen, 1000);
      }
    }
    if (Atomics.load(ctrl, CTRL_ERROR) !== 0)
      throw new Error("a linear-algebra worker failed");
  }

  close(): void {
    Atomics.store(this.ctrl, CTRL_GEN, -1);
    Atomics.notify(this.ctrl, CTRL_GEN);
    for (const worker of this.workers) void worker.terminate();
  }
}
