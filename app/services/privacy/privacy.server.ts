import { Prisma } from "@prisma/client";
import { z } from "zod";
import prisma from "~/db.server";
import { forgetCachedSessions } from "~/session-storage.server";
import {
  forgetCustomer,
  forgetRecommender,
} from "~/services/model/model.server";
import {
  type ProfileSummary,
  buildCustomerProfiles,
  summariseProfile,
} from "~/engine/customer-profile";
import {
  ORDER_ROW_SELECT,
  toEngineOrder,
} from "~/services/replenishment/replenishment.server";
import { forgetCustomerAnswers } from "~/services/storefront/recommendations.server";
import { forgetSequenceModels } from "~/services/flow/next-offer.server";
import { customerKey } from "./pseudonym.server";

const Id = z
  .union([z.number().int(), z.string().regex(/^\d+$/)])
  .transform(String);

export const CustomerPrivacyPayload = z.object({
  shop_domain: z.string(),
  customer: z.object({ id: Id }),
  orders_to_redact: z.array(Id).optional(),
  orders_requested: z.array(Id).optional(),
  data_request: z.object({ id: Id }).optional(),
});
/** What the handlers read; the route has checked shop_domain against the signed header. */
export type CustomerPrivacyRequest = Omit<
  z.infer<typeof CustomerPrivacyPayload>,
  "shop_domain"
>;

export const ShopRedactPayload = z.object({ shop_domain: z.string() });

/**
 * Everything Cartlift holds on one customer: their orders (by pseudonymous key), events,
 * experiment exposures, scheduled next offers, and the profile the storefront's personal offers
 * read (decision 023).
 */
export async function exportCustomerData(
  shop: string,
  payload: CustomerPrivacyRequest,
) {
  const key = customerKey(shop, payload.customer.id);
  // Storefront visitor keys on the customer's orders lead to their events and exposures.
  const visitorKeys = (
    await prisma.order.findMany({
      where: { shop, customerKey: key, visitorKey: { not: null } },
      select: { visitorKey: true },
    })
  ).map((o) => o.visitorKey as string);
  const [
    orders,
    events,
    experimentExposures,
    pixelEvents,
    nextOffers,
    profile,
  ] = await Promise.all([
    prisma.order.findMany({
      where: {
        shop,
        OR: [
          { customerKey: key },
          { id: { in: payload.orders_requested ?? [] } },
        ],
      },
      select: {
        id: true,
        name: true,
        createdAt: true,
        currency: true,
        totalMinor: true,
        lines: {
          select: {
            productId: true,
            variantId: true,
            quantity: true,
            priceMinor: true,
            placement: true,
          },
        },
      },
      orderBy: { createdAt: "asc" },
    }),
    prisma.event.findMany({
      where: { shop, visitorKey: { in: [key, ...visitorKeys] } },
      select: {
        type: true,
        placement: true,
        offerProductId: true,
        createdAt: true,
      },
    }),
    prisma.experimentExposure.findMany({
      where: { shop, visitorKey: { in: visitorKeys } },
      select: { experimentId: true, armId: true, firstSeenAt: true },
    }),
    prisma.pixelEvent.findMany({
      where: { shop, visitorKey: { in: visitorKeys } },
      select: {
        type: true,
        productId: true,
        variantId: true,
        quantity: true,
        amountMinor: true,
        currency: true,
        createdAt: true,
      },
    }),
    prisma.nextOfferSend.findMany({
      where: { shop, customerKey: key },
      select: {
        orderId: true,
        productId: true,
        reason: true,
        dueAt: true,
        status: true,
        sentAt: true,
      },
      orderBy: { dueAt: "asc" },
    }),
    customerProfile(shop, key),
  ]);
  const data = {
    customerId: payload.customer.id,
    orders,
    events,
    experimentExposures,
    pixelEvents,
    nextOffers,
    profile,
  };
  await prisma.dataRequest.create({
    data: {
      shop,
      requestId: payload.data_request?.id ?? "",
      customerKey: key,
      export: JSON.stringify(data),
    },
  });
  return data;
}

/**
 * The customer's profile as the serving state builds it (decision 023), from their stored orders:
 * the same in every instance, and no serving state is loaded to answer a webhook.
 */
