/**
 * The token store in Redis (`MCP_STORE_URL=redis://…` or `rediss://…`): what replicas share. Needs Redis 6.2 or later
 * (GETDEL).
 *
 * Entries live under `intervals-mcp:<kind>:<key>` with the kind percent-encoded, so that a kind with a colon in it
 * can never reach into another kind's keys; counters and paces live under `intervals-mcp:#count:` and
 * `intervals-mcp:#pace:`, which no encoded kind can spell. Every value carries a PX time to live, so Redis expires
 * what it holds by itself and `removeAll` (SCAN then UNLINK) counts only what was alive. `take` is GETDEL, `count` and
 * `reserve` are Lua scripts: each runs whole inside Redis, and `reserve` reads the time from Redis (TIME), so that
 * replicas whose clocks disagree still keep one pace.
 *
 * The URL may carry a password (`redis://:password@host:port/db`); it never goes into a message or a log.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Redis as RedisClient } from "ioredis"
import { redactUrl } from "./StoreConfig.js"
import { StoreError, TokenStore, type TokenStoreShape } from "./TokenStore.js"

/** How long the layer waits for Redis at start-up, and any command afterwards, before it gives up. */
const CONNECT_TIMEOUT_MS = 5_000
const COMMAND_TIMEOUT_MS = 2_000
const PREFIX = "intervals-mcp:"

/** Percent-encodes everything but letters, digits and `-_.`, so the result holds no `:` and no glob character. */
const encodeKind = (kind: string): string =>
  encodeURIComponent(kind).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

const entryKey = (kind: string, key: string) => `${PREFIX}${encodeKind(kind)}:${key}`

/** A time to live in whole milliseconds for PX (at least 1), or undefined for none (an infinite duration). */
const pxOf = (ttl: Duration.Duration): number | undefined => {
  const ms = Duration.toMillis(ttl)
  return Number.isFinite(ms) ? Math.max(1, Math.ceil(ms)) : undefined
}

// INCR, and a time to live for the window on its first hit: in one script, so no hit can see a counter without one.
const COUNT = `
local n = redis.call("INCR", KEYS[1])
if n == 1 and tonumber(ARGV[1]) > 0 then redis.call("PEXPIRE", KEYS[1], ARGV[1]) end
return n
`

// gcra() of TokenStore.ts, on Redis's clock. Times are milliseconds with a fraction, sent back as strings so that the
// fraction survives (Redis would truncate a Lua number to an integer).
const RESERVE = `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + tonumber(t[2]) / 1000
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call("GET", KEYS[1]))
local base = now
if tat ~= nil and tat > now then base = tat end
local wait = base - (burst - 1) * interval - now
if wait < 0 then wait = 0 end
local new_tat = base + interval
redis.call("SET", KEYS[1], string.format("%.3f", new_tat), "PX", math.max(1, math.ceil(new_tat - now)))
return string.format("%.3f", wait)
`

interface Scripted {
  readonly intervalsCount: (key: string, windowMs: string) => Promise<number>
  readonly intervalsReserve: (key: string, intervalMs: string, burst: string) => Promise<string>
}

const describe = (cause: unknown): string => cause instanceof Error ? cause.message : String(cause)

/** Closes the client: QUIT, which waits for the answers to commands in flight, then past a timeout just the socket. */
const close = (client: RedisClient) =>
  Effect.promise(async () => {
    if (client.status === "ready") {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([
        client.quit().catch(() => undefined),
        new Promise((resolve) => (timer = setTimeout(resolve, COMMAND_TIMEOUT_MS)))
      ])
      clearTimeout(timer)
    }
    client.disconnect()
  })

/**
 * Connects, waiting for Redis to answer (ioredis would otherwise queue commands and retry for ever): fails after
 * CONNECT_TIMEOUT_MS with the last connection error, its URL shown without the password. The client is closed with
 * the scope, and at once if it never connects.
 */
