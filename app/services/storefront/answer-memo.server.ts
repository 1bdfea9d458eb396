/**
 * An exact memo of the storefront's ranked offers (decision 024). Ranking is a pure function of
 * the serving state (the recommender, the merchant's rules, exclusions and placement settings, each
 * an immutable object for as long as it is current) and of the request (placement, cart or
 * product, the experiment arm's strategy and count, the bundle on offer). The key holds the
 * identity of each state object and every request field that enters the ranking, so a hit is the
 * answer a fresh ranking would give, and any change of state makes a new key: entries of an old
 * state are never read again and age out of the LRU.
 *
 * Only ranked offers are kept: the offer tokens are signed per request and built from them.
 */

const ids = new WeakMap<object, number>();
let nextId = 1;

/** A number naming this object while it lives: the version of an immutable piece of state. */
export function stateId(state: object): number {
  let id = ids.get(state);
  if (id === undefined) ids.set(state, (id = nextId++));
  return id;
}

/** Least recently used entries go first once either bound is passed. */
export class AnswerMemo<T> {
  private readonly entries = new Map<string, { value: T; bytes: number }>();
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
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.bytes <= this.maxBytes)
        break;
      this.entries.delete(oldest);
      this.bytes -= entry.bytes;
    }
  }
}