async function customerProfile(
  shop: string,
  key: string,
): Promise<ProfileSummary | null> {
  const orders = await prisma.order.findMany({
    where: { shop, customerKey: key, cancelledAt: null },
    select: ORDER_ROW_SELECT,
  });
  const productIds = [
    ...new Set(orders.flatMap((o) => o.lines.map((l) => l.productId ?? ""))),
  ];
  const types = new Map(
    (
      await prisma.product.findMany({
        where: { shop, id: { in: productIds } },
        select: { id: true, productType: true },
      })
    ).map((p) => [p.id, p.productType]),
  );
  const profile = buildCustomerProfiles(
    orders.map(toEngineOrder),
    (productId) => types.get(productId) ?? "",
  ).get(key);
  return profile ? summariseProfile(profile) : null;
}

/** Removes the link between a customer and everything Cartlift stored about them. */
export async function redactCustomer(
  shop: string,
  payload: CustomerPrivacyRequest,
): Promise<void> {
  const key = customerKey(shop, payload.customer.id);
  const orders = {
    shop,
    OR: [{ customerKey: key }, { id: { in: payload.orders_to_redact ?? [] } }],
  };
  // The storefront visitor keys on the customer's orders (the `_cartlift_visitor` cart
  // attribute) lead to their events and experiment exposures: those go too.
  const visitorKeys = (
    await prisma.order.findMany({
      where: { ...orders, visitorKey: { not: null } },
      select: { visitorKey: true },
    })
  ).map((o) => o.visitorKey as string);
  await prisma.$transaction([
    prisma.order.updateMany({
      where: orders,
      data: { customerKey: null, visitorKey: null },
    }),
    prisma.event.deleteMany({
      where: { shop, visitorKey: { in: [key, ...visitorKeys] } },
    }),
    prisma.experimentExposure.deleteMany({
      where: { shop, visitorKey: { in: visitorKeys } },
    }),
    // Web pixel events of those visitors and of the redacted orders' checkouts.
    prisma.pixelEvent.deleteMany({
      where: {
        shop,
        OR: [
          { visitorKey: { in: visitorKeys } },
          { orderId: { in: payload.orders_to_redact ?? [] } },
        ],
      },
    }),
    prisma.dataRequest.deleteMany({ where: { shop, customerKey: key } }),
    // Every instance's serving state rebuilds its customer profiles from the orders above.
    prisma.shop.updateMany({
      where: { shop },
      data: { customersVersion: { increment: 1 } },
    }),
    // Scheduled next offers name the customer's orders and products: sent or not, they go.
    prisma.nextOfferSend.deleteMany({
      where: {
        shop,
        OR: [
          { customerKey: key },
          { orderId: { in: payload.orders_to_redact ?? [] } },
        ],
      },
    }),
  ]);
  // This instance forgets them now; the others at their next check (forgetCustomer).
  await forgetCustomer(shop, key);
  forgetCustomerAnswers(key);
}

/**
 * shop/redact: every table carries `shop`, so deleting by it in each model removes the shop
 * entirely. Walking the data model (not a hand list) means a new table cannot be forgotten.
 */
export async function redactShop(shop: string): Promise<void> {
  // The Shop row goes first: its delete locks it, so a job that writes for the shop (a model
  // finishing training, storeModel) either committed before and is deleted below, or waits and
  // then finds no shop. Nothing written by a job in flight outlives the redaction.
  const models = [
    "Shop",
    ...Prisma.dmmf.datamodel.models
      .map((m) => m.name)
      .filter((name) => name !== "Shop"),
  ];
  await prisma.$transaction(
    models.map((name) => {
      const delegate = (
        prisma as unknown as Record<
          string,
          { deleteMany(args: object): Prisma.PrismaPromise<unknown> }
        >
      )[name.charAt(0).toLowerCase() + name.slice(1)];
      return delegate.deleteMany({ where: { shop } });
    }),
  );
  // Nothing this instance cached for the shop may outlive its data.
  forgetCachedSessions();
  forgetRecommender(shop);
  forgetSequenceModels(shop);
}

/** app/uninstalled: the shop's tokens are revoked; its data stays until shop/redact (48 h later). */
export async function forgetSessions(shop: string): Promise<void> {
  await prisma.session.deleteMany({ where: { shop } });
  forgetCachedSessions();
}
