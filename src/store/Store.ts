/**
 * The token store the server runs, chosen by StoreConfig.ts:
 *
 * - `MCP_STORE_URL=redis://…` (or `rediss://…`): Redis, shared by replicas;
 * - otherwise SQLite in `<MCP_DATA_DIR>/intervals-mcp.db`, owned by this one process, surviving restarts;
 * - `MCP_STORE=memory`: in memory. Nothing survives a restart: every client must register and every user sign in
 *   again, and a refresh token issued before is refused.
 *
 * The driver modules (node-sqlite3-wasm and its WebAssembly, ioredis) load with a dynamic import, only for the store
 * chosen: a stdio server starts at every launch of a desktop client and must not pay for either.
 */
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { storeChoice } from "./StoreConfig.js"
import { MemoryStoreLive, StoreError, TokenStore } from "./TokenStore.js"

const loadFailed = (what: string) => (cause: unknown) =>
  new StoreError({
    operation: `load the ${what} store`,
    detail: cause instanceof Error ? cause.message : String(cause)
  })

export const StoreLive: Layer.Layer<TokenStore, ConfigError.ConfigError | StoreError> = Layer.unwrapEffect(
  Effect.gen(function*() {
    const choice = yield* storeChoice
    switch (choice._tag) {
      case "memory":
        return MemoryStoreLive
      case "sqlite": {
        const { SqliteStoreLive } = yield* Effect.tryPromise({
          try: () => import("./SqliteStore.js"),
          catch: loadFailed("SQLite")
        })
        return SqliteStoreLive(choice.path)
      }
      case "redis": {
        const { RedisStoreLive } = yield* Effect.tryPromise({
          try: () => import("./RedisStore.js"),
          catch: loadFailed("Redis")
        })
        return RedisStoreLive(Redacted.value(choice.url))
      }
    }
  })
)
