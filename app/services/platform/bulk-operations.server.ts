import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { z } from "zod";
import {
  type AdminGraphql,
  AdminApiError,
  type QueryOptions,
  UserErrors,
  adminQuery,
} from "./admin-graphql.server";

/**
 * Shopify's bulk query operations: one `bulkOperationRunQuery` reads a whole connection (with up
 * to five nested connections, two levels deep) in the background, outside the 1,000-point
 * single-query limit; the result is a JSONL file at a URL, one object per line, nested objects
 * as lines of their own pointing at their parent with `__parentId`.
 */

const RUN = `#graphql
  mutation CartliftBulkRun($query: String!) {
    bulkOperationRunQuery(query: $query, groupObjects: true) {
      bulkOperation { id status }
      userErrors { field message code }
    }
  }`;

const STATUS = `#graphql
  query CartliftBulkStatus($id: ID!) {
    node(id: $id) {
      ... on BulkOperation { id status errorCode objectCount url createdAt }
    }
  }`;

const RunData = z.object({
  bulkOperationRunQuery: z.object({
    bulkOperation: z.object({ id: z.string(), status: z.string() }).nullable(),
    userErrors: UserErrors,
  }),
});

const Operation = z.object({
  id: z.string(),
  status: z.enum([
    "CREATED",
    "RUNNING",
    "COMPLETED",
    "CANCELING",
    "CANCELED",
    "FAILED",
    "EXPIRED",
  ]),
  errorCode: z.string().nullable(),
  // UnsignedInt64 travels as a string.
  objectCount: z.union([z.string(), z.number()]).transform(Number),
  url: z.string().nullable(),
  createdAt: z.string(),
});
export type BulkOperation = z.infer<typeof Operation>;

const StatusData = z.object({ node: Operation.nullable() });

/**
 * Starts a bulk query. `groupObjects: true` is asked for explicitly (the default until API
 * 2025-10, no longer from 2026-01): it puts every child line right after its parent, so a
 * reader holds one parent and its children at a time, never the file.
 */
export async function runBulkQuery(
  graphql: AdminGraphql,
  query: string,
  options: QueryOptions = {},
): Promise<string> {
  const { bulkOperationRunQuery: result } = await adminQuery(
    graphql,
    RUN,
    { query },
    RunData,
    options,
  );
  if (result.userErrors.length > 0 || !result.bulkOperation)
    throw new AdminApiError(
      `Shopify refused the bulk query: ${result.userErrors.map((e) => e.message).join("; ")}`,
    );
  return result.bulkOperation.id;
}

export async function bulkOperation(
  graphql: AdminGraphql,
  id: string,
  options: QueryOptions = {},
): Promise<BulkOperation> {
  const { node } = await adminQuery(
    graphql,
    STATUS,
    { id },
    StatusData,
    options,
  );
  if (!node) throw new AdminApiError(`No bulk operation ${id}`);
  return node;
}

const FINISHED = new Set(["COMPLETED", "CANCELED", "FAILED", "EXPIRED"]);
/** Imports waiting in this process for an operation, woken by the bulk_operations/finish webhook. */
const waiting = new Map<string, () => void>();

/** Wakes whoever waits for the operation here; false when nobody in this process does. */
export function wakeBulkWaiter(id: string): boolean {
  const wake = waiting.get(id);
  wake?.();
  return wake !== undefined;
}

/**
 * Waits until the operation finishes: woken by the bulk_operations/finish webhook, and polling
 * every `pollMs` in case the webhook is late or lost. `onStatus` sees every answer (the object
 * count grows while Shopify runs the query).
 */
export async function awaitBulkOperation(
  graphql: AdminGraphql,
  id: string,
  {
    pollMs = 10_000,
    onStatus,
    ...options
  }: QueryOptions & {
    pollMs?: number;
    onStatus?: (op: BulkOperation) => Promise<void> | void;
  } = {},
): Promise<BulkOperation> {
  const sleep =
    options.sleep ??
    ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  for (;;) {
    const op = await bulkOperation(graphql, id, options);
    await onStatus?.(op);
    if (FINISHED.has(op.status)) return op;
    await new Promise<void>((resolve) => {
      waiting.set(id, resolve);
      void sleep(pollMs).then(resolve);
    }).finally(() => waiting.delete(id));
  }
}

/**
 * The lines of a result file, streamed from its URL: only the line being read is in memory.
 * The first `skip` lines (already applied before a crash or redeploy) are read past.
 */
export async function* resultLines(
  url: string,
  skip = 0,
): AsyncGenerator<string> {
  const response = await fetch(url);
  if (!response.ok || !response.body)
    throw new AdminApiError(
      `Bulk operation result not readable: HTTP ${response.status}`,
    );
  const lines = createInterface({
    input: Readable.fromWeb(response.body as NodeReadableStream),
    crlfDelay: Infinity,
  });
  let index = 0;
  for await (const line of lines) {
    if (index++ < skip) continue;
    yield line;
  }
}
