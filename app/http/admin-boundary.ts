import type { HeadersFunction } from "@remix-run/node";
import { useRouteError } from "@remix-run/react";
import { boundary } from "@shopify/shopify-app-remix/server";

// The one error boundary and headers of the embedded admin routes; each re-exports both.
// Shopify's library throws responses (re-authentication, App Bridge bounces) that Remix must
// catch with their headers; the app's own expected failures are thrown responses too
// (invariantResponse), so the same boundary shows their message. Anything else is a bug and
// bubbles up as one.

export function ErrorBoundary() {
  return boundary.error(useRouteError());
}

export const headers: HeadersFunction = (headersArgs) =>
  boundary.headers(headersArgs);
