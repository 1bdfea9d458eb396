import { createRequire } from "node:module";
import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "./env.server";

/**
 * SQLite in write-ahead-log mode: a commit appends to the log with one sync instead of writing
 * a rollback journal and the database file with several, and readers never wait for a writer.
 * better-sqlite3 runs each statement on the event loop, so every sync saved is time every
 * request gets back. `synchronous = FULL` keeps a commit durable across a power loss, as the
 * webhooks need (an acknowledged order must not be lost). (docs/decisions/030-sqlite-wal.md)
 */
class SqliteInWalMode extends PrismaBetterSQLite3 {
  override async connect() {
    const adapter = await super.connect();
    await adapter.executeScript(
      "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;",
    );
    return adapter;
  }
}

/**
 * Every interactive transaction's limits. Prisma's defaults (2 s to start, 5 s to finish) are too
 * tight on a busy database: a page of products takes longer to write, and SQLite has one writer,
 * so a merchant's click waits while a model is stored. Failing then would throw an import page
 * away to be fetched again, or a merchant's change with it.
 */
const TRANSACTIONS = { timeout: 30_000, maxWait: 10_000 };

/**
 * SQLite (file:) is the embedded default; PostgreSQL (postgres://) is production. Both clients
 * are generated from the same data model (the PostgreSQL schema is derived from the SQLite one,
 * docs/decisions/010-postgresql.md), so they share one API and one type.
 */
function connect(url: string): PrismaClient {
  if (url.startsWith("file:")) {
    return new PrismaClient({
      adapter: new SqliteInWalMode({ url }),
      transactionOptions: TRANSACTIONS,
    });
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
      transactionOptions: TRANSACTIONS,
    });
  }
  throw new Error(
    `Unsupported DATABASE_URL scheme: ${url.split(":")[0]} (expected file: or postgres://)`,
  );
}

/**
 * Money and quantity columns are 64-bit (BigInt in the data model): a 32-bit column overflows at
 * 21,474,836.47 in two-decimal currencies, an ordinary order in IDR. Prisma reads BigInt as a JS
 * bigint; this is the one place that turns them back into numbers, which hold every integer
 * exactly up to 2^53 (90 trillion in a two-decimal currency; Shopify publishes no maximum, and
 * webhooks refuse larger amounts). Writes and filters take numbers as they are.
 * (docs/decisions/017-amounts-and-webhook-input.md)
 */
export function exactNumber(value: bigint): number {
  if (
    value > BigInt(Number.MAX_SAFE_INTEGER) ||
    value < -BigInt(Number.MAX_SAFE_INTEGER)
  )
    throw new RangeError(`Stored amount ${value} is beyond 2^53`);
  return Number(value);
}

type Wide<F extends string> = {
  [K in F]: {
    needs: { [P in K]: true };
    compute(row: { [P in K]: bigint }): number;
  };
};
type WideOrNull<F extends string> = {
  [K in F]: {
    needs: { [P in K]: true };
    compute(row: { [P in K]: bigint | null }): number | null;
  };
};

function wide<F extends string>(...fields: F[]): Wide<F> {
  return Object.fromEntries(
    fields.map((field) => [
      field,
      {
        needs: { [field]: true },
        compute: (row: Record<string, bigint>) => exactNumber(row[field]),
      },
    ]),
  ) as unknown as Wide<F>;
}

function wideOrNull<F extends string>(...fields: F[]): WideOrNull<F> {
  return Object.fromEntries(
    fields.map((field) => [
      field,
      {
        needs: { [field]: true },
        compute: (row: Record<string, bigint | null>) =>
          row[field] === null ? null : exactNumber(row[field]),
      },
    ]),
  ) as unknown as WideOrNull<F>;
}

/** The BigInt columns of the data model, read as numbers (db.server.test.ts checks it is all). */
export const amountsAsNumbers = {
  variant: {
    ...wide("priceMinor"),
    ...wideOrNull("compareAtMinor", "costMinor", "inventoryQuantity"),
  },
  order: wide("subtotalMinor", "totalMinor"),
  orderLine: {
    ...wide("quantity", "priceMinor", "refundedQuantity"),
    ...wideOrNull("discountMinor"),
  },
  bundle: wide("discountValue"),
  postPurchaseOffer: {
    ...wide("minQuantity", "maxQuantity", "priceMinor"),
    ...wideOrNull("signedQuantity"),
  },
  pixelEvent: wide("quantity", "amountMinor"),
};

function withAmountsAsNumbers(client: PrismaClient) {
  return client.$extends({ result: amountsAsNumbers });
}

export function createClient(url: string) {
  return withAmountsAsNumbers(connect(url));
}

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

const connection = (globalThis.cartliftPrisma ??= connect(env.DATABASE_URL));

/** For the Shopify library's session storage, which takes a plain client (sessions hold no amounts). */
export const sessionClient = connection;

const prisma = withAmountsAsNumbers(connection);

export default prisma;
