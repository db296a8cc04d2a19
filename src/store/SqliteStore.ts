/**
 * The token store in a SQLite file (the default: it survives restarts, and one server owns it).
 *
 * The driver is `node-sqlite3-wasm`, SQLite compiled to WebAssembly with a synchronous API, rather than
 * better-sqlite3 or @effect/sql-sqlite-node: those are native addons, which need install scripts or a prebuilt binary
 * downloaded at install time, and the image (`npm ci --ignore-scripts`, a slim runtime with no node_modules) and the
 * machines this runs on avoid both. The WASM build has no WAL (no shared memory), so the database runs a rollback
 * journal (TRUNCATE: the journal file is emptied rather than deleted at each commit) with synchronous=FULL, the safe
 * setting for a rollback journal: a grant or a refresh token that a client was told exists must not vanish with power.
 *
 * Every call runs synchronously on the one connection, so two fibers can never interleave inside an operation; `take`
 * is nonetheless one `DELETE … RETURNING` (SQLite ≥ 3.35; the driver ships 3.53) and `reserve` one transaction, so that
 * each stays atomic whatever calls it.
 *
 * One process owns the file. The driver locks by creating a `<db>.lock` directory for the length of a transaction, and
 * a process that dies inside one leaves the directory behind, after which every later transaction fails as busy. So
 * the owner writes `<db>.pid` (its pid and host name, its mtime refreshed as a heartbeat) and removes it at close; at
 * open, a pid file that names a live other process refuses the open (replicas must share Redis instead), and one that
 * does not is stale: the lock directory it left goes and this process takes over.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import {
  closeSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync
} from "node:fs"
import { hostname } from "node:os"
import { dirname, resolve } from "node:path"
import { gcra, StoreError, TokenStore, type TokenStoreShape } from "./TokenStore.js"

type Database = import("node-sqlite3-wasm").Database

/** How often the owner touches its pid file, and how old a pid file from another host must be to count as stale. */
const HEARTBEAT = Duration.seconds(10)
const STALE_AFTER_MS = 30_000
/** Expired rows are ignored when read; the sweep only keeps the file from growing with them. */
const SWEEP_EVERY = Duration.minutes(1)

/** Files this process has open now: a second open of one of them in the same process is a bug, not a stale lock. */
const openHere = new Set<string>()

const describe = (cause: unknown): string => cause instanceof Error ? cause.message : String(cause)

const codeOf = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined

interface Holder {
  readonly pid: number
  readonly host: string
  readonly live: boolean
}

/** Whether a process with this pid exists on this host (EPERM: it exists, under another user). */
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (cause) {
    return codeOf(cause) === "EPERM"
  }
}

/**
 * Who holds a pid file, and whether they are alive. On this host the pid says it; a pid file from another host (a
 * container on the same volume: pids there mean nothing here) is alive while its heartbeat is fresh. Our own pid in a
 * file is stale, as this process has not opened the file: a container restarted after a crash often gets the same pid.
 */
const holderOf = (pidFile: string): Holder | undefined => {
  let text: string
  let touched: number
  try {
    text = readFileSync(pidFile, "utf8")
    touched = statSync(pidFile).mtimeMs
  } catch (cause) {
    if (codeOf(cause) === "ENOENT") return undefined
    throw cause
  }
  const [pidLine = "", host = ""] = text.split("\n")
  const pid = Number(pidLine.trim())
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  const sameHost = host.trim() === "" || host.trim() === hostname()
  const live = sameHost ? pid !== process.pid && alive(pid) : Date.now() - touched < STALE_AFTER_MS
  return { pid, host: host.trim() || hostname(), live }
}

const identity = () => `${process.pid}\n${hostname()}\n`

/**
 * Makes this process the owner of `<db>.pid`, or throws why not. Written to a private file first and linked into place,
 * so that another process never reads a half-written pid file and two that start together cannot both create it.
 */
