import "@shopify/shopify-app-remix/adapters/node";
import {
  AppDistribution,
  LogSeverity,
  shopifyApp,
} from "@shopify/shopify-app-remix/server";
import { sessionClient } from "./db.server";
import { CachingSessionStorage } from "./session-storage.server";
import { API_VERSION } from "./api-version";
import { env } from "./env.server";
import { startImport } from "./services/catalog/import.server";
import { connectWebPixel } from "./services/measurement/web-pixel.server";
import { log } from "./services/platform/log.server";
import { verifyProxyRequest } from "./services/storefront/proxy-signature.server";
import { type LeanAnswer, type LeanRequest, queryOf } from "./http/lean-answer";

const shopify = shopifyApp({
  apiKey: env.SHOPIFY_API_KEY,
  apiSecretKey: env.SHOPIFY_API_SECRET,
  apiVersion: API_VERSION,
  scopes: env.SCOPES.split(","),
  appUrl: env.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  // Read-cached for a few seconds: every app proxy request loads the shop's offline session.
  sessionStorage: new CachingSessionStorage(sessionClient),
  distribution: AppDistribution.AppStore,
  // Tests assert on behaviour; the library's per-request info lines would bury their output.
  logger: {
    level: env.NODE_ENV === "test" ? LogSeverity.Error : LogSeverity.Info,
  },
  hooks: {
    // A fresh install (or a re-auth) brings the catalog and order history in, in the background,
    // and connects the web pixel. A pixel Shopify refuses costs attribution evidence, not the
    // install: it is logged and tried again on the next auth.
    afterAuth: async ({ session, admin }) => {
      startImport(session.shop, admin.graphql);
      await connectWebPixel(session.shop, admin.graphql).catch(
        (error: unknown) =>
          log.warn("web pixel not connected", { shop: session.shop, error }),
      );
    },
  },
  future: {
    unstable_newEmbeddedAuthStrategy: true,
    expiringOfflineAccessTokens: true,
  },
  ...(env.SHOP_CUSTOM_DOMAIN
    ? { customShopDomains: [env.SHOP_CUSTOM_DOMAIN] }
    : {}),
});

export default shopify;
export const addDocumentResponseHeaders = shopify.addDocumentResponseHeaders;
export const authenticate = shopify.authenticate;
export const unauthenticated = shopify.unauthenticated;
export const login = shopify.login;
export const sessionStorage = shopify.sessionStorage;

/**
 * App proxy requests (the storefront blocks): the signed shop and query, and a `liquid` answer
 * helper with the contract of Shopify's (application/liquid, optionally without the theme
 * layout), giving a lean answer (app/http/lean-answer.ts). A missing, wrong or
 * stale signature is a 401 with a reason. The signature is checked here rather than by
 * `authenticate.public.appProxy`, which also loads the offline session and builds Admin API
 * clients that these routes never use: a third of a storefront request's cost (decision 007).
 */
export function authenticateProxy(request: LeanRequest) {
  const query = queryOf(request);
  const shop = verifyProxyRequest(query, env.SHOPIFY_API_SECRET);
  if (!shop)
    throw Response.json(
      { error: "Invalid or expired app proxy signature" },
      { status: 401 },
    );
  // Signed with the rest of the query, so Shopify vouches for it: empty for a shopper who is
  // not signed in.
  const customerId = query.get("logged_in_customer_id") || null;
  return { shop, customerId, query, liquid };
}

function liquid(
  body: string,
  {
    layout,
    status = 200,
    headers = {},
  }: {
    layout?: boolean;
    status?: number;
    headers?: Record<string, string>;
  } = {},
): LeanAnswer {
  return {
    status,
    headers: { ...headers, "Content-Type": "application/liquid" },
    body: layout === false ? `{% layout none %} ${body}` : body,
  };
}
