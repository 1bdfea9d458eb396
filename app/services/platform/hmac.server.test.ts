import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { hmacSha256 } from "./hmac.server";

describe("hmacSha256", () => {
  it("gives createHmac's MACs, whichever secret came before", () => {
    fc.assert(
      fc.property(
        // Keys longer than SHA-256's 64-byte block too, and characters of several UTF-8 bytes.
        fc.array(
          fc.string({ unit: "grapheme", minLength: 1, maxLength: 100 }),
          {
            minLength: 1,
            maxLength: 4,
          },
        ),
        fc.string({ unit: "grapheme", maxLength: 300 }),
        (secrets, message) => {
          for (const secret of secrets)
            expect(hmacSha256(secret).update(message).digest("hex")).toBe(
              createHmac("sha256", secret).update(message).digest("hex"),
            );
        },
      ),
      { numRuns: 300 },
    );
  });
});
