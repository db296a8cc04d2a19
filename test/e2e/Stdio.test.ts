/**
 * The built server, spawned over stdio and driven by the MCP SDK's Client, against the fake Intervals.icu. The SDK
 * Client checks every `structuredContent` against the tool's declared `outputSchema`, so each successful call here
 * is also a check of that contract.
 */
import type { CallToolResult } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { addDays, API_KEY, ATHLETE_ID, localToday, POWER_RIDE_ID, STRAVA_ID, TIMEZONE } from "../fake/Fixtures.js"
import { type Connected, connectStdio, textOf } from "../support/StdioServer.js"

let fake: FakeIntervals
let server: Connected

const call = async (name: string, args: Record<string, unknown> = {}) =>
  (await server.client.callTool({ name, arguments: args })) as CallToolResult


beforeAll(async () => {
  fake = await startFakeIntervals()
  server = await connectStdio({ API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl, LOG_LEVEL: "Debug" })
})

afterAll(async () => {
  await server?.close()
  await fake?.close()
})

beforeEach(() => {
  fake.requests.length = 0
  fake.faults.length = 0
})

describe("stdio server against the fake Intervals.icu", () => {
  it("lists the core tools with the old server's names and parameters, and no api_key", async () => {
    const { tools } = await server.client.listTools()
    expect(tools.map((t) => t.name)).toEqual(expect.arrayContaining([
      "get_activities",
      "get_activity_details",
      "get_activity_intervals",
      "get_wellness_data",
      "get_events",
      "get_event_by_id"
    ]))
    const params = Object.fromEntries(tools.map((t) => [t.name, Object.keys(t.inputSchema.properties ?? {})]))
    expect(params["get_activities"]).toEqual(["athlete_id", "start_date", "end_date", "limit", "include_unnamed"])
    expect(params["get_wellness_data"]).toEqual(["athlete_id", "start_date", "end_date", "include_all_fields"])
    expect(params["get_events"]).toEqual(["athlete_id", "start_date", "end_date"])
    expect(params["get_event_by_id"]).toEqual(["event_id", "athlete_id"])
    for (const tool of tools) {
      expect(tool.outputSchema).toBeDefined()
      expect(tool.annotations?.readOnlyHint, tool.name).toBe(/^(get|list|search|validate|export)_/.test(tool.name))
    }
    expect(JSON.stringify(tools)).not.toContain("api_key")
  })

  it("get_activities defaults to the last 30 days in the athlete's timezone and lists newest first", async () => {
    const today = localToday(TIMEZONE)
    const result = await call("get_activities")
    expect(result.isError).toBeFalsy()
    const request = fake.requests.find((r) => r.path.endsWith("/activities"))!
    expect(request.query).toMatchObject({ oldest: addDays(today, -30), newest: `${today}T23:59:59` })
    expect(request.query["fields"]!.split(",")).toEqual(expect.arrayContaining(["id", "name", "start_date_local", "source"]))
    expect(request.auth).toBe("valid")
    expect(request.userAgent).toMatch(/^intervals-mcp\//)

    const out = result.structuredContent as {
      start_date: string
      end_date: string
      total_in_window: number
      unnamed_hidden: number
      activities: Array<{ id: string; start_date_local?: string; strava_stub?: boolean; name?: string }>
    }
    expect(out).toMatchObject({ start_date: addDays(today, -30), end_date: today, unnamed_hidden: 1 })
    expect(out.activities).toHaveLength(10)
    expect(out.activities[0]!.id).toBe(POWER_RIDE_ID)
    const starts = out.activities.map((a) => a.start_date_local!)
    expect([...starts].sort().reverse()).toEqual(starts)
    for (const start of starts) expect(start.slice(0, 10) >= addDays(today, -30)).toBe(true)

    const text = textOf(result)
    expect(text.split("\n")[0]).toMatch(/^\d+ activities from .* \(showing the 10 most recent; raise limit for more\):$/)
    expect(text).toContain("Sortie vélo — Col de la Croix-de-Fer ⛰️")
    expect(text).toContain("Утренний бег")
    expect(text).toMatch(/Strava activity \(no data via the API\) · id 16358453283/)
    expect(text).toContain("cannot share Strava data through its API")
    expect(text).toMatch(/1 unnamed activity hidden/)
    expect(text).not.toMatch(/\bNone\b|N\/A|undefined|null|NaN/)
  })

  it("get_activities honours an explicit window, limit and include_unnamed", async () => {
    const today = localToday(TIMEZONE)
    const result = await call("get_activities", {
      start_date: addDays(today, -4),
      end_date: addDays(today, -1),
      limit: 50,
      include_unnamed: true
    })
    const out = result.structuredContent as { activities: Array<{ id: string; start_date_local: string }> }
    const expected = fake.fixtures.activities
      .filter((a) => a.start_date_local.slice(0, 10) >= addDays(today, -4) && a.start_date_local.slice(0, 10) < today)
      .map((a) => a.id)
    expect(out.activities.map((a) => a.id).sort()).toEqual(expected.sort())
    expect(out.activities.map((a) => a.id)).toContain("i90000099")
  })

  it("get_activity_details renders units and leaves missing values out", async () => {
    const result = await call("get_activity_details", { activity_id: POWER_RIDE_ID })
    expect(result.isError).toBeFalsy()
    expect(result.structuredContent).toMatchObject({
      id: POWER_RIDE_ID,
      name: "Sweet Spot 3×12",
      average_watts: 201,
      normalized_watts: 228,
      work_kj: 828.3,
      ftp_watts: 290,
      paired_event_id: 123780516
    })
    expect(result.structuredContent).not.toHaveProperty("calories_kcal")
    expect(result.structuredContent).not.toHaveProperty("device")
    const text = textOf(result)
    expect(text).toContain("828.3 kJ")
    expect(text).toContain("201 W avg · 228 W NP · 290 W FTP")
    expect(text).toContain("36.21 km")
    expect(text).not.toMatch(/\bNone\b|N\/A|undefined|null|NaN/)
    expect(fake.requests.map((r) => r.path)).toEqual([`/api/v1/activity/${POWER_RIDE_ID}`])
  })

  it("get_activity_details says plainly that a Strava activity cannot be read", async () => {
    const result = await call("get_activity_details", { activity_id: STRAVA_ID })
    expect(result.isError).toBeFalsy()
    expect(result.structuredContent).toMatchObject({ id: STRAVA_ID, strava_stub: true, source: "STRAVA" })
    expect(textOf(result)).toMatch(/Intervals\.icu cannot share Strava activities through its API/)
  })

  it("get_activity_intervals lists one line per interval with power, HR and groups", async () => {
    const result = await call("get_activity_intervals", { activity_id: POWER_RIDE_ID })
    const out = result.structuredContent as { intervals: Array<{ type: string; average_watts: number }>; groups: [] }
    expect(out.intervals).toHaveLength(8)
    expect(out.intervals.filter((i) => i.type === "WORK").map((i) => i.average_watts)).toEqual([244, 270, 264])
    const lines = textOf(result).split("\n")
    expect(lines[0]).toContain(`Intervals of Ride "Sweet Spot 3×12"`)
    expect(lines[0]).toContain("8 intervals")
    expect(lines[2]).toMatch(/^#2 WORK · 12:09-24:12 · 12m03s · .* 244 W avg, 250 W NP · 84% · Z3 · HR 140 bpm avg · 84 rpm/)
    // A group's line gives the time of one rep and the total of its reps.
    expect(lines).toContain("3 × 12m01s (total 36m04s) · 259 W avg · HR 145 bpm avg")
  })

  it("get_activity_intervals on a Strava activity explains why there is nothing", async () => {
    const result = await call("get_activity_intervals", { activity_id: STRAVA_ID })
    expect(result.isError).toBe(true)
    expect(textOf(result)).toMatch(/422.*Cannot read Strava activities via the API.*cannot share Strava data/s)
  })

  it("get_wellness_data shows fitness, fatigue, form, HRV and sleep per day, oldest first", async () => {
    const today = localToday(TIMEZONE)
    const result = await call("get_wellness_data", { start_date: addDays(today, -6), end_date: today })
    const out = result.structuredContent as { days: Array<{ date: string; form_tsb?: number; other?: unknown }> }
    expect(out.days.map((d) => d.date)).toEqual([6, 5, 4, 3, 2, 1, 0].map((n) => addDays(today, -n)))
    expect(out.days.every((d) => d.other === undefined)).toBe(true)
    const lines = textOf(result).split("\n")
    // A heading, the columns once, a row a day with its weekday, what the days hold in all, and how to get the rest.
    expect(lines).toHaveLength(11)
    expect(lines[1]).toMatch(/^day fitness\(CTL\) fatigue\(ATL\) form\(TSB\) ramp\(CTL\/week\) HRV\(ms\) /)
    expect(lines[2]).toMatch(/^[A-Z][a-z]{2} \d{4}-\d{2}-\d{2} [\d.]+ [\d.]+ -?[\d.]+ -?[\d.]+ ([\d.]+|-) /)
    expect(lines[9]).toMatch(/^7 days: /)
    expect(lines[10]).toMatch(/^include_all_fields=true adds/)
    const all = await call("get_wellness_data", { start_date: today, include_all_fields: true })
    expect((all.structuredContent as { days: Array<{ other?: Record<string, unknown> }> }).days[0]!.other)
      .toHaveProperty("ctlLoad")
  })

  it("get_events defaults to today and the next 30 days and lists the calendar in order", async () => {
    const today = localToday(TIMEZONE)
    const result = await call("get_events")
    expect(fake.requests.find((r) => r.path.endsWith("/events"))!.query).toEqual({
      oldest: today,
      newest: addDays(today, 30)
    })
    const out = result.structuredContent as { events: Array<{ id: number; category: string; name: string }> }
    expect(out.events.map((e) => e.category)).toEqual(["WORKOUT", "WORKOUT", "NOTE", "WORKOUT", "RACE_A"])
    expect(out.events.map((e) => e.name)).toContain("Récupération active — Zone 2")
    expect(textOf(result)).toMatch(/ id 50010 RACE_A "Spring Classic 120km" 3h30m, 120 km, load 210 — A race/)
  })

  it("get_event_by_id reads /athlete/{id}/events/{eventId} and shows the parsed workout", async () => {
    const result = await call("get_event_by_id", { event_id: "123780516" })
    expect(fake.requests.map((r) => r.path)).toEqual([`/api/v1/athlete/${ATHLETE_ID}/events/123780516`])
    expect(result.structuredContent).toMatchObject({
      id: 123780516,
      workout_steps: [
        "- Warm-up 12m 160-205 W",
        "3x:",
        "  - SST — hold cadence 85 plus 12m 255-275 W",
        "  - Recovery 4m 160 W",
        "- Cooldown 10m 145 W"
      ]
    })
    expect(textOf(result)).toContain("Parsed steps (1h10m):\n- Warm-up 12m 160-205 W\n3x:\n")
  })

  it("a foreign athlete's 403 becomes an actionable error", async () => {
    const result = await call("get_events", { athlete_id: "i999", start_date: "2026-01-01", end_date: "2026-01-02" })
    expect(result.isError).toBe(true)
    expect(textOf(result)).toMatch(/403 Forbidden: Intervals\.icu denied access to athlete i999 .*does not share .*list_athletes/)
  })

  it("an unknown event is a 404 that says to list events first", async () => {
    const result = await call("get_event_by_id", { event_id: 999 })
    expect(result.isError).toBe(true)
    expect(textOf(result)).toMatch(/404 Not Found.*list activities or events first/)
  })

  it("bad arguments are refused with the parameter named and no upstream request", async () => {
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ["get_activities", { start_date: "2026-02-30" }, /start_date: expected a real calendar date/],
      ["get_activities", { api_key: "secret" }, /api_key: unknown parameter/],
      ["get_activity_details", { activity_id: "../athlete/0" }, /activity_id: expected an activity id/],
      ["get_event_by_id", { event_id: "1?x=2" }, /event_id/],
      ["get_wellness_data", { start_date: "2026-05-02", end_date: "2026-05-01" }, /end_date: expected a date on or after/]
    ]
    for (const [name, args, message] of cases) {
      const result = await call(name, args)
      expect(result.isError).toBe(true)
      expect(textOf(result)).toMatch(message)
    }
    expect(fake.requests).toHaveLength(0)
  })

  it("retries a 429 after its Retry-After and succeeds", async () => {
    fake.faults.push({
      match: (r) => r.path.endsWith("/wellness"),
      times: 1,
      status: 429,
      headers: { "retry-after": "1" }
    })
    const result = await call("get_wellness_data", { start_date: "2026-01-01", end_date: "2026-01-02" })
    expect(result.isError).toBeFalsy()
    const tries = fake.requests.filter((r) => r.path.endsWith("/wellness"))
    expect(tries).toHaveLength(2)
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(950)
  })

  it("a persistent 500 becomes an error after bounded retries, and the next call works", async () => {
    // An activity not read before in this file, so that no cached answer hides the fault.
    fake.faults.push({ match: (r) => r.path.includes("/activity/"), status: 500 })
    const failed = await call("get_activity_details", { activity_id: "i90000004" })
    expect(failed.isError).toBe(true)
    expect(textOf(failed)).toMatch(/500: Intervals\.icu failed to answer.*try again/)
    expect(textOf(failed)).not.toMatch(/\n\s+at /)
    expect(fake.requests).toHaveLength(4)
    fake.faults.length = 0
    // The failure was not cached.
    expect((await call("get_activity_details", { activity_id: "i90000004" })).isError).toBeFalsy()
  })

  it("never writes the Intervals.icu key to its logs", () => {
    expect(server.stderr()).toContain("serving MCP over stdio")
    expect(server.stderr()).not.toContain(API_KEY)
    expect(server.stderr()).not.toContain(Buffer.from(`API_KEY:${API_KEY}`).toString("base64"))
  })
})
