/**
 * The Intervals.icu REST client. Authentication, timeouts, retries and decoding live here, once, so that tools only
 * say what they want. Every failure becomes one of the tagged errors of `domain/IntervalsError`.
 */
import { HttpClient, HttpClientRequest, type HttpClientResponse } from "@effect/platform"
import {
  Cache,
  Duration,
  Effect,
  Either,
  Equal,
  Exit,
  Hash,
  ParseResult,
  RateLimiter,
  Redacted,
  Schedule,
  Schema
} from "effect"
import type { ActivityId, AthleteId, EventId, LocalDate } from "../domain/Ids.js"
import {
  Activity,
  ActivityStream,
  Athlete,
  CustomItem,
  DeleteEventsResponse,
  Event,
  Gear,
  IntervalsDTO,
  Message,
  NewMessage,
  PowerCurveSet,
  Wellness
} from "../domain/Intervals.js"
import {
  type IntervalsError,
  IntervalsForbidden,
  IntervalsMalformedResponse,
  IntervalsNetworkError,
  IntervalsNotFound,
  IntervalsRateLimited,
  IntervalsRejected,
  IntervalsTimeout,
  IntervalsUnauthorized,
  IntervalsUnavailable,
  IntervalsWriteUnconfirmed,
  isTransient
} from "../domain/IntervalsError.js"
import { Version } from "../Version.js"
import { AppConfig } from "./AppConfig.js"

export type Method = "GET" | "POST" | "PUT" | "DELETE"

export interface RequestOptions<A, I> {
  readonly method: Method
  /** Path below the API base URL, with each variable segment already validated by its schema. */
  readonly path: string
  readonly query?: Record<string, string | number | boolean | undefined>
  readonly body?: unknown
  readonly schema: Schema.Schema<A, I>
  /** False for reads too big to keep (streams): the cache holds many small answers, never a few huge ones. */
  readonly cacheable?: boolean
}

/** How many times a request may be repeated after its first attempt. */
export const MAX_RETRIES = 3
/** A Retry-After longer than this is not waited for: the model is told to come back later instead. */
export const MAX_RETRY_AFTER = Duration.seconds(20)

/**
 * The retry schedule: exponential back-off with jitter, at most `MAX_RETRIES` repeats, and never sooner than the
 * `Retry-After` of a 429. `intersect` takes the longer of the two delays. Which errors are retried is decided by
 * `retryable`: every transient failure for reads, only 429 for writes (a 5xx or a timeout may hide a write that
 * happened).
 */
export const retrySchedule = (retryable: (error: IntervalsError) => boolean) =>
  Schedule.exponential(Duration.millis(250), 2).pipe(
    Schedule.jittered,
    Schedule.intersect(Schedule.recurs(MAX_RETRIES)),
    Schedule.intersect(
      Schedule.identity<IntervalsError>().pipe(
        Schedule.addDelay((error) =>
          error._tag === "IntervalsRateLimited" && error.retryAfterSeconds !== undefined
            ? Duration.seconds(error.retryAfterSeconds)
            : Duration.zero
        )
      )
    ),
    Schedule.whileInput((error: IntervalsError) =>
      retryable(error) &&
      !(error._tag === "IntervalsRateLimited" &&
        Duration.greaterThan(Duration.seconds(error.retryAfterSeconds ?? 0), MAX_RETRY_AFTER))
    )
  )

const isRetryableFor = (method: Method) => (error: IntervalsError): boolean =>
  method === "GET" ? isTransient(error) : error._tag === "IntervalsRateLimited"

/** Retry-After is either delta-seconds or an HTTP date. */
const parseRetryAfter = (header: string | undefined, now: number): number | undefined => {
  if (header === undefined) return undefined
  const seconds = Number(header)
  if (Number.isFinite(seconds) && seconds >= 0) return seconds
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000))
}

/** The `error` (or `message`) of an Intervals.icu error body, or a short excerpt of whatever came back. */
const errorDetail = (body: string): string | undefined => {
  try {
    const json: unknown = JSON.parse(body)
    const first = Array.isArray(json) ? json[0] : json
    if (typeof first === "object" && first !== null) {
      const record = first as Record<string, unknown>
      const text = record["error"] ?? record["message"]
      if (typeof text === "string") return text
    }
    if (typeof json === "string") return json
  } catch {
    // not JSON: an HTML error page from a proxy, for instance
  }
  const text = body.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim()
  return text === "" ? undefined : text.slice(0, 200)
}

