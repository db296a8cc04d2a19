/**
 * Configuration of the networked transports, read only when one of them is chosen. Refuses to start a server that
 * would be reachable from other machines without a key, unless the user says so on purpose.
 */
import { Config, ConfigError, Duration, Effect, Either, Option, Redacted } from "effect"

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "::1", "[::1]"]

export const isLoopback = (host: string): boolean =>
  LOOPBACK_HOSTS.includes(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host)

export const isWildcard = (host: string): boolean => host === "0.0.0.0" || host === "::" || host === "[::]"

const list = (name: string) =>
  Config.string(name).pipe(
    Config.withDefault(""),
    Config.map((raw) => raw.split(",").map((entry) => entry.trim()).filter((entry) => entry !== ""))
  )

const flag = (name: string) =>
  Config.string(name).pipe(
    Config.withDefault("false"),
    Config.mapOrFail((raw) => {
      const value = raw.trim().toLowerCase()
      if (["true", "1", "yes", "on"].includes(value)) return Either.right(true)
      if (["false", "0", "no", "off", ""].includes(value)) return Either.right(false)
      return Either.left(ConfigError.InvalidData([], `${name} must be true or false, got ${JSON.stringify(raw)}`))
    })
  )

const whole = (name: string, fallback: number, min: number, max: number, what: string) =>
  Config.string(name).pipe(
    Config.withDefault(String(fallback)),
    Config.mapOrFail((raw) => {
      const value = Number(raw.trim())
      return Number.isInteger(value) && value >= min && value <= max
        ? Either.right(value)
        : Either.left(ConfigError.InvalidData([], `${name} must be ${what} from ${min} to ${max}, got ${JSON.stringify(raw)}`))
    })
  )

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
