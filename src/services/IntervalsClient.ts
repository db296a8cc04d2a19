/**
 * The Intervals.icu REST client. Authentication, timeouts, retries and decoding live here, once, so that tools only
 * say what they want. Every failure becomes one of the tagged errors of `domain/IntervalsError`.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import type * as ParseResult from "effect/ParseResult"
import * as RateLimiter from "effect/RateLimiter"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { type ActivityId, type AthleteId, idValue, type LocalDate } from "../domain/Ids.js"
import {
  Activity,
  ActivityStream,
  Athlete,
  AthleteListing,
  Bucket,
  CurveSet,
  CustomItem,
  DataCurve,
  DeleteEventsResponse,
  Event,
  Folder,
  Gear,
  Interval,
  IntervalsDTO,
  LibraryWorkout,
  Message,
  NewMessage,
  PowerCurveSet,
  PowerVsHr,
  SearchResult,
  SportSettings,
  SummaryWeek,
  WeatherForecast,
  WeatherSummary,
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
  IntervalsTooLarge,
  IntervalsUnauthorized,
  IntervalsUnavailable,
  IntervalsWriteUnconfirmed,
  isTransient
} from "../domain/IntervalsError.js"
import { Version } from "../Version.js"
import { AppConfig } from "./AppConfig.js"
import { type Account, UpstreamAccount } from "./UpstreamAccount.js"
import { MaybeStore } from "../store/TokenStore.js"
import { createHash } from "node:crypto"
import { decodeLeniently, decoderOf, quoteLongIds, summarise } from "./Decoding.js"
import { makeReadCache } from "./ReadCache.js"

export type Method = "GET" | "POST" | "PUT" | "DELETE"

/** A numeric id as it goes in a path: exact digits, or a number from an answer. */
type Id = string | number

export interface RequestOptions<A, I> {
  readonly method: Method
  /** Path below the API base URL, with each variable segment already validated by its schema. */
  readonly path: string
  readonly query?: Record<string, string | number | boolean | undefined>
  readonly body?: unknown
  readonly schema: Schema.Schema<A, I>
  /** False for reads too big to keep (streams): the cache holds many small answers, never a few huge ones. */
  readonly cacheable?: boolean
  /** The most bytes of the answer to read (default: INTERVALS_MAX_RESPONSE_BYTES). */
  readonly maxBytes?: number
  /** The answer is a file: its bytes and content type are the result, not decoded JSON. */
  readonly raw?: true
}

/** A file Intervals.icu answered with (a workout for a device). */
export interface Download {
  readonly bytes: Uint8Array
  readonly contentType: string
}

/** Set (with `Effect.locally`) for reads that must not be answered from the cache. */
export const FreshReads = FiberRef.unsafeMake(false)

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

/** The `error` (or `message`) of an Intervals.icu error body, or a short excerpt of a body that is not JSON. */
const errorDetail = (body: string): string | undefined => {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    // Not JSON: an HTML error page from a proxy, for instance.
    const text = body.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim()
    return text === "" ? undefined : text.slice(0, 200)
  }
  const first = Array.isArray(json) ? json[0] : json
  if (typeof first === "object" && first !== null) {
    const record = first as Record<string, unknown>
    const text = record["error"] ?? record["message"]
    if (typeof text === "string") return text.slice(0, 300)
  }
  return typeof json === "string" ? json.slice(0, 300) : undefined
}

const statusError = (
  request: { readonly method: Method; readonly path: string },
  response: HttpClientResponse.HttpClientResponse,
  body: string,
  now: number,
  scrub: (text: string) => string
): IntervalsError => {
  const detail = errorDetail(scrub(body))
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
    default: {
      if (status >= 500) return new IntervalsUnavailable({ ...request, status, ...(detail ? { detail } : {}) })
      const location = response.headers["location"] === undefined ? undefined : scrub(response.headers["location"])
      return new IntervalsRejected({
        ...request,
        status,
        detail: detail ?? `HTTP ${status}`,
        ...(status >= 300 && status < 400 && location ? { location: location.slice(0, 300) } : {})
      })
    }
  }
}

