import { copyFileSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeEach, inject, vi } from "vitest";
import {
  API_KEY,
  API_SECRET_KEY,
  APP_URL,
} from "@shopify/shopify-api/test-helpers";
import { migratePostgres } from "../scripts/migrate.mjs";
import { mswServer } from "./msw";
import { createDatabase, dropDatabase } from "./postgres";

// The app is configured exactly as in production, with the test helpers' credentials so
// their signed requests and tokens are valid, and a database of its own for each test file:
// a copy of the migrated SQLite template, or (in the "postgres" project) a fresh PostgreSQL
// database migrated by the production runner and dropped afterwards.
async function testDatabase(): Promise<string> {
  if (process.env.CARTLIFT_TEST_DATABASE === "postgres") {
    const url = await createDatabase();
    await migratePostgres(url);
    afterAll(async () => {
      const { default: prisma } = await import("~/db.server");
      await prisma.$disconnect();
      await dropDatabase(url);
    });
    return url;
  }
  const dir = inject("testDatabaseDir");
  const file = path.join(dir, `${randomUUID()}.sqlite`);
  copyFileSync(path.join(dir, "template.sqlite"), file);
  return `file:${file}`;
}

Object.assign(process.env, {
  SHOPIFY_API_KEY: API_KEY,
  SHOPIFY_API_SECRET: API_SECRET_KEY,
  SHOPIFY_APP_URL: APP_URL,
  SCOPES: "read_products,read_orders,read_customers,write_discounts",
  DATABASE_URL: await testDatabase(),
});

// Listening before any test file imports the app: the Shopify library keeps the fetch it sees first.
// Requests to servers a test started on this machine pass; anything else unmocked is an error.
mswServer.listen({
  onUnhandledRequest(request, print) {
    if (!["localhost", "127.0.0.1"].includes(new URL(request.url).hostname))
      print.error();
  },
});
afterEach(() => mswServer.resetHandlers());
afterAll(() => mswServer.close());

// A console.error during a test is a bug the test did not assert on: fail it.
let errors: unknown[][] = [];
beforeEach(() => {
  errors = [];
  vi.spyOn(console, "error").mockImplementation((...args: unknown[]) => {
    errors.push(args);
  });
});
afterEach(() => {
  vi.mocked(console.error).mockRestore();
  if (errors.length > 0) {
    throw new Error(
      `console.error was called during the test: ${errors.map((a) => a.map(String).join(" ")).join("\n")}`,
    );
  }
});
