import js from "@eslint/js";
import globals from "globals";
import reactHooks from "eslint-plugin-react-hooks";
import { importX } from "eslint-plugin-import-x";
import { createTypeScriptImportResolver } from "eslint-import-resolver-typescript";
import tseslint from "typescript-eslint";

export default tseslint.config(
  {
    ignores: [
      "build/",
      "node_modules/",
      "public/build/",
      "extensions/*/dist/",
      // Built by npm run build:theme from app/theme/cartlift.js, which is linted.
      "extensions/cartlift-theme/assets/cartlift.js",
      "**/*.wasm",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    plugins: { "react-hooks": reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  {
    // No import cycles anywhere: a cycle makes load order decide what a module sees (a constant
    // read before its module ran is undefined), and it blurs which capability owns what.
    files: ["**/*.{ts,tsx}"],
    plugins: { "import-x": importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      "import-x/resolver-next": [createTypeScriptImportResolver()],
    },
    rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
  },
  {
    // What ships: the demo plays Shopify's part with its own credentials, and the offline
    // evaluation reads files from disk; neither may end up in the server bundle.
    files: ["app/**/*.{ts,tsx}"],
    ignores: ["app/**/*.test.{ts,tsx}", "app/engine/evaluation/**"],
    rules: {
      "import-x/no-restricted-paths": [
        "error",
        {
          basePath: import.meta.dirname,
          zones: [
            {
              target: "app",
              from: "demo",
              message:
                "The app never imports the demo (docs/decisions/003-demo-mode.md).",
            },
            {
              target: "app",
              from: "app/engine/evaluation",
              // The protocols are pure; the shop's backtest runs them at every training
              // (docs/decisions/021). Reading the shared data stays outside the app.
              except: ["./protocol.ts"],
              message:
                "Offline evaluation is for the engine CLI and benchmarks, not the app.",
            },
          ],
        },
      ],
    },
  },
  {
    // The engine is pure (README, Layout): no Remix, Shopify or Prisma.
    files: ["app/engine/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            "@remix-run/*",
            "@shopify/*",
            "@prisma/*",
            "~/services/*",
            "~/routes/*",
            "*.server",
          ],
        },
      ],
    },
  },
);
