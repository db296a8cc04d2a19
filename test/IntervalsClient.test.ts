import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { type AddressInfo, createServer, type Server, type Socket } from "node:net"
import { ActivityId, AthleteId, LocalDate } from "../src/domain/Ids.js"
import { AppConfig } from "../src/services/AppConfig.js"
import { IntervalsClient, MAX_RETRIES, PER_ENDPOINT } from "../src/services/IntervalsClient.js"
import { UpstreamAccount } from "../src/services/UpstreamAccount.js"
import { type Answer, jsonResponse, mockHttp, queryOf } from "./support/MockHttp.js"

const activity = { id: "i42", name: "Tempo", type: "Ride", start_date_local: "2026-11-20T07:00:00", icu_ftp: null }

const setup = (
  handler: Parameters<typeof mockHttp>[0],
  config: Parameters<typeof AppConfig.Test>[0] = {}
) => {
  const http = mockHttp(handler)
  const layer = IntervalsClient.Default.pipe(
    Layer.provide(http.layer),
    Layer.provide(AppConfig.Test({ baseUrl: "https://intervals.test/api/v1", apiKey: "secret-key", ...config }))
  )
  return { http, layer }
}

const failureOf = <A, E>(exit: Exit.Exit<A, E>) => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${exit.cause._tag}`)
  return failure
}

const getActivity = Effect.flatMap(IntervalsClient, (client) => client.activity(ActivityId.make("i42")))

describe("IntervalsClient", () => {
  it.effect("uses a signed-in athlete's own token, and never answers one account from another's cache", () => {
    const { http, layer } = setup((request) =>
      jsonResponse({ ...activity, name: request.headers["authorization"]?.startsWith("Bearer") ? "Theirs" : "Mine" })
    )
    const theirs = Option.some({ token: Redacted.make("athlete-oauth-token"), athleteId: "i999" })
    return Effect.gen(function*() {
      const mine = yield* getActivity
      const other = yield* Effect.locally(getActivity, UpstreamAccount, theirs)
      const mineAgain = yield* getActivity
      const otherAgain = yield* Effect.locally(getActivity, UpstreamAccount, theirs)
      expect([mine.name, other.name, mineAgain.name, otherAgain.name]).toEqual(["Mine", "Theirs", "Mine", "Theirs"])
      // One request per account: each account's second read came from its own cache entry.
      expect(http.requests.map((r) => r.headers["authorization"])).toEqual([
        `Basic ${Buffer.from("API_KEY:secret-key").toString("base64")}`,
        "Bearer athlete-oauth-token"
      ])
    }).pipe(Effect.provide(layer))
  })

  it.effect("scrubs a signed-in athlete's token from error text as it does the key", () => {
    const { layer } = setup(() => jsonResponse({ status: 400, error: "bad token athlete-oauth-token here" }, 400))
    const theirs = Option.some({ token: Redacted.make("athlete-oauth-token"), athleteId: "i999" })
    return Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.locally(getActivity, UpstreamAccount, theirs))
      const text = JSON.stringify(failureOf(exit))
      expect(text).toContain("[redacted]")
      expect(text).not.toContain("athlete-oauth-token")
    }).pipe(Effect.provide(layer))
  })

  it.effect("sends Basic auth as API_KEY, a User-Agent, and decodes the body", () => {
    const { http, layer } = setup(() => jsonResponse({ ...activity, unknown_field: [1, 2] }))
    return Effect.gen(function*() {
      const result = yield* getActivity
      expect(result).toMatchObject({ id: "i42", name: "Tempo", icu_ftp: null })
      const request = http.requests[0]!
      expect(request.url).toBe("https://intervals.test/api/v1/activity/i42")
      expect(request.headers["authorization"]).toBe(`Basic ${Buffer.from("API_KEY:secret-key").toString("base64")}`)
      expect(request.headers["user-agent"]).toMatch(/^intervals-mcp\/\d+\.\d+\.\d+/)
    }).pipe(Effect.provide(layer))
  })

  it.effect("puts query parameters on the URL and keeps `newest` inclusive", () => {
    const { http, layer } = setup(() => jsonResponse([]))
    return Effect.gen(function*() {
      const client = yield* IntervalsClient
      yield* client.activities(AthleteId.make("i7"), LocalDate.make("2026-11-01"), LocalDate.make("2026-11-07"))
      const request = http.requests[0]!
      expect(new URL(request.url).pathname).toBe("/api/v1/athlete/i7/activities")
      expect(queryOf(request).get("oldest")).toBe("2026-11-01")
      expect(queryOf(request).get("newest")).toBe("2026-11-07T23:59:59")
    }).pipe(Effect.provide(layer))
  })

  const cases: Array<[string, () => Answer, string, Record<string, unknown>]> = [
    ["401", () => jsonResponse({ status: 401, error: "Unauthorized" }, 401), "IntervalsUnauthorized", {}],
    ["403", () => jsonResponse({ status: 403, error: "Access denied" }, 403), "IntervalsForbidden", {
      detail: "Access denied"
    }],
    ["404", () => jsonResponse({ status: 404, error: "Not Found" }, 404), "IntervalsNotFound", {}],
    [
      "422",
      () => jsonResponse({ status: 422, error: "Cannot read Strava activities via the API" }, 422),
      "IntervalsRejected",
      { status: 422, detail: "Cannot read Strava activities via the API" }
    ],
    ["200 with a wrong shape", () => jsonResponse({ id: 42 }), "IntervalsMalformedResponse", {}],
    ["200 with truncated JSON", () => new Response("{\"id\": \"i4", { status: 200 }), "IntervalsMalformedResponse", {}]
  ]
  for (const [name, answer, tag, fields] of cases) {
    it.effect(`maps ${name} to ${tag} without retrying`, () => {
      const { http, layer } = setup(answer)
      return Effect.gen(function*() {
        const error = failureOf(yield* Effect.exit(getActivity))
        expect(error).toMatchObject({ _tag: tag, ...fields })
        expect(error.message.length).toBeGreaterThan(20)
        expect(http.requests).toHaveLength(1)
      }).pipe(Effect.provide(layer))
    })
  }

  it.effect("leaves out a field of the wrong kind and answers the rest", () => {
    const { layer } = setup(() => jsonResponse({ ...activity, moving_time: "1h", distance: "4200.5" }))
    return Effect.gen(function*() {
      const result = yield* getActivity
      expect(result).toMatchObject({ id: "i42", name: "Tempo", distance: 4200.5 })
      expect(result.moving_time).toBeUndefined()
    }).pipe(Effect.provide(layer))
  })

  it.effect("names, in one line, what is missing from an answer it cannot read", () => {
    const { layer } = setup(() => jsonResponse({ name: "no id" }))
    return Effect.gen(function*() {
      const error = failureOf(yield* Effect.exit(getActivity))
      expect(error._tag).toBe("IntervalsMalformedResponse")
      expect(error.message).toContain("id is missing")
      expect(error.message).not.toMatch(/readonly|Expected/)
    }).pipe(Effect.provide(layer))
  })

  it.effect("retries a GET answered 429 only after its Retry-After", () => {
    const { http, layer } = setup((_, attempt) =>
      attempt === 1 ? jsonResponse({ status: 429 }, 429, { "retry-after": "3" }) : jsonResponse(activity)
    )
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(getActivity)
      yield* TestClock.adjust(Duration.millis(2900))
      expect(http.requests).toHaveLength(1)
      yield* TestClock.adjust(Duration.millis(200))
      const result = yield* Fiber.join(fiber)
      expect(result.id).toBe("i42")
      expect(http.requests).toHaveLength(2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("retries a GET on 503 and network errors with back-off, then succeeds", () => {
    const answers: Array<Answer> = [jsonResponse({}, 503), "network-error", jsonResponse(activity)]
    const { http, layer } = setup((_, attempt) => answers[attempt - 1]!)
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(getActivity)
      yield* TestClock.adjust(Duration.seconds(5))
      expect((yield* Fiber.join(fiber)).id).toBe("i42")
      expect(http.requests).toHaveLength(3)
    }).pipe(Effect.provide(layer))
  })

  it.effect("gives up on a GET after a bounded number of attempts, with the HTML error page summarised", () => {
    const { http, layer } = setup(() =>
      new Response("<html><body><h1>502 Bad Gateway</h1></body></html>", { status: 502 })
    )
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.exit(getActivity))
      yield* TestClock.adjust(Duration.seconds(30))
      const error = failureOf(yield* Fiber.join(fiber))
      expect(error).toMatchObject({ _tag: "IntervalsUnavailable", status: 502, detail: "502 Bad Gateway" })
      expect(http.requests).toHaveLength(4)
    }).pipe(Effect.provide(layer))
  })

  it.effect("does not wait for a Retry-After longer than it is worth", () => {
    const { http, layer } = setup(() => jsonResponse({ status: 429 }, 429, { "retry-after": "3600" }))
    return Effect.gen(function*() {
      const error = failureOf(yield* Effect.exit(getActivity))
      expect(error).toMatchObject({ _tag: "IntervalsRateLimited", retryAfterSeconds: 3600 })
      expect(error.message).toContain("3600 s")
      expect(http.requests).toHaveLength(1)
    }).pipe(Effect.provide(layer))
  })

  const post = Effect.flatMap(IntervalsClient, (client) =>
    client.execute({ method: "POST", path: "/athlete/0/events", body: { name: "x" }, schema: Schema.Unknown }))

  it.effect("never retries a POST answered 500: the write may have happened", () => {
    const { http, layer } = setup(() => jsonResponse({ status: 500, error: "boom" }, 500))
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.exit(post))
      yield* TestClock.adjust(Duration.seconds(30))
      const error = failureOf(yield* Fiber.join(fiber))
      expect(error._tag).toBe("IntervalsWriteUnconfirmed")
      expect(error.message).toMatch(/may or may not have been saved.*read the data back/)
      expect(http.requests).toHaveLength(1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("never retries a POST that timed out", () => {
    const { http, layer } = setup(() => "never", { requestTimeout: Duration.seconds(2) })
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.exit(post))
      yield* TestClock.adjust(Duration.seconds(30))
      const error = failureOf(yield* Fiber.join(fiber))
      expect(error._tag).toBe("IntervalsWriteUnconfirmed")
      expect(error.message).toContain("no answer within 2000 ms")
      expect(error.message).toContain("may or may not have been saved")
      expect(error.message).not.toMatch(/after \d+ attempts|after retries/)
      expect(http.requests).toHaveLength(1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("retries a POST answered 429, which the server did not process", () => {
    const { http, layer } = setup((_, attempt) =>
      attempt === 1 ? jsonResponse({ status: 429 }, 429, { "retry-after": "1" }) : jsonResponse({ id: 1 })
    )
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(post)
      yield* TestClock.adjust(Duration.seconds(2))
      expect(yield* Fiber.join(fiber)).toEqual({ id: 1 })
      expect(http.requests).toHaveLength(2)
      expect(http.requests[1]!.method).toBe("POST")
    }).pipe(Effect.provide(layer))
  })

  it.effect("times out each attempt and stops at the overall deadline", () => {
    const { http, layer } = setup(() => "never", {
      requestTimeout: Duration.seconds(1),
      deadline: Duration.millis(2500)
    })
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.exit(getActivity))
      yield* TestClock.adjust(Duration.seconds(10))
      expect(failureOf(yield* Fiber.join(fiber))._tag).toBe("IntervalsTimeout")
      expect(http.requests.length).toBeGreaterThanOrEqual(2)
      expect(http.requests.length).toBeLessThanOrEqual(3)
    }).pipe(Effect.provide(layer))
  })
})

describe("IntervalsClient read cache and pacing", () => {
  const event = { id: 7, start_date_local: "2026-11-30T00:00:00", category: "WORKOUT", name: "x" }
  const byPath = (request: { url: string; method: string }): Answer => {
    const path = new URL(request.url).pathname
    if (path.endsWith("/events") && request.method === "GET") return jsonResponse([event])
    if (path.endsWith("/events")) return jsonResponse(event)
    return jsonResponse({ ...activity, id: path.split("/").at(-1) })
  }
  const listEvents = Effect.flatMap(IntervalsClient, (client) =>
    client.events(AthleteId.make("i1"), LocalDate.make("2026-11-01"), LocalDate.make("2026-11-30")))
  const getActivityById = (id: string) => Effect.flatMap(IntervalsClient, (client) => client.activity(ActivityId.make(id)))

  it.effect("answers a repeated read from the cache until it goes stale", () => {
    const { http, layer } = setup(byPath)
    return Effect.gen(function*() {
      yield* getActivity
      yield* getActivity
      expect(http.requests).toHaveLength(1)
      yield* TestClock.adjust(Duration.minutes(6))
      yield* getActivity
      expect(http.requests).toHaveLength(2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("coalesces identical reads in flight into one request", () => {
    const { http, layer } = setup(() => ({ after: "200 millis", response: jsonResponse(activity) }))
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.all(Array.from({ length: 20 }, () => getActivity), { concurrency: "unbounded" }))
      yield* TestClock.adjust(Duration.millis(300))
      const results = yield* Fiber.join(fiber)
      expect(results).toHaveLength(20)
      expect(new Set(results.map((r) => r.id))).toEqual(new Set(["i42"]))
      expect(http.requests).toHaveLength(1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("forgets cached events after a write to the calendar, and only those", () => {
    const { http, layer } = setup(byPath)
    return Effect.gen(function*() {
      yield* listEvents
      yield* getActivity
      yield* Effect.flatMap(IntervalsClient, (client) => client.createEvent(AthleteId.make("i1"), { name: "y" }))
      yield* listEvents
      yield* getActivity
      expect(http.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
        "GET /api/v1/athlete/i1/events",
        "GET /api/v1/activity/i42",
        "POST /api/v1/athlete/i1/events",
        "GET /api/v1/athlete/i1/events"
      ])
    }).pipe(Effect.provide(layer))
  })

  it.effect("does not cache with INTERVALS_CACHE=off", () => {
    const { http, layer } = setup(byPath, { cache: false })
    return Effect.gen(function*() {
      yield* getActivity
      yield* getActivity
      expect(http.requests).toHaveLength(2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("paces every request through one limiter (a burst of one: evenly spaced)", () => {
    const { http, layer } = setup(byPath, { rateLimit: 5, rateBurst: 1 })
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(
        Effect.all(Array.from({ length: 20 }, (_, i) => getActivityById(`i${i}`)), { concurrency: "unbounded" })
      )
      // 5 per second, evenly: one every 200 ms, never a burst.
      yield* TestClock.adjust(Duration.millis(10))
      expect(http.requests).toHaveLength(1)
      yield* TestClock.adjust(Duration.millis(1000))
      expect(http.requests).toHaveLength(6)
      yield* TestClock.adjust(Duration.seconds(3))
      expect(yield* Fiber.join(fiber)).toHaveLength(20)
      expect(http.requests).toHaveLength(20)
    }).pipe(Effect.provide(layer))
  })
})

describe("IntervalsClient pacing (INTERVALS_RATE_LIMIT, INTERVALS_RATE_BURST)", () => {
  // Each request a different activity, so that no read is shared or cached.
  const byPath = (request: { url: string }): Answer =>
    jsonResponse({ ...activity, id: new URL(request.url).pathname.split("/").at(-1) })
  const read = (id: string) => Effect.flatMap(IntervalsClient, (client) => client.activity(ActivityId.make(id)))
  const burst = (n: number, from = 0) =>
    Effect.fork(Effect.all(Array.from({ length: n }, (_, i) => read(`i${from + i}`)), { concurrency: "unbounded" }))

  it.effect("never delays a lone call, or a burst up to the bucket", () => {
    const { http, layer } = setup(byPath, { rateLimit: 10, rateBurst: 15 })
    return Effect.gen(function*() {
      // A lone call: answered with no time passing at all.
      yield* read("i-lone")
      expect(http.requests).toHaveLength(1)
      const fiber = yield* burst(14)
      yield* TestClock.adjust(Duration.millis(1))
      expect(http.requests).toHaveLength(15)
      expect(yield* Fiber.join(fiber)).toHaveLength(14)
    }).pipe(Effect.provide(layer))
  })

  it.effect("spaces a long burst at the rate once the bucket is empty, and refills it while idle", () => {
    const { http, layer } = setup(byPath, { rateLimit: 10, rateBurst: 15 })
    return Effect.gen(function*() {
      const fiber = yield* burst(35)
      yield* TestClock.adjust(Duration.millis(1))
      expect(http.requests).toHaveLength(15)
      // Then one every 100 ms.
      yield* TestClock.adjust(Duration.millis(100))
      expect(http.requests).toHaveLength(16)
      yield* TestClock.adjust(Duration.millis(900))
      expect(http.requests).toHaveLength(25)
      yield* TestClock.adjust(Duration.seconds(1))
      expect(http.requests).toHaveLength(35)
      expect(yield* Fiber.join(fiber)).toHaveLength(35)
      // Idle for 1.5 s: the bucket is full again, and the next burst goes at once.
      yield* TestClock.adjust(Duration.millis(1500))
      const next = yield* burst(15, 100)
      yield* TestClock.adjust(Duration.millis(1))
      expect(http.requests).toHaveLength(50)
      yield* Fiber.join(next)
    }).pipe(Effect.provide(layer))
  })

  it.effect("keeps under Intervals.icu's published limits by default: at most 30 in any second, 132 in any 10", () => {
    const { http, layer } = setup(byPath, { rateLimit: 10, rateBurst: 15 })
    return Effect.gen(function*() {
      const fiber = yield* burst(200)
      const counts: Array<number> = []
      for (let t = 0; t <= 12_000; t += 50) {
        yield* TestClock.adjust(Duration.millis(50))
        counts.push(http.requests.length)
      }
      const most = (windowMs: number) =>
        Math.max(...counts.map((n, i) => n - (counts[i - windowMs / 50] ?? 0)))
      expect(most(1000)).toBeLessThanOrEqual(30)
      expect(most(10_000)).toBeLessThanOrEqual(132)
      yield* TestClock.adjust(Duration.seconds(10))
      yield* Fiber.join(fiber)
    }).pipe(Effect.provide(layer))
  })
})

describe("IntervalsClient against a loose or hostile upstream", () => {
  const athlete = AthleteId.make("i1")
  const post = Effect.flatMap(IntervalsClient, (client) => client.createEvent(athlete, { name: "x" }))
  const gear = (body: unknown) => {
    const { http, layer } = setup(() => jsonResponse(body))
    return { http, run: Effect.provide(Effect.flatMap(IntervalsClient, (client) => client.gear(athlete)), layer) }
  }

  it.effect("answers a whole list when one item has an odd field, and drops only an item it cannot identify", () => {
    const { run } = gear([
      { id: "b1", name: "Bike", retired: false, distance: "1200" },
      { name: "No id at all" },
      { id: "g2", name: "Shoes", retired: "2026-01-01" }
    ])
    return Effect.gen(function*() {
      const list = yield* run
      expect(list.map((g) => g.id)).toEqual(["b1", "g2"])
      expect(list[0]).toMatchObject({ name: "Bike", distance: 1200 })
      expect(list[0]!.retired).toBeUndefined()
      expect(list[1]!.retired).toBe("2026-01-01")
    })
  })

  it.effect("keeps ids above 2^53 exact", () => {
    const { layer } = setup(() =>
      new Response(`[{"id": 12345678901234567890, "start_date_local": "2026-11-30T00:00:00", "name": "big"}]`, {
        status: 200,
        headers: { "content-type": "application/json" }
      })
    )
    return Effect.gen(function*() {
      const client = yield* IntervalsClient
      const events = yield* client.events(athlete, LocalDate.make("2026-11-01"), LocalDate.make("2026-11-30"))
      expect(events[0]!.id).toBe("12345678901234567890")
    }).pipe(Effect.provide(layer))
  })

  it.effect("refuses an answer whose declared length is over the limit without reading it", () => {
    const { layer } = setup(
      () => new Response("[]", { status: 200, headers: { "content-type": "application/json", "content-length": "99999999" } }),
      { maxResponseBytes: 1024 * 1024 }
    )
    return Effect.gen(function*() {
      const error = failureOf(yield* Effect.exit(getActivity))
      expect(error._tag).toBe("IntervalsTooLarge")
      expect(error.message).toMatch(/larger than the 1 MiB this server reads \(INTERVALS_MAX_RESPONSE_BYTES\).*Ask for less/)
    }).pipe(Effect.provide(layer))
  })

  it.effect("stops reading a streamed answer as soon as it passes the limit", () => {
    let pulled = 0
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled++
        controller.enqueue(new Uint8Array(64 * 1024).fill(32))
        if (pulled > 1000) controller.close()
      }
    })
    const { layer } = setup(() => new Response(body, { status: 200 }), { maxResponseBytes: 256 * 1024 })
    return Effect.gen(function*() {
      const error = failureOf(yield* Effect.exit(getActivity))
      expect(error._tag).toBe("IntervalsTooLarge")
      expect(pulled).toBeLessThan(20)
    }).pipe(Effect.provide(layer))
  })

  it.effect("says a write answered with an unreadable body may or may not have been saved", () => {
    const { http, layer } = setup(() => new Response("<html>oops</html>", { status: 200 }))
    return Effect.gen(function*() {
      const error = failureOf(yield* Effect.exit(post))
      expect(error._tag).toBe("IntervalsWriteUnconfirmed")
      expect(error.message).toMatch(/not JSON.*may or may not have been saved/)
      expect(http.requests).toHaveLength(1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("says how many attempts a read took, and a write none", () => {
    const { layer } = setup(() => jsonResponse({ status: 503 }, 503))
    return Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.exit(getActivity))
      yield* TestClock.adjust(Duration.seconds(30))
      expect(failureOf(yield* Fiber.join(fiber)).message).toMatch(/^503: Intervals.icu failed to answer after 4 attempts/)
      const write = failureOf(yield* Effect.exit(post))
      expect(write.message).toMatch(/HTTP 503/)
      expect(write.message).not.toMatch(/attempts|retries/)
    }).pipe(Effect.provide(layer))
  })

  it.effect("says where a redirect points, and which 404s are about an id", () => {
    return Effect.gen(function*() {
      const redirect = setup(() => new Response("", { status: 302, headers: { location: "https://intervals.icu/login" } }))
      const moved = failureOf(yield* Effect.exit(Effect.provide(getActivity, redirect.layer)))
      expect(moved.message).toMatch(/redirected GET \/activity\/i42 to https:\/\/intervals.icu\/login/)
      const missing = setup(() => jsonResponse({ status: 404 }, 404))
      const one = failureOf(yield* Effect.exit(Effect.provide(getActivity, missing.layer)))
      expect(one.message).toContain("Check the id")
      const list = failureOf(yield* Effect.exit(Effect.provide(
        Effect.flatMap(IntervalsClient, (client) => client.gear(athlete)),
        missing.layer
      )))
      expect(list.message).not.toContain("Check the id")
      expect(list.message).toContain("INTERVALS_API_BASE_URL")
    })
  })

  it.effect("cancelling one of two callers of a shared read leaves the other its answer", () => {
    const { http, layer } = setup(() => ({ after: "1 second", response: jsonResponse(activity) }))
    return Effect.gen(function*() {
      const first = yield* Effect.fork(getActivity)
      const second = yield* Effect.fork(getActivity)
      yield* TestClock.adjust(Duration.millis(100))
      yield* Fiber.interrupt(first)
      yield* TestClock.adjust(Duration.seconds(1))
      expect((yield* Fiber.join(second)).id).toBe("i42")
      expect(http.requests).toHaveLength(1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("aborts a shared read when every caller has gone, and starts afresh after", () => {
    const { http, layer } = setup((_, attempt) => (attempt === 1 ? "never" : jsonResponse(activity)))
    return Effect.gen(function*() {
      const callers = yield* Effect.forEach([1, 2, 3], () => Effect.fork(getActivity))
      yield* TestClock.adjust(Duration.millis(100))
      yield* Effect.forEach(callers, Fiber.interrupt)
      expect((yield* getActivity).id).toBe("i42")
      expect(http.requests).toHaveLength(2)
    }).pipe(Effect.provide(layer))
  })

  it.effect("keeps a hanging endpoint to its own share of connections", () => {
    const { http, layer } = setup((request) =>
      new URL(request.url).pathname.endsWith("/wellness") ? "never" : jsonResponse(activity)
    )
    return Effect.gen(function*() {
      const client = yield* IntervalsClient
      const hanging = yield* Effect.fork(Effect.all(
        Array.from({ length: 20 }, (_, i) => client.wellness(athlete, LocalDate.make("2026-11-01"), LocalDate.make(`2026-11-${String(i + 2).padStart(2, "0")}`))),
        { concurrency: "unbounded" }
      ))
      yield* TestClock.adjust(Duration.millis(10))
      expect((yield* getActivity).id).toBe("i42")
      const sent = http.requests.filter((r) => new URL(r.url).pathname.endsWith("/wellness"))
      expect(sent).toHaveLength(PER_ENDPOINT)
      yield* Fiber.interrupt(hanging)
    }).pipe(Effect.provide(layer))
  })
})

describe("IntervalsClient over a real socket, against an upstream whose body is not what its length says", () => {
  /** An upstream on loopback that answers every request with `respond` written straight to the socket. */
  const rawUpstream = (respond: (socket: Socket) => void) =>
    Effect.acquireRelease(
      Effect.promise(() =>
        new Promise<Server>((resolve) => {
          const server = createServer((socket) => {
            socket.once("data", () => respond(socket))
            socket.on("error", () => undefined)
          })
          server.listen(0, "127.0.0.1", () => resolve(server))
        })
      ),
      (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
    )
  const against = (server: Server, timeouts = { requestTimeout: Duration.millis(300), deadline: Duration.millis(1500) }) =>
    IntervalsClient.Default.pipe(
      Layer.provide(NodeHttpClient.layerWithoutAgent.pipe(Layer.provide(NodeHttpClient.makeAgentLayer({ keepAlive: true })))),
      Layer.provide(AppConfig.Test({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`,
        apiKey: "secret-key",
        ...timeouts,
        cache: false,
        rateLimit: 0
      }))
    )
  const head = (length: number) =>
    `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`

  it.live("a body cut short of its declared length fails its attempt at once, not at the request timeout", () =>
    Effect.gen(function*() {
      let attempts = 0
      const server = yield* rawUpstream((socket) => {
        attempts++
        socket.end(head(5000) + "{\"id\": \"i42\", \"na")
      })
      const timeouts = { requestTimeout: Duration.seconds(2), deadline: Duration.seconds(6) }
      const error = failureOf(yield* Effect.exit(Effect.provide(getActivity, against(server, timeouts))))
      // Every attempt (the first and its retries) ended when the connection did, with a network error: had each waited
      // for its 2 s timeout, the 6 s deadline would have ended the call sooner, as a timeout.
      expect(error._tag).toBe("IntervalsNetworkError")
      expect(attempts).toBe(MAX_RETRIES + 1)
    }).pipe(Effect.scoped))

  it.live("a body of declared length sent too slowly times out at the request timeout", () =>
    Effect.gen(function*() {
      const server = yield* rawUpstream((socket) => {
        socket.write(head(2000) + "{\"id\": \"i42\"")
        // A byte now and then, never the whole body: only the timeout ends it.
        const drip = setInterval(() => socket.write(" "), 50)
        socket.on("close", () => clearInterval(drip))
        setTimeout(() => socket.destroy(), 5000).unref()
      })
      const error = failureOf(yield* Effect.exit(Effect.provide(getActivity, against(server))))
      expect(error._tag).toBe("IntervalsTimeout")
    }).pipe(Effect.scoped))

  it.live("a body of declared length, whole, is read and decoded", () =>
    Effect.gen(function*() {
      const body = JSON.stringify(activity)
      const server = yield* rawUpstream((socket) => socket.write(head(Buffer.byteLength(body)) + body))
      const value = yield* Effect.provide(getActivity, against(server))
      expect(value.name).toBe("Tempo")
    }).pipe(Effect.scoped))
})
