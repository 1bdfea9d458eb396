import path from "node:path";
import { defineConfig } from "prisma/config";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { databaseUrl } from "./app/db-url";

// The schema's datasource reads DATABASE_URL; without a value Prisma falls back to
// downloading a query engine, so the embedded default is filled in here.
process.env.DATABASE_URL = databaseUrl();
// The same for the generated PostgreSQL schema (prisma/postgres/schema.prisma): a placeholder
// that only satisfies the CLI; at run time the pg driver adapter connects to DATABASE_URL.
process.env.POSTGRES_SCHEMA_URL ??= "postgresql://localhost:5432/cartlift";

// The WebAssembly schema engine plus a driver adapter: no engine binaries are downloaded.
// See docs/decisions/002-prisma-engine-free.md.
export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  async adapter() {
    return new PrismaBetterSQLite3({ url: databaseUrl() });
  },
});
