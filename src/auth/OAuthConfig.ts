/**
 * Configuration of the built-in OAuth 2.1 authorization server (`MCP_AUTH=oauth`), read only when it is chosen.
 * Refuses what would be unsafe to start with: an issuer that is not HTTPS beyond loopback, a short owner secret on a
 * server other machines can reach, half of an Intervals.icu client.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { fromSchema, whole } from "../services/ConfigValues.js"
import { GENERATE_KEY, HttpConfig, isLoopback, MIN_KEY_LENGTH } from "../services/HttpConfig.js"

/** An origin: scheme, host and port, nothing after (endpoints hang off it). */
const Origin = Schema.String.pipe(
  Schema.filter((raw) => {
    try {
      const url = new URL(raw)
      return (url.protocol === "https:" || url.protocol === "http:") && url.pathname.replace(/\/+$/, "") === "" &&
        url.search === "" && url.hash === "" && url.username === "" && url.password === ""
    } catch {
      return false
    }
  })
)

const trimmedSecret = (name: string) =>
  Config.option(Config.redacted(name)).pipe(
    Config.map(Option.map((key) => Redacted.make(Redacted.value(key).trim()))),
    Config.map(Option.filter((key) => Redacted.value(key) !== ""))
  )

export class OAuthConfig extends Effect.Service<OAuthConfig>()("OAuthConfig", {
  effect: Effect.gen(function*() {
    const http = yield* HttpConfig
    const raw = yield* Config.all({
      publicUrl: Config.option(
        fromSchema("MCP_PUBLIC_URL", Origin, "the server's public origin, like https://mcp.example.com (no path)")
      ),
      ownerSecret: trimmedSecret("MCP_OWNER_SECRET"),
      accessTtl: whole("MCP_ACCESS_TOKEN_TTL_S", 3600, 1, 86_400, "seconds").pipe(Config.map(Duration.seconds)),
      refreshTtl: whole("MCP_REFRESH_TOKEN_TTL_S", 30 * 86_400, 3600, 365 * 86_400, "seconds").pipe(
        Config.map(Duration.seconds)
      ),
      registrationsPerHour: whole("MCP_REGISTRATIONS_PER_HOUR", 20, 1, 100_000, "a number of registrations"),
      signInFailures: whole("MCP_SIGNIN_FAILURES_PER_15_MIN", 5, 1, 10_000, "a number of failures"),
      signInPagesPer10Min: whole("MCP_SIGNIN_PAGES_PER_10_MIN", 100, 1, 100_000, "a number of sign-in pages"),
      intervalsClientId: Config.option(Config.string("INTERVALS_OAUTH_CLIENT_ID")).pipe(
        Config.map(Option.map((id) => id.trim())),
        Config.map(Option.filter((id) => id !== ""))
      ),
      intervalsClientSecret: trimmedSecret("INTERVALS_OAUTH_CLIENT_SECRET"),
      intervalsUrl: fromSchema("INTERVALS_OAUTH_URL", Origin, "an origin like https://intervals.icu").pipe(
        Config.withDefault("https://intervals.icu"),
        Config.map((url) => url.replace(/\/+$/, ""))
      )
    })
    const fail = (message: string) => Effect.fail(ConfigError.InvalidData([], message))
    // The owner secret is MCP_SERVER_API_KEY unless set apart: the one secret the owner already keeps.
    const ownerSecret = Option.orElse(raw.ownerSecret, () => http.serverKey)
    const intervals = Option.all({ clientId: raw.intervalsClientId, clientSecret: raw.intervalsClientSecret })
    if (Option.isSome(raw.intervalsClientId) !== Option.isSome(raw.intervalsClientSecret)) {
      return yield* fail(
        "INTERVALS_OAUTH_CLIENT_ID and INTERVALS_OAUTH_CLIENT_SECRET go together (the client's id and secret from " +
          "Intervals.icu's developer settings); set both, or neither"
      )
    }
    if (Option.isNone(ownerSecret) && Option.isNone(intervals)) {
      return yield* fail(
        "MCP_AUTH=oauth needs a way for the owner to sign in: set MCP_SERVER_API_KEY (or MCP_OWNER_SECRET), or " +
          `INTERVALS_OAUTH_CLIENT_ID and INTERVALS_OAUTH_CLIENT_SECRET. Generate a secret with ${GENERATE_KEY}`
      )
    }
    const local = isLoopback(http.host)
    if (Option.isSome(ownerSecret)) {
      const secret = Redacted.value(ownerSecret.value)
      if (/\s/.test(secret)) return yield* fail("MCP_OWNER_SECRET holds a space or line break; use one without")
      if (secret.length < MIN_KEY_LENGTH && !local) {
        return yield* fail(
          `The owner secret (MCP_OWNER_SECRET, or MCP_SERVER_API_KEY) is ${secret.length} characters long and ` +
            `MCP_HOST=${http.host} makes the sign-in page reachable from other machines: use at least ` +
            `${MIN_KEY_LENGTH} random characters; generate one with ${GENERATE_KEY}`
        )
      }
    }
    if (Option.isNone(raw.publicUrl) && !local) {
      return yield* fail(
        `MCP_AUTH=oauth with MCP_HOST=${http.host} needs MCP_PUBLIC_URL, the https origin clients reach this ` +
          "server at (like https://mcp.example.com): it names the issuer and the resource in every token"
      )
    }
    if (Option.isSome(raw.publicUrl)) {
      const url = new URL(raw.publicUrl.value)
      if (url.protocol !== "https:" && !isLoopback(url.hostname.replace(/^\[|\]$/g, ""))) {
        return yield* fail(
          `MCP_PUBLIC_URL=${raw.publicUrl.value} is not https: OAuth sends codes and tokens through it, so it must ` +
            "be https (put the server behind a TLS proxy), or a loopback address for local use"
        )
      }
    }
    return {
      signInPagesPer10Min: raw.signInPagesPer10Min,
      /** Known at start-up, or (loopback only) the address the server listens on once it does. */
      publicUrl: Option.map(raw.publicUrl, (url) => url.replace(/\/+$/, "")),
      ownerSecret,
      accessTtl: raw.accessTtl,
      refreshTtl: raw.refreshTtl,
      registrationsPerHour: raw.registrationsPerHour,
      signInFailures: raw.signInFailures,
      intervals: Option.map(intervals, (client) => ({ ...client, url: raw.intervalsUrl }))
    }
  })
}) {}
