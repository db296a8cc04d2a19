/**
 * One contract for the three token stores (memory, SQLite in a fresh directory, Redis on a real redis-server), then
 * what only one of them must do: SQLite keeps its data across a reopen and owns its file against other processes,
 * Redis shares a pace between connections and fails clearly (and without the password) when it cannot connect. Memory
 * runs on the TestClock; SQLite and Redis on real time, with short TTLs.
 */
import { describe, expect, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { type ChildProcess, spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync
} from "node:fs"
import { hostname, tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, inject, vi } from "vitest"
import { RedisStoreLive } from "../../src/store/RedisStore.js"
import { SqliteStoreLive } from "../../src/store/SqliteStore.js"
import { StoreLive } from "../../src/store/Store.js"
import { dataDir, storeChoice } from "../../src/store/StoreConfig.js"
import { MemoryStoreLive, StoreError, TokenStore } from "../../src/store/TokenStore.js"
import { freePort, type RedisServer, startRedis } from "../support/RedisServer.js"

/** The run's redis-server; a missing one fails the test that asks, with the reason (never a skip). */
const redisUrl = (db = 1): string => {
  const redis = inject("redis")
  if ("error" in redis) throw new Error(redis.error)
  return `${redis.url}/${db}`
}

const tempDirs: Array<string> = []
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "intervals-mcp-store-"))
  tempDirs.push(dir)
  return dir
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true })
})

interface Backend {
  readonly name: string
  /** Real time (and real TTLs) rather than the TestClock. */
  readonly live: boolean
  readonly layer: () => Layer.Layer<TokenStore, StoreError>
}

const backends: ReadonlyArray<Backend> = [
  { name: "memory", live: false, layer: () => MemoryStoreLive },
  { name: "sqlite", live: true, layer: () => SqliteStoreLive(join(tempDir(), "data", "intervals-mcp.db")) },
  // The same server for every test: unique kinds and keys keep the tests apart.
  { name: "redis", live: true, layer: () => Layer.suspend(() => RedisStoreLive(redisUrl())) }
]