const segment = (value: string | number): string => encodeURIComponent(String(value))

/** Decoders, built once per schema: building one compiles the schema, which costs more than decoding an answer. */
const decoders = new WeakMap<Schema.Schema.Any, (input: unknown) => Either.Either<unknown, ParseResult.ParseError>>()
const decoderFor = <A, I>(schema: Schema.Schema<A, I>) => {
  let decoder = decoders.get(schema)
  if (decoder === undefined) {
    decoder = decoderOf(schema)
    decoders.set(schema, decoder)
  }
  return decoder as (input: unknown) => Either.Either<A, ParseResult.ParseError>
}

// Response schemas, made once.
const Activities = Schema.Array(Activity)
const Wellnesses = Schema.Array(Wellness)
const Events = Schema.Array(Event)
const Folders = Schema.Array(Folder)
const Streams = Schema.Array(ActivityStream)
const Messages = Schema.Array(Message)
const CustomItems = Schema.Array(CustomItem)
const GearList = Schema.Array(Gear)
const AthleteList = Schema.Array(AthleteListing)
const Summary = Schema.Array(SummaryWeek)
const Buckets = Schema.Array(Bucket)
const SearchResults = Schema.Array(SearchResult)
/** An activity found by its intervals, with the intervals that matched. */
const IntervalMatches = Schema.Array(
  Schema.Struct({ ...Activity.fields, icu_intervals: Schema.optional(Schema.NullOr(Schema.Array(Interval))) })
)

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
  if (/\/weather-forecast$/.test(path)) return Duration.minutes(30)
  if (/\/gear$/.test(path) || path === "/athletes") return Duration.minutes(10)
  if (/\/(custom-item|(power|hr|pace)-curves)/.test(path)) return Duration.minutes(5)
  // What an activity holds changes only when it is edited, which forgets it.
  if (/^\/activity\//.test(path)) return Duration.minutes(5)
  return Duration.seconds(30)
}

/** The paths a successful write may have changed, as prefixes of cached request URLs. */
const invalidatedBy = (path: string): RegExp => {
  const athlete = /^\/athlete\/[^/]+\/(events|wellness|activities|custom-item|gear)/.exec(path)
  if (athlete) return new RegExp(`^/athlete/[^/]+/${athlete[1]}`)
  const activity = /^\/activity\/([^/]+)/.exec(path)
  // An activity's change shows in the athlete's lists too (its name, its type).
  if (activity) return new RegExp(`^(/activity/${activity[1]}(/|$|\\?)|/athlete/[^/]+/activities)`)
  return /^/
}

/**
 * Which endpoint a path is, with its ids left out (`/athlete/*\/wellness`, `/activity/*\/streams`): the unit of the
 * bulkheads, so that a slow or hanging endpoint holds only its own share of the connections.
 */
export const endpointOf = (path: string): string =>
  path.replace(/^\/(athlete|activity)\/[^/]+/, "/$1/*").replace(/\/\d+(?=\/|$)/g, "/*")

/** Requests one endpoint may have in flight at once; the others wait their turn without holding a connection. */
export const PER_ENDPOINT = 4

const urlOf = (path: string, query: Record<string, string>) => {
  const search = new URLSearchParams(query).toString()
  return search === "" ? path : `${path}?${search}`
}

/** What went wrong with a write, in a few words, for "did not confirm the write (…)". */
const reasonOf = (error: IntervalsError): string => {
  switch (error._tag) {
    case "IntervalsTimeout":
      return `no answer within ${error.millis} ms`
    case "IntervalsUnavailable":
      return `HTTP ${error.status}${error.detail ? `: ${error.detail}` : ""}`
    case "IntervalsNetworkError":
      return `the connection failed: ${error.detail}`
    case "IntervalsMalformedResponse":
      return `its answer could not be read: ${error.detail}`
    case "IntervalsTooLarge":
      return "its answer was too large to read"
    default:
      return error.message
  }
}

