import type { LoaderFunctionArgs } from "@remix-run/node";
import { authenticate } from "~/shopify.server";
import { searchCatalog } from "~/services/catalog/search.server";

/**
 * The shop's imported products and collections, searchable. Demo mode's App Bridge stand-in
 * reads it to draw its resource picker (in Shopify admin the real picker queries Shopify).
 */
export const loader = async ({ request }: LoaderFunctionArgs) => {
  const { session } = await authenticate.admin(request);
  const url = new URL(request.url);
  const type =
    url.searchParams.get("type") === "collection" ? "collection" : "product";
  const query = (url.searchParams.get("query") ?? "").slice(0, 100);
  return Response.json(await searchCatalog(session.shop, type, query));
};
