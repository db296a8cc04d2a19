/**
 * The store behind OAuth (clients, pending sign-ins, codes, grants, tokens), the budgets of failed sign-ins and
 * registrations, and the pacing of requests to Intervals.icu shared by replicas. It holds opaque strings under a
 * kind and a key, each with a time to live; what they mean is the caller's business (the authorization server keys
 * tokens by their SHA-256, so the store never holds a usable token).
 *
 * Three layers: in memory (tests, and a server run with nothing to keep), SQLite in a file under `MCP_DATA_DIR` (the
 * default: it survives restarts) and Redis (`MCP_STORE_URL=redis://…`: replicas share it). Every operation a caller
 * relies on for safety is atomic in each of them: `take` hands a one-use value (a code, a refresh token) to one
 * caller only, `count` and `reserve` never lose a concurrent hit.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  operation: Schema.String,
  detail: Schema.String
}) {
  override get message() {
    return `The token store failed to ${this.operation}: ${this.detail}`
  }
}

export interface TokenStoreShape {
  /** Which backend, for the start-up log and `/health`. */
  readonly backend: "memory" | "sqlite" | "redis"
  /** Whether other processes see what this one writes (replicas may share it). */
  readonly shared: boolean
  readonly put: (kind: string, key: string, value: string, ttl: Duration.Duration) => Effect.Effect<void, StoreError>
  readonly get: (kind: string, key: string) => Effect.Effect<Option.Option<string>, StoreError>
  /** Reads and removes in one step: of callers racing for the same key, exactly one gets the value. */
  readonly take: (kind: string, key: string) => Effect.Effect<Option.Option<string>, StoreError>
  readonly remove: (kind: string, key: string) => Effect.Effect<void, StoreError>
  /** Removes every entry of a kind; answers how many there were. */
  readonly removeAll: (kind: string) => Effect.Effect<number, StoreError>
  /**
   * Counts one more hit on `key` in a fixed window that opens with the first hit and lasts `window`; answers the
   * hits so far in the window, this one included.
   */
  readonly count: (key: string, window: Duration.Duration) => Effect.Effect<number, StoreError>
  /**
   * Reserves the next slot of a pace of one request per `interval`, of which `burst` may go at once (GCRA): answers
   * how long the caller must wait before its request goes. Every caller that shares the key shares the pace.
   */
  readonly reserve: (key: string, interval: Duration.Duration, burst: number) => Effect.Effect<Duration.Duration, StoreError>
  /** Whether the backend answers (for `/health`). */
  readonly ping: Effect.Effect<boolean>
}

export class TokenStore extends Context.Tag("TokenStore")<TokenStore, TokenStoreShape>() {}

/**
 * GCRA on a theoretical arrival time: a request at `now` may go once `tat - (burst - 1) * interval` has passed, and
 * moves `tat` one interval on. Shared by the in-memory and SQLite layers (Redis runs the same rule in a script).
 */
export const gcra = (tat: number | undefined, now: number, intervalMs: number, burst: number) => {
  const base = Math.max(tat ?? now, now)
  const allowedAt = base - (burst - 1) * intervalMs
  const wait = Math.max(0, allowedAt - now)
  return { wait, tat: base + intervalMs }
}

interface Entry {
  readonly value: string
  readonly expires: number
}

/** In memory: for tests, and for a process that needs nothing kept. */
export const makeMemoryStore = Effect.gen(function*() {
  const kinds = new Map<string, Map<string, Entry>>()
  const counters = new Map<string, { count: number; expires: number }>()
  const paces = new Map<string, number>()
  const now = Clock.currentTimeMillis
  const table = (kind: string) => {
    let entries = kinds.get(kind)
    if (entries === undefined) kinds.set(kind, (entries = new Map()))
    return entries
  }
  const live = (kind: string, key: string, at: number): Entry | undefined => {
    const entry = kinds.get(kind)?.get(key)
    if (entry === undefined) return undefined
    if (entry.expires <= at) {
      kinds.get(kind)!.delete(key)
      return undefined
    }
    return entry
  }
  // Expired entries go when read, and in a sweep now and then, so that the maps stay bounded by what is alive.
  const sweep = (at: number) => {
    for (const entries of kinds.values()) for (const [key, entry] of entries) if (entry.expires <= at) entries.delete(key)
    for (const [key, counter] of counters) if (counter.expires <= at) counters.delete(key)
    // A pace whose time has passed behaves as none (GCRA starts from now): without this, one per key ever paced.
    for (const [key, tat] of paces) if (tat <= at) paces.delete(key)
  }
  let writes = 0
  const store: TokenStoreShape = {
    backend: "memory",
    shared: false,
    put: (kind, key, value, ttl) =>
      Effect.map(now, (at) => {
        if (++writes % 1000 === 0) sweep(at)
        table(kind).set(key, { value, expires: at + Duration.toMillis(ttl) })
      }),
    get: (kind, key) => Effect.map(now, (at) => Option.fromNullable(live(kind, key, at)?.value)),
    take: (kind, key) =>
      Effect.map(now, (at) => {
        const entry = live(kind, key, at)
        kinds.get(kind)?.delete(key)
        return Option.fromNullable(entry?.value)
      }),
    remove: (kind, key) => Effect.sync(() => void kinds.get(kind)?.delete(key)),
    removeAll: (kind) =>
      Effect.map(now, (at) => {
        const entries = kinds.get(kind)
        const alive = entries === undefined ? 0 : [...entries.values()].filter((e) => e.expires > at).length
        kinds.delete(kind)
        return alive
      }),
    count: (key, window) =>
      Effect.map(now, (at) => {
        const counter = counters.get(key)
        if (counter === undefined || counter.expires <= at) {
          // Deleted first so that the map's order is the order windows opened, and the eviction below takes the oldest.
          counters.delete(key)
          counters.set(key, { count: 1, expires: at + Duration.toMillis(window) })
          if (counters.size > 100_000) counters.delete(counters.keys().next().value!)
          return 1
        }
        return ++counter.count
      }),
    reserve: (key, interval, burst) =>
      Effect.map(now, (at) => {
        const next = gcra(paces.get(key), at, Duration.toMillis(interval), burst)
        paces.set(key, next.tat)
        return Duration.millis(next.wait)
      }),
    ping: Effect.succeed(true)
  }
  return store
})

export const MemoryStoreLive = Layer.effect(TokenStore, makeMemoryStore)

/**
 * The store, when the server runs one (OAuth, or a Redis shared by replicas), as a service that is always there: the
 * Intervals.icu client paces through it when it is shared, and tests that build the client alone need not know.
 */
export class MaybeStore extends Context.Tag("MaybeStore")<MaybeStore, Option.Option<TokenStoreShape>>() {}

export const NoStore = Layer.succeed(MaybeStore, Option.none())

/** The store of `MaybeStore`, for parts that cannot run without one. */
export const TokenStoreFromMaybe = Layer.effect(
  TokenStore,
  Effect.flatMap(MaybeStore, (maybe) =>
    Option.match(maybe, {
      onNone: () => Effect.dieMessage("no token store: MCP_AUTH=oauth runs one"),
      onSome: Effect.succeed
    }))
)
