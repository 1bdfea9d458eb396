import { Prisma } from "@prisma/client";
import type prisma from "~/db.server";

/** A transaction of the app's client: what the catalog's writes run in. */
export type Transaction = Omit<
  typeof prisma,
  "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends"
>;

/**
 * Bound parameters one statement may carry: SQLite's limit (PostgreSQL allows 65,535), so one
 * number serves both databases.
 */
export const MAX_BOUND_PARAMETERS = 32_766;

export type Cell = string | number | boolean | Date | null;

/**
 * Inserts rows with multi-row `INSERT ... VALUES (...), (...)` statements with bound parameters,
 * as many rows per statement as the parameter limit allows. Prisma's `createMany` does client
 * work for every row (in JavaScript and its WebAssembly query compiler), about two thirds of a
 * large import's time (decision 022); a statement of a few thousand rows costs the database
 * alone. Table and column names are the caller's constants, never input. Returns the number of
 * rows inserted.
 */
export async function insertRows<C extends string>(
  tx: Transaction,
  table: string,
  columns: readonly C[],
  rows: readonly Record<C, Cell>[],
  maxParameters = MAX_BOUND_PARAMETERS,
): Promise<number> {
  const perStatement = Math.floor(maxParameters / columns.length);
  if (perStatement < 1)
    throw new RangeError(`${table}: more columns than bound parameters`);
  const head = Prisma.raw(
    `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")}) VALUES `,
  );
  let inserted = 0;
  for (let start = 0; start < rows.length; start += perStatement) {
    const values = rows
      .slice(start, start + perStatement)
      .map((row) => Prisma.sql`(${Prisma.join(columns.map((c) => row[c]))})`);
    // Composed with one Prisma namespace and handed over whole: the PostgreSQL client's own
    // template tag would not recognise the fragments of the SQLite client's namespace.
    inserted += await tx.$executeRaw(Prisma.sql`${head}${Prisma.join(values)}`);
  }
  return inserted;
}
