import { execFileSync } from "node:child_process";
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { MigrationError, migratePostgres } from "../../scripts/migrate.mjs";
import { toPostgresSchema } from "../../scripts/postgres-schema.mjs";
import { createDatabase, dropDatabase } from "../postgres";

/** The SQL that creates a schema from nothing, as Prisma derives it from the data model. */
function fromEmpty(schema: string): string {
  return execFileSync(
    "npx",
    [
      "prisma",
      "migrate",
      "diff",
      "--from-empty",
      "--to-schema-datamodel",
      schema,
      "--script",
    ],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
}

const migrationNames = (dir: string) =>
  readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();

function sqliteShape(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite_%' ORDER BY name",
      )
      .all() as { name: string }[];
    return tables.map(({ name }) => ({
      name,
      // By name, without position: ALTER TABLE appends, so column order is not part of the schema.
      columns: (
        db.prepare(`PRAGMA table_info("${name}")`).all() as {
          cid: number;
          name: string;
        }[]
      )
        .map(({ cid: _cid, ...column }) => column)
        .sort((a, b) => a.name.localeCompare(b.name)),
      indexes: (
        db.prepare(`PRAGMA index_list("${name}")`).all() as {
          name: string;
          unique: number;
        }[]
      )
        .map((index) => ({
          unique: index.unique,
          columns: (
            db.prepare(`PRAGMA index_info("${index.name}")`).all() as {
              name: string;
            }[]
          ).map((c) => c.name),
        }))
        .sort((a, b) => a.columns.join().localeCompare(b.columns.join())),
      foreignKeys: db.prepare(`PRAGMA foreign_key_list("${name}")`).all(),
    }));
  } finally {
    db.close();
  }
}

async function postgresShape(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const columns = await client.query(
      `SELECT table_name, column_name, data_type, is_nullable, column_default
         FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name NOT LIKE '\\_%'
        ORDER BY table_name, column_name`,
    );
    const indexes = await client.query(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename NOT LIKE '\\_%' ORDER BY indexdef`,
    );
    const constraints = await client.query(
      `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
        WHERE connamespace = 'public'::regnamespace AND conname NOT LIKE '\\_%' ORDER BY conname`,
    );
    return {
      columns: columns.rows,
      indexes: indexes.rows,
      constraints: constraints.rows,
    };
  } finally {
    await client.end();
  }
}

describe("schema and migrations", () => {
  const databases: string[] = [];
  afterAll(async () => {
    await Promise.all(databases.map(dropDatabase));
  });

  it("keeps the PostgreSQL schema generated from the SQLite one", () => {
    expect(readFileSync("prisma/postgres/schema.prisma", "utf8")).toBe(
      toPostgresSchema(readFileSync("prisma/schema.prisma", "utf8")),
    );
  });

  it("has the same migration history for both databases", () => {
    expect(migrationNames("prisma/postgres/migrations")).toEqual(
      migrationNames("prisma/migrations"),
    );
  });

  it("builds with SQLite migrations exactly the schema the data model describes", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "cartlift-drift-"));
    const migrated = path.join(dir, "migrated.sqlite");
    execFileSync("npx", ["prisma", "migrate", "deploy"], {
      stdio: "ignore",
      env: { ...process.env, DATABASE_URL: `file:${migrated}` },
    });
    const expected = path.join(dir, "expected.sqlite");
    new Database(expected).exec(fromEmpty("prisma/schema.prisma")).close();
    expect(sqliteShape(migrated)).toEqual(sqliteShape(expected));
  });

  it("builds with PostgreSQL migrations exactly the schema the data model describes", async () => {
    const [migrated, expected] = await Promise.all([
      createDatabase("cartlift_drift"),
      createDatabase("cartlift_drift"),
    ]);
    databases.push(migrated, expected);
    const applied = await migratePostgres(migrated);
    expect(applied).toEqual(migrationNames("prisma/postgres/migrations"));
    const client = new pg.Client({ connectionString: expected });
    await client.connect();
    await client.query(fromEmpty("prisma/postgres/schema.prisma"));
    await client.end();
    expect(await postgresShape(migrated)).toEqual(
      await postgresShape(expected),
    );
  });

  it("applies nothing twice and refuses an applied migration that was edited", async () => {
    const url = await createDatabase("cartlift_ledger");
    databases.push(url);
    const dir = mkdtempSync(path.join(tmpdir(), "cartlift-migrations-"));
    cpSync("prisma/postgres/migrations", dir, { recursive: true });
    expect((await migratePostgres(url, { dir })).length).toBeGreaterThan(0);
    expect(await migratePostgres(url, { dir })).toEqual([]);
    const first = migrationNames(dir)[0];
    writeFileSync(path.join(dir, first, "migration.sql"), "-- edited\n", {
      flag: "a",
    });
    await expect(migratePostgres(url, { dir })).rejects.toThrow(MigrationError);
    await expect(migratePostgres(url, { dir })).rejects.toThrow(
      /edited after it was applied/,
    );
  });

  it("rolls back a failing migration and records nothing of it", async () => {
    const url = await createDatabase("cartlift_rollback");
    databases.push(url);
    const dir = mkdtempSync(path.join(tmpdir(), "cartlift-migrations-"));
    cpSync("prisma/postgres/migrations", dir, { recursive: true });
    const broken = path.join(dir, "99999999999999_broken");
    cpSync(path.join(dir, migrationNames(dir)[0]), broken, { recursive: true });
    writeFileSync(
      path.join(broken, "migration.sql"),
      'CREATE TABLE "Half" ("id" TEXT);\nSELECT no_such_function();\n',
    );
    await expect(migratePostgres(url, { dir })).rejects.toThrow(
      /99999999999999_broken failed/,
    );
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const half = await client.query(`SELECT to_regclass('public."Half"') AS t`);
    const ledger = await client.query(
      `SELECT name FROM "_cartlift_migrations" WHERE name = '99999999999999_broken'`,
    );
    await client.end();
    expect(half.rows[0].t).toBeNull();
    expect(ledger.rowCount).toBe(0);
  });
});
