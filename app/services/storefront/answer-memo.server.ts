/**
 * An exact memo of the storefront's ranked offers (decision 024). Ranking is a pure function of
 * the serving state (the recommender, the merchant's rules, exclusions and placement settings, each
 * an immutable object for as long as it is current) and of the request (placement, cart or
 * product, the experiment arm's strategy and count, the bundle on offer). The key holds the
 * identity of each state object and every request field that enters the ranking, so a hit is the
 * answer a fresh ranking would give, and any change of state makes a new key: entries of an old
 * state are never read again and age out of the LRU.
 *
 * Ranked offers are kept, and beside them views derived from them (`view`: the storefront's
 * Liquid), never what is per request: the offer tokens are signed per request.
 */

const ids = new WeakMap<object, number>();
let nextId = 1;

/** A number naming this object while it lives: the version of an immutable piece of state. */
export function stateId(state: object): number {
  let id = ids.get(state);
  if (id === undefined) ids.set(state, (id = nextId++));
  return id;
}

interface Entry<T> {
  value: T;
  /** The key's, the value's and the views' bytes. */
  bytes: number;
  views?: Map<string, unknown>;
}

/** Least recently used entries go first once either bound is passed. */
export class AnswerMemo<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
  ) {}

  get size() {
    return this.entries.size;
  }

  get sizeBytes() {
    return this.bytes;
  }

  /** The memoised value of `key`, or `compute()`'s, kept unless the memo is off (no entries). */
  answer(
    key: string,
    compute: () => T,
  ): { value: T; memo: "hit" | "miss" | "off" } {
    if (this.maxEntries === 0) return { value: compute(), memo: "off" };
    const found = this.entries.get(key);
    if (found) {
      // Map order is insertion order: moving the entry to the end marks it recently used.
      this.entries.delete(key);
      this.entries.set(key, found);
      this.hits++;
      return { value: found.value, memo: "hit" };
    }
    this.misses++;
    const value = compute();
    this.remember(key, value);
    return { value, memo: "miss" };
  }

  /**
   * A view of the value kept for `key`, named by what else it depends on (`make` reads nothing
   * that neither the key nor the name holds): kept with the entry, counted in its bytes and
   * dropped with it. Made afresh, and not kept, when the key has no entry.
   */
  view<V>(key: string, name: string, make: () => V): V {
    const entry = this.entries.get(key);
    const found = entry?.views?.get(name);
    if (found !== undefined) return found as V;
    const made = make();
    if (!entry) return made;
    const bytes = 2 * (name.length + JSON.stringify(made).length);
    (entry.views ??= new Map()).set(name, made);
    entry.bytes += bytes;
    this.bytes += bytes;
    this.evict();
    return made;
  }

  /** Drops every entry whose key passes `test` (a customer's redaction); returns how many. */
  forget(test: (key: string) => boolean): number {
    let dropped = 0;
    for (const [key, entry] of this.entries)
      if (test(key)) {
        this.entries.delete(key);
        this.bytes -= entry.bytes;
        dropped++;
      }
    return dropped;
  }

  private remember(key: string, value: T) {
    // UTF-16 in memory: two bytes a character, of the key and of the value as JSON.
    const bytes = 2 * (key.length + JSON.stringify(value).length);
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, bytes });
    this.bytes += bytes;
    this.evict();
  }

  private evict() {
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes)
        break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }
}
