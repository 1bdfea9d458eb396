import type { Field, Operation } from "../app/services/platform/query-cost";

/**
 * The access scopes Shopify checks on every Admin GraphQL field, for the demo's Admin API
 * stand-in (demo/admin-api.ts): a query that selects a field the merchant's grant does not cover
 * is refused with ACCESS_DENIED, and a bulk query with one fails, as Shopify refuses them. Each
 * field needs one of the scopes listed (the GraphQL Admin reference, "Requires … access scope"
 * on each object and mutation); a write scope grants its read scope. InventoryItem is readable
 * with read_products too since 2025-01 (changelog "InventoryItem Queryable and Updatable with
 * Products Scopes").
 *
 * Protected customer data is checked the same way: the app declares level 1 only (docs/scopes.md),
 * so a customer's or an order's name, email, phone or address fields (level 2, Shopify's page
 * "Work with protected customer data") are refused as they are for an app not approved for them.
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

/** Fields holding customer data: below them, level 2 fields are protected. */
const CUSTOMER_DATA = new Set(["orders", "order", "customers", "customer"]);
/** Level 2 protected customer fields: name, email, phone and address. */
const LEVEL_2_FIELDS = new Set([
  "email",
  "phone",
  "firstName",
  "lastName",
  "displayName",
  "defaultEmailAddress",
  "defaultPhoneNumber",
  "defaultAddress",
  "addresses",
  "addressesV2",
  "billingAddress",
  "shippingAddress",
]);
export const PROTECTED_CUSTOMER_DATA_LEVEL_2 =
  "protected customer data (level 2)";

const covers = (granted: readonly string[], scope: string) =>
  granted.includes(scope) ||
  (scope.startsWith("read_") &&
    granted.includes(`write_${scope.slice("read_".length)}`));

export interface DeniedField {
  field: string;
  /** The scopes that would let the app read (or run) it, any one of them, or the data level. */
  scopes: readonly string[];
}

function firstDenied(
  fields: readonly Field[],
  granted: readonly string[],
  customerData = false,
): DeniedField | null {
  for (const field of fields) {
    if (customerData && LEVEL_2_FIELDS.has(field.name))
      return { field: field.name, scopes: [PROTECTED_CUSTOMER_DATA_LEVEL_2] };
    const scopes = FIELD_SCOPES[field.name];
    if (scopes && !scopes.some((s) => covers(granted, s)))
      return { field: field.name, scopes };
    const nested = firstDenied(
      field.selections ?? [],
      granted,
      customerData || CUSTOMER_DATA.has(field.name),
    );
    if (nested) return nested;
  }
  return null;
}

/** The first field of an operation the granted scopes do not let the app select; null when none. */
export function deniedField(
  operation: Operation,
  granted: readonly string[],
): DeniedField | null {
  return firstDenied(operation.selections, granted);
}

/** Shopify's message for a field the app's access scopes do not cover. */
export function accessDeniedMessage({ field, scopes }: DeniedField): string {
  if (scopes.includes(PROTECTED_CUSTOMER_DATA_LEVEL_2))
    return `Access denied for ${field} field: this app is not approved to access ${PROTECTED_CUSTOMER_DATA_LEVEL_2}.`;
  const required = scopes.map((s) => `\`${s}\``).join(" or ");
  return `Access denied for ${field} field. Required access: ${required} access scope.`;
}
