import { randomUUID } from "node:crypto";
import type { Prisma } from "@prisma/client";
import prisma from "~/db.server";

/**
 * Per-shop leases: the work that must run on one instance at a time (training a shop's models,
 * importing its history) takes the shop's lease first. A conditional update is atomic in both
 * databases, so of several instances exactly one wins; a crashed holder's lease expires.
 */
export type LeaseKind = "training" | "import";

/** How long a lease holds unless renewed. */
export const LEASE_MS = 10 * 60_000;
const INSTANCE = `${process.pid}-${randomUUID()}`;

const columns = {
  training: {
    free: (now: Date): Prisma.ShopWhereInput => ({
      OR: [{ trainingLeaseUntil: null }, { trainingLeaseUntil: { lt: now } }],
    }),
    heldBy: (holder: string): Prisma.ShopWhereInput => ({
      trainingLeaseHolder: holder,
    }),
    set: (until: Date | null, holder: string | null) => ({
      trainingLeaseUntil: until,
      trainingLeaseHolder: holder,
    }),
  },
  import: {
    free: (now: Date): Prisma.ShopWhereInput => ({
      OR: [{ importLeaseUntil: null }, { importLeaseUntil: { lt: now } }],
    }),
    heldBy: (holder: string): Prisma.ShopWhereInput => ({
      importLeaseHolder: holder,
    }),
    set: (until: Date | null, holder: string | null) => ({
      importLeaseUntil: until,
      importLeaseHolder: holder,
    }),
  },
} satisfies Record<LeaseKind, unknown>;

/** Takes the shop's lease unless another holder has a live one (the shop's row must exist). */
export async function acquireLease(
  shop: string,
  kind: LeaseKind,
  holder = INSTANCE,
  now = new Date(),
): Promise<boolean> {
  const { free, set } = columns[kind];
  const { count } = await prisma.shop.updateMany({
    where: { shop, ...free(now) },
    data: set(new Date(now.getTime() + LEASE_MS), holder),
  });
  return count === 1;
}

/** Extends a lease this holder still has; false when it has lost it. */
export async function renewLease(
  shop: string,
  kind: LeaseKind,
  holder = INSTANCE,
  now = new Date(),
): Promise<boolean> {
  const { heldBy, set } = columns[kind];
  const { count } = await prisma.shop.updateMany({
    where: { shop, ...heldBy(holder) },
    data: set(new Date(now.getTime() + LEASE_MS), holder),
  });
  return count === 1;
}

export async function releaseLease(
  shop: string,
  kind: LeaseKind,
  holder = INSTANCE,
): Promise<void> {
  const { heldBy, set } = columns[kind];
  await prisma.shop.updateMany({
    where: { shop, ...heldBy(holder) },
    data: set(null, null),
  });
}
