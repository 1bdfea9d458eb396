import { forgetServingState } from "~/services/storefront/serving-cache.server";

/** The part of a Prisma model (bundle, upsell rule) the merchant's create, update and delete use. */
interface ShopTable<Columns> {
  create(args: {
    data: Columns & { shop: string };
    select: { id: true };
  }): PromiseLike<{ id: string }>;
  updateMany(args: {
    where: { shop: string; id: string };
    data: Columns;
  }): PromiseLike<{ count: number }>;
  deleteMany(args: {
    where: { shop: string; id: string };
  }): PromiseLike<{ count: number }>;
}

/**
 * Create, update and delete for a merchandising record the storefront serves (bundles, rules).
 * Every write carries the session's shop in its `where`, so an id from another shop matches
 * nothing (false: the route answers 404); every write drops the shop's serving state, so the
 * storefront serves the change from its next request on.
 */
export function shopRecordWrites<Columns>(table: ShopTable<Columns>) {
  const changed = async (
    shop: string,
    write: PromiseLike<{ count: number }>,
  ) => {
    const { count } = await write;
    forgetServingState(shop);
    return count > 0;
  };
  return {
    async create(shop: string, columns: Columns): Promise<string> {
      const row = await table.create({
        data: { ...columns, shop },
        select: { id: true },
      });
      forgetServingState(shop);
      return row.id;
    },
    update: (shop: string, id: string, columns: Columns): Promise<boolean> =>
      changed(shop, table.updateMany({ where: { shop, id }, data: columns })),
    remove: (shop: string, id: string): Promise<boolean> =>
      changed(shop, table.deleteMany({ where: { shop, id } })),
  };
}
