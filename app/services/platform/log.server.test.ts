import { describe, expect, it } from "vitest";
import { formatLine } from "./log.server";

describe("structured log lines", () => {
  it("writes one JSON object with time, level, message and fields", () => {
    const line = formatLine(
      "info",
      "import finished",
      { shop: "a.myshopify.com", orders: 12 },
      new Date(0),
    );
    expect(JSON.parse(line)).toEqual({
      time: "1970-01-01T00:00:00.000Z",
      level: "info",
      msg: "import finished",
      shop: "a.myshopify.com",
      orders: 12,
    });
    expect(line).not.toContain("\n");
  });

  it("reduces errors to name and message, without stack traces", () => {
    const parsed = JSON.parse(
      formatLine("error", "failed", { error: new TypeError("bad input") }),
    );
    expect(parsed.error).toEqual({ name: "TypeError", message: "bad input" });
  });
});
