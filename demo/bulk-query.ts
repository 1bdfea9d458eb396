import type { Field, Operation } from "../app/services/platform/query-cost";

/**
 * What Shopify checks before it starts a bulk query (bulkOperationRunQuery reference, and the bulk
 * operations guide's restrictions), for the demo's Admin API stand-in: at least one connection, at
 * most five in all, nested at most two levels deep, and no top-level `node` or `nodes`. A query
 * that breaks one is refused with a user error, and no operation starts.
 */
export const MAX_BULK_CONNECTIONS = 5;
export const MAX_BULK_DEPTH = 2;

/** A connection as bulk queries select it: its items as `edges { node }` or `nodes`. */
const isConnection = (field: Field) =>
  field.selections?.some((f) => f.name === "edges" || f.name === "nodes") ??
  false;

/** Every connection's depth (1 for a top-level one), nested ones included. */
function connectionDepths(fields: readonly Field[], depth = 0): number[] {
  return fields.flatMap((field) => {
    const own = isConnection(field) ? depth + 1 : depth;
    const nested = connectionDepths(field.selections ?? [], own);
    return own > depth ? [own, ...nested] : nested;
  });
}

/** Why Shopify would refuse an operation as a bulk query; null when it would start it. */
export function bulkQueryRefusal({
  mutation,
  selections,
}: Operation): string | null {
  if (mutation) return "Bulk queries cannot contain mutations.";
  if (selections.some((f) => f.name === "node" || f.name === "nodes"))
    return "Bulk queries cannot contain a top-level node or nodes field.";
  const depths = connectionDepths(selections);
  if (depths.length === 0)
    return "Bulk queries must contain at least one connection.";
  if (depths.length > MAX_BULK_CONNECTIONS)
    return `Bulk queries cannot contain more than ${MAX_BULK_CONNECTIONS} connections.`;
  if (Math.max(...depths) > MAX_BULK_DEPTH)
    return `Bulk queries cannot contain connections nested more than ${MAX_BULK_DEPTH} levels deep.`;
  return null;
}
