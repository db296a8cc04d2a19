/**
 * Configuration of the networked transports, read only when one of them is chosen. Refuses to start a server that
 * would be reachable from other machines without a key, unless the user says so on purpose.
 */
import { Config, ConfigError, Duration, Effect, Option, Redacted } from "effect"
import { flag, list, whole } from "./ConfigValues.js"

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "::1", "[::1]"]

export const isLoopback = (host: string): boolean =>
  LOOPBACK_HOSTS.includes(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host)

export const isWildcard = (host: string): boolean => host === "0.0.0.0" || host === "::" || host === "[::]"

export const GENERATE_KEY = "node -e \"console.log(require('crypto').randomBytes(32).toString('base64url'))\""

export class HttpConfig extends Effect.Service<HttpConfig>()("HttpConfig", {
  effect: Effect.gen(function*() {
    const config = yield* Config.all({
      host: Config.string("MCP_HOST").pipe(Config.withDefault("127.0.0.1"), Config.map((host) => host.trim())),
      port: whole("MCP_PORT", 8000, 0, 65535, "a port number"),
      serverKey: Config.option(Config.redacted("MCP_SERVER_API_KEY")).pipe(
        Config.map(Option.filter((key) => Redacted.value(key).trim() !== ""))
      ),
      allowUnauthenticated: flag("MCP_ALLOW_UNAUTHENTICATED"),
      allowedHosts: list("MCP_ALLOWED_HOSTS"),
      allowedOrigins: list("MCP_ALLOWED_ORIGINS"),
      stateless: flag("MCP_STATELESS"),
      sessionIdle: whole("MCP_SESSION_IDLE_MS", 30 * 60_000, 100, 7 * 24 * 3_600_000, "milliseconds").pipe(
        Config.map(Duration.millis)
      ),
      shutdownGrace: whole("MCP_SHUTDOWN_GRACE_MS", 10_000, 0, 600_000, "milliseconds").pipe(
        Config.map(Duration.millis)
      ),
      maxBodyBytes: whole("MCP_MAX_BODY_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024, "bytes")
    })
    if (Option.isNone(config.serverKey) && !isLoopback(config.host) && !config.allowUnauthenticated) {
      return yield* Effect.fail(
        ConfigError.InvalidData(
          [],
          `MCP_HOST=${config.host} makes the server reachable from other machines, and MCP_SERVER_API_KEY is not ` +
            `set: anyone who reaches it could read your Intervals.icu data. Set MCP_SERVER_API_KEY (generate one ` +
            `with ${GENERATE_KEY}), or set MCP_ALLOW_UNAUTHENTICATED=true if something else guards it.`
        )
      )
    }
    return config
  })
}) {}
