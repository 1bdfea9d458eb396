const utf8 = new TextEncoder();

/**
 * FNV-1a, 32-bit, over the UTF-8 bytes of `text`, unsigned. One definition serves the
 * evaluation protocol (which fixes this exact hash) and experiment assignment, which must agree
 * across instances and restarts.
 */
export function fnv1a32(text: string): number {
  let h = 2166136261;
  for (const b of utf8.encode(text)) {
    h ^= b;
    h = Math.imul(h, 16777619) >>> 0;
  }
  return h >>> 0;
}
