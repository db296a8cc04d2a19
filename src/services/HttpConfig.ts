/**
 * Configuration of the networked transports, read only when one of them is chosen. Refuses to start a server that
 * would be reachable from other machines without a key, unless the user says so on purpose.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { flag, list, oneOf, whole } from "./ConfigValues.js"

const LOOPBACK_HOSTS = ["localhost", "127.0.0.1", "::1", "[::1]"]

export const isLoopback = (host: string): boolean =>
  LOOPBACK_HOSTS.includes(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host)

export const isWildcard = (host: string): boolean => host === "0.0.0.0" || host === "::" || host === "[::]"

/** A server key beyond loopback must be at least this long (32 random characters are ~190 bits). */
export const MIN_KEY_LENGTH = 32

export const GENERATE_KEY = "node -e \"console.log(require('crypto').randomBytes(32).toString('base64url'))\""

export class HttpConfig extends Effect.Service<HttpConfig>()("HttpConfig", {
  effect: Effect.gen(function*() {
    const config = yield* Config.all({
      host: Config.string("MCP_HOST").pipe(Config.withDefault("127.0.0.1"), Config.map((host) => host.trim())),
      port: whole("MCP_PORT", 8000, 0, 65535, "a port number"),
      // Trimmed, as a key pasted with its newline would otherwise never match a bearer token (which has no spaces).
      serverKey: Config.option(Config.redacted("MCP_SERVER_API_KEY")).pipe(
        Config.map(Option.map((key) => Redacted.make(Redacted.value(key).trim()))),
        Config.map(Option.filter((key) => Redacted.value(key) !== ""))
      ),
      allowUnauthenticated: flag("MCP_ALLOW_UNAUTHENTICATED"),
      /** Behind a reverse proxy: budgets per address count the address the proxy saw (X-Forwarded-For). */
      trustProxy: flag("MCP_TRUST_PROXY"),
      /** key: the bearer key alone; oauth: the built-in OAuth 2.1 authorization server too (connectors). */
      auth: oneOf("MCP_AUTH", ["key", "oauth"] as const).pipe(Config.withDefault("key" as const)),
      allowedHosts: list("MCP_ALLOWED_HOSTS"),
      allowedOrigins: list("MCP_ALLOWED_ORIGINS"),
      stateless: flag("MCP_STATELESS"),
      sessionIdle: whole("MCP_SESSION_IDLE_MS", 30 * 60_000, 100, 7 * 24 * 3_600_000, "milliseconds").pipe(
        Config.map(Duration.millis)
      ),
      maxBodyBytes: whole("MCP_MAX_BODY_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024, "bytes"),
      maxSessions: whole("MCP_MAX_SESSIONS", 200, 1, 100_000, "a number of sessions"),
      headersTimeout: whole("MCP_HEADERS_TIMEOUT_MS", 10_000, 100, 600_000, "milliseconds").pipe(
        Config.map(Duration.millis)
      ),
      requestTimeout: whole("MCP_REQUEST_TIMEOUT_MS", 30_000, 100, 3_600_000, "milliseconds").pipe(
        Config.map(Duration.millis)
      ),
      maxConnectionsPerClient: whole("MCP_MAX_CONNECTIONS_PER_CLIENT", 64, 1, 100_000, "a number of connections"),
      authFailuresPerMinute: whole("MCP_AUTH_FAILURES_PER_MINUTE", 10, 1, 100_000, "a number of failures")
    })
    if (
      Option.isNone(config.serverKey) && !isLoopback(config.host) && !config.allowUnauthenticated &&
      config.auth !== "oauth"
    ) {
      return yield* Effect.fail(
        ConfigError.InvalidData(
          [],
          `MCP_HOST=${config.host} makes the server reachable from other machines, and MCP_SERVER_API_KEY is not ` +
            `set: anyone who reaches it could read your Intervals.icu data. Set MCP_SERVER_API_KEY (generate one ` +
            `with ${GENERATE_KEY}), or MCP_AUTH=oauth for connectors that sign in, or set ` +
            "MCP_ALLOW_UNAUTHENTICATED=true if something else guards it."
        )
      )
    }
    const key = Option.map(config.serverKey, (k) => Redacted.value(k))
    if (Option.isSome(key) && /\s/.test(key.value)) {
      return yield* Effect.fail(
        ConfigError.InvalidData(
          [],
          "MCP_SERVER_API_KEY holds a space or line break, which no Authorization: Bearer header can carry, so no " +
            `client could ever match it. Use a key without spaces; generate one with ${GENERATE_KEY}`
        )
      )
    }
    if (Option.isSome(key) && key.value.length < MIN_KEY_LENGTH && !isLoopback(config.host)) {
      return yield* Effect.fail(
        ConfigError.InvalidData(
          [],
          `MCP_SERVER_API_KEY is ${key.value.length} characters long, and MCP_HOST=${config.host} makes the server ` +
            `reachable from other machines: a key that short can be guessed. Use at least ${MIN_KEY_LENGTH} random ` +
            `characters; generate one with ${GENERATE_KEY}`
        )
      )
    }
    return config
  })
}) {}
