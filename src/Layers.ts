/**
 * The layers the program is made of, composed once for the server and the command line alike: configuration
 * provider, logger, the upstream (the network, or the demo athlete in memory), the Intervals.icu client, the MCP
 * bridge and the transport. Nothing else in the program knows which of them is in use.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as PlatformConfigProvider from "@effect/platform/PlatformConfigProvider"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import { McpServer } from "./McpServer.js"
import { AppConfig } from "./services/AppConfig.js"
import { AthleteCalendar } from "./services/AthleteCalendar.js"
import { HttpConfig } from "./services/HttpConfig.js"
import { IntervalsClient } from "./services/IntervalsClient.js"
import { ServerAuth } from "./services/ServerAuth.js"
import { MaybeStore, NoStore, type StoreError, TokenStore, TokenStoreFromMaybe } from "./store/TokenStore.js"
import { StdioTransportLive } from "./transports/StdioTransport.js"
import { Transport } from "./transports/Transport.js"

/** Values given on the command line (`--demo`), which win over the environment. */
export type Overrides = Readonly<Record<string, string>>

const fromRecord = (values: Overrides) => ConfigProvider.fromMap(new Map(Object.entries(values)))

/**
 * Command-line values first, then the environment, then a `.env` in the working directory (optional), then the
 * command's own defaults: what a desktop client passes in its `env` block always counts, as with dotenv and Docker
 * Compose.
 */
const configProvider = (overrides: Overrides, defaults: Overrides) =>
  PlatformConfigProvider.fromDotEnv(".env").pipe(
    Effect.map((dotEnv) => ConfigProvider.orElse(ConfigProvider.fromEnv(), () => dotEnv)),
    Effect.orElseSucceed(() => ConfigProvider.fromEnv()),
    Effect.map((provider) =>
      Layer.setConfigProvider(
        fromRecord(overrides).pipe(
          ConfigProvider.orElse(() => provider),
          ConfigProvider.orElse(() => fromRecord(defaults))
        )
      )
    ),
    Layer.unwrapEffect,
    Layer.provide(NodeFileSystem.layer)
  )

/** Logs go to stderr, always: in stdio mode stdout belongs to the protocol. */
const LoggerLive = Layer.merge(
  Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger)),
  Layer.unwrapEffect(Effect.map(AppConfig, (config) => Logger.minimumLogLevel(config.logLevel)))
)

/** Connections to Intervals.icu are kept alive: a new TCP (and TLS) handshake per request costs more than the call. */
const NetworkLive = NodeHttpClient.layerWithoutAgent.pipe(
  Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true, maxSockets: 16 }))
)

/** The network, or in demo mode the demo athlete's in-memory Intervals.icu (loaded only then). */
const UpstreamLive: Layer.Layer<HttpClient.HttpClient, never, AppConfig> = Layer.unwrapEffect(
  Effect.flatMap(AppConfig, (config) =>
    config.demo
      ? Effect.map(Effect.promise(() => import("./demo/DemoUpstream.js")), (module) => module.DemoUpstreamLive)
      : Effect.succeed(NetworkLive))
)

/**
 * The token store, when something needs one: the OAuth server (`MCP_AUTH=oauth`), or replicas that share a Redis
 * (`MCP_STORE_URL`) for their pace of requests to Intervals.icu. Loaded only then; stdio never pays for it.
 */
const MaybeStoreLive: Layer.Layer<MaybeStore, ConfigError.ConfigError | StoreError, AppConfig> = Layer.unwrapEffect(
  Effect.gen(function*() {
    const config = yield* AppConfig
    if (config.transport === "stdio") return NoStore
    const auth = yield* Config.string("MCP_AUTH").pipe(Config.withDefault("key"))
    const url = yield* Config.string("MCP_STORE_URL").pipe(Config.withDefault(""))
    if (auth.trim().toLowerCase() !== "oauth" && url.trim() === "") return NoStore
    const { StoreLive } = yield* Effect.promise(() => import("./store/Store.js"))
    return Layer.effect(MaybeStore, Effect.map(TokenStore, Option.some)).pipe(Layer.provide(StoreLive))
  })
)

