/**
 * The server's configuration, read once at start-up through Effect's `Config` from the environment and a `.env` file
 * (the environment wins; see `Layers`). Variable names are those of the Python server this project replaces, so an
 * existing `.env` keeps working.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { DEMO_ATHLETE_ID } from "../demo/DemoIdentity.js"
import { AthleteId } from "../domain/Ids.js"
import { DEFAULT_TOOLSETS, TOOLSETS } from "../tools/Toolsets.js"
import { flag, fromSchema, oneOf, setOf, whole } from "./ConfigValues.js"

export const Transport = Schema.Literal("stdio", "http", "sse")
export type Transport = typeof Transport.Type

/** What the tools may change: nothing, only what is today or later (and deletes in ranges only when confirmed), or anything. */
export const WriteMode = Schema.Literal("read-only", "safe", "full")
export type WriteMode = typeof WriteMode.Type

const LOG_LEVELS = ["All", "Trace", "Debug", "Info", "Warning", "Error", "Fatal", "None"] as const

const aliased = <A>(name: string, alias: string, read: (name: string) => Config.Config<A>) =>
  read(name).pipe(Config.orElse(() => read(alias)))

const positiveMillis = (name: string, fallback: number) =>
  fromSchema(name, Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 600_000)), "a whole number of milliseconds")
    .pipe(Config.withDefault(fallback), Config.map(Duration.millis))

const BaseUrl = Schema.String.pipe(
  Schema.filter((s) => {
    try {
      const url = new URL(s)
      return url.protocol === "https:" || url.protocol === "http:"
    } catch {
      return false
    }
  })
)

const apiKey = Config.redacted("API_KEY").pipe(
  Config.orElse(() => Config.redacted("INTERVALS_API_KEY")),
  Config.orElse(() =>
    Config.fail(
      "API_KEY is not set: set API_KEY (or INTERVALS_API_KEY) to your Intervals.icu API key, from Settings > " +
        "Developer Settings, in the environment or in a .env file (or try the built-in demo athlete with --demo)"
    )
  ),
  Config.mapOrFail((key) =>
    Redacted.value(key).trim() === ""
      ? Either.left(ConfigError.InvalidData([], "API_KEY is empty: set it to your Intervals.icu API key"))
      : Either.right(Redacted.make(Redacted.value(key).trim()))
  )
)

const athleteId = aliased(
  "ATHLETE_ID",
  "INTERVALS_ATHLETE_ID",
  (name) => fromSchema(name, AthleteId, "an athlete id like i12345, 12345, or 0 for the key's own athlete")
).pipe(Config.withDefault(AthleteId.make("0")))

export const WriteModeConfig = fromSchema("INTERVALS_WRITE_MODE", WriteMode, "one of read-only, safe, full").pipe(
  Config.withDefault("safe" as const)
)

export const ToolsetsConfig = setOf("MCP_TOOLSETS", TOOLSETS, DEFAULT_TOOLSETS)

