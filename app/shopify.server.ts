import "@shopify/shopify-app-remix/adapters/node";
import {
  AppDistribution,
  LogSeverity,
  shopifyApp,
} from "@shopify/shopify-app-remix/server";
import prisma from "./db.server";
import { CachingSessionStorage } from "./session-storage.server";
import { API_VERSION } from "./api-version";
import { env } from "./env.server";
import { startImport } from "./services/import.server";

const shopify = shopifyApp({
  apiKey: env.SHOPIFY_API_KEY,
  apiSecretKey: env.SHOPIFY_API_SECRET,
  apiVersion: API_VERSION,
  scopes: env.SCOPES.split(","),
  appUrl: env.SHOPIFY_APP_URL,
  authPathPrefix: "/auth",
  // Read-cached for a few seconds: every app proxy request loads the shop's offline session.
  sessionStorage: new CachingSessionStorage(prisma),
  distribution: AppDistribution.AppStore,
  // Tests assert on behaviour; the library's per-request info lines would bury their output.
  logger: {
    level: env.NODE_ENV === "test" ? LogSeverity.Error : LogSeverity.Info,
  },
  hooks: {
    // A fresh install (or a re-auth) brings the catalog and order history in, in the background.
    afterAuth: async ({ session, admin }) =>
      startImport(session.shop, admin.graphql),
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
 * App proxy requests: the library answers a bad or stale signature with a bare 400;
 * the storefront contract (and our tests) want 401 with a reason, since it is an auth failure.
 */
export async function authenticateProxy(request: Request) {
  try {
    const context = await authenticate.public.appProxy(request);
    const shop = new URL(request.url).searchParams.get("shop");
    if (!shop) throw new Response(null, { status: 400 }); // unreachable: the signature covers shop
    return { ...context, shop };
  } catch (error) {
    if (error instanceof Response && error.status === 400) {
      throw Response.json(
        { error: "Invalid or expired app proxy signature" },
        { status: 401 },
      );
    }
    throw error;
  }
}
