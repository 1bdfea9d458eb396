import type { Placement } from "~/engine/types";
import { armFor } from "./experiments.server";
import { banditCount, tokenArm } from "./offer-count.server";
import {
  type LazyVisitorKey,
  visitorKeyOf,
} from "~/services/measurement/attribution.server";

// What one storefront request of one visitor gets on one placement, beyond the merchant's
// placement settings: the experiment arm (hold-out: nothing; or a strategy and offer count), and
// otherwise the learned offer count when the bandit is on. An arm's own count wins over the
// bandit, so an experiment on counts is not blurred by the bandit changing them underneath.

export interface PlacementPolicy {
  /** The visitor's experiment arm on this placement, null outside experiments. */
  armId: string | null;
  /** The visitor is in a hold-out: render nothing (the exposure is recorded all the same). */
  holdout: boolean;
  /** Overrides the placement's strategy; null keeps it. */
  strategy: string | null;
  /** Overrides the placement's maximum number of offers; null keeps it. */
  offerCount: number | null;
  /** The offer tokens' `arm` field: arm id and bandit count. */
  tokenArm: string;
}

export const NO_POLICY: PlacementPolicy = {
  armId: null,
  holdout: false,
  strategy: null,
  offerCount: null,
  tokenArm: "",
};

export async function placementPolicy(
  shop: string,
  placement: Placement,
  lazyVisitorKey: LazyVisitorKey,
  now = new Date(),
): Promise<PlacementPolicy> {
  // Computed once, and only when an experiment or the bandit reads it.
  let computed: string | undefined;
  const visitorKey = () => (computed ??= visitorKeyOf(lazyVisitorKey));
  const arm = await armFor(shop, placement, visitorKey, now);
  if (arm?.holdout)
    return {
      ...NO_POLICY,
      armId: arm.armId,
      holdout: true,
      tokenArm: tokenArm(arm.armId, null),
    };
  const learned =
    arm?.offerCount == null
      ? await banditCount(shop, placement, visitorKey, now)
      : null;
  return {
    armId: arm?.armId ?? null,
    holdout: false,
    strategy: arm?.strategy ?? null,
    offerCount: arm?.offerCount ?? learned,
    tokenArm: tokenArm(arm?.armId ?? null, learned),
  };
}
