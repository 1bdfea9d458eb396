import { describe, expect, it } from "vitest";
import {
  SERVING_CACHE_MS,
  cachedForShop,
  forgetServingState,
} from "./serving-cache.server";

describe("serving cache", () => {
  it("reuses a load within the TTL, per shop and key, and reloads after it or when forgotten", async () => {
    let loads = 0;
    const load = async () => ++loads;
    const shop = "cache-a.myshopify.com";
    expect(await cachedForShop(shop, "k", load, 1_000)).toBe(1);
    expect(
      await cachedForShop(shop, "k", load, 1_000 + SERVING_CACHE_MS - 1),
    ).toBe(1);
    expect(await cachedForShop("cache-b.myshopify.com", "k", load, 1_000)).toBe(
      2,
    );
    expect(await cachedForShop(shop, "other", load, 1_000)).toBe(3);
    expect(await cachedForShop(shop, "k", load, 1_000 + SERVING_CACHE_MS)).toBe(
      4,
    );
    forgetServingState(shop);
    expect(await cachedForShop(shop, "k", load, 1_000 + SERVING_CACHE_MS)).toBe(
      5,
    );
  });

  it("hands back the cached object when a reload finds the same rows, and the new one when they changed", async () => {
    const shop = "cache-d.myshopify.com";
    let rows = ["a"];
    const load = async () => ({ rows: [...rows] });
    const first = await cachedForShop(shop, "k", load, 0);
    const same = await cachedForShop(shop, "k", load, SERVING_CACHE_MS);
    expect(same).toBe(first);
    rows = ["a", "b"];
    const changed = await cachedForShop(shop, "k", load, 2 * SERVING_CACHE_MS);
    expect(changed).not.toBe(first);
    expect(changed).toEqual({ rows: ["a", "b"] });
  });

  it("does not keep a failed load", async () => {
    const shop = "cache-c.myshopify.com";
    await expect(
      cachedForShop(shop, "k", () => Promise.reject(new Error("down")), 0),
    ).rejects.toThrow("down");
    await new Promise((r) => setImmediate(r));
    expect(await cachedForShop(shop, "k", async () => "up", 0)).toBe("up");
  });
});
