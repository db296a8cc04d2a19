/**
 * The fault matrix: every read tool under every way Intervals.icu misbehaves, and every write tool under the faults
 * that could double a write. The built server runs over stdio with short timeouts (so that the suite is quick) and
 * no cache or pacing (so that every call reaches the fake).
 */
import type { CallToolResult } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type Fault, type FakeIntervals, type LoggedRequest, startFakeIntervals } from "../fake/FakeIntervals.js"
import { addDays, API_KEY, ATHLETE_ID, localToday, TIMEZONE } from "../fake/Fixtures.js"
import { type Connected, connectStdio, textOf } from "../support/StdioServer.js"

let fake: FakeIntervals
let server: Connected

beforeAll(async () => {
  fake = await startFakeIntervals()
  server = await connectStdio({
    API_KEY,
    ATHLETE_ID,
    INTERVALS_API_BASE_URL: fake.baseUrl,
    INTERVALS_CACHE: "off",
    INTERVALS_RATE_LIMIT: "0",
    INTERVALS_REQUEST_TIMEOUT_MS: "400",
    INTERVALS_DEADLINE_MS: "2500",
    INTERVALS_WRITE_MODE: "full"
  })
})

afterAll(async () => {
  expect(server.stderr()).not.toContain(API_KEY)
  expect(server.stderr()).not.toContain(Buffer.from(`API_KEY:${API_KEY}`).toString("base64"))
  await server?.close()
  await fake?.close()
})

const call = async (name: string, args: Record<string, unknown>) =>
  (await server.client.callTool({ name, arguments: args })) as CallToolResult

/** What every answer must be, success or failure: no stack trace, no placeholder, no markup. */
const clean = (result: CallToolResult) => {
  const text = textOf(result)
  expect(text).not.toMatch(/\n\s+at |\bundefined\b|\[object Object\]|<html|<body/i)
  return text
}

const today = localToday(TIMEZONE)
const A = `/api/v1/athlete/${ATHLETE_ID}`

interface ReadCase {
  readonly tool: string
  readonly args: Record<string, unknown>
  /** The upstream requests this tool makes, which the faults hit. */
  readonly path: RegExp
  /** Query parameters that tell this tool's requests from another's on the same path (tools run concurrently). */
  readonly query?: Readonly<Record<string, string>>
  /** Where in the JSON a number is turned into a string, naming the field the error must name. */
  readonly numberField: { readonly field: string; readonly set: (body: any) => void }
  /** A list inside the JSON set to null: tolerated where the API documents it nullable. */
  readonly nullList: (body: any) => void
}

