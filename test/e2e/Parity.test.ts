/**
 * The rest of the old server's tools, over stdio against the fake Intervals.icu: each answer, and for every write the
 * exact method, path and JSON body the fake received.
 */
import type { CallToolResult } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { addDays, API_KEY, ATHLETE_ID, localToday, POWER_RIDE_ID, STRAVA_ID, TIMEZONE } from "../fake/Fixtures.js"
import { type Connected, connectStdio, textOf } from "../support/StdioServer.js"

let fake: FakeIntervals
const servers: Partial<Record<"safe" | "full" | "read-only", Connected>> = {}

const server = async (mode: "safe" | "full" | "read-only") =>
  (servers[mode] ??= await connectStdio({
    API_KEY,
    ATHLETE_ID,
    INTERVALS_API_BASE_URL: fake.baseUrl,
    INTERVALS_WRITE_MODE: mode
  }))

const call = async (name: string, args: Record<string, unknown> = {}, mode: "safe" | "full" | "read-only" = "safe") =>
  (await (await server(mode)).client.callTool({ name, arguments: args })) as CallToolResult

const writes = () => fake.requests.filter((r) => r.method !== "GET").map((r) => ({ method: r.method, path: r.path, body: r.body }))

beforeAll(async () => {
  fake = await startFakeIntervals()
})
afterAll(async () => {
  for (const connected of Object.values(servers)) {
    expect(connected.stderr()).not.toContain(API_KEY)
    await connected.close()
  }
  await fake?.close()
})
beforeEach(() => {
  fake.requests.length = 0
  fake.faults.length = 0
})

const today = () => localToday(TIMEZONE)
const EVENTS = `/api/v1/athlete/${ATHLETE_ID}/events`

describe("write modes", () => {
  it("read-only registers no tool that writes", async () => {
    const { tools } = await (await server("read-only")).client.listTools()
    expect(tools.length).toBeGreaterThan(10)
    expect(tools.every((t) => t.annotations?.readOnlyHint === true)).toBe(true)
    expect(tools.map((t) => t.name)).not.toContain("delete_event")
    const { tools: all } = await (await server("safe")).client.listTools()
    expect(all.map((t) => t.name)).toEqual(expect.arrayContaining([
      "add_or_update_event",
      "add_or_update_note",
      "delete_event",
      "delete_events_by_date_range",
      "create_custom_item",
      "update_custom_item",
      "delete_custom_item",
      "add_activity_message"
    ]))
    for (const tool of all.filter((t) => t.name.startsWith("delete_"))) {
      expect(tool.annotations).toMatchObject({ readOnlyHint: false, destructiveHint: true, idempotentHint: true })
    }
  })
})

describe("activity streams and comments", () => {
  it("summarises streams with statistics and a downsampled series", async () => {
    const result = await call("get_activity_streams", { activity_id: POWER_RIDE_ID, max_points: 10 })
    expect(fake.requests[0]!.query["types"]).toBe("time,watts,heartrate,cadence,altitude,distance,velocity_smooth")
    const out = result.structuredContent as {
      streams: Array<{ type: string; count: number; min: number; max: number; mean: number; series: Array<number> }>
    }
    const raw = fake.fixtures.streams(POWER_RIDE_ID).find((s) => s.type === "watts").data as Array<number>
    const watts = out.streams.find((s) => s.type === "watts")!
    expect(watts.count).toBe(raw.length)
    expect(watts.min).toBe(Math.min(...raw))
    expect(watts.max).toBe(Math.max(...raw))
    expect(watts.mean).toBeCloseTo(raw.reduce((a, b) => a + b, 0) / raw.length, 1)
    expect(watts.series).toHaveLength(10)
    expect(watts.series[0]).toBe(raw[0])
    expect(watts.series[9]).toBe(raw.at(-1))
    expect(out.streams.map((s) => s.type).sort()).toEqual(["cadence", "heartrate", "time", "watts"])
    expect(textOf(result)).toMatch(/^watts: \d+ samples, min \d+, max \d+, mean [\d.]+, NP \d+ W$/m)
    const full = await call("get_activity_streams", { activity_id: POWER_RIDE_ID, stream_types: "watts", full: true })
    expect((full.structuredContent as { streams: Array<{ data: Array<number> }> }).streams[0]!.data).toEqual(raw)
  })

  it("reads comments and posts one with exactly its content", async () => {
    const before = await call("get_activity_messages", { activity_id: POWER_RIDE_ID })
    expect(textOf(before)).toContain("Coach Sam · Solid reps")
    const posted = await call("add_activity_message", { activity_id: POWER_RIDE_ID, content: "Merci coach — noté ✅" })
    expect(posted.isError).toBeFalsy()
    expect(writes()).toEqual([{
      method: "POST",
      path: `/api/v1/activity/${POWER_RIDE_ID}/messages`,
      body: { content: "Merci coach — noté ✅" }
    }])
    const after = await call("get_activity_messages", { activity_id: POWER_RIDE_ID })
    expect((after.structuredContent as { messages: Array<unknown> }).messages).toHaveLength(2)
  })

  it("says why a Strava activity has no streams", async () => {
    const result = await call("get_activity_streams", { activity_id: STRAVA_ID })
    expect(result.isError).toBe(true)
    expect(textOf(result)).toMatch(/Strava/)
  })
})

