import { describe, expect, it } from "vitest";
import { RateLimiter, clientAddress } from "./rate-limit.server";

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

describe("a token bucket", () => {
  it("allows its burst, then its refill rate", () => {
    const limiter = new RateLimiter(3, 2);
    const t = 1_000_000;
    expect([1, 2, 3, 4].map(() => limiter.take("k", t))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(limiter.take("k", t + 400)).toBe(false);
    expect(limiter.take("k", t + 500)).toBe(true);
    expect(limiter.take("other", t)).toBe(true);
  });

  it("stays bounded in memory under many keys", () => {
    const limiter = new RateLimiter(1, 1, 100);
    for (let i = 0; i < 1_000; i++) limiter.take(`key-${i}`, 0);
    // The oldest keys were forgotten, so they have a full bucket again.
    expect(limiter.take("key-0", 0)).toBe(true);
    expect(limiter.take("key-999", 0)).toBe(false);
  });
});
