import { createRequire } from "node:module";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "./env.server";

/**
 * SQLite (file:) is the embedded default; PostgreSQL (postgres://) is production. Both clients
 * are generated from the same data model (the PostgreSQL schema is derived from the SQLite one,
 * docs/decisions/010-postgresql.md), so they share one API and one type.
 */
export function createClient(url: string): PrismaClient {
  if (url.startsWith("file:")) {
    return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) });
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    // Generated at install into node_modules/.prisma/postgres-client; loaded at run time so the
    // SQLite-only setups never touch it.
    const { PrismaClient: PostgresClient } = createRequire(import.meta.url)(
      ".prisma/postgres-client",
    ) as {
      PrismaClient: typeof PrismaClient;
    };
    return new PostgresClient({
      adapter: new PrismaPg({ connectionString: url }),
    });
  }
  throw new Error(
    `Unsupported DATABASE_URL scheme: ${url.split(":")[0]} (expected file: or postgres://)`,
  );
}

/**
 * Options for the transactions that write a whole import page or webhook batch: Prisma's 5 s
 * default is too tight for a page of products on a busy database, and a timeout there would
 * throw the page away to be fetched again.
 */
export const BATCH_TRANSACTION = { timeout: 30_000, maxWait: 10_000 };

/**
 * Prisma's "unique constraint failed". Checked by code, not class: the SQLite and PostgreSQL
 * clients each carry their own copy of Prisma's error classes.
 */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "P2002";
}

declare global {
  // Reused across Vite dev-server reloads so each edit does not open a new connection.
  var cartliftPrisma: PrismaClient | undefined;
}

const prisma = (globalThis.cartliftPrisma ??= createClient(env.DATABASE_URL));

export default prisma;
