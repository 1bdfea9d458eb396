import { describe, expect, it, vi } from "vitest";
import prisma from "~/db.server";
import {
  SharedRateLimiter,
  allowClient,
  clientAddress,
} from "./rate-limit.server";

const withForwardedFor = (value?: string) =>
  new Request("https://app.example/proxy/recommendations", {
    headers: value === undefined ? {} : { "X-Forwarded-For": value },
  });

describe("the storefront client's address", () => {
  it("is the entry the nearest trusted proxy wrote, not what the client claims", () => {
    const request = withForwardedFor("1.1.1.1, 203.0.113.9, 10.0.0.2");
    expect(clientAddress(request, 0)).toBe("10.0.0.2");
    expect(clientAddress(request, 1)).toBe("203.0.113.9");
    expect(clientAddress(request, 3)).toBeNull();
  });

  it("is unknown without the header", () => {
    expect(clientAddress(withForwardedFor(), 0)).toBeNull();
    expect(clientAddress(withForwardedFor(""), 0)).toBeNull();
  });
});

const SHOP = "limits.myshopify.com";
const WINDOW_MS = 10_000;
/** The start of a window, so a test's requests all fall in it. */
const T = Math.ceil(Date.now() / WINDOW_MS) * WINDOW_MS + 100 * WINDOW_MS;

const takeMany = (
  limiter: SharedRateLimiter,
  key: string,
  n: number,
  now = T,
) =>
  Array.from({ length: n }, () => limiter.take(SHOP, key, now)).filter(Boolean)
    .length;

describe("a rate limit shared by instances", () => {
  it("gives a client one allowance however many instances answer it", async () => {
    // Two app instances: two limiters over one database.
    const a = new SharedRateLimiter(100, WINDOW_MS, 60_000);
    const b = new SharedRateLimiter(100, WINDOW_MS, 60_000);
    expect(takeMany(a, "client:198.51.100.1", 70)).toBe(70);
    await a.flush(T);
    // b has not synced yet: it knows only its own count (the bounded overshoot)...
    expect(takeMany(b, "client:198.51.100.1", 10)).toBe(10);
    await b.flush(T);
    // ...and after its sync, only what is left of the shared allowance.
    expect(takeMany(b, "client:198.51.100.1", 50)).toBe(20);
    await b.flush(T);
    await a.flush(T);
    expect(takeMany(a, "client:198.51.100.1", 5)).toBe(0);
    // Another client, and the same client in the next window, start afresh.
    expect(takeMany(a, "client:198.51.100.2", 5)).toBe(5);
    expect(takeMany(b, "client:198.51.100.1", 5, T + WINDOW_MS)).toBe(5);
    const [row] = await prisma.rateLimitWindow.findMany({
      where: { shop: SHOP, key: "client:198.51.100.1", window: T / WINDOW_MS },
    });
    expect(row.count).toBe(100);
  });

  it("forgets ended windows in memory and in the database", async () => {
    const limiter = new SharedRateLimiter(5, WINDOW_MS, 60_000);
    const later = T + 50 * WINDOW_MS;
    takeMany(limiter, "client:old", 3, later);
    await limiter.flush(later);
    takeMany(limiter, "client:new", 1, later + 3 * WINDOW_MS);
    await limiter.flush(later + 3 * WINDOW_MS);
    expect(
      await prisma.rateLimitWindow.count({
        where: { shop: SHOP, window: { gte: later / WINDOW_MS } },
      }),
    ).toBe(1);
  });

  it("shares a client's count within a second, under a key that does not reveal the address", async () => {
    const shop = "address-keys.myshopify.com";
    expect(allowClient(shop, "203.0.113.77")).toBe(true);
    const rows = await vi.waitFor(
      async () => {
        const found = await prisma.rateLimitWindow.findMany({
          where: { shop },
        });
        expect(found).toHaveLength(1);
        return found;
      },
      { timeout: 5_000, interval: 200 },
    );
    expect(rows[0].count).toBe(1);
    expect(rows[0].key).toMatch(/^client:[0-9a-f]{32}$/);
  });
});
