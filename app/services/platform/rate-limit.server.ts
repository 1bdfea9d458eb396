import { env } from "~/env.server";

/**
 * Token buckets in this process's memory. Each instance enforces the limits on what it sees, so
 * with N instances behind a load balancer a client gets up to N times the rate: acceptable for
 * its purpose (keeping one noisy client or script from flooding the database or the instance).
 */
export class RateLimiter {
  private buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly capacity: number,
    private readonly refillPerSecond: number,
    private readonly maxKeys = 50_000,
  ) {}

  take(key: string, now = Date.now()): boolean {
    const bucket = this.buckets.get(key);
    const tokens = bucket
      ? Math.min(
          this.capacity,
          bucket.tokens + ((now - bucket.at) / 1000) * this.refillPerSecond,
        )
      : this.capacity;
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: now });
      return false;
    }
    if (!bucket && this.buckets.size >= this.maxKeys) this.prune(now);
    this.buckets.set(key, { tokens: tokens - 1, at: now });
    return true;
  }

  /** Drops buckets that have refilled completely: they behave exactly like absent ones. */
  private prune(now: number) {
    const full = (this.capacity / this.refillPerSecond) * 1000;
    for (const [key, bucket] of this.buckets)
      if (now - bucket.at >= full) this.buckets.delete(key);
    // Still full of active keys: forget the oldest rather than grow without bound.
    while (this.buckets.size >= this.maxKeys)
      this.buckets.delete(this.buckets.keys().next().value as string);
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
  request: Request,
  trustedHops = env.TRUSTED_PROXY_HOPS,
): string | null {
  const header = request.headers.get("X-Forwarded-For");
  if (!header) return null;
  const hops = header.split(",").map((entry) => entry.trim());
  const address = hops[hops.length - 1 - trustedHops];
  return address ? address.slice(0, 64) : null;
}

/**
 * Per client address and instance, for every storefront request: a shopper's page views fire a few
 * requests each, and carrier-grade NAT puts many shoppers behind one address, so the allowance is
 * generous; it stops one client (or one client rotating visitor ids) from flooding the app.
 */
const perClient = new RateLimiter(120, 10);

export function allowClient(address: string | null, now = Date.now()) {
  return address === null || perClient.take(address, now);
}