/** The failure with how many attempts it took, for the errors that say so. */
const withAttempts = (error: IntervalsError, attempts: number): IntervalsError => {
  const { method, path } = error
  switch (error._tag) {
    case "IntervalsUnavailable":
      return new IntervalsUnavailable({ method, path, status: error.status, attempts, ...(error.detail ? { detail: error.detail } : {}) })
    case "IntervalsTimeout":
      return new IntervalsTimeout({ method, path, millis: error.millis, attempts })
    case "IntervalsNetworkError":
      return new IntervalsNetworkError({ method, path, detail: error.detail, attempts })
    default:
      return error
  }
}

const utf8 = new TextDecoder()

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
          HttpClientRequest.acceptJson,
          HttpClientRequest.setHeader("User-Agent", `intervals-mcp/${Version} (+https://github.com/intervals-mcp)`)
        )
      )
    )
    // Text from Intervals.icu that goes into an answer (an error body, a redirect's Location) never carries the key,
    // whatever a misbehaving server or proxy echoes back.
    const secrets = [Redacted.value(config.apiKey), Buffer.from(`API_KEY:${Redacted.value(config.apiKey)}`).toString("base64")]
      .filter((secret) => secret.length >= 4)
    const scrubWith = (extra: ReadonlyArray<string>) => (text: string) =>
      [...secrets, ...extra].reduce((out, secret) => out.split(secret).join("[redacted]"), text)
    // The server's key, or the token of the athlete a connection signed in as (see UpstreamAccount).
    const authorize = (account: Option.Option<Account>) =>
      Option.isNone(account)
        ? HttpClientRequest.basicAuth("API_KEY", Redacted.value(config.apiKey))
        : HttpClientRequest.bearerToken(Redacted.value(account.value.token))
    const requestMillis = Duration.toMillis(config.requestTimeout)
    const deadlineMillis = Duration.toMillis(config.deadline)
    // One limiter for every request to Intervals.icu, so that a burst of tool calls never becomes a 429 storm: a
    // token bucket of INTERVALS_RATE_BURST tokens, one back every 1/INTERVALS_RATE_LIMIT s. A lone call or a short
    // burst goes at once; a long one is spaced at the rate.
    const local: <A, E, R>(task: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = config.rateLimit === 0
      ? (task) => task
      : yield* RateLimiter.make({
        limit: config.rateBurst,
        interval: Duration.millis((1000 / config.rateLimit) * config.rateBurst),
        algorithm: "token-bucket"
      })
    // Replicas that share a store (Redis) share the pace too: Intervals.icu counts requests per key and address,
    // so two replicas must not send twice the rate. The slot is reserved in the store; if the store cannot answer,
    // this process paces alone rather than failing the call.
    const shared = Option.filter(
      Option.flatten(yield* Effect.serviceOption(MaybeStore)),
      (store) => store.shared && config.rateLimit > 0
    )
    const paceKey = `pace:${createHash("sha256").update(Redacted.value(config.apiKey)).digest("base64url").slice(0, 22)}`
    const limiter: <A, E, R>(task: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R> = Option.match(shared, {
      onNone: () => local,
      onSome: (store) => (task) =>
        store.reserve(paceKey, Duration.millis(1000 / config.rateLimit), config.rateBurst).pipe(
          Effect.map(Option.some),
          Effect.catchAll((error) =>
            Effect.as(
              Effect.logWarning("shared pace unavailable; pacing alone").pipe(
                Effect.annotateLogs({ detail: error.detail.slice(0, 120) })
              ),
              Option.none<Duration.Duration>()
            )
          ),
          Effect.flatMap(Option.match({
            onNone: () => local(task),
            onSome: (wait) => Duration.toMillis(wait) > 0 ? Effect.zipRight(Effect.sleep(wait), task) : task
          }))
        )
    })

    const bulkheads = new Map<string, Effect.Semaphore>()
    const bulkhead = (path: string): Effect.Semaphore => {
      const endpoint = endpointOf(path)
      let semaphore = bulkheads.get(endpoint)
      if (semaphore === undefined) {
        semaphore = Effect.unsafeMakeSemaphore(PER_ENDPOINT)
        bulkheads.set(endpoint, semaphore)
      }
      return semaphore
    }

    /**
     * The body, read up to `limit` bytes: a declared length over it is refused unread, and reading stops (and the
     * connection is dropped) as soon as the bytes pass it.
     */
    const readBody = (
      response: HttpClientResponse.HttpClientResponse,
      limit: number,
      described: { readonly method: Method; readonly path: string }
    ): Effect.Effect<Uint8Array, IntervalsError> => {
      // Made only when needed: an error captures a stack trace, which would cost every call.
      const tooLarge = () => new IntervalsTooLarge({ ...described, limitBytes: limit })
      const network = (error: { readonly message: string }) =>
        new IntervalsNetworkError({ ...described, detail: error.message.slice(0, 200) })
      const declared = Number(response.headers["content-length"])
      if (Number.isFinite(declared) && declared > limit) return Effect.fail(tooLarge())
      // A declared length within the limit is read in one piece (the socket delivers no more than it declared); only
      // an answer of unknown length is counted chunk by chunk, to stop reading it past the limit.
      if (Number.isFinite(declared)) {
        return Effect.map(Effect.mapError(response.arrayBuffer, network), (buffer) => new Uint8Array(buffer))
      }
      return response.stream.pipe(
        Stream.mapError(network),
        Stream.runFoldEffect({ size: 0, chunks: [] as Array<Uint8Array> }, (read, chunk) => {
          read.size += chunk.length
          read.chunks.push(chunk)
          return read.size > limit ? Effect.fail(tooLarge()) : Effect.succeed(read)
        }),
        Effect.map(({ chunks }) => (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)))
      )
    }

    /** The decoded answer, lenient with what the API gets wrong; repairs are logged, never silent. */
    const decode = <A, I>(
      options: RequestOptions<A, I>,
      body: string,
      scrub: (text: string) => string
    ): Effect.Effect<A, IntervalsMalformedResponse> => {
      const described = { method: options.method, path: options.path }
      // A 204 (or an empty 200) decodes as `null`, for the writes that answer nothing.
      if (body.trim() === "") {
        return Either.match(decoderFor(options.schema)(null), {
          onLeft: () => Effect.fail(new IntervalsMalformedResponse({ ...described, detail: "an empty answer" })),
          onRight: Effect.succeed
        })
      }
      let json: unknown
      try {
        json = JSON.parse(quoteLongIds(body))
      } catch {
        const excerpt = scrub(body.slice(0, 2000)).replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim().slice(0, 80)
        return Effect.fail(
          new IntervalsMalformedResponse({
            ...described,
            detail: `an answer that is not JSON (${body.length} characters${excerpt ? `: "${excerpt}"` : ""})`
          })
        )
      }
      return Either.match(decodeLeniently(decoderFor(options.schema), json), {
        onLeft: (error) => Effect.fail(new IntervalsMalformedResponse({ ...described, detail: scrub(summarise(error, json)) })),
        onRight: ({ repairs, value }) =>
          repairs.length === 0 ? Effect.succeed(value) : Effect.as(
            Effect.logDebug("intervals answer repaired").pipe(
              Effect.annotateLogs({ ...described, repairs: repairs.slice(0, 5).join("; "), count: repairs.length })
            ),
            value
          )
      })
    }

    /** One attempt: send, read the body (bounded) within the request timeout, map the status, decode. */
    const attempt = <A, I>(
      options: RequestOptions<A, I>,
      request: HttpClientRequest.HttpClientRequest,
      scrub: (text: string) => string
    ) => {
      const described = { method: options.method, path: options.path }
      const limit = options.maxBytes ?? config.maxResponseBytes
      return http.execute(request).pipe(
        Effect.mapError((error) => new IntervalsNetworkError({ ...described, detail: error.message.slice(0, 200) })),
        Effect.flatMap((response) => Effect.map(readBody(response, limit, described), (bytes) => ({ response, bytes }))),
        Effect.timeoutFail({
          duration: config.requestTimeout,
          onTimeout: () => new IntervalsTimeout({ ...described, millis: requestMillis })
        }),
        Effect.flatMap(({ bytes, response }) =>
          Effect.flatMap(Clock.currentTimeMillis, (now): Effect.Effect<A, IntervalsError> =>
            response.status < 200 || response.status >= 300
              ? Effect.fail(statusError(described, response, utf8.decode(bytes), now, scrub))
              : options.raw === true
              ? Effect.succeed({ bytes, contentType: response.headers["content-type"] ?? "" } as A)
              : decode(options, utf8.decode(bytes), scrub).pipe(
                Effect.tap(() =>
                  Effect.logDebug("intervals request").pipe(
                    Effect.annotateLogs({ method: options.method, path: options.path, status: response.status })
                  )
                )
              ))
        )
      )
    }

    const queryOf = (options: RequestOptions<unknown, unknown>) =>
      Object.fromEntries(
        Object.entries(options.query ?? {}).filter((entry): entry is [string, string | number | boolean] =>
          entry[1] !== undefined
        ).map(([key, value]) => [key, String(value)])
      )

    /** One request to Intervals.icu with the bulkhead, pacing, retry, timeout and deadline policies; never cached. */
    const send = <A, I>(options: RequestOptions<A, I>): Effect.Effect<A, IntervalsError> =>
      Effect.flatMap(FiberRef.get(UpstreamAccount), (account) => sendAs(options, account))

    const sendAs = <A, I>(options: RequestOptions<A, I>, account: Option.Option<Account>): Effect.Effect<A, IntervalsError> => {
      const query = queryOf(options as RequestOptions<unknown, unknown>)
      const scrub = Option.isNone(account) ? scrubWith([]) : scrubWith([Redacted.value(account.value.token)])
      const base = HttpClientRequest.make(options.method)(options.path).pipe(
        HttpClientRequest.setUrlParams(query),
        authorize(account)
      )
      const request = options.body === undefined ? base : HttpClientRequest.bodyUnsafeJson(base, options.body)
      const slots = bulkhead(options.path)
      let attempts = 0
      // Every attempt, retries included, waits for a slot of its endpoint, then its turn in the shared limiter.
      return slots.withPermits(1)(limiter(Effect.suspend(() => {
        attempts++
        return attempt(options, request, scrub)
      }))).pipe(
        Effect.retry(retrySchedule(isRetryableFor(options.method))),
        Effect.timeoutFail({
          duration: config.deadline,
          onTimeout: () => new IntervalsTimeout({ method: options.method, path: options.path, millis: deadlineMillis })
        }),
        Effect.mapError((error): IntervalsError => {
          // A write that failed after reaching Intervals.icu may have happened: say so instead of "try again".
          if (options.method !== "GET" && error._tag !== "IntervalsRateLimited" && (isTransient(error) ||
            error._tag === "IntervalsMalformedResponse" || error._tag === "IntervalsTooLarge"))
          {
            return new IntervalsWriteUnconfirmed({ method: options.method, path: options.path, reason: reasonOf(error) })
          }
          return attempts > 1 ? withAttempts(error, attempts) : error
        }),
        Effect.tapError((error) =>
          Effect.logWarning("intervals request failed").pipe(
            Effect.annotateLogs({ method: options.method, path: options.path, error: error._tag, attempts })
          )
        ),
        // No stack trace for the span (its attributes say which request it is): capturing one costs every request.
        Effect.withSpan("IntervalsClient.send", {
          attributes: { method: options.method, path: options.path },
          captureStackTrace: false
        })
      )
    }

    const reads = yield* makeReadCache({ capacity: 500 })

    const invalidateAfter = (path: string) => {
      const changed = invalidatedBy(path)
      return reads.invalidate((url) => changed.test(url))
    }

    const execute = <A, I>(options: RequestOptions<A, I>): Effect.Effect<A, IntervalsError> => {
      if (options.method !== "GET") {
        return send(options).pipe(Effect.tap(() => config.cache ? invalidateAfter(options.path) : Effect.void))
      }
      if (!config.cache) return send(options)
      return Effect.flatMap(FiberRef.get(UpstreamAccount), (account) => cachedRead(options, accountKey(account)))
    }

    const accountKey = (account: Option.Option<Account>) =>
      Option.isNone(account)
        ? ""
        : `#${account.value.athleteId}:${createHash("sha256").update(Redacted.value(account.value.token)).digest("base64url").slice(0, 16)}`

    const cachedRead = <A, I>(options: RequestOptions<A, I>, accountSuffix: string): Effect.Effect<A, IntervalsError> => {
      // Answers are kept per account: a connection signed in as another athlete never sees this one's.
      const url = urlOf(options.path, queryOf(options as RequestOptions<unknown, unknown>)) + accountSuffix
      // A read that must see what Intervals.icu holds now (undo checking that nobody changed a record) skips the cache.
      const cached = reads.get(url, options.cacheable === false ? Duration.zero : freshness(options.path), send(options))
      return Effect.flatMap(FiberRef.get(FreshReads), (fresh) => (fresh ? send(options) : cached))
    }

    return {
      execute,
      /** Forgets every cached read (for tests and benchmarks). */
      clearCache: reads.invalidate(() => true),
      athlete: (athleteId: AthleteId) => execute({ method: "GET", path: `/athlete/${segment(athleteId)}`, schema: Athlete }),
      activities: (athleteId: AthleteId, oldest: LocalDate, newest: LocalDate, extraFields: ReadonlyArray<string> = []) =>
        execute({
          method: "GET",
          path: `/athlete/${segment(athleteId)}/activities`,
          // `newest` alone would mean midnight at the start of that day; the end of the day keeps it inclusive.
          // `fields` asks only for what a list shows: a tenth of the payload, to send, parse and decode.
          query: {
            oldest,
            newest: `${newest}T23:59:59`,
            fields: extraFields.length === 0 ? ACTIVITY_LIST_FIELDS : `${ACTIVITY_LIST_FIELDS},${extraFields.join(",")}`
          },
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
      event: (athleteId: AthleteId, eventId: Id) =>
        execute({ method: "GET", path: `/athlete/${segment(athleteId)}/events/${segment(eventId)}`, schema: Event }),
      createEvent: (athleteId: AthleteId, body: Record<string, unknown>) =>
        execute({ method: "POST", path: `/athlete/${segment(athleteId)}/events`, body, schema: Event }),
      updateEvent: (athleteId: AthleteId, eventId: Id, body: Record<string, unknown>) =>
        execute({
          method: "PUT",
          path: `/athlete/${segment(athleteId)}/events/${segment(eventId)}`,
          body,
          schema: Event
        }),
      deleteEvent: (athleteId: AthleteId, eventId: Id) =>
        execute({
          method: "DELETE",
          path: `/athlete/${segment(athleteId)}/events/${segment(eventId)}`,
          schema: Schema.Unknown
        }),
      /** Many events in one request; with `upsert`, one whose `external_id` exists already is updated, not doubled. */
      createEvents: (athleteId: AthleteId, events: ReadonlyArray<Record<string, unknown>>) =>
        execute({
          method: "POST",
          path: `/athlete/${segment(athleteId)}/events/bulk`,
          query: { upsert: true },
          body: events,
          schema: Events
        }),
      duplicateEvents: (
        athleteId: AthleteId,
        body: { readonly eventIds: ReadonlyArray<number>; readonly numCopies: number; readonly weeksBetween: number }
      ) =>
        execute({ method: "POST", path: `/athlete/${segment(athleteId)}/duplicate-events`, body, schema: Events }),
      folders: (athleteId: AthleteId) =>
        execute({ method: "GET", path: `/athlete/${segment(athleteId)}/folders`, schema: Folders }),
      libraryWorkout: (athleteId: AthleteId, workoutId: Id) =>
        execute({
          method: "GET",
          path: `/athlete/${segment(athleteId)}/workouts/${segment(workoutId)}`,
          schema: LibraryWorkout
        }),
      createLibraryWorkout: (athleteId: AthleteId, body: Record<string, unknown>) =>
        execute({ method: "POST", path: `/athlete/${segment(athleteId)}/workouts`, body, schema: LibraryWorkout }),
      updateLibraryWorkout: (athleteId: AthleteId, workoutId: Id, body: Record<string, unknown>) =>
        execute({
          method: "PUT",
          path: `/athlete/${segment(athleteId)}/workouts/${segment(workoutId)}`,
          body,
          schema: LibraryWorkout
        }),
      deleteLibraryWorkout: (athleteId: AthleteId, workoutId: Id) =>
        execute({
          method: "DELETE",
          path: `/athlete/${segment(athleteId)}/workouts/${segment(workoutId)}`,
          schema: Schema.Unknown
        }),
      /** A planned event as a device file (`.zwo`, `.mrc`, `.erg`, `.fit`). */
      downloadEvent: (athleteId: AthleteId, eventId: Id, ext: string) =>
        execute<Download, unknown>({
          method: "GET",
          path: `/athlete/${segment(athleteId)}/events/${segment(eventId)}/download${ext}`,
          schema: Schema.Unknown as never,
          raw: true,
          cacheable: false
        }),
      /** A workout (a library one, given whole) as a device file. */
      downloadWorkout: (athleteId: AthleteId, workout: Record<string, unknown>, ext: string) =>
        execute<Download, unknown>({
          method: "POST",
          path: `/athlete/${segment(athleteId)}/download-workout${ext}`,
          body: workout,
          schema: Schema.Unknown as never,
          raw: true
        }),
      updateActivity: (activityId: ActivityId, body: Record<string, unknown>) =>
        execute({ method: "PUT", path: `/activity/${segment(activityId)}`, body, schema: Activity }),
      deleteActivity: (activityId: ActivityId) =>
        execute({ method: "DELETE", path: `/activity/${segment(activityId)}`, schema: Schema.Unknown }),
      wellnessDay: (athleteId: AthleteId, date: LocalDate) =>
        execute({ method: "GET", path: `/athlete/${segment(athleteId)}/wellness/${date}`, schema: Wellness }),
      updateWellness: (athleteId: AthleteId, date: LocalDate, body: Record<string, unknown>) =>
        execute({ method: "PUT", path: `/athlete/${segment(athleteId)}/wellness/${date}`, body, schema: Wellness }),
      updateSportSettings: (athleteId: AthleteId, settingsId: Id, body: Record<string, unknown>) =>
        execute({
          method: "PUT",
          path: `/athlete/${segment(athleteId)}/sport-settings/${segment(settingsId)}`,
          query: { recalcHrZones: false },
          body,
          schema: SportSettings
        }),
      /** Recomputes past activities with the sport's current settings (Intervals.icu's "apply to activities"). */
      applySportSettings: (athleteId: AthleteId, settingsId: Id) =>
        execute({
          method: "PUT",
          path: `/athlete/${segment(athleteId)}/sport-settings/${segment(settingsId)}/apply`,
          schema: Schema.Unknown
        }),
      deleteEvents: (athleteId: AthleteId, eventIds: ReadonlyArray<Id>) =>
        execute({
          method: "PUT",
          path: `/athlete/${segment(athleteId)}/events/bulk-delete`,
          body: eventIds.map((id) => ({ id: idValue(id) })),
          schema: DeleteEventsResponse
        }),
      streams: (activityId: ActivityId, types: ReadonlyArray<string>) =>
        execute({
          method: "GET",
          path: `/activity/${segment(activityId)}/streams`,
          query: { types: types.join(",") },
          schema: Streams,
          cacheable: false,
          // A long activity's streams are large: they may be four times the usual limit.
          maxBytes: config.maxResponseBytes * 4
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
      customItem: (athleteId: AthleteId, itemId: Id) =>
        execute({
          method: "GET",
          path: `/athlete/${segment(athleteId)}/custom-item/${segment(itemId)}`,
          schema: CustomItem
        }),
      createCustomItem: (athleteId: AthleteId, body: Record<string, unknown>) =>
        execute({ method: "POST", path: `/athlete/${segment(athleteId)}/custom-item`, body, schema: CustomItem }),
      updateCustomItem: (athleteId: AthleteId, itemId: Id, body: Record<string, unknown>) =>
        execute({
          method: "PUT",
          path: `/athlete/${segment(athleteId)}/custom-item/${segment(itemId)}`,
          body,
          schema: CustomItem
        }),
      deleteCustomItem: (athleteId: AthleteId, itemId: Id) =>
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
        execute({ method: "GET", path: `/athlete/${segment(athleteId)}/gear`, schema: GearList }),
      athletes: () => execute({ method: "GET", path: "/athletes", schema: AthleteList }),
      athleteSummary: (athleteId: AthleteId, start: LocalDate, end: LocalDate) =>
        execute({
          method: "GET",
          path: `/athlete/${segment(athleteId)}/athlete-summary.json`,
          query: { start, end },
          schema: Summary
        }),
      curves: (
        athleteId: AthleteId,
        kind: "power" | "hr" | "pace",
        query: { readonly type: string; readonly curves: string; readonly filters?: string; readonly gap?: boolean }
      ) =>
        execute({ method: "GET", path: `/athlete/${segment(athleteId)}/${kind}-curves.json`, query, schema: CurveSet }),
      activityCurve: (activityId: ActivityId, kind: "power" | "hr" | "pace") =>
        execute({ method: "GET", path: `/activity/${segment(activityId)}/${kind}-curve.json`, schema: DataCurve }),
      histogram: (activityId: ActivityId, kind: "power" | "hr" | "pace", bucketSize?: number) =>
        execute({
          method: "GET",
          path: `/activity/${segment(activityId)}/${kind}-histogram`,
          query: { bucketSize },
          schema: Buckets
        }),
      powerVsHr: (activityId: ActivityId) =>
        execute({ method: "GET", path: `/activity/${segment(activityId)}/power-vs-hr.json`, schema: PowerVsHr }),
      weatherSummary: (activityId: ActivityId) =>
        execute({ method: "GET", path: `/activity/${segment(activityId)}/weather-summary`, schema: WeatherSummary }),
      searchActivities: (athleteId: AthleteId, q: string, limit: number) =>
        execute({
          method: "GET",
          path: `/athlete/${segment(athleteId)}/activities/search`,
          query: { q, limit },
          schema: SearchResults
        }),
      intervalSearch: (
        athleteId: AthleteId,
        query: {
          readonly minSecs: number
          readonly maxSecs: number
          readonly minIntensity: number
          readonly maxIntensity: number
          readonly minReps?: number
          readonly type?: string
          readonly limit: number
        }
      ) =>
        execute({
          method: "GET",
          path: `/athlete/${segment(athleteId)}/activities/interval-search`,
          query,
          schema: IntervalMatches
        }),
      weatherForecast: (athleteId: AthleteId) =>
        execute({ method: "GET", path: `/athlete/${segment(athleteId)}/weather-forecast`, schema: WeatherForecast })
    } as const
  })
}) {}
