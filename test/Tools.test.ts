import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { AthleteId, LocalDate } from "../src/domain/Ids.js"
import { callTool, listing } from "../src/McpServer.js"
import { AthleteCalendar } from "../src/services/AthleteCalendar.js"
import { allTools as tools } from "../src/tools/Registry.js"
import { jsonResponse, queryOf } from "./support/MockHttp.js"
import { servicesOver } from "./support/ToolServices.js"

const athlete = (timezone: string) => ({ id: "i123456", name: "Test", timezone })

const setup = servicesOver

const tool = (name: string) => tools.find((t) => t.name === name)!
const text = (result: { content: Array<{ type: string; text?: string }> }) => result.content[0]?.text ?? ""

describe("AthleteCalendar", () => {
  it.effect("computes today in the athlete's timezone, not the server's, and reads the profile once", () => {
    const { http, layer } = setup(() => jsonResponse(athlete("Pacific/Kiritimati")))
    return Effect.gen(function*() {
      // 20:00 UTC on 10 March is already 11 March at UTC+14.
      yield* TestClock.setTime(Date.parse("2026-03-10T20:00:00Z"))
      const calendar = yield* AthleteCalendar
      expect(yield* calendar.today(AthleteId.make("i123456"))).toBe("2026-03-11")
      expect(yield* calendar.today(AthleteId.make("i123456"))).toBe("2026-03-11")
      expect(http.requests).toHaveLength(1)
    }).pipe(Effect.provide(layer))
  })

  it.effect("is a day behind UTC for an athlete west of Greenwich late in the UTC day", () => {
    const { layer } = setup(() => jsonResponse(athlete("America/Los_Angeles")))
    return Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-07-01T03:00:00Z"))
      expect(yield* Effect.flatMap(AthleteCalendar, (c) => c.today(AthleteId.make("i123456")))).toBe("2026-06-30")
    }).pipe(Effect.provide(layer))
  })

  it.effect("does not cache a failed profile read", () => {
    let calls = 0
    const { http, layer } = setup(() =>
      ++calls === 1 ? jsonResponse({ status: 403, error: "Access denied" }, 403) : jsonResponse(athlete("UTC"))
    )
    return Effect.gen(function*() {
      const calendar = yield* AthleteCalendar
      const first = yield* Effect.either(calendar.today(AthleteId.make("i123456")))
      expect(first._tag).toBe("Left")
      yield* calendar.today(AthleteId.make("i123456"))
      expect(http.requests).toHaveLength(2)
    }).pipe(Effect.provide(layer))
  })
})

describe("tool inputs", () => {
  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ["get_activities", { start_date: "2026-02-30" }, /start_date: expected a real calendar date as YYYY-MM-DD/],
    ["get_activities", { start_date: "26-01-01" }, /start_date: expected a real calendar date/],
    ["get_activities", { limit: 0 }, /limit: expected a whole number from 1 to 500, got 0/],
    ["get_activities", { limit: "10" }, /limit: expected a whole number from 1 to 500, got "10"/],
    ["get_activities", { api_key: "k" }, /api_key: unknown parameter; get_activities accepts athlete_id/],
    ["get_activities", { athlete_id: "../0" }, /athlete_id: expected an athlete id/],
    [
      "get_activities",
      { start_date: "2026-03-10", end_date: "2026-03-01" },
      /end_date: expected a date on or after start_date \(2026-03-10\)/
    ],
    ["get_activity_details", {}, /activity_id: required parameter is missing/],
    ["get_activity_details", { activity_id: "i1/../../athlete/0" }, /activity_id: expected an activity id/],
    ["get_activity_details", { activity_id: "i1%2F" }, /activity_id: expected an activity id/],
    ["get_activity_intervals", { activity_id: "x".repeat(10_000) }, /activity_id: expected an activity id/],
    ["get_event_by_id", { event_id: "12/delete" }, /event_id/],
    ["get_event_by_id", { event_id: -3 }, /event_id/],
    ["get_wellness_data", { include_all_fields: "yes" }, /include_all_fields: expected true or false, got "yes"/]
  ]
  for (const [name, args, message] of refused) {
    it.effect(`${name} refuses ${JSON.stringify(args).slice(0, 60)} before any request`, () => {
      const { http, layer } = setup(() => jsonResponse({}))
      return Effect.gen(function*() {
        const result = yield* callTool(tool(name), args)
        expect(result.isError).toBe(true)
        expect(text(result as never)).toMatch(message)
        expect(text(result as never)).toContain("nothing was sent to Intervals.icu")
        expect(http.requests).toHaveLength(0)
      }).pipe(Effect.provide(layer))
    })
  }

  it("advertises self-contained JSON Schemas with titles, annotations and short descriptions", () => {
    for (const t of tools) {
      const listed = listing(t)
      expect(listed.inputSchema.type).toBe("object")
      expect(listed.outputSchema?.type).toBe("object")
      expect(JSON.stringify(listed)).not.toContain("api_key")
      // Every $ref points into the schema's own $defs.
      const refs = [...JSON.stringify(listed.inputSchema).matchAll(/"\$ref":"#\/\$defs\/([^"]+)"/g)].map((m) => m[1]!)
      const defs = (listed.inputSchema as { $defs?: Record<string, unknown> }).$defs ?? {}
      for (const ref of refs) expect(defs).toHaveProperty(ref)
      expect(JSON.stringify(listed.outputSchema)).not.toContain("$ref")
      expect(listed.description!.length).toBeLessThan(1800)
      expect(listed.title).toBeTruthy()
      expect(typeof listed.annotations?.readOnlyHint).toBe("boolean")
      expect(listed.annotations?.openWorldHint).toBe(true)
      if (listed.annotations?.readOnlyHint === false) {
        expect(typeof listed.annotations.destructiveHint).toBe("boolean")
        expect(typeof listed.annotations.idempotentHint).toBe("boolean")
        expect(listed.description).toMatch(/INTERVALS_WRITE_MODE/)
      }
    }
  })
})