/** Everything a tool call needs, and the bridge that runs them. */
export const AppLive = McpServer.Default.pipe(
  Layer.provideMerge(AthleteCalendar.Default),
  Layer.provideMerge(IntervalsClient.Default),
  Layer.provide(UpstreamLive),
  Layer.provideMerge(MaybeStoreLive),
  Layer.provideMerge(LoggerLive),
  Layer.provideMerge(AppConfig.Default)
)

/** Networked transports are loaded only when chosen, so that stdio start-up never pays for HTTP code. */
type TransportLayer = Layer.Layer<Transport, ConfigError.ConfigError, McpServer | AppConfig | MaybeStore>

/** With `MCP_AUTH=oauth`, the authorization server and its bearer gate (loaded only then). */
const GateLive: Layer.Layer<never, ConfigError.ConfigError, HttpConfig | ServerAuth | AppConfig | MaybeStore> = Layer
  .unwrapEffect(
    Effect.gen(function*() {
      const http = yield* HttpConfig
      if (http.auth !== "oauth") return Layer.empty
      const { OAuthGateLive } = yield* Effect.promise(() => import("./auth/OAuthGate.js"))
      return OAuthGateLive.pipe(Layer.provide(TokenStoreFromMaybe))
    })
  ) as Layer.Layer<never, ConfigError.ConfigError, HttpConfig | ServerAuth | AppConfig | MaybeStore>

const networked = <K extends string>(
  load: () => Promise<Record<K, Layer.Layer<Transport, never, McpServer | HttpConfig | ServerAuth | AppConfig>>>,
  key: K
): Effect.Effect<TransportLayer> =>
  Effect.map(
    Effect.promise(load),
    (module) =>
      module[key].pipe(
        // The gate is optional to the transport (it asks for it with serviceOption), so it is merged in, not typed.
        Layer.provide(GateLive),
        Layer.provide(Layer.provideMerge(ServerAuth.Default, HttpConfig.Default))
      )
  )

const TransportLive = Layer.unwrapEffect(
  Effect.flatMap(AppConfig, (config): Effect.Effect<TransportLayer> => {
    switch (config.transport) {
      case "stdio":
        return Effect.succeed(StdioTransportLive)
      case "http":
        return networked(() => import("./transports/StreamableHttpTransport.js"), "StreamableHttpTransportLive")
      case "sse":
        return networked(() => import("./transports/SseTransport.js"), "SseTransportLive")
    }
  })
)

/** Serves MCP on the configured transport until the client or the process says stop. */
export const serve = Effect.flatMap(Transport, (transport) => transport.serve).pipe(
  Effect.provide(TransportLive.pipe(Layer.provideMerge(AppLive)))
)

/** One line for a start-up failure: the configuration's own message, or the failure's. */
export const describe = (cause: Cause.Cause<unknown>): string => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure) && ConfigError.isConfigError(failure.value)) {
    const messages: Array<string> = []
    const invalid: Array<string> = []
    const walk = (error: ConfigError.ConfigError): void => {
      switch (error._op) {
        case "And":
        case "Or":
          walk(error.left)
          walk(error.right)
          break
        case "InvalidData":
          invalid.push(error.message)
          break
        case "MissingData":
          messages.push(error.message)
          break
        default:
          messages.push(String(error))
      }
    }
    walk(failure.value)
    return invalid[0] ?? messages.at(-1) ?? "invalid configuration"
  }
  if (Option.isSome(failure) && failure.value instanceof Error) return failure.value.message
  return Cause.pretty(cause).split("\n")[0] ?? "start-up failed"
}

/** A failure already reported to the user: it only sets the exit code. */
export class Reported extends Error {
  constructor() {
    super("reported")
  }
}

/**
 * Runs a program with the configuration provided (`overrides` over it, `defaults` under it); a failure prints one
 * line on stderr and exits with code 1.
 */
export const provideConfig = (overrides: Overrides, defaults: Overrides = {}) => <A, E, R>(program: Effect.Effect<A, E, R>) =>
  program.pipe(
    Effect.tapErrorCause((cause) =>
      Cause.isInterruptedOnly(cause) || Option.exists(Cause.failureOption(cause), (e) => e instanceof Reported)
        ? Effect.void
        : Effect.sync(() => process.stderr.write(`intervals-mcp: ${describe(cause)}\n`))
    ),
    Effect.provide(configProvider(overrides, defaults))
  )

export const runMain = <E>(program: Effect.Effect<void, E>) =>
  NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true })