/** What does not depend on whose data is served. */
const common = Config.all({
  transport: fromSchema("MCP_TRANSPORT", Transport, "one of stdio, http, sse").pipe(Config.withDefault("stdio" as const)),
  logLevel: oneOf("LOG_LEVEL", LOG_LEVELS).pipe(
    Config.withDefault("Info" as const),
    Config.map((name) => LogLevel.fromLiteral(name))
  ),
  writeMode: WriteModeConfig,
  /** The toolsets registered beside the core (which always is). */
  toolsets: ToolsetsConfig,
  cache: fromSchema("INTERVALS_CACHE", Schema.Literal("on", "off"), "on or off").pipe(
    Config.withDefault("on" as const),
    Config.map((value) => value === "on")
  ),
  rateLimit: fromSchema(
    "INTERVALS_RATE_LIMIT",
    Schema.NumberFromString.pipe(Schema.int(), Schema.between(0, 1000)),
    "a whole number of requests per second from 1 to 1000, or 0 for no pacing"
  ).pipe(Config.withDefault(10)),
  /**
   * Requests that may go at once before the pace applies: a lone call or a short burst never waits. With the
   * default 10/s, 15 keeps under Intervals.icu's published limits (30 in 1 s, 132 in 10 s): at most 25 and 115.
   */
  rateBurst: fromSchema(
    "INTERVALS_RATE_BURST",
    Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 1000)),
    "a whole number of requests from 1 to 1000"
  ).pipe(Config.withDefault(15)),
  requestTimeout: positiveMillis("INTERVALS_REQUEST_TIMEOUT_MS", 15_000),
  deadline: positiveMillis("INTERVALS_DEADLINE_MS", 45_000),
  maxResponseBytes: whole("INTERVALS_MAX_RESPONSE_BYTES", 8 * 1024 * 1024, 64 * 1024, 1024 * 1024 * 1024, "bytes"),
  maxAnswerChars: whole("MCP_MAX_ANSWER_CHARS", 200_000, 2_000, 10_000_000, "characters"),
  /** On SIGTERM/SIGINT, how long calls in flight may take to finish, on every transport. */
  shutdownGrace: whole("MCP_SHUTDOWN_GRACE_MS", 10_000, 0, 600_000, "milliseconds").pipe(Config.map(Duration.millis))
})

export const DEFAULT_BASE_URL = "https://intervals.icu/api/v1"

/**
 * The whole configuration. With `INTERVALS_DEMO=true` (or `--demo`) the built-in demo athlete is served: no key is
 * needed, and the athlete and base URL are the demo's whatever else is set.
 */
export interface Settings extends Config.Config.Success<typeof common> {
  readonly demo: boolean
  readonly apiKey: Redacted.Redacted<string>
  readonly athleteId: AthleteId
  readonly baseUrl: string
}

export const config: Effect.Effect<Settings, ConfigError.ConfigError> = Effect.gen(function*() {
  const demo = yield* flag("INTERVALS_DEMO")
  const rest = yield* common
  if (demo) {
    return {
      ...rest,
      demo,
      apiKey: Redacted.make("demo"),
      athleteId: AthleteId.make(DEMO_ATHLETE_ID),
      baseUrl: DEFAULT_BASE_URL
    }
  }
  const account = yield* Config.all({
    apiKey,
    athleteId,
    baseUrl: fromSchema("INTERVALS_API_BASE_URL", BaseUrl, "an http(s) URL").pipe(
      Config.withDefault(DEFAULT_BASE_URL),
      Config.map((url) => url.replace(/\/+$/, ""))
    )
  })
  return { ...rest, demo, ...account }
})

export class AppConfig extends Effect.Service<AppConfig>()("AppConfig", {
  effect: config
}) {
  /** A configuration given in full, for tests. */
  static readonly Test = (values: Partial<Omit<AppConfig, "apiKey">> & { readonly apiKey?: string }) =>
    Layer.succeed(
      AppConfig,
      AppConfig.make({
        apiKey: Redacted.make(values.apiKey ?? "test-key"),
        athleteId: values.athleteId ?? AthleteId.make("i123456"),
        baseUrl: values.baseUrl ?? "http://127.0.0.1:1/api/v1",
        transport: values.transport ?? "stdio",
        writeMode: values.writeMode ?? "safe",
        toolsets: values.toolsets ?? TOOLSETS,
        cache: values.cache ?? true,
        rateLimit: values.rateLimit ?? 0,
        rateBurst: values.rateBurst ?? 15,
        logLevel: values.logLevel ?? LogLevel.Info,
        requestTimeout: values.requestTimeout ?? Duration.seconds(15),
        deadline: values.deadline ?? Duration.seconds(45),
        maxResponseBytes: values.maxResponseBytes ?? 8 * 1024 * 1024,
        maxAnswerChars: values.maxAnswerChars ?? 200_000,
        shutdownGrace: values.shutdownGrace ?? Duration.seconds(10),
        demo: values.demo ?? false
      })
    )
}
