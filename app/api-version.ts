import { ApiVersion } from "@shopify/shopify-app-remix/server";

/** The Admin API version every request uses; shopify.app.toml's webhooks use the same. */
export const API_VERSION = ApiVersion.October25;
