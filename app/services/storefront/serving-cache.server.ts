import { isDeepStrictEqual } from "node:util";

/**
 * A short per-shop cache for the small, merchant-edited rows every storefront request reads
 * (placement settings, rules, the shop's exclusions and currency, bundles, running experiments,
 * the offer-count bandit). Without it each app proxy request pays several database round trips
 * for rows that change a few times a day.
 *
 * Correctness: every write path in this instance calls `forgetServingState(shop)`, so a
 * merchant sees their change on the next storefront request; other instances see it within SERVING_CACHE_MS, like
 * the recommender cache's catalog view (model.server.ts). Failed loads are not cached.
 *
 * A reload that finds the same rows hands back the object already cached: the answer memo keys on
 * these objects' identity (answer-memo.server.ts), so an unchanged reload keeps its entries.
 */
export const SERVING_CACHE_MS = 5_000;

interface Entry {
  value: Promise<unknown>;
  loadedAt: number;
  loaded?: unknown;
}

const cache = new Map<string, Map<string, Entry>>();

/** The cached value of `key` for the shop, loaded with `load` when missing or older than the TTL. */
export function cachedForShop<T>(
  shop: string,
  key: string,
  load: () => Promise<T>,
  now = Date.now(),
): Promise<T> {
  let entries = cache.get(shop);
  const hit = entries?.get(key);
  if (hit && now - hit.loadedAt < SERVING_CACHE_MS)
    return hit.value as Promise<T>;
  if (!entries) cache.set(shop, (entries = new Map()));
  const entry: Entry = { value: Promise.resolve(), loadedAt: now };
  const value = load().then((loaded) => {
    const same =
      hit && "loaded" in hit && isDeepStrictEqual(hit.loaded, loaded);
    entry.loaded = same ? hit.loaded : loaded;
    return entry.loaded as T;
  });
  entry.value = value;
  entries.set(key, entry);
  value.catch(() => {
    if (cache.get(shop)?.get(key) === entry) cache.get(shop)?.delete(key);
  });
  return value;
}

/** Drops everything cached for the shop: call after any write to the rows above. */
export function forgetServingState(shop: string): void {
  cache.delete(shop);
}