const claim = (file: string): void => {
  const pidFile = `${file}.pid`
  const mine = `${pidFile}.${process.pid}.tmp`
  writeFileSync(mine, identity(), { mode: 0o600 })
  try {
    try {
      linkSync(mine, pidFile)
      return
    } catch (cause) {
      const code = codeOf(cause)
      // A file system without hard links: an exclusive create is as safe, but another process may read it empty.
      if (code === "EPERM" || code === "ENOTSUP" || code === "EOPNOTSUPP" || code === "EXDEV") {
        try {
          writeFileSync(pidFile, identity(), { mode: 0o600, flag: "wx" })
          return
        } catch (inner) {
          if (codeOf(inner) !== "EEXIST") throw inner
        }
      } else if (code !== "EEXIST") throw cause
    }
    const holder = holderOf(pidFile)
    if (holder?.live) throw inUse(file, holder)
    renameSync(mine, pidFile)
    // Two processes that both found the same stale file: the last rename wins and the other must step back.
    if (readFileSync(pidFile, "utf8") !== identity()) {
      const winner = holderOf(pidFile)
      throw inUse(file, winner ?? { pid: 0, host: "another host", live: true })
    }
  } finally {
    rmSync(mine, { force: true })
  }
}

const inUse = (file: string, holder: Holder) =>
  new Error(
    `the data directory ${dirname(file)} is in use by process ${holder.pid}` +
      (holder.host === hostname() ? "" : ` on host ${holder.host}`) +
      ": one server owns a SQLite store, so replicas must share Redis instead (MCP_STORE_URL=redis://…), or each" +
      ` use its own MCP_DATA_DIR. If process ${holder.pid} is not an intervals-mcp server, delete ${file}.pid`
  )

