import { configDefaults, defineConfig } from "vitest/config";
import tsconfigPaths from "vite-tsconfig-paths";

/** Tests that touch the database run twice: on SQLite (embedded) and on PostgreSQL (production). */
const DATABASE_TESTS = [
  "test/platform/**/*.test.ts",
  "app/services/**/*.test.ts",
  "app/routes/**/*.test.{ts,tsx}",
];

/**
 * Tests that need more than Node: the build (test/build), the build and Chromium (test/browser),
 * PostgreSQL (test/db), or both (test/bench runs every `bench:*` script). `npm run test:unit` is the
 * "sqlite" project alone.
 */
const SYSTEM_TESTS = [
  "test/build/**/*.test.ts",
  "test/browser/**/*.test.ts",
  "test/db/**/*.test.ts",
  "test/bench/**/*.test.ts",
];

export default defineConfig({
  plugins: [tsconfigPaths()],
  // The post-purchase extension has its own install (React 17, for Shopify's build). Its tests
  // stand in for Shopify's components (vi.mock), which run only inside checkout: one module id for
  // them, wherever the import is and whether or not the extension's install is present.
  resolve: {
    alias: {
      "@shopify/post-purchase-ui-extensions-react":
        "/shopify-checkout-only/post-purchase-ui-extensions-react",
    },
  },
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
          exclude: [
            ...configDefaults.exclude,
            "test/faults/**",
            ...SYSTEM_TESTS,
          ],
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
        test: { name: "system", include: SYSTEM_TESTS },
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
