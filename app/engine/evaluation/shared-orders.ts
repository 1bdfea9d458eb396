import { existsSync } from "node:fs";
import { resolve } from "node:path";

/**
 * The public order data set the offline evaluation runs on (UCI Online Retail, decision 004),
 * expected beside the checkout. The app never reads it; tests and benchmarks that need it say so
 * and skip where it is absent.
 */
export const SHARED_ORDERS = resolve(
  process.cwd(),
  "../shared/data/online-retail.csv.gz",
);

/** Whether the data set is here; logs, for the test named, what is skipped when it is not. */
export function haveSharedOrders(test: string): boolean {
  const present = existsSync(SHARED_ORDERS);
  if (!present)
    console.log(
      `${test}: skipping the shared-data checks, ${SHARED_ORDERS} is absent`,
    );
  return present;
}
