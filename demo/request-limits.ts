import type { Field, Operation } from "../app/services/platform/query-cost";

/**
 * Shopify's limits on a request's size, besides its cost (the API limits page, "Input limits",
 * and the GraphQL pagination page): a connection returns at most 250 items a page, and an input
 * array holds at most 250 items. The demo's Admin API stand-in refuses a request past either,
 * as Shopify does, before anything runs.
 */
export const MAX_PAGE_SIZE = 250;
export const MAX_INPUT_ARRAY = 250;

function oversizedPage(fields: readonly Field[]): Field | null {
  for (const field of fields) {
    const size = field.args.first ?? field.args.last;
    if (typeof size === "number" && size > MAX_PAGE_SIZE) return field;
    const nested = oversizedPage(field.selections ?? []);
    if (nested) return nested;
  }
  return null;
}

/** The longest list among the fields' literal arguments, nested fields included. */
function longestArgument(fields: readonly Field[]): number {
  return Math.max(
    0,
    ...fields.flatMap((field) => [
      ...Object.values(field.args).map((v) =>
        Array.isArray(v) ? v.length : 0,
      ),
      longestArgument(field.selections ?? []),
    ]),
  );
}

/**
 * The longest list among the variables declared as lists (`$ids: [ID!]!`). A JSON scalar's
 * content (a Flow trigger's payload) is no input array: it has a size limit of its own.
 */
function longestListVariable(
  query: string,
  variables: Record<string, unknown>,
): number {
  const lists = [...query.matchAll(/\$(\w+)\s*:\s*\[/g)].map((m) => m[1]);
  return Math.max(
    0,
    ...lists.map((name) => {
      const value = variables[name];
      return Array.isArray(value) ? value.length : 0;
    }),
  );
}

/**
 * Why Shopify would refuse this request for its size, as a top-level error; null when it would
 * run it. The reference names no error code for a page too large: the app reads only that the
 * request was refused.
 */
export function requestLimitRefusal(
  query: string,
  variables: Record<string, unknown>,
  { selections }: Operation,
): { message: string; code: string } | null {
  const page = oversizedPage(selections);
  if (page)
    return {
      message: `${page.name}: a page holds at most ${MAX_PAGE_SIZE} items (first or last).`,
      code: "BAD_REQUEST",
    };
  const longest = Math.max(
    longestArgument(selections),
    longestListVariable(query, variables),
  );
  if (longest > MAX_INPUT_ARRAY)
    return {
      message: `The input array size of ${longest} is greater than the maximum allowed of ${MAX_INPUT_ARRAY}.`,
      code: "MAX_INPUT_SIZE_EXCEEDED",
    };
  return null;
}
