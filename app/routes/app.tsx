import type { LoaderFunctionArgs } from "@remix-run/node";
import { Link, Outlet, useLoaderData } from "@remix-run/react";
import { AppProvider } from "@shopify/shopify-app-remix/react";
import { NavMenu } from "@shopify/app-bridge-react";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { authenticate } from "~/shopify.server";
import { env } from "~/env.server";

export { ErrorBoundary, headers } from "~/http/admin-boundary";

export const links = () => [{ rel: "stylesheet", href: polarisStyles }];

export const loader = async ({ request }: LoaderFunctionArgs) => {
  await authenticate.admin(request);
  // APP_BRIDGE_URL overrides Shopify's script: demo mode has no Shopify admin around the app, and
  // sets it to a local stand-in that supplies session tokens minted by the demo server (see
  // docs/decisions/003-demo-mode.md).
  return { apiKey: env.SHOPIFY_API_KEY, appBridgeUrl: env.APP_BRIDGE_URL };
};

export default function AppLayout() {
  const { apiKey, appBridgeUrl } = useLoaderData<typeof loader>();
  return (
    <AppProvider
      isEmbeddedApp
      apiKey={apiKey}
      {...(appBridgeUrl ? { __APP_BRIDGE_URL: appBridgeUrl } : {})}
    >
      <NavMenu>
        <Link to="/app" rel="home">
          Home
        </Link>
        <Link to="/app/suggestions">Suggestions</Link>
        <Link to="/app/bundles">Bundles</Link>
        <Link to="/app/rules">Rules</Link>
        <Link to="/app/settings">Placements</Link>
        <Link to="/app/dashboard">Dashboard</Link>
        <Link to="/app/experiments">Experiments</Link>
        <Link to="/app/replenishment">Replenishment</Link>
      </NavMenu>
      <Outlet />
    </AppProvider>
  );
}
