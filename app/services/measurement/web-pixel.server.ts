import { z } from "zod";
import { env } from "~/env.server";
import {
  AdminApiError,
  type AdminGraphql,
  type QueryOptions,
  UserErrors,
  adminQuery,
} from "~/services/platform/admin-graphql.server";
import { pixelKey } from "./pixel-events.server";

// The web pixel extension runs for a shop once the app creates the shop's pixel with its settings
// (extensions/cartlift-pixel/shopify.extension.toml declares them); Shopify validates them against
// that declaration. A re-install or a changed app URL finds the pixel there and updates it.

const CREATE = `#graphql
  mutation CartliftWebPixelCreate($webPixel: WebPixelInput!) {
    webPixelCreate(webPixel: $webPixel) {
      webPixel { id }
      userErrors { field message code }
    }
  }`;

const FIND = `#graphql
  query CartliftWebPixel {
    webPixel { id }
  }`;

const UPDATE = `#graphql
  mutation CartliftWebPixelUpdate($id: ID!, $webPixel: WebPixelInput!) {
    webPixelUpdate(id: $id, webPixel: $webPixel) {
      webPixel { id }
      userErrors { field message code }
    }
  }`;

const Written = z.object({
  webPixel: z.object({ id: z.string() }).nullable(),
  userErrors: UserErrors,
});

/** The settings the pixel reads: its shop, the key that proves it, and where to post. */
export function webPixelSettings(shop: string) {
  return {
    shop,
    key: pixelKey(shop),
    endpoint: new URL("/pixel/events", env.SHOPIFY_APP_URL).toString(),
  };
}

/** Creates the shop's pixel, or updates the one already there; returns its id. */
export async function connectWebPixel(
  shop: string,
  graphql: AdminGraphql,
  options?: QueryOptions,
): Promise<string> {
  const webPixel = { settings: JSON.stringify(webPixelSettings(shop)) };
  const { webPixelCreate: created } = await adminQuery(
    graphql,
    CREATE,
    { webPixel },
    z.object({ webPixelCreate: Written }),
    options,
  );
  if (created.webPixel) return created.webPixel.id;
  if (!created.userErrors.some((e) => e.code === "TAKEN"))
    throw new AdminApiError(
      `webPixelCreate refused: ${created.userErrors.map((e) => e.message).join("; ")}`,
    );
  const { webPixel: existing } = await adminQuery(
    graphql,
    FIND,
    {},
    z.object({ webPixel: z.object({ id: z.string() }) }),
    options,
  );
  const { webPixelUpdate: updated } = await adminQuery(
    graphql,
    UPDATE,
    { id: existing.id, webPixel },
    z.object({ webPixelUpdate: Written }),
    options,
  );
  if (!updated.webPixel)
    throw new AdminApiError(
      `webPixelUpdate refused: ${updated.userErrors.map((e) => e.message).join("; ")}`,
    );
  return updated.webPixel.id;
}
