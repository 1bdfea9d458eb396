import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * What Shopify checks before it accepts a Flow trigger or a metafield write, for the demo's Admin
 * API stand-in (demo/admin-api.ts): the trigger's fields come from the extension's own TOML, so a
 * payload that drifts from the declared trigger is refused in the demo as Shopify refuses it.
 * Limits: https://shopify.dev/docs/apps/build/flow/triggers/reference (payload under 50,000 bytes,
 * reference fields as `<type>_id`, custom keys of letters and spaces) and the metafieldsSet
 * reference (at most 25 per call, atomic, the owner's write scope, JSON values up to 128 KB).
 */

export interface TriggerField {
  type: string;
  key?: string;
}
export interface TriggerDefinition {
  handle: string;
  fields: TriggerField[];
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The string settings of a TOML table body (`name = "value"` lines; comments skipped). */
function strings(body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of body.split("\n")) {
    const match = /^\s*([A-Za-z_]+)\s*=\s*"([^"]*)"\s*$/.exec(line);
    if (match) out[match[1]] = match[2];
  }
  return out;
}

/** A `flow_trigger` extension's handle and fields, read from its shopify.extension.toml. */
export function readTriggerDefinition(extension: string): TriggerDefinition {
  const toml = readFileSync(
    path.join(root, "extensions", extension, "shopify.extension.toml"),
    "utf8",
  );
  const [head, ...fields] = toml.split(/^\s*\[\[settings\.fields\]\]\s*$/m);
  const { type, handle } = strings(head);
  if (type !== "flow_trigger" || !handle)
    throw new Error(`${extension} is not a flow_trigger extension`);
  return {
    handle,
    fields: fields.map((body) => {
      const { type: fieldType, key } = strings(body);
      if (!(fieldType in REFERENCES) && !(fieldType in CUSTOM))
        throw new Error(
          `${extension}: field type ${fieldType} is not one a Flow trigger takes`,
        );
      return key ? { type: fieldType, key } : { type: fieldType };
    }),
  };
}

export const MAX_TRIGGER_PAYLOAD_BYTES = 50_000;
/** Reference field types: the payload key, and the scope Flow needs to load the resource. */
const REFERENCES: Record<string, { key: string; scope: string }> = {
  customer_reference: { key: "customer_id", scope: "read_customers" },
  order_reference: { key: "order_id", scope: "read_orders" },
  product_reference: { key: "product_id", scope: "read_products" },
};
/** The custom field types the trigger reference documents; a TOML with another one is refused. */
const CUSTOM: Record<string, (value: unknown) => boolean> = {
  single_line_text_field: (v) => typeof v === "string" && !v.includes("\n"),
  number_decimal: (v) => typeof v === "number" && Number.isFinite(v),
  boolean: (v) => typeof v === "boolean",
  email: (v) => typeof v === "string" && /^[^@\s]+@[^@\s]+$/.test(v),
  url: (v) => typeof v === "string" && URL.canParse(v),
};

export interface DemoUserError {
  field: string[] | null;
  message: string;
  code?: string;
}

export type Checked =
  | { ok: true }
  /** Refused before it runs: a top-level GraphQL error, no data. */
  | { ok: false; error: { message: string; code: string } }
  | { ok: false; userErrors: DemoUserError[] };

/** flowTriggerReceive as Shopify validates it: known handle, size, scopes, every declared field. */
export function checkFlowTrigger(
  triggers: readonly TriggerDefinition[],
  granted: readonly string[],
  handle: unknown,
  payload: unknown,
): Checked {
  const trigger = triggers.find((t) => t.handle === handle);
  if (!trigger)
    return {
      ok: false,
      userErrors: [
        { field: ["handle"], message: `Invalid handle: ${String(handle)}` },
      ],
    };
  if (typeof payload !== "object" || payload === null || Array.isArray(payload))
    return {
      ok: false,
      userErrors: [
        { field: ["payload"], message: "Payload must be an object" },
      ],
    };
  const bytes = Buffer.byteLength(JSON.stringify(payload));
  if (bytes >= MAX_TRIGGER_PAYLOAD_BYTES)
    return {
      ok: false,
      userErrors: [
        {
          field: ["payload"],
          message: `Payload is ${bytes} bytes; it must be under ${MAX_TRIGGER_PAYLOAD_BYTES} bytes`,
        },
      ],
    };
  const missingScope = trigger.fields
    .map((f) => REFERENCES[f.type]?.scope)
    .find((scope) => scope && !granted.includes(scope));
  if (missingScope)
    return {
      ok: false,
      error: {
        message: `Access denied for flowTriggerReceive: the trigger's reference fields need ${missingScope}.`,
        code: "ACCESS_DENIED",
      },
    };
  const values = payload as Record<string, unknown>;
  const declared = new Set<string>();
  const userErrors: DemoUserError[] = [];
  for (const field of trigger.fields) {
    const reference = REFERENCES[field.type];
    const key = reference?.key ?? field.key ?? "";
    declared.add(key);
    const value = values[key];
    const valid = reference
      ? Number.isSafeInteger(value) && (value as number) > 0
      : (CUSTOM[field.type]?.(value) ?? false);
    if (!valid)
      userErrors.push({
        field: ["payload", key],
        message:
          value === undefined
            ? `Missing required property: ${key}`
            : `Invalid value for ${key} (${field.type})`,
      });
  }
  for (const key of Object.keys(values))
    if (!declared.has(key))
      userErrors.push({
        field: ["payload", key],
        message: `Property not declared by the trigger: ${key}`,
      });
  return userErrors.length > 0 ? { ok: false, userErrors } : { ok: true };
}

