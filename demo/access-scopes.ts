import {
  type Field,
  parseOperation,
} from "../app/services/platform/query-cost";

/**
 * The access scopes Shopify checks on every Admin GraphQL field, for the demo's Admin API
 * stand-in (demo/admin-api.ts): a query that selects a field the merchant's grant does not cover
 * is refused with ACCESS_DENIED, and a bulk query with one fails, as Shopify refuses them. Each
 * field needs one of the scopes listed (the GraphQL Admin reference, "Requires … access scope"
 * on each object and mutation); a write scope grants its read scope. InventoryItem is readable
 * with read_products too since 2025-01 (changelog "InventoryItem Queryable and Updatable with
 * Products Scopes").
 */
const FIELD_SCOPES: Record<string, readonly string[]> = {
  orders: ["read_orders"],
  order: ["read_orders"],
  customers: ["read_customers"],
  customer: ["read_customers"],
  products: ["read_products"],
  product: ["read_products"],
  productVariants: ["read_products"],
  variants: ["read_products"],
  variant: ["read_products"],
  collections: ["read_products"],
  inventoryItem: ["read_inventory", "read_products"],
  webPixel: ["read_pixels"],
  webPixelCreate: ["write_pixels"],
  webPixelUpdate: ["write_pixels"],
  discountAutomaticAppCreate: ["write_discounts"],
  discountAutomaticAppUpdate: ["write_discounts"],
};

const covers = (granted: readonly string[], scope: string) =>
  granted.includes(scope) ||
  (scope.startsWith("read_") &&
    granted.includes(`write_${scope.slice("read_".length)}`));

export interface DeniedField {
  field: string;
  /** The scopes that would let the app read (or run) it, any one of them. */
  scopes: readonly string[];
}

function firstDenied(
  fields: readonly Field[],
  granted: readonly string[],
): DeniedField | null {
  for (const field of fields) {
    const scopes = FIELD_SCOPES[field.name];
    if (scopes && !scopes.some((s) => covers(granted, s)))
      return { field: field.name, scopes };
    const nested = firstDenied(field.selections ?? [], granted);
    if (nested) return nested;
  }
  return null;
}

/** The first field of `query` the granted scopes do not let the app select; null when none. */
export function deniedField(
  query: string,
  variables: Record<string, unknown>,
  granted: readonly string[],
): DeniedField | null {
  return firstDenied(parseOperation(query, variables).selections, granted);
}

/** Shopify's message for a field the app's access scopes do not cover. */
export function accessDeniedMessage({ field, scopes }: DeniedField): string {
  const required = scopes.map((s) => `\`${s}\``).join(" or ");
  return `Access denied for ${field} field. Required access: ${required} access scope.`;
}
