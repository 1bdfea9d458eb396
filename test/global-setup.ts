import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    testDatabaseDir: string;
  }
}

/**
 * Migrates one template database per run, in a folder of its own so concurrent runs never
 * share files; each test file then works on its own copy (test/setup.ts).
 */
export default function globalSetup(project: TestProject) {
  mkdirSync(".cache", { recursive: true });
  const dir = mkdtempSync(path.resolve(".cache", "test-"));
  execFileSync("npx", ["prisma", "migrate", "deploy"], {
    stdio: "ignore",
    env: {
      ...process.env,
      DATABASE_URL: `file:${path.join(dir, "template.sqlite")}`,
    },
  });
  project.provide("testDatabaseDir", dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