/** The first problem at each of the first three places, as "list.0.secs.0: Expected number, actual \"1s\"". */
const formatParseError = (error: ParseResult.ParseError): string => {
  // A nullable, optional field reports one issue per member of its union (number, null, undefined); the first is
  // the one that says what was expected.
  const byPath = new Map<string, string>()
  for (const issue of ParseResult.ArrayFormatter.formatErrorSync(error)) {
    const path = issue.path.join(".")
    if (!byPath.has(path)) byPath.set(path, issue.message)
  }
  return [...byPath].slice(0, 3).map(([path, message]) => (path === "" ? message : `${path}: ${message}`)).join("; ")
}

const statusError = (
  request: { readonly method: Method; readonly path: string },
  response: HttpClientResponse.HttpClientResponse,
  body: string,
  now: number
): IntervalsError => {
  const detail = errorDetail(body)
  const status = response.status
  switch (status) {
    case 401:
      return new IntervalsUnauthorized(request)
    case 403:
      return new IntervalsForbidden({ ...request, ...(detail ? { detail } : {}) })
    case 404:
      return new IntervalsNotFound(request)
    case 429: {
      const retryAfterSeconds = parseRetryAfter(response.headers["retry-after"], now)
      return new IntervalsRateLimited({ ...request, ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}) })
    }
    default:
      return status >= 500
        ? new IntervalsUnavailable({ ...request, status, ...(detail ? { detail } : {}) })
        : new IntervalsRejected({ ...request, status, detail: detail ?? `HTTP ${status}` })
  }
}

const segment = (value: string | number): string => encodeURIComponent(String(value))

/**
 * Body decoders, built once per schema: building one compiles the schema, which costs more than decoding a
 * typical answer.
 */
const decoders = new WeakMap<Schema.Schema.Any, (body: string) => Either.Either<unknown, ParseResult.ParseError>>()
const decoderFor = <A, I>(schema: Schema.Schema<A, I>) => {
  let decoder = decoders.get(schema)
  if (decoder === undefined) {
    decoder = Schema.decodeUnknownEither(Schema.parseJson(schema))
    decoders.set(schema, decoder)
  }
  return decoder as (body: string) => Either.Either<A, ParseResult.ParseError>
}

// Response schemas, made once.
const Activities = Schema.Array(Activity)
const Wellnesses = Schema.Array(Wellness)
const Events = Schema.Array(Event)
const Streams = Schema.Array(ActivityStream)
const Messages = Schema.Array(Message)
const CustomItems = Schema.Array(CustomItem)
const GearList = Schema.Array(Gear)

/** The activity fields a list needs (the API's full objects carry 180 keys, most of them null). */
export const ACTIVITY_LIST_FIELDS = [
  "id",
  "source",
  "_note",
  "name",
  "type",
  "start_date_local",
  "start_date",
  "distance",
  "icu_distance",
  "moving_time",
  "elapsed_time",
  "total_elevation_gain",
  "average_speed",
  "icu_average_watts",
  "icu_weighted_avg_watts",
  "average_heartrate",
  "max_heartrate",
  "average_cadence",
  "icu_training_load",
  "icu_intensity",
  "icu_joules",
  "calories",
  "icu_rpe",
  "feel",
  "trainer",
  "race",
  "commute",
  "paired_event_id"
].join(",")

/** How long a read stays fresh, by what it reads: profiles and gear change rarely, lists of the day often. */
export const freshness = (path: string): Duration.Duration => {
  if (/^\/athlete\/[^/]+$/.test(path)) return Duration.hours(1)
  if (/\/gear$/.test(path)) return Duration.minutes(10)
  if (/\/(custom-item|power-curves)/.test(path)) return Duration.minutes(5)
  if (/^\/activity\/[^/]+(\/(intervals|streams))?$/.test(path)) return Duration.minutes(5)
  return Duration.seconds(30)
}