describe("get_activities", () => {
  it.effect("keeps only activities inside the window, even when the API sends more", () => {
    const { layer } = setup((path) =>
      path.endsWith("/activities")
        ? jsonResponse([
          { id: "i3", name: "Late", type: "Run", start_date_local: "2026-03-11T06:00:00" },
          { id: "i2", name: "Inside", type: "Run", start_date_local: "2026-03-09T06:00:00", average_speed: 3.333 },
          { id: "i1", name: "Before", type: "Run", start_date_local: "2026-02-27T06:00:00" }
        ])
        : jsonResponse({}, 404)
    )
    return Effect.gen(function*() {
      const result = yield* callTool(tool("get_activities"), { start_date: "2026-03-01", end_date: "2026-03-10" })
      expect(result.isError).toBeUndefined()
      const structured = result.structuredContent as { activities: Array<{ id: string; average_pace?: string }> }
      expect(structured.activities.map((a) => a.id)).toEqual(["i2"])
      expect(structured.activities[0]!.average_pace).toBe("5:00 /km")
      expect(text(result as never)).toContain("1 activity from 2026-03-01 to 2026-03-10")
      expect(text(result as never)).not.toMatch(/None|N\/A|undefined|null|NaN/)
    }).pipe(Effect.provide(layer))
  })

  it.effect("defaults to the 30 days up to the athlete's today", () => {
    const { http, layer } = setup((path) =>
      path.endsWith("/activities") ? jsonResponse([]) : jsonResponse(athlete("Pacific/Kiritimati"))
    )
    return Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-03-10T20:00:00Z"))
      const result = yield* callTool(tool("get_activities"), {})
      expect(result.structuredContent).toMatchObject({ start_date: "2026-02-09", end_date: "2026-03-11" })
      const query = queryOf(http.requests[1]!)
      expect(query.get("oldest")).toBe("2026-02-09")
      expect(query.get("newest")).toBe("2026-03-11T23:59:59")
    }).pipe(Effect.provide(layer))
  })

  it.effect("structured output always decodes with the declared output schema", () => {
    const { layer } = setup((path) =>
      path.endsWith("/activities")
        ? jsonResponse([{
          id: "s1",
          source: "STRAVA",
          _note: "STRAVA activities are not available via the API",
          start_date_local: "2026-03-08T19:00:00"
        }, {
          id: "i2",
          name: null,
          type: "Swim",
          start_date_local: "2026-03-09T06:00:00",
          distance: 1500,
          moving_time: 1800,
          icu_average_watts: null
        }])
        : jsonResponse(athlete("UTC"))
    )
    return Effect.gen(function*() {
      const result = yield* callTool(tool("get_activities"), {
        start_date: LocalDate.make("2026-03-01"),
        include_unnamed: true
      })
      const decoded = Schema.decodeUnknownSync(tool("get_activities").output)(result.structuredContent)
      expect(decoded).toBeDefined()
      expect(text(result as never)).toContain("2:00 /100m")
      expect(text(result as never)).toContain("synced from Strava")
    }).pipe(Effect.provide(layer))
  })
})
