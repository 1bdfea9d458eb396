/**
 * Where a process's time went, from a V8 CPU profile (`node --cpu-prof`): each sample goes to the
 * innermost frame on its stack that names a part of the work (`Part`), in a window of the
 * profile's clock. V8 stamps samples with the monotonic clock that `process.hrtime` reads, so a
 * benchmark can mark a phase's window with `process.hrtime.bigint()` in its own process.
 */
import { readFileSync } from "node:fs";

interface CallFrame {
  functionName: string;
  url: string;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; children?: number[] }[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** The part of the work a frame is, or undefined to look at its caller. */
export type Part = (frame: CallFrame) => string | undefined;

/** The profile's samples as [stack's part, microseconds, time in µs of the monotonic clock]. */
export function readProfile(file: string, part: Part) {
  const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const parts = new Map<number, string>();
  const partOf = (id: number): string => {
    const known = parts.get(id);
    if (known !== undefined) return known;
    const up = parent.get(id);
    const found =
      part(byId.get(id)!.callFrame) ??
      (up === undefined ? "other" : partOf(up));
    parts.set(id, found);
    return found;
  };
  let time = profile.startTime;
  return profile.samples.map((id, i) => {
    time += profile.timeDeltas[i];
    return { part: partOf(id), us: profile.timeDeltas[i], at: time };
  });
}

/** Microseconds per part between two `process.hrtime.bigint()` readings, idle time left out. */
export function timeByPart(
  samples: ReturnType<typeof readProfile>,
  from: bigint,
  to: bigint,
): Map<string, number> {
  const [start, end] = [Number(from / 1000n), Number(to / 1000n)];
  const byPart = new Map<string, number>();
  for (const { part, us, at } of samples)
    if (at >= start && at <= end && part !== "(idle)")
      byPart.set(part, (byPart.get(part) ?? 0) + us);
  return byPart;
}
