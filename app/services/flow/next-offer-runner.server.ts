import { unauthenticated } from "~/shopify.server";
import type { AdminGraphql } from "~/services/platform/admin-graphql.server";
import { log } from "~/services/platform/log.server";
import {
  type SendSummary,
  sendDueNextOffers,
  shopsWithDueSends,
} from "./next-offer.server";

// The scheduled runner of the next-offer sends (docs/decisions/026-next-offer-sequence.md). An
// orders webhook and the admin's button also run `sendDueNextOffers`, but a quiet shop gets
// neither for days: this job hands every shop's due sends to Flow within minutes of their due
// time. Each send's claim makes runs of several instances, or of this job and a webhook, safe.

/** The offline Admin API client of an installed shop (its stored offline session). */
async function offlineGraphql(shop: string): Promise<AdminGraphql> {
  const { admin } = await unauthenticated.admin(shop);
  return admin.graphql;
}

/**
 * One run: every shop with a due send, one after the other. A shop that fails (no offline
 * session since it uninstalled, Shopify unreachable) is logged and the next shop still runs.
 */
export async function runDueNextOffers(
  now = new Date(),
  graphqlFor: (shop: string) => Promise<AdminGraphql> = offlineGraphql,
): Promise<Map<string, SendSummary>> {
  const summaries = new Map<string, SendSummary>();
  for (const shop of await shopsWithDueSends(now)) {
    try {
      const summary = await sendDueNextOffers(
        shop,
        await graphqlFor(shop),
        now,
      );
      summaries.set(shop, summary);
      if (summary.sent + summary.failed + summary.retrying > 0)
        log.info("next offers sent", { shop, ...summary });
    } catch (error) {
      log.error("next offers not sent", { shop, error });
    }
  }
  return summaries;
}

/**
 * Runs `runDueNextOffers` every `intervalMs` (the first run one interval after the start), never
 * two runs at once in this process. Returns a function that stops it. The timer does not keep the
 * process alive.
 */
export function startNextOfferRunner(intervalMs: number): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    runDueNextOffers()
      .catch((error: unknown) =>
        // Finding the shops failed (the database is away): the next tick tries again.
        log.error("next offer run failed", { error }),
      )
      .finally(() => {
        running = false;
      });
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
