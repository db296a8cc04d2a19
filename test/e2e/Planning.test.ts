/**
 * Planning and logging on the built server over stdio against the fake Intervals.icu: a plan previewed, written,
 * written again without doubling, and undone; moves and copies; the workout library and its files; changes to an
 * activity, a wellness day and a sport's settings, each answered before → after and undone; and what safe mode
 * leaves out. The fake's request log says what reached Intervals.icu.
 */
import type { CallToolResult } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { addDays, API_KEY, ATHLETE_ID, POWER_RIDE_ID } from "../fake/Fixtures.js"
import { type Connected, connectStdio, textOf } from "../support/StdioServer.js"

let fake: FakeIntervals
let safe: Connected
let full: Connected

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any

const caller = (server: () => Connected) => async (name: string, args: Record<string, unknown> = {}) =>
  (await server().client.callTool({ name, arguments: args })) as CallToolResult
const call = caller(() => safe)
const callFull = caller(() => full)

const ok = (result: CallToolResult): Any => {
  expect(result.isError, textOf(result)).toBeFalsy()
  return result.structuredContent
}

const writes = () => fake.requests.filter((r) => r.method !== "GET")
const today = () => fake.fixtures.today

beforeAll(async () => {
  fake = await startFakeIntervals()
  const env = { API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl }
  safe = await connectStdio(env)
  full = await connectStdio({ ...env, INTERVALS_WRITE_MODE: "full" })
})
afterAll(async () => {
  await safe?.close()
  await full?.close()
  await fake?.close()
})
beforeEach(() => {
  fake.requests.length = 0
  fake.faults.length = 0
})

const plan = () => [
  { date: addDays(today(), 8), name: "Endurance", workout_type: "Ride", text: "- 10m ramp 50-70%\n- 1h 65-72%" },
  {
    date: addDays(today(), 10),
    name: "Threshold",
    workout_type: "Ride",
    workout_doc: { steps: [{ reps: 3, steps: [{ duration: 600, power: { units: "%ftp", value: 98 } }, { duration: 300, power: { units: "%ftp", value: 55 } }] }] }
  },
  { date: addDays(today(), 12), name: "Long run", workout_type: "Run", text: "- 400m Z2 HR" },
  { date: addDays(today(), 12), name: "Travel", category: "NOTE", text: "Flight home" }
]

