import { z } from "zod";

/** The `admin.graphql` function from an authenticated context, injected so services stay testable. */
export type AdminGraphql = (
  query: string,
  options?: { variables?: Record<string, unknown> },
) => Promise<Response>;

export class AdminApiError extends Error {}

/** A mutation's `userErrors`: Shopify refused the write, and says why for the merchant to read. */
export const UserErrors = z.array(
  z.object({
    field: z
      .array(z.string())
      .nullish()
      .transform((field) => field ?? null),
    message: z.string(),
    code: z
      .string()
      .nullish()
      .transform((code) => code ?? null),
  }),
);

export type UserError = z.infer<typeof UserErrors>[number];

const Envelope = z.object({
  data: z.unknown().optional(),
  errors: z
    .union([
      z.array(
        z.object({
          message: z.string(),
          extensions: z.object({ code: z.string().optional() }).optional(),
        }),
      ),
      z.string(),
    ])
    .optional(),
  extensions: z
    .object({
      cost: z
        .object({
          requestedQueryCost: z.number().optional(),
          throttleStatus: z
            .object({ currentlyAvailable: z.number(), restoreRate: z.number() })
            .optional(),
        })
        .optional(),
    })
    .optional(),
});

export interface QueryOptions {
  /** Waits before a retry; tests pass an instant one. */
  sleep?: (ms: number) => Promise<void>;
  maxAttempts?: number;
}

const realSleep = (ms: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs one Admin GraphQL query, validates the response with `schema`, and backs off when
 * Shopify answers THROTTLED (waiting as long as the bucket needs to refill the query's cost).
 */
export async function adminQuery<T>(
  graphql: AdminGraphql,
  query: string,
  variables: Record<string, unknown>,
  schema: z.ZodType<T>,
  { sleep = realSleep, maxAttempts = 6 }: QueryOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let body: z.infer<typeof Envelope>;
    try {
      const response = await graphql(query, { variables });
      body = Envelope.parse(await response.json());
    } catch (error) {
      // The library throws GraphqlQueryError for GraphQL-level errors, with the body attached.
      const detail =
        String(error) +
        JSON.stringify((error as { body?: unknown }).body ?? null);
      if (!detail.includes("THROTTLED") || attempt >= maxAttempts) throw error;
      await sleep(1000 * 2 ** (attempt - 1));
      continue;
    }
    const errors = Array.isArray(body.errors)
      ? body.errors
      : body.errors
        ? [{ message: body.errors }]
        : [];
    if (
      errors.some(
        (e) =>
          typeof e === "object" &&
          "extensions" in e &&
          e.extensions?.code === "THROTTLED",
      )
    ) {
      if (attempt >= maxAttempts)
        throw new AdminApiError("Admin API still throttled after retries");
      const cost = body.extensions?.cost;
      const missing =
        (cost?.requestedQueryCost ?? 100) -
        (cost?.throttleStatus?.currentlyAvailable ?? 0);
      const rate = cost?.throttleStatus?.restoreRate ?? 50;
      await sleep(
        Math.max(
          1000 * 2 ** (attempt - 1),
          (1000 * Math.max(missing, 0)) / rate,
        ),
      );
      continue;
    }
    if (errors.length > 0)
      throw new AdminApiError(
        errors.map((e) => (typeof e === "string" ? e : e.message)).join("; "),
      );
    const parsed = schema.safeParse(body.data);
    if (!parsed.success)
      throw new AdminApiError(
        `Unexpected Admin API response: ${parsed.error.message}`,
      );
    return parsed.data;
  }
}

/** "gid://shopify/Product/123" -> "123". */
export function numericId(gid: string): string {
  const id = gid.slice(gid.lastIndexOf("/") + 1);
  if (!/^\d+$/.test(id)) throw new AdminApiError(`Not a Shopify GID: ${gid}`);
  return id;
}
