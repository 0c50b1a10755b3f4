/**
 * A map that holds at most `maxEntries` values, dropping the least recently used, and
 * (when `ttlMs` is set) forgets a value that old. The one way this app keeps values in
 * memory between requests: every such cache is built where the app starts and passed
 * in, so no module holds state of its own and a test gets a fresh one.
 */
export interface BoundedCacheOptions {
  /** Most values kept; adding one more drops the least recently used. */
  readonly maxEntries: number;
  /** How long a value stays, in milliseconds. @default no limit */
  readonly ttlMs?: number;
  /** Milliseconds since the epoch, for `ttlMs`. @default Date.now */
  readonly now?: () => number;
}

export class BoundedCache<K, V> {
  private readonly entries = new Map<K, { readonly value: V; readonly expiresAt: number }>();
  private readonly now: () => number;

  constructor(private readonly options: BoundedCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new Error(`'maxEntries' must be a positive whole number, not ${options.maxEntries}`);
    }
    this.now = options.now ?? Date.now;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Maps iterate in insertion order: moving the key to the end marks it recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.options.maxEntries) this.entries.delete(this.entries.keys().next().value as K);
    const expiresAt = this.options.ttlMs === undefined ? Infinity : this.now() + this.options.ttlMs;
    this.entries.set(key, { value, expiresAt });
  }

  /** The value for `key`, made by `make` when there is none; a failed promise is not kept. */
  getOrSet(key: K, make: () => V): V {
    const known = this.get(key);
    if (known !== undefined) return known;
    const value = make();
    this.set(key, value);
    if (value instanceof Promise) value.catch(() => this.entries.get(key)?.value === value && this.entries.delete(key));
    return value;
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
