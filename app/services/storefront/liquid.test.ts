import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { escapeText } from "./liquid";

const decode = (html: string) =>
  html.replace(/&(amp|lt|gt|quot|#39|#123|#125);/g, (_, name: string) => {
    const chars: Record<string, string> = {
      amp: "&",
      lt: "<",
      gt: ">",
      quot: '"',
      "#39": "'",
      "#123": "{",
      "#125": "}",
    };
    return chars[name];
  });

describe("escapeText", () => {
  it("leaves no markup or Liquid delimiter, and loses nothing", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const escaped = escapeText(text);
        expect(escaped).not.toMatch(/[<>"'{}]/);
        expect(decode(escaped)).toBe(text);
      }),
      { numRuns: 500 },
    );
    expect(escapeText("{{ x }} & <b>")).toBe(
      "&#123;&#123; x &#125;&#125; &amp; &lt;b&gt;",
    );
  });
});