/** The paths a successful write may have changed, as prefixes of cached request URLs. */
const invalidatedBy = (path: string): RegExp => {
  const athlete = /^\/athlete\/[^/]+\/(events|wellness|activities|custom-item|gear)/.exec(path)
  if (athlete) return new RegExp(`^/athlete/[^/]+/${athlete[1]}`)
  const activity = /^\/activity\/([^/]+)/.exec(path)
  if (activity) return new RegExp(`^/activity/${activity[1]}(/|$|\\?)`)
  return /^/
}

/** A cached read: equal when the URL is, carrying what is needed to perform it. */
class ReadKey implements Equal.Equal {
  constructor(readonly url: string, readonly options: RequestOptions<unknown, unknown>) {}
  [Equal.symbol](that: Equal.Equal): boolean {
    return that instanceof ReadKey && that.url === this.url
  }
  [Hash.symbol](): number {
    return Hash.string(this.url)
  }
}

const urlOf = (path: string, query: Record<string, string>) => {
  const search = new URLSearchParams(query).toString()
  return search === "" ? path : `${path}?${search}`
}

export class IntervalsClient extends Effect.Service<IntervalsClient>()("IntervalsClient", {
  scoped: Effect.gen(function*() {
    const config = yield* AppConfig
    const http = (yield* HttpClient.HttpClient).pipe(
      // No trace headers to a third party, and no per-request span: the client's own span covers the call.
      HttpClient.withTracerPropagation(false),
      HttpClient.withTracerDisabledWhen(() => true),
      HttpClient.mapRequest((request) =>
        request.pipe(
          HttpClientRequest.prependUrl(config.baseUrl),
          HttpClientRequest.basicAuth("API_KEY", Redacted.value(config.apiKey)),
          HttpClientRequest.acceptJson,
          HttpClientRequest.setHeader("User-Agent", `intervals-mcp/${Version} (+https://github.com/intervals-mcp)`)
        )
      )
    )
    const requestMillis = Duration.toMillis(config.requestTimeout)
    const deadlineMillis = Duration.toMillis(config.deadline)
    // One limiter for every request to Intervals.icu, so that a burst of tool calls never becomes a 429 storm.
    // Requests are spaced evenly (one token, refilled every 1/rate s): no second ever holds more than the rate,
    // which a bucket of `rate` tokens would allow twice over.
    const limiter: <A, E, R>(task: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = config.rateLimit === 0
      ? (task) => task
      : yield* RateLimiter.make({
        limit: 1,
        interval: Duration.millis(1000 / config.rateLimit),
        algorithm: "token-bucket"
      })

    /** One attempt: send, read the whole body within the request timeout, map the status, decode. */
    const attempt = <A, I>(options: RequestOptions<A, I>, request: HttpClientRequest.HttpClientRequest) => {
      const described = { method: options.method, path: options.path }
      return http.execute(request).pipe(
        Effect.flatMap((response) =>
          Effect.map(response.text, (body) => ({ response, body }))
        ),
        Effect.catchAll((error) =>
          Effect.fail(new IntervalsNetworkError({ ...described, detail: error.message.slice(0, 200) }))
        ),
        Effect.timeoutFail({
          duration: config.requestTimeout,
          onTimeout: () => new IntervalsTimeout({ ...described, millis: requestMillis })
        }),
        Effect.flatMap(({ body, response }) =>
          Effect.clockWith((clock) => clock.currentTimeMillis).pipe(
            Effect.flatMap((now): Effect.Effect<A, IntervalsError> => {
              if (response.status < 200 || response.status >= 300) {
                return Effect.fail(statusError(described, response, body, now))
              }
              // A 204 (or an empty 200) decodes as `null`, for the writes that answer nothing.
              const decoded = decoderFor(options.schema)(body === "" ? "null" : body)
              return Either.match(decoded, {
                onLeft: (error) =>
                  Effect.fail(new IntervalsMalformedResponse({ ...described, detail: formatParseError(error) })),
                onRight: Effect.succeed
              })
            }),
            Effect.tap(() =>
              Effect.logDebug("intervals request").pipe(
                Effect.annotateLogs({ method: options.method, path: options.path, status: response.status })
              )
            )
          )
        )
      )
    }

    const queryOf = (options: RequestOptions<unknown, unknown>) =>
      Object.fromEntries(
        Object.entries(options.query ?? {}).filter((entry): entry is [string, string | number | boolean] =>
          entry[1] !== undefined
        ).map(([key, value]) => [key, String(value)])
      )

    /** One request to Intervals.icu with the retry, timeout and deadline policies; never cached. */
    const send = <A, I>(options: RequestOptions<A, I>): Effect.Effect<A, IntervalsError> => {
      const query = queryOf(options as RequestOptions<unknown, unknown>)
      const base = HttpClientRequest.make(options.method)(options.path).pipe(HttpClientRequest.setUrlParams(query))
      const request = options.body === undefined ? base : HttpClientRequest.bodyUnsafeJson(base, options.body)
      // Every attempt, retries included, waits its turn in the shared limiter.
      return limiter(attempt(options, request)).pipe(
        Effect.retry(retrySchedule(isRetryableFor(options.method))),
        Effect.timeoutFail({
          duration: config.deadline,
          onTimeout: () => new IntervalsTimeout({ method: options.method, path: options.path, millis: deadlineMillis })
        }),
        // A write that failed after reaching Intervals.icu may have happened: say so instead of "try again".
        Effect.mapError((error): IntervalsError =>
          options.method !== "GET" && error._tag !== "IntervalsRateLimited" && isTransient(error)
            ? new IntervalsWriteUnconfirmed({ method: options.method, path: options.path, reason: error.message })
            : error
        ),
        Effect.tapError((error) =>
          Effect.logWarning("intervals request failed").pipe(
            Effect.annotateLogs({ method: options.method, path: options.path, error: error._tag })
          )
        ),
        Effect.withSpan("IntervalsClient.send", { attributes: { method: options.method, path: options.path } })
      )
    }

    // Identical reads in flight share one request (the cache coalesces lookups of one key), and a read is kept
    // for `freshness(path)`. A failure is not kept.
    const reads = yield* Cache.makeWith({
      capacity: 500,
      lookup: (key: ReadKey) =>
        Effect.map(send(key.options), (value) => ({ value, ttl: freshness(key.options.path) })),
      timeToLive: (exit) => (Exit.isSuccess(exit) ? exit.value.ttl : Duration.zero)
    })

    const invalidateAfter = (path: string) =>
      Effect.flatMap(reads.keys, (keys) => {
        const changed = invalidatedBy(path)
        return Effect.forEach(keys.filter((key) => changed.test(key.url)), (key) => reads.invalidate(key), {
          discard: true
        })
      })

    const execute = <A, I>(options: RequestOptions<A, I>): Effect.Effect<A, IntervalsError> => {
      if (options.method !== "GET") {
        return send(options).pipe(Effect.tap(() => config.cache ? invalidateAfter(options.path) : Effect.void))
      }
      if (!config.cache || options.cacheable === false) return send(options)
      const key = new ReadKey(
        urlOf(options.path, queryOf(options as RequestOptions<unknown, unknown>)),
        options as RequestOptions<unknown, unknown>
      )
      return reads.get(key).pipe(
        Effect.map((entry) => entry.value as A),
        Effect.tapError(() => reads.invalidate(key))
      )
    }

    return {
      execute,
      /** Forgets every cached read (for tests and benchmarks). */
      clearCache: reads.invalidateAll,
      athlete: (athleteId: AthleteId) => execute({ method: "GET", path: `/athlete/${segment(athleteId)}`, schema: Athlete }),
      activities: (athleteId: AthleteId, oldest: LocalDate, newest: LocalDate) =>
        execute({
          method: "GET",
          path: `/athlete/${segment(athleteId)}/activities`,
          // `newest` alone would mean midnight at the start of that day; the end of the day keeps it inclusive.
          // `fields` asks only for what a list shows: a tenth of the payload, to send, parse and decode.
          query: { oldest, newest: `${newest}T23:59:59`, fields: ACTIVITY_LIST_FIELDS },
          schema: Activities
        }),
      activity: (activityId: ActivityId) =>
        execute({ method: "GET", path: `/activity/${segment(activityId)}`, schema: Activity }),
      activityIntervals: (activityId: ActivityId) =>
        execute({ method: "GET", path: `/activity/${segment(activityId)}/intervals`, schema: IntervalsDTO }),
      wellness: (athleteId: AthleteId, oldest: LocalDate, newest: LocalDate) =>
        execute({
          method: "GET",
          path: `/athlete/${segment(athleteId)}/wellness`,
          query: { oldest, newest },
          schema: Wellnesses
        }),
      events: (athleteId: AthleteId, oldest: LocalDate, newest: LocalDate) =>
        execute({
          method: "GET",
          path: `/athlete/${segment(athleteId)}/events`,
          query: { oldest, newest },
          schema: Events
        }),
      event: (athleteId: AthleteId, eventId: EventId) =>
        execute({ method: "GET", path: `/athlete/${segment(athleteId)}/events/${segment(eventId)}`, schema: Event }),
      createEvent: (athleteId: AthleteId, body: Record<string, unknown>) =>
        execute({ method: "POST", path: `/athlete/${segment(athleteId)}/events`, body, schema: Event }),
      updateEvent: (athleteId: AthleteId, eventId: EventId, body: Record<string, unknown>) =>
        execute({
          method: "PUT",
          path: `/athlete/${segment(athleteId)}/events/${segment(eventId)}`,
          body,
          schema: Event
        }),
      deleteEvent: (athleteId: AthleteId, eventId: EventId) =>
        execute({
          method: "DELETE",
          path: `/athlete/${segment(athleteId)}/events/${segment(eventId)}`,
          schema: Schema.Unknown
        }),
      deleteEvents: (athleteId: AthleteId, eventIds: ReadonlyArray<number>) =>
        execute({
          method: "PUT",
          path: `/athlete/${segment(athleteId)}/events/bulk-delete`,
          body: eventIds.map((id) => ({ id })),
          schema: DeleteEventsResponse
        }),
      streams: (activityId: ActivityId, types: ReadonlyArray<string>) =>
        execute({
          method: "GET",
          path: `/activity/${segment(activityId)}/streams`,
          query: { types: types.join(",") },
          schema: Streams,
          cacheable: false
        }),
      messages: (activityId: ActivityId) =>
        execute({ method: "GET", path: `/activity/${segment(activityId)}/messages`, schema: Messages }),
      addMessage: (activityId: ActivityId, content: string) =>
        execute({
          method: "POST",
          path: `/activity/${segment(activityId)}/messages`,
          body: { content },
          schema: NewMessage
        }),
      customItems: (athleteId: AthleteId) =>
        execute({
          method: "GET",
          path: `/athlete/${segment(athleteId)}/custom-item`,
          schema: CustomItems
        }),
      customItem: (athleteId: AthleteId, itemId: number) =>
        execute({
          method: "GET",
          path: `/athlete/${segment(athleteId)}/custom-item/${segment(itemId)}`,
          schema: CustomItem
        }),
      createCustomItem: (athleteId: AthleteId, body: Record<string, unknown>) =>
        execute({ method: "POST", path: `/athlete/${segment(athleteId)}/custom-item`, body, schema: CustomItem }),
      updateCustomItem: (athleteId: AthleteId, itemId: number, body: Record<string, unknown>) =>
        execute({
          method: "PUT",
          path: `/athlete/${segment(athleteId)}/custom-item/${segment(itemId)}`,
          body,
          schema: CustomItem
        }),
      deleteCustomItem: (athleteId: AthleteId, itemId: number) =>
        execute({
          method: "DELETE",
          path: `/athlete/${segment(athleteId)}/custom-item/${segment(itemId)}`,
          schema: Schema.Unknown
        }),
      powerCurves: (athleteId: AthleteId, query: { readonly type: string; readonly curves: string; readonly filters?: string }) =>
        execute({
          method: "GET",
          path: `/athlete/${segment(athleteId)}/power-curves`,
          query,
          schema: PowerCurveSet
        }),
      gear: (athleteId: AthleteId) =>
        execute({ method: "GET", path: `/athlete/${segment(athleteId)}/gear`, schema: GearList })
    } as const
  })
}) {}
