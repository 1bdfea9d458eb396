import { fnv1a32 } from "./hash";
// Sticky experiment assignment. The arm is a pure function of (experiment id, visitor key), so the
// storefront, the post-purchase endpoint, every server instance and every restart agree without
// storing an assignment. The algorithm is specified exactly so other runtimes can reproduce it:
//
//   h    = fmix32(FNV-1a-32(UTF-8(experimentId + ":" + visitorKey)))
//   slot = floor(h × totalWeight / 2^32)
//   arm  = the first arm whose cumulative weight exceeds slot (arms in their stored order)
//
// fmix32 is MurmurHash3's finaliser: FNV-1a alone leaves the high bits of similar keys (visitor ids
// that differ in one trailing character) correlated, and the slot is taken from the high bits.
// Changing arms or weights of a running experiment moves visitors between arms: freeze them at start.

export interface ArmWeight {
  id: string;
  /** Relative traffic share; a non-negative integer (e.g. percent or basis points). */
  weight: number;
  /** The hold-out arm renders no widget but is still assigned and logged. */
  holdout?: boolean;
}

export interface ExperimentSplit {
  id: string;
  arms: readonly ArmWeight[];
}

export class AssignmentConfigError extends Error {
  override name = "AssignmentConfigError";
}

const TWO_POW_32 = 4294967296;

function fmix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The visitor's position in [0, 2^32) for this experiment. */
export function assignmentHash(
  experimentId: string,
  visitorKey: string,
): number {
  return fmix32(fnv1a32(`${experimentId}:${visitorKey}`));
}

function validate(split: ExperimentSplit): number {
  // A ":" in the experiment id would let two different (id, visitor) pairs hash the same string.
  if (split.id.length === 0 || split.id.includes(":"))
    throw new AssignmentConfigError(
      `Experiment id must be non-empty without ":": ${split.id}`,
    );
  if (split.arms.length === 0)
    throw new AssignmentConfigError(`Experiment ${split.id} has no arms`);
  let total = 0;
  for (const arm of split.arms) {
    if (!Number.isSafeInteger(arm.weight) || arm.weight < 0)
      throw new AssignmentConfigError(
        `Arm ${arm.id} weight must be a non-negative integer`,
      );
    total += arm.weight;
  }
  // slot = h × total / 2^32 must stay exact in a double: h < 2^32, so total ≤ 2^21 suffices.
  if (total <= 0 || total > 2 ** 21)
    throw new AssignmentConfigError(
      `Experiment ${split.id} weights must sum to 1..2^21`,
    );
  return total;
}

/** The arm a visitor sees in an experiment, the same on every call, instance and restart. */
export function assignArm(
  split: ExperimentSplit,
  visitorKey: string,
): ArmWeight {
  const total = validate(split);
  const slot = Math.floor(
    (assignmentHash(split.id, visitorKey) * total) / TWO_POW_32,
  );
  let cumulative = 0;
  for (const arm of split.arms) {
    cumulative += arm.weight;
    if (slot < cumulative) return arm;
  }
  // Unreachable: slot < total and the cumulative weight reaches total.
  throw new AssignmentConfigError(
    `Experiment ${split.id} could not place slot ${slot}`,
  );
}
