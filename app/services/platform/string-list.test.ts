import { describe, expect, it } from "vitest";
import { parseStringList } from "./string-list";

describe("parseStringList", () => {
  it("reads a stored JSON list of strings", () => {
    expect(parseStringList('["1","22"]')).toEqual(["1", "22"]);
    expect(parseStringList("[]")).toEqual([]);
  });

  it("refuses a stored value that is not a list of strings", () => {
    expect(() => parseStringList('{"0":"1"}')).toThrow();
    expect(() => parseStringList("[1,2]")).toThrow();
    expect(() => parseStringList("not json")).toThrow();
  });
});
