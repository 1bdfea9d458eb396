import { Prisma } from "@prisma/client";
import prisma from "~/db.server";
import { env } from "~/env.server";
import { addressKey } from "~/services/privacy/pseudonym.server";
import type { LeanRequest } from "~/http/lean-answer";
import { log } from "./log.server";

interface Count {
  shop: string;
  key: string;
  window: number;
  /** The window's count across instances, as of this instance's last sync. */
  known: number;
  /** Taken here since that sync. */
  pending: number;
}

/** Rows per statement when a sync writes its counts. */
const SYNC_BATCH = 200;

/**
 * A fixed-window request limit shared by every instance of the app: each counts locally and adds
 * its counts to the database (RateLimitWindow) every `syncMs`, reading back the window's total
 * across instances. A request never waits for the database. Two instances do not double anyone's
 * allowance: each learns the others' counts within `syncMs` of its own first request in a window,
 * so the overshoot is bounded by what the instances admit in that time. As with any fixed window,
 * a client may spend one window's allowance at its end and the next one's at the start.
 */
export class SharedRateLimiter {
  private readonly counts = new Map<string, Count>();
  private sync: Promise<void> | null = null;

  constructor(
    /** Requests allowed per key and window. */
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly syncMs = 1_000,
  ) {}

  take(shop: string, key: string, now = Date.now()): boolean {
    const window = Math.floor(now / this.windowMs);
    const id = `${shop} ${key}`;
    let count = this.counts.get(id);
    if (!count || count.window !== window) {
      count = { shop, key, window, known: 0, pending: 0 };
      this.counts.set(id, count);
    }
    if (count.known + count.pending >= this.limit) return false;
    count.pending += 1;
    this.sync ??= this.syncLater();
    return true;
  }

  private async syncLater(): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, this.syncMs).unref());
    try {
      await this.flush();
    } catch (error) {
      // The limit keeps working on this instance's own counts until the next sync.
      log.warn("rate limit counts could not be shared", { error });
    } finally {
      // Until the last window ends, so that its counts are also cleaned up.
      this.sync = this.counts.size > 0 ? this.syncLater() : null;
    }
  }

  /** Adds this instance's counts to the shared ones and reads back the totals. */
  async flush(now = Date.now()): Promise<void> {
    const current = Math.floor(now / this.windowMs);
    const due: Count[] = [];
    const shops = new Set<string>();
    // Every live count is synced, the idle ones too: their totals move with the other instances.
    for (const [id, count] of this.counts) {
      shops.add(count.shop);
      if (count.window < current - 1) this.counts.delete(id);
      else due.push(count);
    }
    for (let i = 0; i < due.length; i += SYNC_BATCH) {
      const batch = due.slice(i, i + SYNC_BATCH);
      const sent = batch.map((c) => c.pending);
      batch.forEach((c) => (c.pending = 0));
      const values = Prisma.join(
        batch.map(
          (c, j) => Prisma.sql`(${c.shop}, ${c.key}, ${c.window}, ${sent[j]})`,
        ),
      );
      const rows = await prisma.$queryRaw<
        { shop: string; key: string; window: number; count: number }[]
      >(Prisma.sql`INSERT INTO "RateLimitWindow" ("shop", "key", "window", "count")
        VALUES ${values}
        ON CONFLICT ("shop", "key", "window")
        DO UPDATE SET "count" = "RateLimitWindow"."count" + excluded."count"
        RETURNING "shop", "key", "window", "count"`);
      for (const row of rows) {
        const count = this.counts.get(`${row.shop} ${row.key}`);
        if (count && count.window === Number(row.window))
          count.known = Number(row.count);
      }
    }
    // Windows that ended are no longer read by anyone (every shop this instance counted for until
    // its last window ended here).
    for (const shop of shops)
      await prisma.rateLimitWindow.deleteMany({
        where: { shop, window: { lt: current - 1 } },
      });
  }
}

/**
 * The storefront client's address, as the app proxy forwards it: Shopify puts the shopper's IP in
 * `X-Forwarded-For`. Proxies of our own hosting in front of the app each append one more entry
 * (`TRUSTED_PROXY_HOPS` of them), so the client is that many entries from the end; anything to
 * the left of it was written by the client and is not trusted. Null when there is no such entry
 * (a request that did not come through a proxy).
 */
export function clientAddress(
  request: Pick<LeanRequest, "headers">,
  trustedHops = env.TRUSTED_PROXY_HOPS,
): string | null {
  const header = request.headers.get("X-Forwarded-For");
  if (!header) return null;
  const hops = header.split(",").map((entry) => entry.trim());
  const address = hops[hops.length - 1 - trustedHops];
  return address ? address.slice(0, 64) : null;
}

/**
 * Per shop and client address, for every storefront request (recommendations and events alike):
 * a shopper's page views fire a few requests each, and carrier-grade NAT puts many shoppers behind
 * one address, so the allowance is generous; it stops one client (or one client rotating visitor
 * ids) from flooding the app.
 */
export const CLIENT_LIMIT = { requests: 150, windowMs: 10_000 };
const perClient = new SharedRateLimiter(
  CLIENT_LIMIT.requests,
  CLIENT_LIMIT.windowMs,
);

export function allowClient(
  shop: string,
  address: string | null,
  now = Date.now(),
) {
  return (
    address === null ||
    perClient.take(shop, `client:${addressKey(shop, address)}`, now)
  );
}