const unique = (name: string) => `${name}-${randomUUID().slice(0, 8)}`

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${exit.cause._tag}`)
  return failure
}

for (const backend of backends) {
  describe(`TokenStore contract: ${backend.name}`, () => {
    const test = backend.live ? it.live : it.effect
    const pass = (duration: Duration.Duration) => backend.live ? Effect.sleep(duration) : TestClock.adjust(duration)
    const run = <A, E>(body: Effect.Effect<A, E, TokenStore>) => Effect.provide(body, backend.layer())

    test("puts and gets, a kind apart from another", () =>
      run(Effect.gen(function*() {
        const store = yield* TokenStore
        const kind = unique("clients")
        yield* store.put(kind, "a", "one", Duration.minutes(1))
        yield* store.put(`${kind}-other`, "a", "elsewhere", Duration.minutes(1))
        expect(yield* store.get(kind, "a")).toEqual(Option.some("one"))
        expect(yield* store.get(kind, "missing")).toEqual(Option.none())
        yield* store.put(kind, "a", "two", Duration.minutes(1))
        expect(yield* store.get(kind, "a")).toEqual(Option.some("two"))
        expect(yield* store.get(`${kind}-other`, "a")).toEqual(Option.some("elsewhere"))
        expect(yield* store.ping).toBe(true)
      })))

    test("forgets an entry once its time to live has passed", () =>
      run(Effect.gen(function*() {
        const store = yield* TokenStore
        const kind = unique("codes")
        yield* store.put(kind, "short", "gone soon", Duration.millis(150))
        yield* store.put(kind, "long", "stays", Duration.minutes(1))
        expect(yield* store.get(kind, "short")).toEqual(Option.some("gone soon"))
        yield* pass(Duration.millis(300))
        expect(yield* store.get(kind, "short")).toEqual(Option.none())
        expect(yield* store.take(kind, "short")).toEqual(Option.none())
        expect(yield* store.get(kind, "long")).toEqual(Option.some("stays"))
      })))

    test("hands a taken value to one of 20 concurrent takers only", () =>
      run(Effect.gen(function*() {
        const store = yield* TokenStore
        const kind = unique("codes")
        yield* store.put(kind, "code", "grant", Duration.minutes(1))
        const taken = yield* Effect.all(Array.from({ length: 20 }, () => store.take(kind, "code")), {
          concurrency: "unbounded"
        })
        expect(taken.filter(Option.isSome)).toEqual([Option.some("grant")])
        expect(yield* store.get(kind, "code")).toEqual(Option.none())
        expect(yield* store.take(kind, "code")).toEqual(Option.none())
      })))

    test("removes an entry, and a missing one without complaint", () =>
      run(Effect.gen(function*() {
        const store = yield* TokenStore
        const kind = unique("tokens")
        yield* store.put(kind, "a", "one", Duration.minutes(1))
        yield* store.put(kind, "b", "two", Duration.minutes(1))
        yield* store.remove(kind, "a")
        yield* store.remove(kind, "never-there")
        expect(yield* store.get(kind, "a")).toEqual(Option.none())
        expect(yield* store.get(kind, "b")).toEqual(Option.some("two"))
      })))

    test("removes all of a kind, counting only the live ones, and leaves other kinds", () =>
      run(Effect.gen(function*() {
        const store = yield* TokenStore
        const kind = unique("grants")
        // A kind that starts with the other's name and a colon: a prefix match must not reach it.
        const neighbour = `${kind}:sub`
        for (const key of ["a", "b", "c"]) yield* store.put(kind, key, key, Duration.minutes(1))
        yield* store.put(kind, "expiring", "x", Duration.millis(150))
        yield* store.put(neighbour, "a", "kept", Duration.minutes(1))
        yield* store.put(`${kind}-other`, "a", "kept", Duration.minutes(1))
        yield* pass(Duration.millis(300))
        expect(yield* store.removeAll(kind)).toBe(3)
        expect(yield* store.get(kind, "a")).toEqual(Option.none())
        expect(yield* store.get(neighbour, "a")).toEqual(Option.some("kept"))
        expect(yield* store.get(`${kind}-other`, "a")).toEqual(Option.some("kept"))
        expect(yield* store.removeAll(kind)).toBe(0)
        expect(yield* store.removeAll(unique("never-used"))).toBe(0)
      })))

    test("counts 50 concurrent hits in a window as 50, and starts again after it", () =>
      run(Effect.gen(function*() {
        const store = yield* TokenStore
        const key = unique("failed-sign-in")
        const hits = yield* Effect.all(Array.from({ length: 50 }, () => store.count(key, Duration.millis(400))), {
          concurrency: "unbounded"
        })
        expect([...hits].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
        expect(yield* store.count(unique("another"), Duration.millis(400))).toBe(1)
        yield* pass(Duration.millis(600))
        expect(yield* store.count(key, Duration.millis(400))).toBe(1)
        expect(yield* store.count(key, Duration.millis(400))).toBe(2)
      })))

    test("paces reservations: a burst goes at once, the next one waits about an interval", () =>
      run(Effect.gen(function*() {
        const store = yield* TokenStore
        const key = unique("intervals-icu")
        const interval = Duration.seconds(1)
        const burst = yield* Effect.all(Array.from({ length: 3 }, () => store.reserve(key, interval, 3)))
        expect(burst.map(Duration.toMillis)).toEqual([0, 0, 0])
        const next = Duration.toMillis(yield* store.reserve(key, interval, 3))
        expect(next).toBeGreaterThan(800)
        expect(next).toBeLessThanOrEqual(1000)
        const after = Duration.toMillis(yield* store.reserve(key, interval, 3))
        expect(after).toBeGreaterThan(1800)
        expect(after).toBeLessThanOrEqual(2000)
        // Another key keeps its own pace.
        expect(Duration.toMillis(yield* store.reserve(unique("other"), interval, 3))).toBe(0)
      })))
  })
}

describe("TokenStore: memory", () => {
  it.effect("lets a pace recover once its time has passed", () =>
    Effect.provide(
      Effect.gen(function*() {
        const store = yield* TokenStore
        expect(Duration.toMillis(yield* store.reserve("pace", Duration.seconds(1), 1))).toBe(0)
        expect(Duration.toMillis(yield* store.reserve("pace", Duration.seconds(1), 1))).toBe(1000)
        yield* TestClock.adjust(Duration.seconds(10))
        expect(Duration.toMillis(yield* store.reserve("pace", Duration.seconds(1), 1))).toBe(0)
      }),
      MemoryStoreLive
    ))
})

/** A process that lives until killed, for a pid file that names a live process. */
const liveProcess = (): ChildProcess => spawn(process.execPath, ["-e", "setTimeout(() => {}, 60_000)"])

/** The pid of a process that has exited. */
const deadPid = (): Promise<number> =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, ["-e", ""])
    child.once("exit", () => resolve(child.pid!))
  })

describe("TokenStore: sqlite", () => {
  const paths = () => {
    const dir = join(tempDir(), "data")
    return { dir, db: join(dir, "intervals-mcp.db") }
  }
  const put = (key: string, value: string) =>
    Effect.flatMap(TokenStore, (store) => store.put("grants", key, value, Duration.hours(1)))
  const get = (key: string) => Effect.flatMap(TokenStore, (store) => store.get("grants", key))

  it.live("creates its directory and file privately, keeps its data across a close and a reopen", () =>
    Effect.gen(function*() {
      const { db, dir } = paths()
      yield* Effect.provide(
        Effect.gen(function*() {
          yield* put("a", "kept")
          const store = yield* TokenStore
          expect(store.backend).toBe("sqlite")
          expect(store.shared).toBe(false)
          // Owned while open: the pid file names this process.
          expect(readFileSync(`${db}.pid`, "utf8").split("\n")[0]).toBe(String(process.pid))
        }),
        SqliteStoreLive(db)
      )
      expect(statSync(dir).mode & 0o777).toBe(0o700)
      expect(statSync(db).mode & 0o777).toBe(0o600)
      // Given up at close, lock and all.
      expect(existsSync(`${db}.pid`)).toBe(false)
      expect(existsSync(`${db}.lock`)).toBe(false)
      expect(yield* Effect.provide(get("a"), SqliteStoreLive(db))).toEqual(Option.some("kept"))
    }))

  it.live("takes over from a dead process: removes the lock directory it left", () =>
    Effect.gen(function*() {
      const { db, dir } = paths()
      yield* Effect.provide(put("a", "before the crash"), SqliteStoreLive(db))
      // What a process killed inside a transaction leaves: its pid file and the driver's lock directory.
      const pid = yield* Effect.promise(deadPid)
      writeFileSync(`${db}.pid`, `${pid}\n${hostname()}\n`)
      mkdirSync(`${db}.lock`)
      expect(existsSync(dir)).toBe(true)
      const value = yield* Effect.provide(
        Effect.gen(function*() {
          yield* put("b", "after")
          return yield* get("a")
        }),
        SqliteStoreLive(db)
      )
      expect(value).toEqual(Option.some("before the crash"))
      expect(existsSync(`${db}.lock`)).toBe(false)
    }))

  it.live("takes over a pid file that names this very process (a restarted container gets the same pid)", () =>
    Effect.gen(function*() {
      const { db } = paths()
      mkdirSync(join(db, ".."), { recursive: true })
      writeFileSync(`${db}.pid`, `${process.pid}\n${hostname()}\n`)
      mkdirSync(`${db}.lock`)
      yield* Effect.provide(put("a", "ok"), SqliteStoreLive(db))
    }))

  it.live("refuses a data directory that a live process holds, naming it and pointing to Redis", () =>
    Effect.gen(function*() {
      const { db } = paths()
      const holder = liveProcess()
      yield* Effect.addFinalizer(() => Effect.sync(() => holder.kill("SIGKILL")))
      mkdirSync(join(db, ".."), { recursive: true })
      writeFileSync(`${db}.pid`, `${holder.pid}\n${hostname()}\n`)
      const error = failureOf(yield* Effect.exit(Effect.provide(put("a", "x"), SqliteStoreLive(db))))
      expect(error).toBeInstanceOf(StoreError)
      expect(error.message).toContain(`in use by process ${holder.pid}`)
      expect(error.message).toContain("MCP_STORE_URL=redis://")
      // The holder's pid file is left alone.
      expect(readFileSync(`${db}.pid`, "utf8")).toBe(`${holder.pid}\n${hostname()}\n`)
    }).pipe(Effect.scoped))

  it.live("refuses while another host's heartbeat is fresh, takes over once it is stale", () =>
    Effect.gen(function*() {
      const { db } = paths()
      mkdirSync(join(db, ".."), { recursive: true })
      // Another container on the same volume: its pid means nothing here, its heartbeat (the mtime) does.
      writeFileSync(`${db}.pid`, `1\nanother-container\n`)
      const error = failureOf(yield* Effect.exit(Effect.provide(put("a", "x"), SqliteStoreLive(db))))
      expect(error.message).toContain("in use by process 1 on host another-container")
      const old = new Date(Date.now() - 5 * 60_000)
      utimesSync(`${db}.pid`, old, old)
      yield* Effect.provide(put("a", "x"), SqliteStoreLive(db))
    }))

  it.live("refuses a second open of the same file in one process", () =>
    Effect.gen(function*() {
      const { db } = paths()
      yield* Effect.provide(
        Effect.gen(function*() {
          const error = yield* Effect.flip(Effect.provide(put("a", "x"), SqliteStoreLive(db)))
          expect(error.message).toContain("open already in this process")
          // The first one's pid file survives the refusal of the second, and the first one still works.
          expect(existsSync(`${db}.pid`)).toBe(true)
          yield* put("b", "y")
          expect(yield* get("b")).toEqual(Option.some("y"))
        }),
        SqliteStoreLive(db)
      )
    }))

  it.live("answers a StoreError, not a crash, when the file cannot be created", () =>
    Effect.gen(function*() {
      const blocker = join(tempDir(), "a-file")
      writeFileSync(blocker, "not a directory")
      const error = failureOf(yield* Effect.exit(Effect.provide(put("a", "x"), SqliteStoreLive(join(blocker, "x.db")))))
      expect(error).toBeInstanceOf(StoreError)
      expect(error.message).toContain("open the SQLite database")
    }))
})

describe("TokenStore: redis", () => {
  let secured: RedisServer | undefined
  beforeAll(async () => {
    secured = await startRedis({ password: "s3cret-pass" })
  })
  afterAll(async () => {
    await secured?.stop()
  })

  it.scopedLive("shares one pace between two connections (replicas)", () =>
    Effect.gen(function*() {
      const url = redisUrl()
      const one = Context.get(yield* Layer.build(RedisStoreLive(url)), TokenStore)
      const two = Context.get(yield* Layer.build(RedisStoreLive(url)), TokenStore)
      expect(one.backend).toBe("redis")
      expect(one.shared).toBe(true)
      const key = unique("intervals-icu")
      const interval = Duration.seconds(1)
      expect(Duration.toMillis(yield* one.reserve(key, interval, 2))).toBe(0)
      expect(Duration.toMillis(yield* two.reserve(key, interval, 2))).toBe(0)
      const third = Duration.toMillis(yield* two.reserve(key, interval, 2))
      expect(third).toBeGreaterThan(800)
      expect(third).toBeLessThanOrEqual(1000)
      expect(Duration.toMillis(yield* one.reserve(key, interval, 2))).toBeGreaterThan(1800)
      // And what one writes the other reads.
      const kind = unique("codes")
      yield* one.put(kind, "code", "grant", Duration.minutes(1))
      expect(yield* two.take(kind, "code")).toEqual(Option.some("grant"))
      expect(yield* one.take(kind, "code")).toEqual(Option.none())
    }))

  it.scopedLive("uses the URL's database, namespaced keys and a PX time to live", () =>
    Effect.gen(function*() {
      const store = Context.get(yield* Layer.build(RedisStoreLive(redisUrl(2))), TokenStore)
      const kind = unique("clients")
      yield* store.put(kind, "id", "value", Duration.seconds(30))
      const { Redis } = yield* Effect.promise(() => import("ioredis"))
      const raw = yield* Effect.acquireRelease(
        Effect.sync(() => new Redis(redisUrl(2))),
        (client) => Effect.promise(() => client.quit())
      )
      expect(yield* Effect.promise(() => raw.get(`intervals-mcp:${kind}:id`))).toBe("value")
      const ttl = yield* Effect.promise(() => raw.pttl(`intervals-mcp:${kind}:id`))
      expect(ttl).toBeGreaterThan(25_000)
      expect(ttl).toBeLessThanOrEqual(30_000)
      // Nothing of it in database 1.
      const other = Context.get(yield* Layer.build(RedisStoreLive(redisUrl(1))), TokenStore)
      expect(yield* other.get(kind, "id")).toEqual(Option.none())
    }))

  it.scopedLive("connects with a password in the URL", () =>
    Effect.gen(function*() {
      const url = `redis://:s3cret-pass@127.0.0.1:${secured!.port}/0`
      const store = Context.get(yield* Layer.build(RedisStoreLive(url)), TokenStore)
      yield* store.put("codes", "a", "b", Duration.seconds(5))
      expect(yield* store.get("codes", "a")).toEqual(Option.some("b"))
      expect(yield* store.ping).toBe(true)
    }))

  it.live("fails clearly, and without the password, when the password is wrong", () =>
    Effect.gen(function*() {
      const url = `redis://:wrong-pass-123@127.0.0.1:${secured!.port}/0`
      const started = Date.now()
      const error = failureOf(yield* Effect.exit(Effect.scoped(Layer.build(RedisStoreLive(url)))))
      expect(error.message).toContain(`127.0.0.1:${secured!.port}`)
      expect(error.message).toMatch(/WRONGPASS|NOAUTH|invalid/i)
      // Refused at once: a wrong password does not get better with time.
      expect(Date.now() - started).toBeLessThan(2_000)
      expect(error.message).not.toContain("wrong-pass-123")
    }))

  it.live("fails within a few seconds with a clear StoreError when Redis is unreachable", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(freePort)
      const printed = vi.spyOn(console, "error").mockImplementation(() => {})
      yield* Effect.addFinalizer(() => Effect.sync(() => printed.mockRestore()))
      const started = Date.now()
      const url = `redis://:hunter2-secret@127.0.0.1:${port}/0`
      const error = failureOf(yield* Effect.exit(Effect.scoped(Layer.build(RedisStoreLive(url)))))
      expect(Date.now() - started).toBeLessThan(8_000)
      expect(error).toBeInstanceOf(StoreError)
      expect(error.message).toContain(`connect to Redis at redis://:***@127.0.0.1:${port}/0`)
      expect(error.message).toContain("ECONNREFUSED")
      expect(error.message).not.toContain("hunter2")
      // Nor anything on stderr: ioredis prints unhandled connection errors unless someone listens.
      expect(printed.mock.calls.flat().join(" ")).not.toContain("hunter2")
    }).pipe(Effect.scoped))
})

