import prisma from "~/db.server";

export interface ShopOverview {
  importStatus: string;
  products: number;
  orders: number;
  currency: string;
}

export async function shopOverview(shop: string): Promise<ShopOverview> {
  const [state, products, orders] = await Promise.all([
    prisma.shop.findUnique({
      where: { shop },
      select: { importStatus: true, currency: true },
    }),
    prisma.product.count({ where: { shop } }),
    prisma.order.count({ where: { shop } }),
  ]);
  return {
    importStatus: state?.importStatus ?? "pending",
    currency: state?.currency ?? "USD",
    products,
    orders,
  };
}