const reads: Array<ReadCase> = [
  {
    tool: "get_activities",
    args: { start_date: addDays(today, -10), end_date: today },
    path: new RegExp(`^${A}/activities$`),
    numberField: { field: "moving_time", set: (b) => (b[0].moving_time = "1h05") },
    nullList: (b) => (b[0].interval_summary = null)
  },
  {
    tool: "get_activity_details",
    args: { activity_id: "i90000002" },
    path: /^\/api\/v1\/activity\/i90000002$/,
    numberField: { field: "average_heartrate", set: (b) => (b.average_heartrate = "145bpm") },
    nullList: (b) => (b.icu_hr_zone_times = null)
  },
  {
    tool: "get_activity_intervals",
    args: { activity_id: "i90000003" },
    path: /^\/api\/v1\/activity\/i90000003\/intervals$/,
    numberField: { field: "average_heartrate", set: (b) => (b.icu_intervals[0].average_heartrate = "fast") },
    nullList: (b) => (b.icu_groups = null)
  },
  {
    tool: "get_activity_streams",
    args: { activity_id: "i90000004" },
    path: /^\/api\/v1\/activity\/i90000004\/streams$/,
    numberField: { field: "data", set: (b) => (b[0].data[0] = "zero") },
    nullList: (b) => (b[0].data = null)
  },
  {
    tool: "get_activity_messages",
    args: { activity_id: "i170317118" },
    path: /^\/api\/v1\/activity\/i170317118\/messages$/,
    numberField: { field: "id", set: (b) => (b[0].id = "801a") },
    nullList: (b) => (b[0].content = null)
  },
  {
    tool: "get_wellness_data",
    args: { start_date: addDays(today, -5), end_date: today },
    path: new RegExp(`^${A}/wellness$`),
    numberField: { field: "ctl", set: (b) => (b[0].ctl = "high") },
    nullList: (b) => (b[0].sportInfo = null)
  },
  {
    tool: "get_events",
    args: { start_date: today, end_date: addDays(today, 30) },
    path: new RegExp(`^${A}/events$`),
    numberField: { field: "moving_time", set: (b) => (b[0].moving_time = "1h") },
    nullList: (b) => (b[0].tags = null)
  },
  {
    tool: "get_event_by_id",
    args: { event_id: 50010 },
    path: new RegExp(`^${A}/events/50010$`),
    numberField: { field: "distance", set: (b) => (b.distance = "120km") },
    nullList: (b) => (b.tags = null)
  },
  {
    tool: "get_custom_items",
    args: {},
    path: new RegExp(`^${A}/custom-item$`),
    numberField: { field: "id", set: (b) => (b[0].id = "x9101") },
    nullList: (b) => (b[0].content = null)
  },
  {
    tool: "get_custom_item_by_id",
    args: { item_id: 9102 },
    path: new RegExp(`^${A}/custom-item/9102$`),
    numberField: { field: "usage_count", set: (b) => (b.usage_count = "three") },
    nullList: (b) => (b.content = null)
  },
  {
    tool: "get_athlete_power_curves",
    args: { start_date: "2023-01-01", end_date: "2026-12-31" },
    path: new RegExp(`^${A}/power-curves$`),
    numberField: { field: "secs", set: (b) => (b.list[0].secs[0] = "1s") },
    nullList: (b) => (b.list[0].watts_per_kg = null)
  },
  {
    tool: "get_gear_list",
    args: {},
    path: new RegExp(`^${A}/gear$`),
    numberField: { field: "distance", set: (b) => (b[0].distance = "1353 km") },
    nullList: (b) => (b[0].reminders = null)
  },
  {
    tool: "get_athlete_profile",
    args: {},
    path: new RegExp(`^${A}$`),
    numberField: { field: "icu_weight", set: (b) => (b.icu_weight = "69kg") },
    nullList: (b) => (b.sportSettings = null)
  },
  {
    tool: "list_athletes",
    args: {},
    path: /^\/api\/v1\/athletes$/,
    numberField: { field: "id", set: (b) => (b[1].id = "i654321x") },
    nullList: (b) => (b[1].timezone = null)
  },
  {
    tool: "get_fitness",
    args: { start_date: addDays(today, -20) },
    path: new RegExp(`^${A}/wellness$`),
    query: { oldest: addDays(today, -20) },
    numberField: { field: "ctl", set: (b) => (b[0].ctl = "high") },
    nullList: (b) => (b[0].sportInfo = null)
  },
  {
    tool: "get_training_summary",
    args: {},
    path: new RegExp(`^${A}/athlete-summary(\\.json)?$`),
    numberField: { field: "training_load", set: (b) => (b[0].training_load = "high") },
    nullList: (b) => (b[0].byCategory = null)
  },
  {
    tool: "get_athlete_curves",
    args: { kind: "hr" },
    path: new RegExp(`^${A}/hr-curves(\\.json)?$`),
    numberField: { field: "secs", set: (b) => (b.list[0].secs[0] = "1s") },
    nullList: (b) => (b.list[0].activity_id = null)
  },
  {
    tool: "get_activity_analysis",
    args: { activity_id: "i170317118", include: ["histograms", "intervals"] },
    path: /^\/api\/v1\/activity\/i170317118\/power-histogram$/,
    numberField: { field: "secs", set: (b) => (b[0].secs = "zero") },
    nullList: (b) => (b[0].start = null)
  },
  {
    tool: "search_activities",
    args: { query: "a" },
    path: new RegExp(`^${A}/activities/search$`),
    numberField: { field: "distance", set: (b) => (b[0].distance = "120km") },
    nullList: (b) => (b[0].tags = null)
  },
  {
    tool: "get_weather_forecast",
    args: {},
    path: new RegExp(`^${A}/weather-forecast$`),
    numberField: { field: "wind_speed", set: (b) => (b.forecasts[0].daily[0].wind_speed = "fast") },
    nullList: (b) => (b.forecasts[0].daily = null)
  }
]

const matcher = (c: ReadCase) => (r: LoggedRequest) =>
  c.path.test(r.path) && Object.entries(c.query ?? {}).every(([key, value]) => r.query[key] === value)
const hits = (c: ReadCase) => fake.requests.filter(matcher(c))
/** Faults by the tool they were injected for, so that tools running concurrently never clear each other's. */
const injected = new Map<ReadCase, Fault>()
const inject = (c: ReadCase, fault: Omit<Fault, "match">) => {
  const full: Fault = { ...fault, match: matcher(c) }
  injected.set(c, full)
  fake.faults.push(full)
}
const clear = (c: ReadCase) => {
  const fault = injected.get(c)
  if (fault !== undefined) fake.faults.splice(fake.faults.indexOf(fault), 1)
  injected.delete(c)
}

/**
 * Tools whose endpoint other tools read too (the profile, wellness, events, activities: fitness reads wellness and
 * events, curves and the weather read the profile): a fault injected for one would reach the other if they ran side
 * by side, so these run after the rest, one at a time.
 */
