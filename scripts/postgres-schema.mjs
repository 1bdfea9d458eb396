// Derives prisma/postgres/schema.prisma from prisma/schema.prisma. A Prisma schema has one
// provider, so PostgreSQL gets its own, generated copy of the same data model and its own
// client (node_modules/.prisma/postgres-client). See docs/decisions/010-postgresql.md.
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const HEADER =
  "// GENERATED from prisma/schema.prisma by scripts/postgres-schema.mjs: edit that file instead.\n";

/** @param {string} sqliteSchema */
export function toPostgresSchema(sqliteSchema) {
  const replaced = sqliteSchema
    .replace('provider = "sqlite"', 'provider = "postgresql"')
    .replace(
      'url      = env("DATABASE_URL")',
      'url      = env("POSTGRES_SCHEMA_URL")',
    )
    .replace(
      'engineType = "client"',
      'engineType = "client"\n  output     = "../../node_modules/.prisma/postgres-client"',
    );
  if (
    !replaced.includes('provider = "postgresql"') ||
    !replaced.includes("postgres-client")
  ) {
    throw new Error(
      "prisma/schema.prisma no longer has the expected generator/datasource lines",
    );
  }
  return HEADER + replaced;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [from = "prisma/schema.prisma", to = "prisma/postgres/schema.prisma"] =
    process.argv.slice(2);
  writeFileSync(to, toPostgresSchema(readFileSync(from, "utf8")));
}