describe("planned workouts", () => {
  const workout = {
    steps: [
      { warmup: true, duration: 600, ramp: true, power: { units: "%ftp", start: 50, end: 75 } },
      {
        text: "Main Set",
        reps: 3,
        steps: [
          { duration: 720, power: { units: "%ftp", start: 88, end: 93 }, cadence: { units: "rpm", start: 85, end: 95 } },
          { duration: 240, power: { units: "%ftp", value: 55 } }
        ]
      },
      { cooldown: true, duration: 600, power: { units: "%ftp", value: 50 } }
    ]
  }
  const text = "Warmup\n- 10m ramp 50-75%\n\nMain Set 3x\n- 12m 88-93% 85-95rpm\n- 4m 55%\n\nCooldown\n- 10m 50%"

  it("creates a workout from workout_doc, sends its text, and reports what Intervals.icu parsed", async () => {
    const date = addDays(today(), 3)
    const result = await call("add_or_update_event", {
      workout_type: "Ride",
      name: "Sweet spot 3×12",
      start_date: date,
      workout_doc: workout
    })
    expect(result.isError).toBeFalsy()
    expect(writes()).toEqual([{
      method: "POST",
      path: EVENTS,
      body: { category: "WORKOUT", start_date_local: `${date}T00:00:00`, type: "Ride", name: "Sweet spot 3×12", description: text }
    }])
    const created = result.structuredContent as { event: { id: number }; parsed_steps: number; workout_text: string }
    expect(created.workout_text).toBe(text)
    expect(created.parsed_steps).toBe(4)
    expect(fake.requests.at(-1)).toMatchObject({ method: "GET", path: `${EVENTS}/${created.event.id}` })
    expect(textOf(result)).toMatch(/^Created event \d+: .*"Sweet spot 3×12"/)
    expect(textOf(result)).toMatch(/Intervals\.icu parsed 4 steps, 1h08m(, load \d+)?:/)
  })

  it("an update that names only name sends only name, keeping date, category and workout", async () => {
    const original = fake.fixtures.events.find((e) => e.id === 50001)!
    const result = await call("add_or_update_event", { event_id: 50001, name: "Zone 2, easy" })
    expect(writes()).toEqual([{ method: "PUT", path: `${EVENTS}/50001`, body: { name: "Zone 2, easy" } }])
    expect(result.structuredContent).toMatchObject({
      action: "updated",
      event: { id: 50001, name: "Zone 2, easy", category: "WORKOUT", start_date_local: original.start_date_local }
    })
  })

  it("uses the athlete's today for a create without start_date", async () => {
    await call("add_or_update_event", { workout_type: "Run", name: "Easy run", category: "WORKOUT", moving_time: 2700 })
    expect(writes()[0]!.body).toMatchObject({ start_date_local: `${today()}T00:00:00`, moving_time: 2700, type: "Run" })
  })

  it("refuses a workout it cannot write, before sending anything", async () => {
    const result = await call("add_or_update_event", {
      workout_type: "Ride",
      name: "Bad",
      workout_doc: { steps: [{ text: "go hard for 5m", duration: 300, power: { units: "w", value: 300 } }] }
    })
    expect(result.isError).toBe(true)
    expect(textOf(result)).toMatch(/workout_doc\.steps\[0\]\.text: cue text .* would read as a duration/)
    expect(fake.requests).toHaveLength(0)
  })

  it("is an error, not a success, when Intervals.icu parsed no steps", async () => {
    fake.faults.push({
      match: (r) => r.method === "GET" && /\/events\/\d+$/.test(r.path),
      times: 1,
      status: 200,
      body: JSON.stringify({
        id: 99,
        start_date_local: `${today()}T00:00:00`,
        category: "WORKOUT",
        name: "Unparsed",
        description: "- ???",
        workout_doc: { steps: [], duration: 0 }
      })
    })
    const result = await call("add_or_update_event", { workout_type: "Ride", name: "Unparsed", workout_doc: workout })
    expect(result.isError).toBe(true)
    expect(textOf(result)).toMatch(/saved event 99 .* but parsed no workout steps.*update event 99/s)
  })

  it("a POST answered 500 is not retried and says the write may have happened", async () => {
    fake.faults.push({ match: (r) => r.method === "POST", status: 500 })
    const result = await call("add_or_update_event", { workout_type: "Ride", name: "Flaky", workout_doc: workout })
    expect(result.isError).toBe(true)
    expect(textOf(result)).toMatch(/may or may not have been saved/)
    expect(fake.requests.filter((r) => r.method === "POST")).toHaveLength(1)
  })

  it("writes a note with category NOTE", async () => {
    const date = addDays(today(), 9)
    const result = await call("add_or_update_note", { name: "Race week", description: "Taper: keep it short", start_date: date, color: "#ff8800" })
    expect(result.isError).toBeFalsy()
    expect(writes()).toEqual([{
      method: "POST",
      path: EVENTS,
      body: { category: "NOTE", start_date_local: `${date}T00:00:00`, name: "Race week", description: "Taper: keep it short", color: "#ff8800" }
    }])
  })
})