const connect = (url: string) =>
  Effect.gen(function*() {
    const where = redactUrl(url)
    const failure = (detail: string) => new StoreError({ operation: `connect to Redis at ${where}`, detail })
    // Through `default` (module.exports, which is the client class with itself as `Redis`): a bundled dynamic import
    // of a CommonJS package has no named exports.
    const { Redis } = yield* Effect.tryPromise({
      try: () => import("ioredis").then((module) => module.default),
      catch: (cause) => failure(`the Redis client did not load: ${describe(cause)}`)
    })
    let lastError: string | undefined
    // Only the creation is the acquisition: the wait below must stay interruptible, or its timeout could never fire.
    const client = yield* Effect.acquireRelease(
      Effect.try({
        try: () => {
          const client = new Redis(url, {
            lazyConnect: false,
            connectTimeout: CONNECT_TIMEOUT_MS,
            commandTimeout: COMMAND_TIMEOUT_MS,
            // A command fails after one reconnection attempt rather than twenty; the caller answers an error in time.
            maxRetriesPerRequest: 1
          })
          // Without a listener ioredis prints every connection error on stderr (stdout is the stdio transport's).
          client.on("error", (error: unknown) => {
            lastError = describe(error)
          })
          return client
        },
        catch: (cause) => failure(describe(cause))
      }),
      close
    )
    yield* Effect.async<void, StoreError>((resume) => {
      if (client.status === "ready") return resume(Effect.void)
      const ready = () => resume(Effect.void)
      const ended = () => resume(Effect.fail(failure(lastError ?? "the connection closed")))
      // A refused password will not be accepted on the next attempt: no point waiting out the timeout.
      const refused = (error: unknown) => {
        if (/WRONGPASS|NOAUTH|invalid password/i.test(describe(error))) resume(Effect.fail(failure(describe(error))))
      }
      client.once("ready", ready)
      client.once("end", ended)
      client.on("error", refused)
      return Effect.sync(() => {
        client.off("ready", ready)
        client.off("end", ended)
        client.off("error", refused)
      })
    }).pipe(
      Effect.timeoutFail({
        duration: Duration.millis(CONNECT_TIMEOUT_MS),
        onTimeout: () => {
          const seconds = CONNECT_TIMEOUT_MS / 1000
          return failure(`no connection within ${seconds} s${lastError === undefined ? "" : `: ${lastError}`}`)
        }
      })
    )
    client.defineCommand("intervalsCount", { numberOfKeys: 1, lua: COUNT })
    client.defineCommand("intervalsReserve", { numberOfKeys: 1, lua: RESERVE })
    return client as RedisClient & Scripted
  })

export const makeRedisStore = (url: string) =>
  Effect.gen(function*() {
    const client = yield* connect(url)

    const command = <A>(operation: string, run: () => Promise<A>) =>
      Effect.tryPromise({ try: run, catch: (cause) => new StoreError({ operation, detail: describe(cause) }) })

    const store: TokenStoreShape = {
      backend: "redis",
      shared: true,
      put: (kind, key, value, ttl) =>
        command(`put a ${kind} entry`, async () => {
          const px = pxOf(ttl)
          if (px === undefined) await client.set(entryKey(kind, key), value)
          else if (Duration.toMillis(ttl) <= 0) await client.del(entryKey(kind, key))
          else await client.set(entryKey(kind, key), value, "PX", px)
        }),
      get: (kind, key) =>
        command(`read a ${kind} entry`, () => client.get(entryKey(kind, key))).pipe(Effect.map(Option.fromNullable)),
      take: (kind, key) =>
        command(`take a ${kind} entry`, () => client.getdel(entryKey(kind, key))).pipe(Effect.map(Option.fromNullable)),
      remove: (kind, key) =>
        command(`remove a ${kind} entry`, async () => {
          await client.unlink(entryKey(kind, key))
        }),
      removeAll: (kind) =>
        command(`remove the ${kind} entries`, async () => {
          // UNLINK answers how many keys it removed, and Redis treats an expired key as absent: only the live count.
          let removed = 0
          let cursor = "0"
          do {
            const [next, keys] = await client.scan(cursor, "MATCH", `${PREFIX}${encodeKind(kind)}:*`, "COUNT", 500)
            if (keys.length > 0) removed += await client.unlink(...keys)
            cursor = next
          } while (cursor !== "0")
          return removed
        }),
      count: (key, window) =>
        command("count a hit", () => {
          // An infinite window is a counter that never expires: "0" tells the script to set no time to live.
          const px = pxOf(window)
          return client.intervalsCount(`${PREFIX}#count:${key}`, px === undefined ? "0" : String(px))
        }).pipe(Effect.map(Number)),
      reserve: (key, interval, burst) =>
        command(
          "reserve a request slot",
          () => client.intervalsReserve(`${PREFIX}#pace:${key}`, String(Duration.toMillis(interval)), String(burst))
        ).pipe(Effect.map((wait) => Duration.millis(Number(wait)))),
      ping: Effect.tryPromise(() => client.ping()).pipe(
        Effect.timeout(Duration.millis(COMMAND_TIMEOUT_MS)),
        Effect.map((answer) => answer === "PONG"),
        Effect.orElseSucceed(() => false)
      )
    }
    return store
  })

/** The Redis store at `url`, connected when the layer is built (or a StoreError) and closed with its scope. */
export const RedisStoreLive = (url: string): Layer.Layer<TokenStore, StoreError> =>
  Layer.scoped(TokenStore, makeRedisStore(url))
