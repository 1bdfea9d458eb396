import prisma from "~/db.server";
import { parseStringList } from "~/services/platform/string-list";

export interface CatalogHit {
  /** Shopify GID, as the resource picker returns it. */
  id: string;
  title: string;
}

const LIMIT = 50;

/** Products by title, or the collections the catalog refers to, for a picker. */
export async function searchCatalog(
  shop: string,
  type: "product" | "collection",
  query: string,
): Promise<CatalogHit[]> {
  if (type === "product") {
    const rows = await prisma.product.findMany({
      where: { shop, ...(query ? { title: { contains: query } } : {}) },
      select: { id: true, title: true },
      orderBy: { title: "asc" },
      take: LIMIT,
    });
    return rows.map((r) => ({
      id: `gid://shopify/Product/${r.id}`,
      title: r.title,
    }));
  }
  // Collection titles are not imported (rules key on collection ids): label them by id.
  const rows = await prisma.product.findMany({
    where: { shop },
    select: { collections: true },
  });
  const ids = [...new Set(rows.flatMap((r) => parseStringList(r.collections)))]
    .filter((id) => id.includes(query))
    .sort()
    .slice(0, LIMIT);
  return ids.map((id) => ({
    id: `gid://shopify/Collection/${id}`,
    title: `Collection ${id}`,
  }));
}