describe("deletes", () => {
  const addEvent = (id: number, date: string, category = "WORKOUT") =>
    fake.fixtures.events.push({ id, start_date_local: `${date}T00:00:00`, category, type: "Ride", name: `Event ${id}` })

  it("safe mode deletes a future event but never a past one", async () => {
    addEvent(81, addDays(today(), 1))
    addEvent(82, addDays(today(), -1))
    const future = await call("delete_event", { event_id: 81 })
    expect(future.isError).toBeFalsy()
    expect(writes()).toEqual([{ method: "DELETE", path: `${EVENTS}/81`, body: undefined }])
    fake.requests.length = 0
    const past = await call("delete_event", { event_id: 82 })
    expect(past.isError).toBe(true)
    expect(textOf(past)).toMatch(/Not deleted: .* before today .* INTERVALS_WRITE_MODE=full/)
    expect(writes()).toEqual([])
    expect(fake.fixtures.events.some((e) => e.id === 82)).toBe(true)
  })

  it("full mode deletes a past event", async () => {
    addEvent(83, addDays(today(), -2))
    const result = await call("delete_event", { event_id: 83 }, "full")
    expect(result.isError).toBeFalsy()
    expect(writes()).toEqual([{ method: "DELETE", path: `${EVENTS}/83`, body: undefined }])
  })

  it("a range delete in safe mode needs categories, previews without confirm, and keeps the past", async () => {
    const start = addDays(today(), -5)
    const end = addDays(today(), 40)
    addEvent(91, addDays(today(), -3), "NOTE")
    addEvent(92, addDays(today(), 33), "NOTE")
    addEvent(93, addDays(today(), 34), "NOTE")

    const refused = await call("delete_events_by_date_range", { start_date: start, end_date: end })
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toMatch(/category: required in safe mode/)
    expect(fake.requests).toHaveLength(0)

    const preview = await call("delete_events_by_date_range", { start_date: start, end_date: end, category: ["NOTE"] })
    expect(preview.structuredContent).toMatchObject({ preview: true, deleted_count: 0 })
    expect(writes()).toEqual([])
    const previewed = (preview.structuredContent as { events: Array<{ id: number }> }).events.map((e) => e.id)
    expect(previewed).toEqual(expect.arrayContaining([92, 93]))
    expect(previewed).not.toContain(91)

    const done = await call("delete_events_by_date_range", { start_date: start, end_date: end, category: ["NOTE"], confirm: true })
    expect(done.structuredContent).toMatchObject({ preview: false, kept_past: [{ id: 91 }] })
    const bulk = writes()
    expect(bulk).toHaveLength(1)
    expect(bulk[0]).toMatchObject({ method: "PUT", path: `${EVENTS}/bulk-delete` })
    expect((bulk[0]!.body as Array<{ id: number }>).map((d) => d.id).sort()).toEqual(previewed.sort())
    expect(fake.fixtures.events.some((e) => e.id === 91)).toBe(true)
    expect(fake.fixtures.events.some((e) => e.id === 92)).toBe(false)
  })
})

