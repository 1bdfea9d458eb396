import { configDefaults, defineConfig } from "vitest/config";
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
          exclude: [...configDefaults.exclude, "test/faults/**"],
          include: [
            "app/**/*.test.{ts,tsx}",
            "demo/**/*.test.ts",
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
          // test/faults: outages of a database server, which SQLite does not have.
          include: [...DATABASE_TESTS, "test/faults/**/*.test.ts"],
          env: { CARTLIFT_TEST_DATABASE: "postgres" },
        },
      },
    ],
  },
});
