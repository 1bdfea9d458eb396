// `npm run setup`: brings the database named by DATABASE_URL up to date.
// - SQLite (file:): `prisma migrate deploy` with prisma/migrations.
// - PostgreSQL: prisma/postgres/migrations, applied in name order inside one transaction each,
//   under an advisory lock (several instances may start at once), with a ledger of names and
//   checksums so an applied migration that was edited afterwards is refused.
//   Prisma's own deploy cannot run here: through the JS schema engine it fails on PostgreSQL
//   (prisma/orm#27403). See docs/decisions/010-postgresql.md.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const POSTGRES_MIGRATIONS = path.join(
  ROOT,
  "prisma",
  "postgres",
  "migrations",
);
const LOCK_KEY = 7_364_021; // any constant: one lock for "Cartlift migrations"

export class MigrationError extends Error {}

/** @param {string} dir */
export function readMigrations(dir = POSTGRES_MIGRATIONS) {
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, "migration.sql"), "utf8");
      return {
        name,
        sql,
        checksum: createHash("sha256").update(sql).digest("hex"),
      };
    });
}

/**
 * @param {string} url a postgres:// connection string
 * @param {{ dir?: string, log?: (line: string) => void }} [options]
 * @returns {Promise<string[]>} the names applied by this run
 */
export async function migratePostgres(
  url,
  { dir = POSTGRES_MIGRATIONS, log = () => {} } = {},
) {
  const migrations = readMigrations(dir);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const applied = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await client.query(
      `CREATE TABLE IF NOT EXISTS "_cartlift_migrations" (
         "name" TEXT PRIMARY KEY,
         "checksum" TEXT NOT NULL,
         "appliedAt" TIMESTAMPTZ NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query(
      `SELECT "name", "checksum" FROM "_cartlift_migrations"`,
    );
    const ledger = new Map(rows.map((row) => [row.name, row.checksum]));
    for (const known of ledger.keys()) {
      if (!migrations.some((m) => m.name === known)) {
        throw new MigrationError(
          `The database has migration ${known}, which this code does not know: is it older?`,
        );
      }
    }
    for (const migration of migrations) {
      const recorded = ledger.get(migration.name);
      if (recorded !== undefined) {
        if (recorded !== migration.checksum) {
          throw new MigrationError(
            `Migration ${migration.name} was edited after it was applied; add a new one instead.`,
          );
        }
        continue;
      }
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query(
          `INSERT INTO "_cartlift_migrations" ("name", "checksum") VALUES ($1, $2)`,
          [migration.name, migration.checksum],
        );
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new MigrationError(
          `Migration ${migration.name} failed: ${error instanceof Error ? error.message : error}`,
        );
      }
      applied.push(migration.name);
      log(`applied ${migration.name}`);
    }
  } finally {
    await client
      .query("SELECT pg_advisory_unlock($1)", [LOCK_KEY])
      .catch(() => {});
    await client.end();
  }
  return applied;
}

/** @param {string} url */
export async function migrate(url) {
  if (url.startsWith("file:")) {
    execFileSync("npx", ["prisma", "migrate", "deploy"], {
      cwd: ROOT,
      stdio: "inherit",
      env: { ...process.env, DATABASE_URL: url },
    });
    return;
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const applied = await migratePostgres(url, { log: console.log });
    console.log(
      applied.length
        ? `${applied.length} migration(s) applied`
        : "PostgreSQL schema is up to date",
    );
    return;
  }
  throw new MigrationError(
    `Unsupported DATABASE_URL scheme: ${url.split(":")[0]}`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  migrate(process.env.DATABASE_URL || "file:./prisma/dev.sqlite").catch(
    (error) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
