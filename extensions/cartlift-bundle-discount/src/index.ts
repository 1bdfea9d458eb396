// Entry point the Shopify CLI bundles: it looks up each `export` of shopify.extension.toml here
// (kebab-case "cart-lines-discounts-generate-run" -> cartLinesDiscountsGenerateRun).
export { cartLinesDiscountsGenerateRun } from "./cart_lines_discounts_generate_run";
