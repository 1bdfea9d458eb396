import { copyFileSync } from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeEach, inject, vi } from "vitest";
import {
  API_KEY,
  API_SECRET_KEY,
  APP_URL,
} from "@shopify/shopify-api/test-helpers";
import { mswServer } from "./msw";

// The app is configured exactly as in production, with the test helpers' credentials so
// their signed requests and tokens are valid, and a database of its own for each test file.
const dir = inject("testDatabaseDir");
const db = path.join(dir, `${randomUUID()}.sqlite`);
copyFileSync(path.join(dir, "template.sqlite"), db);
Object.assign(process.env, {
  SHOPIFY_API_KEY: API_KEY,
  SHOPIFY_API_SECRET: API_SECRET_KEY,
  SHOPIFY_APP_URL: APP_URL,
  SCOPES: "read_products,read_orders,read_customers,write_discounts",
  DATABASE_URL: `file:${db}`,
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
