import type { Strategy } from "~/engine/strategies";

/** The merchant's names for the strategies, wherever the admin offers or reports them. */
export const STRATEGY_NAMES: Record<Strategy, string> = {
  blended: "Blended",
  bought_together: "Bought together",
  similar: "Similar products",
  best_sellers: "Best sellers",
};

/** A recorded strategy's name; one the app no longer has (an old row) shows as recorded. */
export function strategyName(strategy: string): string {
  return Object.hasOwn(STRATEGY_NAMES, strategy)
    ? STRATEGY_NAMES[strategy as Strategy]
    : strategy;
}
