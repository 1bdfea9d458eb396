/**
 * Minifies the storefront script (app/theme/cartlift.js) into the theme app extension's assets.
 * Shopify ships assets as they are and limits an app block's JavaScript to 10,000 bytes, so the
 * readable source lives outside the extension and the minified file is committed beside the
 * blocks; a test fails when the two drift apart.
 *   npm run build:theme
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { transformSync } from "esbuild";

export const THEME_SCRIPT_SOURCE = fileURLToPath(
  new URL("../app/theme/cartlift.js", import.meta.url),
);
export const THEME_SCRIPT_ASSET = fileURLToPath(
  new URL("../extensions/cartlift-theme/assets/cartlift.js", import.meta.url),
);

export function buildThemeScript(): string {
  return transformSync(readFileSync(THEME_SCRIPT_SOURCE, "utf8"), {
    minify: true,
    target: "es2020",
    banner:
      "/* Cartlift. Built from app/theme/cartlift.js by npm run build:theme. */",
  }).code;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const code = buildThemeScript();
  writeFileSync(THEME_SCRIPT_ASSET, code);
  console.log(
    `extensions/cartlift-theme/assets/cartlift.js: ${code.length} bytes`,
  );
}
