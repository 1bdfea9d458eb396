import { describe, expect, it } from "vitest";
import { fnv1a32 } from "./hash";

describe("fnv1a32", () => {
  it("matches the evaluation protocol's test vectors", () => {
    expect(fnv1a32("")).toBe(2166136261);
    expect(fnv1a32("a")).toBe(3826002220);
    expect(fnv1a32("42:536365")).toBe(2847041313);
  });

  it("matches the published FNV-1a 32 vector for a longer string", () => {
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("hashes UTF-8 bytes, not UTF-16 code units", () => {
    // "é" is two UTF-8 bytes (c3 a9); hashing the code unit 0xe9 would give another value.
    expect(fnv1a32("\u00e9")).toBe(0x1e9de8c1);
  });
});
