import { defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

/** Tests that touch the database run twice: on SQLite (embedded) and on PostgreSQL (production). */
const DATABASE_TESTS = [
  "test/platform/**/*.test.ts",
  "app/services/**/*.test.ts",
  "app/routes/**/*.test.{ts,tsx}",
];

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    globalSetup: ["./test/global-setup.ts"],
    setupFiles: ["./test/setup.ts"],
    environment: "node",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "sqlite",
          include: [
            "app/**/*.test.{ts,tsx}",
            "scripts/**/*.test.ts",
            "extensions/**/*.test.ts",
            "test/**/*.test.ts",
          ],
        },
      },
      {
        extends: true,
        test: {
          name: "postgres",
          include: DATABASE_TESTS,
          env: { CARTLIFT_TEST_DATABASE: "postgres" },
        },
      },
    ],
  },
});