export const MAX_METAFIELDS_PER_SET = 25;
const MAX_JSON_BYTES = 128 * 1024;
/** The scope a metafield write needs: the one that lets the app change its owner. */
const OWNER_SCOPES: Record<string, string> = {
  Customer: "write_customers",
  Order: "write_orders",
  Product: "write_products",
  DiscountAutomaticNode: "write_discounts",
};

export interface MetafieldsSetInput {
  ownerId: string;
  namespace: string;
  key: string;
  type: string;
  value: string;
}

/** The owner's write scope, as a user error when it is not granted; null when it is. */
function ownerScopeError(
  granted: readonly string[],
  ownerId: string,
  field: string[],
): DemoUserError | null {
  const owner = /^gid:\/\/shopify\/(\w+)\/\d+$/.exec(ownerId)?.[1];
  const scope = owner ? OWNER_SCOPES[owner] : undefined;
  if (!scope)
    return { field, message: "Owner does not exist", code: "INVALID" };
  if (!granted.includes(scope))
    return {
      field,
      message: `Access denied: writing this metafield needs ${scope}`,
      code: "APP_NOT_AUTHORIZED",
    };
  return null;
}

/** metafieldsDelete as Shopify validates it: deleting takes the owner's write scope too. */
export function checkMetafieldsDelete(
  granted: readonly string[],
  metafields: readonly { ownerId: string }[],
): Checked {
  const userErrors = metafields.flatMap(
    (m, i) =>
      ownerScopeError(granted, m.ownerId, [
        "metafields",
        String(i),
        "ownerId",
      ]) ?? [],
  );
  return userErrors.length > 0 ? { ok: false, userErrors } : { ok: true };
}

/** metafieldsSet as Shopify validates it; atomic, so one error means nothing is written. */
export function checkMetafieldsSet(
  granted: readonly string[],
  metafields: readonly MetafieldsSetInput[],
): Checked {
  if (metafields.length > MAX_METAFIELDS_PER_SET)
    return {
      ok: false,
      error: {
        message: `The input array size of ${metafields.length} is greater than the maximum allowed of ${MAX_METAFIELDS_PER_SET}.`,
        code: "MAX_INPUT_SIZE_EXCEEDED",
      },
    };
  const userErrors: DemoUserError[] = [];
  metafields.forEach((m, i) => {
    const at = (name: string) => ["metafields", String(i), name];
    const ownerError = ownerScopeError(granted, m.ownerId, at("ownerId"));
    if (ownerError) userErrors.push(ownerError);
    const appOwned = /^\$app(:[A-Za-z0-9_-]{1,250})?$/.test(m.namespace);
    if (!appOwned && !/^[A-Za-z0-9_-]{3,255}$/.test(m.namespace))
      userErrors.push({
        field: at("namespace"),
        message: "Namespace must be 3 to 255 letters, digits, - or _",
        code: "INVALID",
      });
    if (!/^[A-Za-z0-9_-]{2,64}$/.test(m.key))
      userErrors.push({
        field: at("key"),
        message: "Key must be 2 to 64 letters, digits, - or _",
        code: "INVALID",
      });
    if (m.type === "json") {
      if (Buffer.byteLength(m.value) > MAX_JSON_BYTES)
        userErrors.push({
          field: at("value"),
          message: `Value is too long: JSON values are limited to ${MAX_JSON_BYTES} bytes`,
          code: "TOO_LONG",
        });
      else
        try {
          JSON.parse(m.value);
        } catch {
          userErrors.push({
            field: at("value"),
            message: "Value is invalid JSON",
            code: "INVALID_VALUE",
          });
        }
    }
  });
  return userErrors.length > 0 ? { ok: false, userErrors } : { ok: true };
}
