/**
 * Reads shared and kept for a while: identical reads in flight share one request, and a success is kept for its
 * time-to-live, counted from when it arrived. The request runs in a fiber of its own, not in the first caller's, and
 * counts who waits for it: a caller that is cancelled (or whose client went away) stops waiting and nothing else; the
 * request is aborted only when every caller has gone. A failure is never kept. At most `capacity` answers are kept,
 * the least recently used going first.
 *
 * Why not Effect's `Cache` or `RcMap`: `Cache` runs the lookup in the first caller's fiber, so that caller's
 * interruption fails every other waiter; `RcMap` keeps an abandoned acquisition running through its idle time and
 * renews that time on every use, so a value read often would never refresh.
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import type * as Scope from "effect/Scope"

interface Entry {
  readonly deferred: Deferred.Deferred<unknown, unknown>
  fiber: Fiber.RuntimeFiber<unknown> | undefined
  waiters: number
  /** When the answer arrived; undefined while in flight. */
  storedAt: number | undefined
  readonly ttlMillis: number
  /** A write changed what this read reads while it was in flight: answer the waiters, keep nothing. */
  stale: boolean
}

export interface ReadCache {
  readonly get: <A, E>(key: string, ttl: Duration.Duration, lookup: Effect.Effect<A, E>) => Effect.Effect<A, E>
  /** Forgets the answers whose key matches; a matching read in flight is answered but not kept. */
  readonly invalidate: (matches: (key: string) => boolean) => Effect.Effect<void>
  readonly size: () => number
}

export const makeReadCache = (options: { readonly capacity: number }): Effect.Effect<ReadCache, never, Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const entries = new Map<string, Entry>()

    const evict = () => {
      if (entries.size <= options.capacity) return
      // Map order is insertion order, and a hit re-inserts: the first done entries are the least recently used.
      for (const [key, entry] of entries) {
        if (entries.size <= options.capacity) break
        if (entry.storedAt !== undefined) entries.delete(key)
      }
    }

    const complete = (key: string, entry: Entry, exit: Exit.Exit<unknown, unknown>) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        entry.fiber = undefined
        if (Exit.isSuccess(exit) && entry.ttlMillis > 0 && !entry.stale && entries.get(key) === entry) {
          entry.storedAt = now
          evict()
        } else if (entries.get(key) === entry) entries.delete(key)
        return Deferred.done(entry.deferred, exit)
      })

    const start = <A, E>(key: string, ttl: Duration.Duration, lookup: Effect.Effect<A, E>) =>
      Effect.gen(function*() {
        const entry: Entry = {
          deferred: yield* Deferred.make<unknown, unknown>(),
          fiber: undefined,
          waiters: 0,
          storedAt: undefined,
          ttlMillis: Duration.toMillis(ttl),
          stale: false
        }
        entries.set(key, entry)
        entry.fiber = yield* lookup.pipe(
          Effect.exit,
          Effect.flatMap((exit) => complete(key, entry, exit)),
          Effect.onInterrupt(() =>
            Effect.sync(() => {
              if (entries.get(key) === entry) entries.delete(key)
            })
          ),
          Effect.forkIn(scope)
        )
        return entry
      })

    /** Waits for the answer; a caller that leaves early aborts the request if it was the last one waiting. */
    const wait = <A, E>(key: string, entry: Entry): Effect.Effect<A, E> =>
      Effect.suspend(() => {
        entry.waiters++
        return (Deferred.await(entry.deferred) as Effect.Effect<A, E>).pipe(
          Effect.onExit((exit) =>
            Effect.suspend(() => {
              entry.waiters--
              if (!Exit.isInterrupted(exit) || entry.waiters > 0 || entry.fiber === undefined) return Effect.void
              if (entries.get(key) === entry) entries.delete(key)
              return Fiber.interruptFork(entry.fiber)
            })
          )
        )
      })

    const get = <A, E>(key: string, ttl: Duration.Duration, lookup: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const found = entries.get(key)
        if (found !== undefined && found.storedAt !== undefined) {
          if (now - found.storedAt < found.ttlMillis) {
            // Re-inserted: now the most recently used.
            entries.delete(key)
            entries.set(key, found)
            return Deferred.await(found.deferred) as Effect.Effect<A, E>
          }
          entries.delete(key)
        } else if (found !== undefined && !found.stale) return wait<A, E>(key, found)
        return Effect.flatMap(start(key, ttl, lookup), (entry) => wait<A, E>(key, entry))
      })

    const invalidate = (matches: (key: string) => boolean) =>
      Effect.sync(() => {
        for (const [key, entry] of entries) {
          if (!matches(key)) continue
          if (entry.storedAt === undefined) entry.stale = true
          else entries.delete(key)
        }
      })

    return { get, invalidate, size: () => entries.size }
  })