const SHARED_PATH = new Set([
  "get_athlete_profile",
  "get_wellness_data",
  "get_fitness",
  "get_events",
  "get_activities",
  "get_training_summary"
])

const underEveryFault = (c: ReadCase) =>
  async () => {
      const step = async (name: string, fault: Omit<Fault, "match"> | undefined, check: (r: CallToolResult, tries: Array<LoggedRequest>) => void) => {
        const before = hits(c).length
        if (fault) inject(c, fault)
        const result = await call(c.tool, c.args)
        clear(c)
        try {
          check(result, hits(c).slice(before))
        } catch (error) {
          throw new Error(`${c.tool} under "${name}": ${(error as Error).message}\nanswer: ${textOf(result)}`)
        }
        // And the next call is answered normally.
        const next = await call(c.tool, c.args)
        expect(next.isError, `${c.tool} after "${name}": ${textOf(next)}`).toBeFalsy()
      }

      await step("no fault", undefined, (r) => {
        expect(r.isError).toBeFalsy()
        clean(r)
      })
      await step("429 with Retry-After: 1, then success", { times: 1, status: 429, headers: { "retry-after": "1" } }, (r, tries) => {
        expect(r.isError).toBeFalsy()
        expect(tries.length).toBeGreaterThanOrEqual(2)
        expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(950)
      })
      await step("503 twice, then success", { times: 2, status: 503 }, (r, tries) => {
        expect(r.isError).toBeFalsy()
        expect(tries).toHaveLength(3)
      })
      await step("500 always", { status: 500 }, (r, tries) => {
        expect(r.isError).toBe(true)
        expect(clean(r)).toMatch(/500: Intervals\.icu failed to answer .*try again in a minute/)
        expect(tries).toHaveLength(4)
      })
      await step("502 with an HTML body", {
        status: 502,
        headers: { "content-type": "text/html" },
        body: "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"
      }, (r) => {
        expect(r.isError).toBe(true)
        expect(clean(r)).toMatch(/502: Intervals\.icu failed to answer \(502 Bad Gateway/)
      })
      await step("connection reset mid-response", { partial: "[{\"id\": \"i9" }, (r, tries) => {
        expect(r.isError).toBe(true)
        expect(clean(r)).toMatch(/Could not reach Intervals\.icu|did not answer within/)
        expect(tries.length).toBeGreaterThanOrEqual(2)
      })
      await step("slower than the request timeout", { delayMs: 1500 }, (r, tries) => {
        expect(r.isError).toBe(true)
        expect(clean(r)).toMatch(/did not answer within (400|2500) ms/)
        expect(tries.length).toBeGreaterThanOrEqual(2)
      })
      await step("truncated JSON", { status: 200, body: "{\"id\": \"i90000001\", \"name\": \"Long Ri" }, (r) => {
        expect(r.isError).toBe(true)
        expect(clean(r)).toMatch(/sent an answer this server could not read/)
      })
      // The API is looser than its specification: one odd value is left out (or read as the number it spells), and
      // the rest of the answer is given.
      await step("a number field holding text", {
        mutate: (body) => {
          c.numberField.set(body)
          return body
        }
      }, (r) => {
        expect(r.isError).toBeFalsy()
        clean(r)
        // The odd value itself is not passed on as if it were data (an id of any text is still an id).
        if (c.numberField.field !== "id") {
          expect(JSON.stringify(r.structuredContent)).not.toMatch(/"(1h05|145bpm|fast|zero|high|1h|120km|three|1s|1353 km)"/)
        }
      })
      await step("a list field holding null", {
        mutate: (body) => {
          c.nullList(body)
          return body
        }
      }, (r) => {
        expect(r.isError).toBeFalsy()
        clean(r)
      })
  }

describe.concurrent("every read tool under every fault", () => {
  for (const c of reads.filter((c) => !SHARED_PATH.has(c.tool))) it(c.tool, underEveryFault(c), 60_000)
})

describe("every read tool under every fault, on an endpoint other tools read too", () => {
  for (const c of reads.filter((c) => SHARED_PATH.has(c.tool))) it(c.tool, underEveryFault(c), 60_000)
})

interface WriteCase {
  readonly tool: string
  /** The arguments; a preview first, where the write needs its token. */
  readonly args: () => Record<string, unknown> | Promise<Record<string, unknown>>
  readonly method: string
}

let counter = 0
/** The arguments with the token of their preview, for the writes that write only what was previewed. */
const previewed = async (tool: string, args: Record<string, unknown>) => {
  const preview = await call(tool, args)
  return { ...args, dry_run: false, token: (preview.structuredContent as { token: string }).token }
}

const workout = { steps: [{ duration: 600, power: { units: "%ftp", value: 60 } }] }
let nextEvent = 95_000
const futureEvent = () => {
  const id = nextEvent++
  fake.fixtures.events.push({ id, start_date_local: `${addDays(today, 2)}T00:00:00`, category: "NOTE", name: `N${id}` })
  return id
}

const writeCases: Array<WriteCase> = [
  { tool: "add_or_update_event", method: "POST", args: () => ({ workout_type: "Ride", name: "Tempo", workout_doc: workout }) },
  { tool: "add_or_update_event", method: "PUT", args: () => ({ event_id: futureEvent(), name: "Renamed" }) },
  { tool: "add_or_update_note", method: "POST", args: () => ({ name: "Note", description: "Text" }) },
  { tool: "delete_event", method: "DELETE", args: () => ({ event_id: futureEvent() }) },
  {
    tool: "delete_events_by_date_range",
    method: "PUT",
    args: () => {
      futureEvent()
      return { start_date: addDays(today, 2), end_date: addDays(today, 2), category: ["NOTE"], confirm: true }
    }
  },
  { tool: "add_activity_message", method: "POST", args: () => ({ activity_id: "i90000005", content: "Nice" }) },
  { tool: "create_custom_item", method: "POST", args: () => ({ name: "F", item_type: "INPUT_FIELD", content: "{}" }) },
  { tool: "update_custom_item", method: "PUT", args: () => ({ item_id: 9101, name: "Renamed" }) },
  { tool: "delete_custom_item", method: "DELETE", args: () => ({ item_id: 9102 }) },
  {
    tool: "add_events_bulk",
    method: "POST",
    args: () =>
      previewed("add_events_bulk", {
        events: [{ date: addDays(today, 3), name: `Bulk ${++counter}`, workout_type: "Ride", text: "- 30m 65%" }]
      })
  },
  {
    tool: "move_events",
    method: "PUT",
    args: () => {
      // A day of its own for each call, so that only this event moves.
      const day = addDays(today, 10 + 3 * ++counter)
      fake.fixtures.events.push({ id: nextEvent++, start_date_local: `${day}T00:00:00`, category: "NOTE", name: "Move me" })
      return previewed("move_events", { start_date: day, end_date: day, days: 1, category: ["NOTE"] })
    }
  },
  {
    tool: "save_library_workout",
    method: "POST",
    args: () => ({ folder_id: 30001, name: `Lib ${++counter}`, workout_type: "Ride", text: "- 20m 70%" })
  },
  { tool: "update_activity", method: "PUT", args: () => ({ activity_id: "i90000006", name: `Renamed ${++counter}` }) },
  { tool: "update_wellness", method: "PUT", args: () => ({ weight_kg: 60 + (++counter % 20) }) },
  { tool: "update_sport_settings", method: "PUT", args: () => ({ sport: "Ride", ftp_watts: 200 + (++counter % 50) }) },
  {
    tool: "delete_library_workout",
    method: "DELETE",
    args: () => {
      const id = 2_290_000 + ++counter
      fake.fixtures.folders![0]!.children.push({ id, name: `Doomed ${id}`, type: "Ride", folder_id: 30001 })
      return { workout_id: id }
    }
  },
  {
    tool: "delete_activity",
    method: "DELETE",
    args: () => {
      const id = `i9700${++counter}`
      fake.fixtures.activities.push({ ...fake.fixtures.activities[3], id })
      return { activity_id: id }
    }
  }
]

describe("writes are never doubled", () => {
  const writesOf = (method: string, from: number) => fake.requests.slice(from).filter((r) => r.method === method)
  for (const c of writeCases) {
    it(`${c.tool} (${c.method})`, async () => {
      for (const [name, fault] of [["500", { status: 500 }], ["a timeout", { delayMs: 1500 }]] as const) {
        const from = fake.requests.length
        const args = await c.args()
        fake.faults.push({ ...fault, match: (r) => r.method === c.method })
        const result = await call(c.tool, args)
        fake.faults.length = 0
        expect(result.isError, `${name}: ${textOf(result)}`).toBe(true)
        expect(clean(result)).toMatch(/may or may not have been saved.*read the data back/)
        expect(writesOf(c.method, from)).toHaveLength(1)
      }
      const from = fake.requests.length
      const args = await c.args()
      fake.faults.push({ match: (r) => r.method === c.method, times: 1, status: 429, headers: { "retry-after": "1" } })
      const result = await call(c.tool, args)
      fake.faults.length = 0
      expect(result.isError, textOf(result)).toBeFalsy()
      const tries = writesOf(c.method, from)
      expect(tries).toHaveLength(2)
      expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(950)
    }, 30_000)
  }
})