/** Gives the pid file up, unless another process has taken it over meanwhile. */
const release = (file: string): void => {
  const pidFile = `${file}.pid`
  try {
    if (readFileSync(pidFile, "utf8") === identity()) rmSync(pidFile, { force: true })
  } catch {
    // Gone already: nothing to give up.
  }
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS entries (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    expires REAL NOT NULL,
    PRIMARY KEY (kind, key)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS entries_expires ON entries (expires);
  CREATE TABLE IF NOT EXISTS counters (key TEXT PRIMARY KEY NOT NULL, count INTEGER NOT NULL, expires REAL NOT NULL)
    WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS paces (key TEXT PRIMARY KEY NOT NULL, tat REAL NOT NULL) WITHOUT ROWID;
  PRAGMA user_version = 1;
`

const open = (file: string, Driver: typeof import("node-sqlite3-wasm").Database): Database => {
  if (openHere.has(file)) throw new Error(`${file} is open already in this process`)
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 })
  claim(file)
  try {
    // The owner is gone: a lock directory it left would make every transaction fail as busy. A journal it left is
    // rolled back by SQLite at the first read.
    try {
      rmdirSync(`${file}.lock`)
    } catch (cause) {
      if (codeOf(cause) !== "ENOENT") throw cause
    }
    // Created here, not by SQLite, for its mode: the file holds token hashes and pending sign-ins.
    closeSync(openSync(file, "a", 0o600))
    const db = new Driver(file)
    try {
      db.exec("PRAGMA journal_mode = TRUNCATE; PRAGMA synchronous = FULL;")
      db.exec(SCHEMA)
    } catch (cause) {
      db.close()
      throw cause
    }
    openHere.add(file)
    return db
  } catch (cause) {
    release(file)
    throw cause
  }
}

/** Runs `body` in one write transaction, rolled back if it throws. */
const transaction = <A>(db: Database, body: () => A): A => {
  db.exec("BEGIN IMMEDIATE")
  try {
    const result = body()
    db.exec("COMMIT")
    return result
  } catch (cause) {
    if (db.inTransaction) db.exec("ROLLBACK")
    throw cause
  }
}

export const makeSqliteStore = (path: string) =>
  Effect.gen(function*() {
    const file = resolve(path)
    const opening = `open the SQLite database at ${file}`
    const failure = (operation: string) => (cause: unknown) =>
      new StoreError({ operation, detail: describe(cause) })
    // Loaded here, not at the top, so that a missing or broken WebAssembly file is a StoreError rather than a crash.
    const driver = yield* Effect.tryPromise({ try: () => import("node-sqlite3-wasm"), catch: failure(opening) })
    const db = yield* Effect.acquireRelease(
      Effect.try({ try: () => open(file, driver.default.Database), catch: failure(opening) }),
      (db) =>
        Effect.sync(() => {
          openHere.delete(file)
          try {
            db.close()
          } finally {
            release(file)
          }
        }).pipe(
          Effect.catchAllDefect((cause) => Effect.logWarning(`Closing the SQLite store failed: ${describe(cause)}`))
        )
    )

    /** A synchronous step on the database at the current time, its failure a StoreError naming the operation. */
    const step = <A>(operation: string, body: (now: number) => A) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => Effect.try({ try: () => body(now), catch: failure(operation) }))

    const sweep = step("sweep expired entries", (now) =>
      transaction(db, () => {
        db.run("DELETE FROM entries WHERE expires <= ?", [now])
        db.run("DELETE FROM counters WHERE expires <= ?", [now])
        // A pace whose time has passed behaves as no pace at all (GCRA starts from now).
        db.run("DELETE FROM paces WHERE tat <= ?", [now])
      }))
    yield* sweep.pipe(
      Effect.catchAll((error) => Effect.logWarning(error.message)),
      Effect.repeat(Schedule.spaced(SWEEP_EVERY)),
      Effect.forkScoped
    )
    yield* Effect.sync(() => {
      const now = new Date()
      try {
        utimesSync(`${file}.pid`, now, now)
      } catch (cause) {
        // Deleted by hand while we own the file: put it back, or the next server to start would take over.
        if (codeOf(cause) !== "ENOENT") throw cause
        writeFileSync(`${file}.pid`, identity(), { mode: 0o600 })
      }
    }).pipe(
      Effect.catchAllDefect((cause) => Effect.logWarning(`Refreshing ${file}.pid failed: ${describe(cause)}`)),
      Effect.repeat(Schedule.spaced(HEARTBEAT)),
      Effect.forkScoped
    )

    const store: TokenStoreShape = {
      backend: "sqlite",
      shared: false,
      put: (kind, key, value, ttl) =>
        step(`put a ${kind} entry`, (now) => {
          db.run("INSERT OR REPLACE INTO entries (kind, key, value, expires) VALUES (?, ?, ?, ?)", [
            kind,
            key,
            value,
            now + Duration.toMillis(ttl)
          ])
        }),
      get: (kind, key) =>
        step(`read a ${kind} entry`, (now) => {
          const row = db.get("SELECT value FROM entries WHERE kind = ? AND key = ? AND expires > ?", [kind, key, now])
          return Option.fromNullable(row?.["value"] as string | undefined)
        }),
      take: (kind, key) =>
        step(`take a ${kind} entry`, (now) => {
          const row = db.get("DELETE FROM entries WHERE kind = ? AND key = ? RETURNING value, expires", [kind, key])
          return row !== null && (row["expires"] as number) > now ? Option.some(row["value"] as string) : Option.none()
        }),
      remove: (kind, key) =>
        step(`remove a ${kind} entry`, () => {
          db.run("DELETE FROM entries WHERE kind = ? AND key = ?", [kind, key])
        }),
      removeAll: (kind) =>
        step(`remove the ${kind} entries`, (now) =>
          transaction(db, () => {
            // The expired go first, uncounted: the answer is how many were alive.
            db.run("DELETE FROM entries WHERE kind = ? AND expires <= ?", [kind, now])
            return db.run("DELETE FROM entries WHERE kind = ?", [kind]).changes
          })),
      count: (key, window) =>
        step("count a hit", (now) => {
          const row = db.get(
            `INSERT INTO counters (key, count, expires) VALUES (?1, 1, ?2 + ?3)
             ON CONFLICT (key) DO UPDATE SET
               count = CASE WHEN expires <= ?2 THEN 1 ELSE count + 1 END,
               expires = CASE WHEN expires <= ?2 THEN excluded.expires ELSE expires END
             RETURNING count`,
            [key, now, Duration.toMillis(window)]
          )
          return row!["count"] as number
        }),
      reserve: (key, interval, burst) =>
        step("reserve a request slot", (now) =>
          transaction(db, () => {
            const row = db.get("SELECT tat FROM paces WHERE key = ?", [key])
            const next = gcra(row?.["tat"] as number | undefined, now, Duration.toMillis(interval), burst)
            db.run("INSERT OR REPLACE INTO paces (key, tat) VALUES (?, ?)", [key, next.tat])
            return Duration.millis(next.wait)
          })),
      ping: Effect.try(() => db.get("SELECT 1 AS one")?.["one"] === 1).pipe(Effect.orElseSucceed(() => false))
    }
    return store
  })

/** The SQLite store at `path` (created with its directory if missing), closed with the layer's scope. */
export const SqliteStoreLive = (path: string): Layer.Layer<TokenStore, StoreError> =>
  Layer.scoped(TokenStore, makeSqliteStore(path))