describe("add_events_bulk", () => {
  it("previews without writing, writes exactly the preview with its token, and writes again without doubling", async () => {
    const before = fake.fixtures.events.length
    const preview = ok(await call("add_events_bulk", { events: plan() }))
    expect(writes()).toHaveLength(0)
    expect(preview.preview).toBe(true)
    expect(preview.events.map((e: Any) => e.action)).toEqual(["create", "create", "create", "create"])
    expect(preview.events[0]).toMatchObject({ weekday: expect.stringMatching(/day$/), steps: 2, duration_s: 4200 })
    // 3 × (10 min at 98% + 5 min at 55%) and a 400-minute run: the checker says what went wrong.
    expect(preview.events[1].load).toBeGreaterThan(0)
    expect(preview.events[2].problems[0]).toMatch(/"400m" is 400 minutes/)
    expect(preview.projection.at_end.date).toBe(addDays(today(), 12))
    expect(preview.load_by_day.map((d: Any) => d.date)).toEqual([8, 10, 12].map((n) => addDays(today(), n)))

    const refused = await call("add_events_bulk", { events: plan().slice(0, 3), dry_run: false, token: preview.token })
    expect(textOf(refused)).toMatch(/token: the token does not match these arguments/)
    expect(await call("add_events_bulk", { events: plan(), dry_run: false }).then(textOf)).toMatch(/needs the token/)
    expect(writes()).toHaveLength(0)

    const written = ok(await call("add_events_bulk", { events: plan(), dry_run: false, token: preview.token }))
    expect(written.written).toBe(4)
    expect(writes().map((r) => `${r.method} ${r.path.replace("/api/v1", "")} ${r.query["upsert"]}`)).toEqual([
      `POST /athlete/${ATHLETE_ID}/events/bulk true`
    ])
    expect(fake.fixtures.events.length).toBe(before + 4)

    const again = ok(await call("add_events_bulk", { events: plan() }))
    expect(again.events.map((e: Any) => e.action)).toEqual(["update", "update", "update", "keep"])
    ok(await call("add_events_bulk", { events: plan(), dry_run: false, token: again.token }))
    expect(fake.fixtures.events.length).toBe(before + 4)

    // Undo the rewrite, then the first write: the plan is gone, the rest of the calendar as it was.
    expect(textOf(await call("undo_last_write"))).toMatch(/^Undone add_events_bulk \(planned 3 events.*restored 3 events/)
    expect(textOf(await call("undo_last_write"))).toMatch(/^Undone add_events_bulk \(planned 4 events.*deleted 4 events/)
    expect(fake.fixtures.events.length).toBe(before)
  })

  it("refuses in safe mode a plan reaching into the past, and two events that would be one, naming them", async () => {
    const past = await call("add_events_bulk", { events: [{ date: addDays(today(), -2), name: "Old", workout_type: "Ride", text: "- 1h 60%" }] })
    expect(textOf(past)).toMatch(/events\[0\]\.date: .* is before today/)
    const twice = await call("add_events_bulk", { events: [plan()[0], plan()[0]] })
    expect(textOf(twice)).toMatch(/events\[1\]: the same day, category and name as events\[0\]/)
    expect(textOf(await call("add_events_bulk", { events: [{ date: addDays(today(), 3), name: "x" }] }))).toMatch(/events\[0\]\.workout_type: required/)
    expect(writes()).toHaveLength(0)
  })
})

describe("move_events", () => {
  it("previews a move, moves with the token, and undo moves it back", async () => {
    const day = addDays(today(), 30)
    fake.fixtures.events.push({ id: 77_001, start_date_local: `${day}T00:00:00`, category: "WORKOUT", type: "Ride", name: "Movable" })
    const preview = ok(await call("move_events", { start_date: day, end_date: day, days: 2 }))
    expect(preview.events).toEqual([expect.objectContaining({ event_id: "77001", from: day, to: addDays(day, 2), action: "move" })])
    expect(writes()).toHaveLength(0)
    ok(await call("move_events", { start_date: day, end_date: day, days: 2, dry_run: false, token: preview.token }))
    expect(fake.fixtures.events.find((e) => e.id === 77_001)!.start_date_local).toBe(`${addDays(day, 2)}T00:00:00`)
    expect(textOf(await call("undo_last_write"))).toMatch(/restored event \(start_date_local, end_date_local\) of 77001/)
    expect(fake.fixtures.events.find((e) => e.id === 77_001)!.start_date_local).toBe(`${day}T00:00:00`)
  })

  it("keeps past events where they are in safe mode, and copies into the future once however often it is written", async () => {
    const past = addDays(today(), -5)
    fake.fixtures.events.push({ id: 77_002, start_date_local: `${past}T00:00:00`, category: "NOTE", name: "Past note" })
    const kept = ok(await call("move_events", { start_date: past, end_date: past, days: 10 }))
    expect(kept.events[0]).toMatchObject({ action: "keep", reason: expect.stringMatching(/before today/) })
    const copy = ok(await call("move_events", { start_date: past, end_date: past, days: 14, copy: true }))
    expect(copy.events[0].action).toBe("copy")
    const before = fake.fixtures.events.length
    for (let i = 0; i < 2; i++) {
      const preview = ok(await call("move_events", { start_date: past, end_date: past, days: 14, copy: true }))
      ok(await call("move_events", { start_date: past, end_date: past, days: 14, copy: true, dry_run: false, token: preview.token }))
    }
    expect(fake.fixtures.events.length).toBe(before + 1)
  })
})

describe("validate_workout", () => {
  it("checks a workout with the athlete's zones and sends nothing but the profile read", async () => {
    const checked = ok(await call("validate_workout", { text: "- 10min 60%\n- 20m 75\n- 10m ramp 80%", workout_type: "Ride" }))
    expect(checked.report.problems.map((p: Any) => p.line)).toEqual([1, 2, 3])
    expect(fake.requests.every((r) => r.method === "GET" && r.path === `/api/v1/athlete/${ATHLETE_ID}`)).toBe(true)
    const doc = ok(await call("validate_workout", { workout_doc: { steps: [{ duration: 3600, power: { units: "%ftp", value: 100 } }] } }))
    expect(doc.report).toMatchObject({ duration_s: 3600, load: 100, intensity_percent: 100, text: "- 1h 100%", problems: [] })
  })
})

describe("the workout library", () => {
  it("lists folders and plans, opens one workout with its check, schedules it, and exports files", async () => {
    const library = ok(await call("get_workout_library"))
    expect(library.folders.map((f: Any) => [f.kind, f.name, f.workouts.length])).toEqual([["folder", "Key sessions", 2], ["plan", "Base 6 weeks", 0]])
    const one = ok(await call("get_workout_library", { workout_id: 2210001 }))
    expect(one.workout).toMatchObject({ name: "Sweet Spot 3x12", folder: "Key sessions", report: { step_count: 4, problems: [] } })

    const scheduled = ok(await call("add_or_update_event", { library_workout_id: 2210001, start_date: addDays(today(), 4) }))
    expect(scheduled.event).toMatchObject({ name: "Sweet Spot 3x12", type: "Ride", category: "WORKOUT" })
    expect(scheduled.report.step_count).toBe(4)

    const zwo = await call("export_workout", { event_id: scheduled.event.id, format: "zwo" })
    const resource = (zwo.content[1] as { resource: { blob: string; mimeType: string; uri: string } }).resource
    expect(resource.mimeType).toBe("application/xml")
    const xml = Buffer.from(resource.blob, "base64").toString("utf8")
    expect(xml).toMatch(/<workout_file>[^]*<name>Sweet Spot 3x12<\/name>[^]*<SteadyState Duration="720"/)
    expect(textOf(zwo)).toMatch(/^Sweet_Spot_3x12\.zwo \(zwo, [\d,]+ bytes, application\/xml\) for Zwift/)
    const fit = await call("export_workout", { workout_id: 2210001, format: "fit" })
    const bytes = Buffer.from((fit.content[1] as { resource: { blob: string } }).resource.blob, "base64")
    expect(bytes.subarray(8, 12).toString("ascii")).toBe(".FIT")
    expect(bytes[0]).toBe(14)
    expect(fake.requests.some((r) => r.method === "POST" && r.path.endsWith("/download-workout.fit"))).toBe(true)
    const note = await call("export_workout", { event_id: 50020, format: "mrc" })
    expect(textOf(note)).toMatch(/is a NOTE, not a planned workout/)
  })

  it("saves a workout into a folder with its check, and undo deletes it; deleting one needs full mode", async () => {
    const saved = ok(await call("save_library_workout", { folder_id: 30001, name: "Openers", workout_type: "Ride", text: "- 20m 65%\n\n3x\n- 30s 130%\n- 2m 55%" }))
    expect(saved).toMatchObject({ action: "created", report: { step_count: 3, problems: [] } })
    expect(fake.fixtures.folders![0]!.children.map((w: Any) => w.name)).toContain("Openers")
    expect(textOf(await call("undo_last_write"))).toMatch(/deleted library workout \d+ "Openers"/)
    expect(fake.fixtures.folders![0]!.children.map((w: Any) => w.name)).not.toContain("Openers")

    const safeTools = (await safe.client.listTools()).tools.map((t) => t.name)
    expect(safeTools).not.toContain("delete_library_workout")
    expect(safeTools).not.toContain("delete_activity")
    expect(textOf(await call("delete_library_workout", { workout_id: 2210002 }))).toMatch(/registered only with INTERVALS_WRITE_MODE=full/)
    const deleted = ok(await callFull("delete_library_workout", { workout_id: 2210002 }))
    expect(deleted.deleted.name).toBe("5x1k threshold")
    expect(textOf(await callFull("undo_last_write"))).toMatch(/recreated library workout "5x1k threshold" as \d+/)
  })
})

describe("records: an activity, a wellness day, a sport's settings", () => {
  it("changes an activity before → after, refuses to drop its description, and undo restores it", async () => {
    const ride = fake.fixtures.activities.find((a) => a.id === POWER_RIDE_ID)!
    ride.description = "Felt strong"
    const existing = ride.description
    const refused = await call("update_activity", { activity_id: POWER_RIDE_ID, description: "Legs good" })
    expect(textOf(refused)).toMatch(/description_mode: required, since the activity already has a description \(11 characters\)/)
    const changed = ok(await call("update_activity", {
      activity_id: POWER_RIDE_ID,
      name: "Sweet spot, done",
      description: "Legs good",
      description_mode: "append",
      feel: 2,
      rpe: 7
    }))
    const byField = Object.fromEntries(changed.changes.map((c: Any) => [c.field, c]))
    expect(byField["name"]).toMatchObject({ after: "Sweet spot, done" })
    expect(byField["feel"]).toMatchObject({ after: "2 (good)" })
    const activity = fake.fixtures.activities.find((a) => a.id === POWER_RIDE_ID)!
    expect(activity.description).toBe(`${existing}\n\nLegs good`)
    expect(byField["description"]).toMatchObject({ before: "Felt strong", after: "Felt strong Legs good" })
    expect(writes().filter((r) => r.method === "PUT")).toHaveLength(1)
    expect(textOf(await call("undo_last_write"))).toMatch(/restored activity/)
    expect(fake.fixtures.activities.find((a) => a.id === POWER_RIDE_ID)!.name).not.toBe("Sweet spot, done")
    expect(textOf(await call("update_activity", { activity_id: POWER_RIDE_ID, name: activity.name === undefined ? "x" : fake.fixtures.activities.find((a) => a.id === POWER_RIDE_ID)!.name }))).toMatch(/^Nothing changes/)
  })

  it("logs wellness with its scales, never for a future day, and undo takes it back", async () => {
    const logged = ok(await call("update_wellness", { soreness: 3, mood: 1, sleep_hours: 7.5, weight_kg: 68.4 }))
    expect(logged.date).toBe(today())
    const byField = Object.fromEntries(logged.changes.map((c: Any) => [c.field, c.after]))
    expect(byField).toMatchObject({ soreness: "3 (high)", mood: "1 (great)", sleepSecs: "7.5 h", weight: "68.4" })
    expect(fake.fixtures.wellness.find((w) => w.id === today())!.sleepSecs).toBe(27_000)
    expect(textOf(await call("update_wellness", { date: addDays(today(), 1), mood: 2 }))).toMatch(/date: wellness is logged for today/)
    expect(textOf(await call("undo_last_write"))).toMatch(/restored wellness day/)
    expect(fake.fixtures.wellness.find((w) => w.id === today())!.soreness).not.toBe(3)
  })

  it("changes a sport's FTP and threshold pace, applies it only when asked, and undo restores them", async () => {
    const changed = ok(await call("update_sport_settings", { sport: "Ride", ftp_watts: 262 }))
    expect(changed).toMatchObject({ applied: false, changes: [{ field: "ftp", before: "249.75", after: "262" }] })
    expect(fake.requests.some((r) => r.path.endsWith("/apply"))).toBe(false)
    const swim = ok(await call("update_sport_settings", { sport: "Swim", threshold_pace: "1:50", apply_to_activities: true }))
    // 100 m in 110 s: 0.9091 m/s, shown in the sport's units.
    expect(swim.changes[0]).toMatchObject({ field: "threshold_pace", after: "1:50 /100m" })
    expect(swim.applied).toBe(true)
    expect(fake.requests.some((r) => r.method === "PUT" && r.path.endsWith("/apply"))).toBe(true)
    await call("undo_last_write")
    await call("undo_last_write")
    const settings = fake.fixtures.athlete.sportSettings as Array<Any>
    expect(settings.find((s) => s.types.includes("Ride")).ftp).toBe(249.75)
    expect(settings.find((s) => s.types.includes("Swim")).threshold_pace).toBe(0.8333)
  })
})

describe("undo_last_write", () => {
  it("refuses to undo a write whose record was changed since, and goes past what cannot be undone", async () => {
    const created = ok(await call("add_or_update_note", { name: "Undo me", description: "x", start_date: addDays(today(), 40) }))
    ok(await call("add_activity_message", { activity_id: POWER_RIDE_ID, content: "Nice one" }))
    // Someone renames the note in the meantime.
    fake.fixtures.events.find((e) => String(e.id) === String(created.event.id))!.name = "Renamed elsewhere"
    const refused = await call("undo_last_write")
    expect(refused.isError).toBe(true)
    expect(textOf(refused)).toMatch(/no longer holds: event \d+ .* was changed since \(name\)/)
    expect(fake.fixtures.events.some((e) => String(e.id) === String(created.event.id))).toBe(true)
  })

  it("keeps one journal per connection: another client's writes are not undone", async () => {
    const other = await connectStdio({ API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl })
    try {
      ok(await call("add_or_update_note", { name: "Mine", description: "x", start_date: addDays(today(), 41) }))
      const answer = ok(await other.client.callTool({ name: "undo_last_write", arguments: {} }) as CallToolResult)
      expect(answer).toMatchObject({ undone: false })
    } finally {
      await other.close()
    }
  })
  it("runs two undos sent together one after the other, each reverting a different write", async () => {
    const first = ok(await call("add_or_update_note", { name: "First", description: "x", start_date: addDays(today(), 42) }))
    const second = ok(await call("add_or_update_note", { name: "Second", description: "x", start_date: addDays(today(), 43) }))
    fake.requests.length = 0
    const answers = await Promise.all([call("undo_last_write"), call("undo_last_write")])
    for (const answer of answers) expect(ok(answer)).toMatchObject({ undone: true })
    const deleted = writes().filter((r) => r.method === "DELETE").map((r) => r.path.split("/").pop())
    expect(deleted.sort()).toEqual([String(first.event.id), String(second.event.id)].sort())
  })

  it("finishes and records a write the client cancelled half-way, so that undo can take it back", async () => {
    fake.faults.push({ match: (r) => r.method === "POST" && r.path.endsWith("/events"), times: 1, delayMs: 600 })
    const controller = new AbortController()
    const cancelled = safe.client.callTool(
      { name: "add_or_update_note", arguments: { name: "Cancelled", description: "x", start_date: addDays(today(), 44) } },
      { signal: controller.signal }
    )
    setTimeout(() => controller.abort("changed my mind"), 150)
    await expect(cancelled).rejects.toThrow()
    // The note was written all the same (the request had left); the journal knows it.
    await new Promise((resolve) => setTimeout(resolve, 900))
    const note = fake.fixtures.events.find((e) => e.name === "Cancelled")
    expect(note).toBeDefined()
    const undone = ok(await call("undo_last_write"))
    expect(undone.write.what).toContain("Cancelled")
    expect(fake.fixtures.events.some((e) => e.name === "Cancelled")).toBe(false)
  })
  it("sends an undo's own write once under a 500, says it is in doubt, and can be asked again", async () => {
    const note = ok(await call("add_or_update_note", { name: "Undo fault", description: "x", start_date: addDays(today(), 45) }))
    fake.requests.length = 0
    fake.faults.push({ match: (r) => r.method === "DELETE", times: 1, status: 500 })
    const failed = await call("undo_last_write")
    expect(failed.isError).toBe(true)
    expect(textOf(failed)).toMatch(/failed part-way or not at all.*Read the records back/)
    expect(writes().filter((r) => r.method === "DELETE")).toHaveLength(1)
    const again = ok(await call("undo_last_write"))
    expect(again.write.what).toContain("Undo fault")
    expect(fake.fixtures.events.some((e) => String(e.id) === String(note.event.id))).toBe(false)
  })
})
