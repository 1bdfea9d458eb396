/**
 * Demo mode mints its own credentials and answers the Admin API itself: it must never run
 * where it could be mistaken for, or mixed with, a real deployment.
 */
export function demoRefusal(
  env: Record<string, string | undefined>,
): string | null {
  if (env.NODE_ENV === "production")
    return "Demo mode refuses to start with NODE_ENV=production.";
  const real = ["SHOPIFY_API_KEY", "SHOPIFY_API_SECRET"].filter(
    (name) => env[name],
  );
  if (real.length > 0) {
    return `Demo mode refuses to start while real Shopify credentials are set (${real.join(", ")}). Unset them, or use \`npm run dev\` for a real store.`;
  }
  return null;
}
