/**
 * Which token store to run, from the environment: `MCP_STORE_URL` (a Redis URL: replicas share it), `MCP_DATA_DIR`
 * (where the SQLite file lives otherwise) and `MCP_STORE` (`memory`, `sqlite` or `redis`, to choose explicitly). Like
 * the readers of ConfigValues.ts, each refuses a malformed value naming the variable and what was expected; unlike
 * them, a refused URL is shown with its password masked.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { homedir } from "node:os"
import { isAbsolute, join, resolve } from "node:path"
import { oneOf } from "../services/ConfigValues.js"

export const DB_FILE = "intervals-mcp.db"

/**
 * The URL with its password masked, for messages and logs. A user name alone is masked too: `redis://secret@host` is a
 * common way to write a password-only URL.
 */
export const redactUrl = (url: string): string => {
  try {
    const parsed = new URL(url)
    if (parsed.password !== "") parsed.password = "***"
    else if (parsed.username !== "") parsed.username = "***"
    return parsed.toString()
  } catch {
    // Not a URL at all: nothing of it is safe to show.
    return "(not a URL)"
  }
}

/** A variable's text, trimmed; set but empty counts as unset (see ConfigValues.ts). */
const text = (name: string) =>
  Config.string(name).pipe(
    Config.map((raw) => raw.trim()),
    Config.mapOrFail((raw) =>
      raw === "" ? Either.left(ConfigError.MissingData([], `${name} is empty`)) : Either.right(raw)
    )
  )

const REDIS_URL = "a redis:// or rediss:// URL (redis://[:password@]host[:port][/db])"

/** `redis://[[user]:password@]host[:port][/db]` or the same with `rediss://` (TLS); read as a secret. */
export const storeUrl = Config.redacted("MCP_STORE_URL").pipe(
  Config.mapOrFail((secret) => {
    const raw = Redacted.value(secret).trim()
    if (raw === "") return Either.left(ConfigError.MissingData([], "MCP_STORE_URL is empty"))
    const refused = () =>
      Either.left(
        ConfigError.InvalidData([], `MCP_STORE_URL must be ${REDIS_URL}, got ${JSON.stringify(redactUrl(raw))}`)
      )
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      return refused()
    }
    const redis = url.protocol === "redis:" || url.protocol === "rediss:"
    const db = url.pathname === "" || url.pathname === "/" || /^\/\d+$/.test(url.pathname)
    return redis && url.hostname !== "" && db ? Either.right(Redacted.make(raw)) : refused()
  })
)

/** `~` at the start of a path is the home directory: a desktop client's settings pass the text as typed. */
const expandHome = (path: string) => path === "~" || path.startsWith("~/") ? join(homedir(), path.slice(1)) : path

/**
 * Where the SQLite store lives: `MCP_DATA_DIR`, else `$XDG_DATA_HOME/intervals-mcp` (the XDG base directories: only an
 * absolute XDG_DATA_HOME counts), else `~/.local/share/intervals-mcp`.
 */
export const dataDir: Config.Config<string> = Config.all([
  Config.option(text("MCP_DATA_DIR")),
  Config.option(text("XDG_DATA_HOME"))
]).pipe(
  Config.map(([dir, xdg]) =>
    Option.match(dir, {
      onSome: (given) => resolve(expandHome(given)),
      onNone: () => {
        const base = Option.getOrElse(Option.filter(xdg, isAbsolute), () => join(homedir(), ".local", "share"))
        return join(base, "intervals-mcp")
      }
    })
  )
)

export type StoreChoice =
  | { readonly _tag: "memory" }
  | { readonly _tag: "sqlite"; readonly path: string }
  | { readonly _tag: "redis"; readonly url: Redacted.Redacted<string> }

/**
 * Redis when MCP_STORE_URL is set, SQLite at `<MCP_DATA_DIR>/intervals-mcp.db` otherwise; MCP_STORE chooses
 * explicitly (`redis` then needs MCP_STORE_URL).
 */
export const storeChoice: Config.Config<StoreChoice> = Config.all({
  store: Config.option(oneOf("MCP_STORE", ["memory", "sqlite", "redis"])),
  url: Config.option(storeUrl),
  dataDir
}).pipe(
  Config.mapOrFail(({ dataDir, store, url }): Either.Either<StoreChoice, ConfigError.ConfigError> => {
    const sqlite = { _tag: "sqlite", path: join(dataDir, DB_FILE) } as const
    switch (Option.getOrUndefined(store)) {
      case "memory":
        return Either.right({ _tag: "memory" })
      case "sqlite":
        return Either.right(sqlite)
      case "redis":
        return Option.match(url, {
          onSome: (url) => Either.right({ _tag: "redis", url }),
          onNone: () =>
            Either.left(
              ConfigError.MissingData([], `MCP_STORE=redis needs MCP_STORE_URL, ${REDIS_URL}, and it is unset`)
            )
        })
      case undefined:
        return Either.right(Option.match(url, { onSome: (url) => ({ _tag: "redis", url }), onNone: () => sqlite }))
    }
  })
)
