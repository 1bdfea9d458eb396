import { z } from "zod";

const StringList = z.array(z.string());

/**
 * A column that stores a JSON string[]: a bundle's products, a rule's targets, a shop's excluded
 * products and tags, a product's tags and collections. Parsed, not cast, so a row that is not a
 * list fails here instead of somewhere downstream.
 */
export function parseStringList(json: string): string[] {
  return StringList.parse(JSON.parse(json));
}
