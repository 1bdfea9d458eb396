import prisma from "~/db.server";
import {
  cachedForShop,
  forgetServingState,
} from "~/services/storefront/serving-cache.server";
import { fnv1a32 } from "~/engine/hash";
import {
  type ArmBelief,
  type BanditState,
  belief,
  chooseCount,
  createBandit,
  updateBatch,
} from "~/engine/offer-count-bandit";
import { mulberry32 } from "~/engine/random";
import type { Placement } from "~/engine/types";
import {
  type LazyVisitorKey,
  verifyOfferToken,
  visitorKeyOf,
} from "~/services/measurement/attribution.server";

// Learned offer count: per placement, a Thompson-sampling bandit over how many offers to show
// (app/engine/offer-count-bandit.ts), off until the merchant turns it on. The reward of one
// rendered widget is whether the visitor added any of its offers to the cart (Bernoulli).
// Which count a widget was rendered with travels in its signed offer tokens (the `arm` field,
// see tokenArm), so learning needs no extra writes on the storefront path: impressions and adds
// that the storefront already records are folded into the state in batches.

/** Placements whose widget shows a list; the upgrade block always shows one comparison. */
export const BANDIT_PLACEMENTS = ["product_fbt", "cart", "drawer"] as const;
export type BanditPlacement = (typeof BANDIT_PLACEMENTS)[number];
export const isBanditPlacement = (p: string): p is BanditPlacement =>
  (BANDIT_PLACEMENTS as readonly string[]).includes(p);

/** Adds come a little after the impression they belong to: batches stop this long before now. */
export const SETTLE_MS = 30 * 60_000;
/** The storefront path folds new events in at most this often. */
export const LEARN_EVERY_MS = 60 * 60_000;

/**
 * The token's `arm` field: the experiment arm id and/or the bandit's count, e.g. "ckx…",
 * "ckx…:n4" or ":n4"; empty outside both, as before experiments existed.
 */
export function tokenArm(armId: string | null, banditCount: number | null) {
  if (banditCount === null) return armId ?? "";
  return `${armId ?? ""}:n${banditCount}`;
}

export function parseTokenArm(value: string): {
  armId: string | null;
  banditCount: number | null;
} {
  const [arm, count] = value.split(":");
  const n = /^n(\d{1,2})$/.exec(count ?? "");
  return { armId: arm || null, banditCount: n ? Number(n[1]) : null };
}

interface BanditRow {
  enabled: boolean;
  state: BanditState;
  learnedThrough: Date;
}

async function loadRow(
  shop: string,
  placement: BanditPlacement,
): Promise<BanditRow | null> {
  const row = await prisma.offerCountBandit.findUnique({
    where: { shop_placement: { shop, placement } },
    select: { enabled: true, state: true, learnedThrough: true },
  });
  return row ? { ...row, state: JSON.parse(row.state) as BanditState } : null;
}

export async function setBanditEnabled(
  shop: string,
  placement: BanditPlacement,
  enabled: boolean,
  now = new Date(),
) {
  await prisma.offerCountBandit.upsert({
    where: { shop_placement: { shop, placement } },
    // Learning starts when it is turned on: earlier impressions were not chosen by the bandit.
    create: {
      shop,
      placement,
      enabled,
      state: JSON.stringify(createBandit("bernoulli")),
      learnedThrough: now,
    },
    update: { enabled },
  });
  forgetServingState(shop);
}

/**
 * The count the bandit picks for this request, or null when it is off for the placement. The
 * RNG is seeded per request from the visitor and the time, so a choice can be replayed.
 */
export async function banditCount(
  shop: string,
  placement: Placement,
  visitorKey: LazyVisitorKey,
  now = new Date(),
): Promise<number | null> {
  if (!isBanditPlacement(placement)) return null;
  // The row changes when the merchant switches the bandit and at each learning batch: cached per
  // shop for a few seconds, dropped by both (serving-cache.server.ts).
  let row = await cachedForShop(shop, `bandit:${placement}`, () =>
    loadRow(shop, placement),
  );
  if (!row?.enabled) return null;
  if (
    now.getTime() - row.learnedThrough.getTime() >
    LEARN_EVERY_MS + SETTLE_MS
  ) {
    row = (await learnOfferCounts(shop, placement, now)) ?? row;
    forgetServingState(shop);
  }
  const rng = mulberry32(
    fnv1a32(`${visitorKeyOf(visitorKey)}:${now.getTime()}`),
  );
  return chooseCount(row.state, rng);
}

/**
 * Folds impressions since the last batch (up to SETTLE_MS before now) into the bandit. A widget
 * render is the set of impressions with the same visitor, token time and count; it earned the
 * reward when any add came from it. Guarded by the previous cursor, so two instances learning at
 * once cannot count a batch twice.
 */
export async function learnOfferCounts(
  shop: string,
  placement: BanditPlacement,
  now = new Date(),
): Promise<BanditRow | null> {
  const row = await loadRow(shop, placement);
  if (!row) return null;
  const from = row.learnedThrough;
  const to = new Date(now.getTime() - SETTLE_MS);
  if (to <= from) return row;
  const events = await prisma.event.findMany({
    where: {
      shop,
      placement,
      type: { in: ["impression", "add"] },
      createdAt: { gte: from, lt: now },
    },
    select: {
      type: true,
      visitorKey: true,
      offerToken: true,
      createdAt: true,
    },
  });
  const renders = new Map<string, { count: number; added: boolean }>();
  const adds = new Set<string>();
  for (const event of events) {
    const offer = event.offerToken
      ? verifyOfferToken(shop, event.offerToken)
      : null;
    const count = offer ? parseTokenArm(offer.arm).banditCount : null;
    if (!offer || count === null) continue;
    const key = `${event.visitorKey}|${offer.issuedAt.getTime()}|${count}`;
    if (event.type === "add") adds.add(key);
    else if (event.createdAt < to) renders.set(key, { count, added: false });
  }
  const batches = new Map<number, { impressions: number; rewardSum: number }>();
  for (const [key, render] of renders) {
    const batch = batches.get(render.count) ?? { impressions: 0, rewardSum: 0 };
    batch.impressions += 1;
    if (adds.has(key)) batch.rewardSum += 1;
    batches.set(render.count, batch);
  }
  let state = row.state;
  for (const [count, batch] of batches) {
    // A count that is no longer among the bandit's arms (older configuration) teaches nothing.
    if (state.arms.some((arm) => arm.count === count))
      state = updateBatch(state, count, batch);
  }
  const saved = await prisma.offerCountBandit.updateMany({
    where: { shop, placement, learnedThrough: from },
    data: { state: JSON.stringify(state), learnedThrough: to },
  });
  return saved.count === 1 ? { ...row, state, learnedThrough: to } : null;
}

export interface BanditOverview {
  placement: BanditPlacement;
  enabled: boolean;
  learnedThrough: Date | null;
  beliefs: ArmBelief[];
}

/** Each list placement's bandit: on or off, and what it currently believes about each count. */
export async function banditOverview(
  shop: string,
  now = new Date(),
): Promise<BanditOverview[]> {
  return Promise.all(
    BANDIT_PLACEMENTS.map(async (placement) => {
      const row =
        (await learnOfferCounts(shop, placement, now)) ??
        (await loadRow(shop, placement));
      const state = row?.state ?? createBandit("bernoulli");
      return {
        placement,
        enabled: row?.enabled ?? false,
        learnedThrough: row?.learnedThrough ?? null,
        // A fixed seed: the page shows the same probabilities for the same state.
        beliefs: belief(state, mulberry32(fnv1a32(placement)), 2_000),
      };
    }),
  );
}