describe("custom items", () => {
  it("lists, reads, creates, updates only what was given, and deletes", async () => {
    const list = await call("get_custom_items")
    expect(textOf(list)).toMatch(/9101 · ACTIVITY_FIELD · "Efficiency \(W\/bpm\)" · PRIVATE/)
    const one = await call("get_custom_item_by_id", { item_id: 9101 })
    expect(one.structuredContent).toMatchObject({ content: JSON.stringify({ code: "icu_average_watts / average_heartrate", units: "W/bpm" }) })

    const bad = await call("create_custom_item", { name: "X", item_type: "ACTIVITY_FIELD", content: "{not json" })
    expect(bad.isError).toBe(true)
    expect(textOf(bad)).toMatch(/content: expected a JSON object as text/)
    const wrongType = await call("create_custom_item", { name: "X", item_type: "WIDGET", content: "{}" })
    expect(textOf(wrongType)).toMatch(/item_type/)
    expect(writes()).toEqual([])

    const created = await call("create_custom_item", {
      name: "Decoupling",
      item_type: "ACTIVITY_FIELD",
      content: "{\"code\": \"decoupling\"}"
    })
    const id = (created.structuredContent as { id: number }).id
    expect(writes()).toEqual([{
      method: "POST",
      path: `/api/v1/athlete/${ATHLETE_ID}/custom-item`,
      body: { name: "Decoupling", type: "ACTIVITY_FIELD", content: { code: "decoupling" }, visibility: "PRIVATE" }
    }])
    fake.requests.length = 0
    await call("update_custom_item", { item_id: id, name: "Aerobic decoupling" })
    expect(writes()).toEqual([{
      method: "PUT",
      path: `/api/v1/athlete/${ATHLETE_ID}/custom-item/${id}`,
      body: { name: "Aerobic decoupling" }
    }])
    fake.requests.length = 0
    const deleted = await call("delete_custom_item", { item_id: id })
    expect(textOf(deleted)).toContain("Aerobic decoupling")
    expect(writes()).toEqual([{ method: "DELETE", path: `/api/v1/athlete/${ATHLETE_ID}/custom-item/${id}`, body: undefined }])
  })
})

describe("power curves and gear", () => {
  it("reads the best power at the asked durations, with W/kg and the activity that set it", async () => {
    const result = await call("get_athlete_power_curves", {
      durations: [5, 60, 300, 1200],
      include_normalised: true,
      start_date: "2023-01-01",
      end_date: "2026-12-31"
    })
    expect(fake.requests.map((r) => r.query)).toEqual([{ type: "Ride", curves: "r.2023-01-01.2026-12-31" }])
    const curve = (result.structuredContent as { curves: Array<{ points: Array<unknown> }> }).curves[0]!
    expect(curve.points).toEqual([
      { secs: 5, watts: 1220, watts_per_kg: 19.06, activity_id: "i139976465" },
      { secs: 60, watts: 540, watts_per_kg: 8.44, activity_id: "i138455224" },
      { secs: 300, watts: 410, watts_per_kg: 6.41, activity_id: "i169089818" },
      { secs: 1200, watts: 360, watts_per_kg: 5.62, activity_id: "i176162268" }
    ])
    expect(textOf(result)).toContain("20m 360 W · 5.62 W/kg · activity i176162268")
    fake.requests.length = 0
    await call("get_athlete_power_curves", { this_season: true, activity_type: "VirtualRide" })
    expect(fake.requests[0]!.query).toEqual({ type: "VirtualRide", curves: "s0" })
  })

  it("lists gear with distances and reminders, and reads it once for a while", async () => {
    const first = await call("get_gear_list")
    expect(textOf(first)).toMatch(/Bike "Road bike" · 1353\.2 km · 30\.4 h · 22 activities · reminders: Wax chain 58% used/)
    await call("get_gear_list")
    expect(fake.requests.filter((r) => r.path.endsWith("/gear"))).toHaveLength(1)
  })
})