describe("StoreLive and its configuration", () => {
  const withEnv = (env: Record<string, string>) =>
    Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

  it.effect("chooses SQLite under MCP_DATA_DIR by default, Redis with MCP_STORE_URL, memory when told", () =>
    Effect.gen(function*() {
      expect(yield* storeChoice.pipe(withEnv({ MCP_DATA_DIR: "/data" }))).toEqual({
        _tag: "sqlite",
        path: "/data/intervals-mcp.db"
      })
      const redis = yield* storeChoice.pipe(withEnv({ MCP_STORE_URL: "rediss://:pw@cache:6380/2" }))
      expect(redis._tag === "redis" && Redacted.value(redis.url)).toBe("rediss://:pw@cache:6380/2")
      expect(yield* storeChoice.pipe(withEnv({ MCP_STORE: "Memory", MCP_STORE_URL: "redis://cache" }))).toEqual({
        _tag: "memory"
      })
      const explicit = yield* storeChoice.pipe(
        withEnv({ MCP_STORE: "sqlite", MCP_STORE_URL: "redis://cache", MCP_DATA_DIR: "/d" })
      )
      expect(explicit).toEqual({ _tag: "sqlite", path: "/d/intervals-mcp.db" })
      // Set but empty counts as unset.
      expect((yield* storeChoice.pipe(withEnv({ MCP_STORE_URL: " ", MCP_DATA_DIR: "/data" })))._tag).toBe("sqlite")
    }))

  it.effect("defaults the data directory to XDG_DATA_HOME, else ~/.local/share", () =>
    Effect.gen(function*() {
      expect(yield* dataDir.pipe(withEnv({ XDG_DATA_HOME: "/xdg" }))).toBe("/xdg/intervals-mcp")
      // A relative XDG_DATA_HOME is to be ignored (XDG base directory specification).
      expect(yield* dataDir.pipe(withEnv({ XDG_DATA_HOME: "relative" }))).toMatch(/\/\.local\/share\/intervals-mcp$/)
      expect(yield* dataDir.pipe(withEnv({}))).toMatch(/\/\.local\/share\/intervals-mcp$/)
    }))

  it.effect("refuses a URL that is not Redis, naming the variable and masking the password", () =>
    Effect.gen(function*() {
      for (const url of ["http://:topsecret@cache:6379", "redis://", "cache:6379", "redis://:topsecret@cache/x"]) {
        const error = yield* Effect.flip(storeChoice.pipe(withEnv({ MCP_STORE_URL: url })))
        expect(error._op).toBe("InvalidData")
        expect(String(error)).toContain("MCP_STORE_URL must be a redis:// or rediss:// URL")
        expect(String(error)).not.toContain("topsecret")
      }
      const missing = yield* Effect.flip(storeChoice.pipe(withEnv({ MCP_STORE: "redis" })))
      expect(String(missing)).toContain("MCP_STORE=redis needs MCP_STORE_URL")
      const unknown = yield* Effect.flip(storeChoice.pipe(withEnv({ MCP_STORE: "postgres" })))
      expect(String(unknown)).toContain("MCP_STORE must be one of memory, sqlite, redis")
    }))

  it.live("builds the chosen store", () =>
    Effect.gen(function*() {
      const backendOf = (env: Record<string, string>) =>
        Effect.map(TokenStore, (store) => store.backend).pipe(Effect.provide(StoreLive), withEnv(env))
      expect(yield* backendOf({ MCP_STORE: "memory" })).toBe("memory")
      expect(yield* backendOf({ MCP_DATA_DIR: tempDir() })).toBe("sqlite")
      expect(yield* backendOf({ MCP_STORE_URL: redisUrl() })).toBe("redis")
    }))
})
