/**
 * The program's edge: configuration provider, logger, HTTP client and transport are chosen here and composed into
 * one layer. Nothing else in the program knows which of them is in use.
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as PlatformConfigProvider from "@effect/platform/PlatformConfigProvider"
import { Cause, ConfigError, ConfigProvider, Effect, Layer, Logger, Option } from "effect"
import { McpServer } from "./McpServer.js"
import { AppConfig } from "./services/AppConfig.js"
import { AthleteCalendar } from "./services/AthleteCalendar.js"
import { IntervalsClient } from "./services/IntervalsClient.js"
import { HttpConfig } from "./services/HttpConfig.js"
import { ServerAuth } from "./services/ServerAuth.js"
import { StdioTransportLive } from "./transports/StdioTransport.js"
import { Transport } from "./transports/Transport.js"

process.setSourceMapsEnabled(true)

/** `.env` in the working directory first, then the environment (the file is optional). */
const ConfigProviderLive = PlatformConfigProvider.fromDotEnv(".env").pipe(
  Effect.map((dotEnv) => ConfigProvider.orElse(dotEnv, () => ConfigProvider.fromEnv())),
  Effect.orElseSucceed(() => ConfigProvider.fromEnv()),
  Effect.map(Layer.setConfigProvider),
  Layer.unwrapEffect,
  Layer.provide(NodeFileSystem.layer)
)

/** Logs go to stderr, always: in stdio mode stdout belongs to the protocol. */
const LoggerLive = Layer.merge(
  Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger)),
  Layer.unwrapEffect(Effect.map(AppConfig, (config) => Logger.minimumLogLevel(config.logLevel)))
)

/** Networked transports are loaded only when chosen, so that stdio start-up never pays for HTTP code. */
type TransportLayer = Layer.Layer<Transport, ConfigError.ConfigError, McpServer>

const networked = <K extends string>(
  load: () => Promise<Record<K, Layer.Layer<Transport, never, McpServer | HttpConfig | ServerAuth>>>,
  key: K
): Effect.Effect<TransportLayer> =>
  Effect.map(
    Effect.promise(load),
    (module) => module[key].pipe(Layer.provide(Layer.provideMerge(ServerAuth.Default, HttpConfig.Default)))
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

/** Connections to Intervals.icu are kept alive: a new TCP (and TLS) handshake per request costs more than the call. */
const HttpClientLive = NodeHttpClient.layerWithoutAgent.pipe(
  Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true, maxSockets: 16 }))
)

const ServicesLive = AthleteCalendar.Default.pipe(
  Layer.provideMerge(IntervalsClient.Default),
  Layer.provide(HttpClientLive)
)

const MainLive = TransportLive.pipe(
  Layer.provide(McpServer.Default),
  Layer.provide(ServicesLive),
  Layer.provide(LoggerLive),
  Layer.provideMerge(AppConfig.Default)
)

/** One line for a start-up failure: the configuration's own message, or the failure's. */
const describe = (cause: Cause.Cause<unknown>): string => {
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

const program = Effect.flatMap(Transport, (transport) => transport.serve).pipe(
  Effect.provide(MainLive),
  Effect.tapErrorCause((cause) =>
    Cause.isInterruptedOnly(cause)
      ? Effect.void
      : Effect.sync(() => process.stderr.write(`intervals-mcp: ${describe(cause)}\n`))
  ),
  Effect.provide(ConfigProviderLive)
)

NodeRuntime.runMain(program, { disableErrorReporting: true, disablePrettyLogger: true })
