/**
 * Answers that lose nothing and say what they mean: the fields Intervals.icu sends reach the answer (named, or raw
 * under detail=full), numbers carry their units and scales, dates their weekday, and what an answer leaves out it
 * says. The tools run over the real services and a mock HTTP client that answers with the sample payloads.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { readFileSync } from "node:fs"
import { toWorkoutText, WorkoutDoc } from "../src/domain/WorkoutDoc.js"
import { callTool, listing } from "../src/McpServer.js"
import { allTools as tools } from "../src/tools/Registry.js"
import { jsonResponse, queryOf } from "./support/MockHttp.js"
import { servicesOver } from "./support/ToolServices.js"

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

const sample = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`./fixtures/samples/${name}`, import.meta.url), "utf8"))

const ATHLETE = { id: "i123456", name: "Test", timezone: "UTC" }

/** The real services over a mock HTTP client that answers by path (the athlete's profile unless told otherwise). */
const setup = (routes: (path: string, query: URLSearchParams) => Response | undefined) =>
  servicesOver((path, query) =>
    routes(path, query) ?? (path === "/athlete/i123456" ? jsonResponse(ATHLETE) : jsonResponse({ error: "not found" }, 404))
  )

const tool = (name: string) => tools.find((t) => t.name === name)!

const call = (name: string, args: Record<string, unknown>) =>
  Effect.map(callTool(tool(name), args), (result) => {
    const content = (result as { content: Array<{ type: string; text?: string }> }).content
    return {
      isError: (result as { isError?: boolean }).isError,
      text: content[0]?.text ?? "",
      structured: (result as { structuredContent?: Json }).structuredContent as Json
    }
  })

/** Every field of a record that is a string, a number or a boolean, and not null. */
const scalarKeys = (record: Record<string, unknown>) =>
  Object.entries(record).filter(([, v]) => ["string", "number", "boolean"].includes(typeof v)).map(([k]) => k)

// ---------------------------------------------------------------------------------------------------------------

describe("get_activity_details", () => {
  const detailSample = sample("activity-detail.json")
  /** A power ride with the fields the HR-only sample leaves null. */
  const powerRide = {
    ...detailSample,
    id: "i77",
    average_cadence: 88.4,
    icu_average_watts: 210,
    icu_weighted_avg_watts: 225,
    gear: { id: "b12345", name: "Road bike", distance: 1_200_000 },
    power_meter: "Favero Assioma Duo",
    power_meter_serial: "AS123",
    power_load: 81,
    pace_load: 12,
    avg_lr_balance: 49.2,
    icu_power_hr: 1.456,
    icu_rpe: 7,
    feel: 2
  }
  const routes = (body: Json) => (path: string) => (path.startsWith("/activity/") ? jsonResponse(body) : undefined)

  it.effect("shows loads, polarization, temperatures, file type, gear, power meter, balance and power:HR", () => {
    const { layer } = setup(routes(powerRide))
    return Effect.gen(function*() {
      const out = yield* call("get_activity_details", { activity_id: "i77" })
      expect(out.isError).toBeUndefined()
      expect(out.structured).toMatchObject({
        gear_id: "b12345",
        gear_name: "Road bike",
        power_meter: "Favero Assioma Duo",
        power_meter_serial: "AS123",
        file_type: "fit",
        power_load: 81,
        hr_load: 42,
        hr_load_type: "HRSS",
        pace_load: 12,
        polarization_index: 2.06,
        lr_balance_percent: 49.2,
        power_hr: 1.46,
        min_temp_c: 23,
        max_temp_c: 26
      })
      expect(out.structured.other_fields).toBeUndefined()
      expect(out.text).toContain("power load 81")
      expect(out.text).toContain("HR load 42 (HRSS)")
      expect(out.text).toContain("pace load 12")
      expect(out.text).toContain("polarization index 2.06")
      expect(out.text).toContain("L/R balance 49.2/50.8 %")
      expect(out.text).toContain("1.46 W/bpm power:HR")
      expect(out.text).toMatch(/23–26 °C \(avg [\d.]+ °C\)/)
      expect(out.text).toContain("power meter Favero Assioma Duo (serial AS123)")
      expect(out.text).toContain("fit file")
      expect(out.text).toContain(`gear "Road bike" (b12345)`)
      // 2024-01-31 was a Wednesday.
      expect(out.text.split("\n")[0]).toMatch(/^Wed 2024-01-31 09:25 Ride "Long Ride" id i77$/)
      expect(out.text).not.toMatch(/\bNone\b|N\/A|undefined|null|NaN/)
      expect(Schema.decodeUnknownSync(tool("get_activity_details").output)(out.structured)).toBeDefined()
    }).pipe(Effect.provide(layer))
  })

  it.effect("says the scales of RPE and feel, and the cadence unit of the sport", () => {
    const { layer } = setup(routes(powerRide))
    const run = setup(routes({ ...powerRide, type: "Run", average_cadence: 172, average_stride: 1.123 }))
    return Effect.gen(function*() {
      const ride = yield* call("get_activity_details", { activity_id: "i77" })
      expect(ride.text).toContain("RPE 7/10 (10 hardest)")
      expect(ride.text).toContain("feel 2/5 good (1 strong … 5 weak)")
      expect(ride.text).toContain("88 rpm cadence")
      const runText = (yield* call("get_activity_details", { activity_id: "i77" }).pipe(Effect.provide(run.layer))).text
      expect(runText).toContain("172 spm cadence")
      expect(runText).toContain("1.12 m stride")
      expect(runText).not.toContain("rpm")
    }).pipe(Effect.provide(layer))
  })

  it.effect("detail=full reaches every other non-null field of the record, under its raw name", () => {
    const { layer } = setup(routes(detailSample))
    return Effect.gen(function*() {
      const terse = yield* call("get_activity_details", { activity_id: "fx000001" })
      const full = yield* call("get_activity_details", { activity_id: "fx000001", detail: "full" })
      const other = full.structured.other_fields as Record<string, unknown>
      expect(other).toMatchObject({ icu_recording_time: detailSample.icu_recording_time, icu_lap_count: 1 })
      // Shown already: not repeated.
      expect(other).not.toHaveProperty("moving_time")
      expect(other).not.toHaveProperty("hr_load")
      expect(other).not.toHaveProperty("file_type")
      // Only scalars, exactly as sent.
      for (const [key, value] of Object.entries(other)) expect(value).toBe(detailSample[key])
      // Every non-null scalar of the record that other_fields leaves out is in the default answer, by its own name.
      const answerName: Record<string, string> = {
        id: "id",
        start_date_local: "start_date_local",
        type: "type",
        icu_training_load: "training_load",
        icu_atl: "fatigue_atl",
        icu_ctl: "fitness_ctl",
        icu_ftp: "ftp_watts",
        elapsed_time: "elapsed_time_s",
        name: "name",
        start_date: "start_date_utc",
        distance: "distance_m",
        icu_distance: "distance_m",
        moving_time: "moving_time_s",
        total_elevation_gain: "elevation_gain_m",
        total_elevation_loss: "elevation_loss_m",
        max_speed: "max_speed_mps",
        average_speed: "average_speed_mps",
        max_heartrate: "max_heartrate_bpm",
        average_heartrate: "average_heartrate_bpm",
        calories: "calories_kcal",
        average_temp: "average_temp_c",
        min_temp: "min_temp_c",
        max_temp: "max_temp_c",
        device_name: "device",
        file_type: "file_type",
        lthr: "lthr_bpm",
        icu_resting_hr: "resting_hr_bpm",
        icu_weight: "weight_kg",
        trimp: "trimp",
        polarization_index: "polarization_index",
        source: "source",
        hr_load: "hr_load",
        hr_load_type: "hr_load_type",
        icu_intensity: "intensity_percent"
      }
      const leftOut = scalarKeys(detailSample).filter((key) => !(key in other))
      expect(leftOut.sort()).toEqual(Object.keys(answerName).sort())
      for (const key of leftOut) expect(terse.structured[answerName[key]!], key).toBeDefined()
      // The same distance under a second name is not repeated.
      expect(other).not.toHaveProperty("icu_distance")
      // A false flag is not shown by the default answer, so it is in other_fields.
      expect(other).toMatchObject({ race: false, commute: false })
      expect(full.text).toMatch(/^Other fields: .*icu_lap_count 1/m)
      expect(terse.text).not.toContain("Other fields")
      expect(Schema.decodeUnknownSync(tool("get_activity_details").output)(full.structured)).toBeDefined()
    }).pipe(Effect.provide(layer))
  })

  it.effect("refuses a detail other than full before any request", () => {
    const { http, layer } = setup(routes(detailSample))
    return Effect.gen(function*() {
      const out = yield* call("get_activity_details", { activity_id: "i1", detail: "everything" })
      expect(out.isError).toBe(true)
      expect(out.text).toMatch(/detail/)
      expect(http.requests).toHaveLength(0)
    }).pipe(Effect.provide(layer))
  })
})

describe("Strava stubs", () => {
  const stub = { ...sample("activity-strava-stub.json"), type: "Ride", name: "Evening ride" }

  it.effect("keep their type and name in the details and in the list", () => {
    const { layer } = setup((path) =>
      path.endsWith("/activities")
        ? jsonResponse([stub])
        : path.startsWith("/activity/")
        ? jsonResponse(stub)
        : undefined
    )
    return Effect.gen(function*() {
      const one = yield* call("get_activity_details", { activity_id: stub.id })
      expect(one.structured).toMatchObject({ id: stub.id, strava_stub: true, type: "Ride", name: "Evening ride" })
      // 2025-11-04 was a Tuesday.
      expect(one.text).toMatch(/^Activity 16358453283 \(Tue 2025-11-04 19:21 Ride "Evening ride"\): Synced from Strava/)
      const list = yield* call("get_activities", { start_date: "2025-11-01", end_date: "2025-11-10" })
      expect(list.structured.activities[0]).toMatchObject({ strava_stub: true, type: "Ride", name: "Evening ride" })
      expect(list.text).toContain(`Tue 2025-11-04 19:21 Ride "Evening ride" · Strava activity (no data via the API)`)
    }).pipe(Effect.provide(layer))
  })

  it.effect("without a type stay stubs", () => {
    const bare = sample("activity-strava-stub.json")
    const { layer } = setup((path) => (path.startsWith("/activity/") ? jsonResponse(bare) : undefined))
    return Effect.gen(function*() {
      const one = yield* call("get_activity_details", { activity_id: bare.id })
      expect(one.structured).toMatchObject({ strava_stub: true, source: "STRAVA" })
      expect(one.structured).not.toHaveProperty("type")
    }).pipe(Effect.provide(layer))
  })
})

// ---------------------------------------------------------------------------------------------------------------

describe("get_activity_intervals", () => {
  const routes = (intervals: Json, activity: Json) => (path: string) =>
    path.endsWith("/intervals")
      ? jsonResponse(intervals)
      : path.startsWith("/activity/")
      ? jsonResponse(activity)
      : undefined

  it.effect("stays terse by default; detail=full adds each interval's other non-null fields", () => {
    const intervals = sample("activity-intervals.json")
    const { layer } = setup(routes(intervals, sample("activity-detail.json")))
    return Effect.gen(function*() {
      const terse = yield* call("get_activity_intervals", { activity_id: "fx000001" })
      expect(terse.structured.intervals[0]).not.toHaveProperty("other_fields")
      // A head and one line per interval (the sample's only group has a single member: no group line).
      expect(terse.text.split("\n")).toHaveLength(1 + intervals.icu_intervals.length)
      const full = yield* call("get_activity_intervals", { activity_id: "fx000001", detail: "full" })
      const raw = intervals.icu_intervals[0]
      const other = full.structured.intervals[0].other_fields as Record<string, unknown>
      expect(other).toMatchObject({ start_index: 0, end_index: 2444, min_heartrate: 97, average_respiration: 31.9 })
      expect(other).not.toHaveProperty("moving_time")
      expect(other).not.toHaveProperty("average_heartrate")
      for (const [key, value] of Object.entries(other)) expect(value).toBe(raw[key])
      // The terse fields and other_fields between them hold every non-null scalar the interval has.
      const named = Object.keys(terse.structured.intervals[0]).length
      expect(named + Object.keys(other).length).toBeGreaterThanOrEqual(scalarKeys(raw).length)
      expect(full.text).toMatch(/^ {2}other: .*min_heartrate 97/m)
      // The sample ride started on Wednesday 2024-01-31; heart rate and cadence carry their units.
      expect(full.text.split("\n")[0]).toContain("Wed 2024-01-31 09:25")
      expect(terse.text).toMatch(/HR 157 avg\/196 max bpm/)
    }).pipe(Effect.provide(layer))
  })

  it.effect("prints a group's reps as total / count and says the total (power probe: reps of 16 s and 14 s)", () => {
    const probe = sample("activity-intervals-power-probe.json")
    const { layer } = setup(routes(probe, { id: probe.id, type: "Ride", name: "Probe" }))
    return Effect.gen(function*() {
      const out = yield* call("get_activity_intervals", { activity_id: probe.id })
      expect(out.structured.groups[0]).toMatchObject({
        id: "15s@357w83rpm",
        count: 2,
        moving_time_s: 15,
        total_time_s: 30
      })
      expect(out.text).toContain("2 × 15s (total 30s) · 357 W avg")
      expect(out.text).toMatch(/^#2 WORK "PROBE Lap 1" · .* 84 rpm/m)
    }).pipe(Effect.provide(layer))
  })

  it.effect("three like reps of a real session, and a group whose reps are not in the answer", () => {
    const { activity } = sample("activity-event-pair-power.json")
    const { icu_intervals, ...ride } = activity
    const dto = {
      id: ride.id,
      icu_intervals: icu_intervals.map((i: Json, n: number) => ({ id: n + 1, ...i })),
      icu_groups: [
        { id: "721s@259w86rpm", count: 3, moving_time: 721, average_watts: 259 },
        { id: "240s@300w", count: 5, moving_time: 240, average_watts: 300 }
      ]
    }
    const { layer } = setup(routes(dto, ride))
    return Effect.gen(function*() {
      const out = yield* call("get_activity_intervals", { activity_id: ride.id })
      // 723 + 720 + 721 s.
      expect(out.structured.groups[0]).toMatchObject({ count: 3, total_time_s: 2164 })
      expect(out.text).toContain("3 × 12m01s (total 36m04s) · 259 W avg")
      expect(out.text).toContain("5 × 4m (total 20m) · 300 W avg")
    }).pipe(Effect.provide(layer))
  })

  it.effect("counts a run's cadence in steps per minute", () => {
    const intervals = sample("activity-intervals.json")
    intervals.icu_intervals[0].average_cadence = 171
    const { layer } = setup(routes(intervals, { ...sample("activity-detail.json"), type: "Run" }))
    return Effect.gen(function*() {
      const out = yield* call("get_activity_intervals", { activity_id: "fx000001" })
      expect(out.text).toContain("171 spm")
      expect(out.text).not.toContain("rpm")
    }).pipe(Effect.provide(layer))
  })
})

// ---------------------------------------------------------------------------------------------------------------

describe("get_events and get_event_by_id", () => {
  const long = "Warm up well.\n\n- 15m Z2\n\nMain set 3x\n- 10m 95%\n- 5m 55%\n\n" + "Stay relaxed. ".repeat(20)
  const events = [
    { ...sample("events-workouts.json")[0], id: 1, start_date_local: "2026-03-12T00:00:00", description: long },
    { ...sample("event-race.json"), id: 2, start_date_local: "2026-03-20T00:00:00" },
    { id: 3, category: "WORKOUT", type: "Run", name: "Easy", start_date_local: "2026-03-14T00:00:00" }
  ]
  const routes = (path: string) =>
    path.endsWith("/events") ? jsonResponse(events) : path.endsWith("/events/1") ? jsonResponse(events[0]) : undefined

  it.effect("keep a description whole, newlines and all, in the structured result; a list line stays a line", () => {
    const { layer } = setup(routes)
    return Effect.gen(function*() {
      const list = yield* call("get_events", { start_date: "2026-03-10", end_date: "2026-03-31" })
      const first = list.structured.events.find((e: Json) => e.id === 1)
      expect(first.description).toBe(long.trim())
      expect(first.description).toContain("\n- 10m 95%\n")
      const line = list.text.split("\n").find((l) => l.includes("id 1 "))!
      expect(line).toContain("— Warm up well. - 15m Z2")
      expect(line.length).toBeLessThan(300)
      expect(line).toMatch(/…$/)
      const one = yield* call("get_event_by_id", { event_id: 1 })
      expect(one.structured.description).toBe(long.trim())
      expect(one.text).toContain("Description:\n" + long.trim())
    }).pipe(Effect.provide(layer))
  })

  it.effect("print weekdays and a count by category; an explicit window names no today", () => {
    const { layer } = setup(routes)
    return Effect.gen(function*() {
      const list = yield* call("get_events", { start_date: "2026-03-10", end_date: "2026-03-31" })
      expect(list.structured).not.toHaveProperty("today")
      expect(list.text.split("\n")[0]).toBe("3 events from 2026-03-10 to 2026-03-31:")
      expect(list.text).toContain("Thu 2026-03-12 id 1 WORKOUT Ride")
      expect(list.text).toContain("Sat 2026-03-14 id 3 WORKOUT Run \"Easy\"")
      expect(list.text.split("\n").at(-2)).toBe("By category: 2 WORKOUT, 1 RACE_A")
      // The long description is cut: the last line says where it is whole.
      expect(list.text.split("\n").at(-1)).toMatch(/^Descriptions are cut or left out here; get_event_by_id/)
    }).pipe(Effect.provide(layer))
  })

  it.effect("factor out a sport they all share and a plan already listed, and lose no field doing it", () => {
    const race = sample("event-race.json")
    const planned = [
      { ...race, id: 11, start_date_local: "2026-03-14T00:00:00", paired_activity_id: null },
      { id: 12, category: "NOTE", name: "Travel", start_date_local: "2026-03-15T00:00:00" },
      { ...race, id: 13, start_date_local: "2026-03-21T00:00:00", paired_activity_id: "i42" }
    ]
    const { layer } = setup((path) => (path.endsWith("/events") ? jsonResponse(planned) : undefined))
    return Effect.gen(function*() {
      const list = yield* call("get_events", { start_date: "2026-03-10", end_date: "2026-03-31" })
      const lines = list.text.split("\n")
      expect(lines[0]).toBe("3 events from 2026-03-10 to 2026-03-31, sport Ride:")
      expect(lines[1]).toBe(
        "Sat 2026-03-14 id 11 RACE_A \"Spring Classic 120km\" 3h30m, 120 km, load 210 — A race: target sub-3:30, " +
          "fuel 80 g/h."
      )
      expect(lines[2]).toBe("Sun 2026-03-15 id 12 NOTE \"Travel\"")
      // The same plan again: named, pointed at, its own completion kept.
      expect(lines[3]).toBe("Sat 2026-03-21 id 13 RACE_A \"Spring Classic 120km\" same as id 11 done: i42")
      expect(lines.at(-1)).toMatch(/get_event_by_id \(and structuredContent\) has each whole/)
      // Every field of every event is in the structured result, and each value the text shows is the structured one.
      const [first, , again] = list.structured.events as Array<Json>
      expect(again).toMatchObject({
        category: "RACE_A",
        type: "Ride",
        moving_time_s: 12600,
        distance_m: 120000,
        training_load: 210,
        paired_activity_id: "i42",
        description: race.description
      })
      const { id: _a, start_date_local: _b, paired_activity_id: _c, ...plan } = first
      const { id: _d, start_date_local: _e, paired_activity_id: _f, ...planAgain } = again
      expect(planAgain).toEqual(plan)
    }).pipe(Effect.provide(layer))
  })

  it.effect("say the athlete's today when the window is the default", () => {
    const { layer } = setup(routes)
    return Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse("2026-03-10T12:00:00Z"))
      const list = yield* call("get_events", {})
      expect(list.structured).toMatchObject({ start_date: "2026-03-10", end_date: "2026-04-09", today: "2026-03-10" })
      expect(list.text.split("\n")[0]).toBe(
        "3 events from 2026-03-10 to 2026-04-09 (default window; today is Tue 2026-03-10):"
      )
    }).pipe(Effect.provide(layer))
  })
})

// ---------------------------------------------------------------------------------------------------------------

describe("get_wellness_data", () => {
  const days: Array<Json> = sample("wellness-list.json")
  const newest = days.map((d) => d.id).sort().at(-1)!

  it.effect("says the default window's today, the weekday of each day, and how many days have HRV and sleep", () => {
    const { layer } = setup((path) => (path.endsWith("/wellness") ? jsonResponse(days) : undefined))
    return Effect.gen(function*() {
      yield* TestClock.setTime(Date.parse(`${newest}T12:00:00Z`))
      const out = yield* call("get_wellness_data", {})
      expect(out.structured.today).toBe(newest)
      const lines = out.text.split("\n")
      expect(lines[0]).toMatch(new RegExp(`\\(default window; today is \\w{3} ${newest}\\):$`))
      const shown = out.structured.days as Array<Json>
      const hrv = shown.filter((d) => d.hrv_rmssd_ms !== undefined).length
      const sleep = shown.filter((d) => d.sleep_hours !== undefined).length
      expect(hrv).toBeGreaterThan(0)
      expect(lines.at(-2)).toMatch(
        new RegExp(`^${shown.length} days: HRV on ${hrv}, sleep on ${sleep}, resting HR on \\d+`)
      )
      expect(lines.at(-1)).toBe("include_all_fields=true adds every other field Intervals.icu stores for a day.")
      // A header once, units in it, then a row a day of bare cells; a column no day has is left out.
      expect(lines[1]).toMatch(/^day fitness\(CTL\) fatigue\(ATL\) form\(TSB\) ramp\(CTL\/week\) HRV\(ms\) RHR\(bpm\)/)
      expect(lines[1]).not.toContain("weight")
      expect(lines[2]).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d{4}-\d{2}-\d{2} -?[\d.]+ -?[\d.]+ -?[\d.]+ /)
      expect(lines.slice(2, -2)).toHaveLength(shown.length)
      // The sample has no subjective scores: no legend for them.
      expect(out.text).not.toContain("1 is best")
    }).pipe(Effect.provide(layer))
  })

  it.effect("explains the 1-4 scores where they are printed", () => {
    const scored = [{ id: "2026-03-09", soreness: 2, mood: 1, sleepQuality: 3, motivation: 4 }]
    const { layer } = setup((path) => (path.endsWith("/wellness") ? jsonResponse(scored) : undefined))
    return Effect.gen(function*() {
      const out = yield* call("get_wellness_data", { start_date: "2026-03-09", end_date: "2026-03-09" })
      expect(out.structured).not.toHaveProperty("today")
      const lines = out.text.split("\n")
      expect(lines[1]).toBe("day sleep_quality soreness mood motivation")
      expect(lines[2]).toBe("Mon 2026-03-09 3 2 1 4")
      expect(out.text).toContain(
        "Scores are 1-4, 1 is best: soreness, fatigue(felt), stress 1 low…4 extreme; mood 1 great…4 grumpy; " +
          "sleep_quality 1 great…4 poor; motivation 1 extreme…4 low; injury 1 none…4 injured."
      )
    }).pipe(Effect.provide(layer))
  })

  it.effect("loses no field: each value of a full day is in its column, the comment and other fields after", () => {
    const full = {
      id: "2026-03-10",
      ctl: 50.04,
      atl: 61.26,
      rampRate: 3.1,
      weight: 70.25,
      restingHR: 48,
      hrv: 71.3,
      hrvSDNN: 80.2,
      sleepSecs: 27_000,
      sleepScore: 82,
      sleepQuality: 2,
      avgSleepingHR: 51,
      soreness: 3,
      fatigue: 2,
      stress: 1,
      mood: 2,
      motivation: 1,
      injury: 1,
      spO2: 97,
      readiness: 66,
      steps: 9001,
      respiration: 14.6,
      comments: "Slept \"badly\"\nthen fine",
      kcalConsumed: 2400,
      systolic: 120
    }
    const { layer } = setup((path) => (path.endsWith("/wellness") ? jsonResponse([full]) : undefined))
    return Effect.gen(function*() {
      const out = yield* call("get_wellness_data", {
        start_date: "2026-03-10",
        end_date: "2026-03-10",
        include_all_fields: true
      })
      const day = out.structured.days[0] as Json
      const [header, row] = out.text.split("\n").slice(1, 3) as [string, string]
      const columns = header.split(" ")
      const cells = row.split(" ")
      const at = (column: string) => cells[columns.indexOf(column) + 1]
      // Each column and the structured field it shows.
      const keys: Record<string, string> = {
        "fitness(CTL)": "fitness_ctl",
        "fatigue(ATL)": "fatigue_atl",
        "form(TSB)": "form_tsb",
        "ramp(CTL/week)": "ramp_rate",
        "HRV(ms)": "hrv_rmssd_ms",
        "HRV_SDNN(ms)": "hrv_sdnn_ms",
        "RHR(bpm)": "resting_hr_bpm",
        "sleep(h:mm)": "sleep_hours",
        "sleep_score(/100)": "sleep_score",
        "sleep_HR(bpm)": "avg_sleeping_hr_bpm",
        "weight(kg)": "weight_kg",
        "SpO2(%)": "spo2_percent",
        "breaths/min": "respiration_per_min",
        "steps": "steps",
        "readiness": "readiness",
        "sleep_quality": "sleep_quality",
        "soreness": "soreness",
        "fatigue(felt)": "fatigue",
        "stress": "stress",
        "mood": "mood",
        "motivation": "motivation",
        "injury": "injury"
      }
      expect(columns.slice(1)).toEqual(Object.keys(keys))
      for (const [column, key] of Object.entries(keys)) {
        expect([column, at(column)]).toEqual([column, key === "sleep_hours" ? "7:30" : String(day[key])])
      }
      expect(day.weight_kg).toBe(70.3)
      // Every structured field has its column, but the date (the row's own), the comment and the other fields.
      const columned = new Set(Object.values(keys))
      expect(Object.keys(day).filter((key) => !columned.has(key))).toEqual(["date", "comments", "other"])
      expect(row).toMatch(/ 1 1 "Slept \\"badly\\" then fine" · kcalConsumed 2400, systolic 120$/)
      expect(out.text).not.toContain("include_all_fields=true")
    }).pipe(Effect.provide(layer))
  })
})

// ---------------------------------------------------------------------------------------------------------------

describe("get_athlete_power_curves", () => {
  it.effect("says which asked durations had no value instead of dropping them silently", () => {
    const curves = sample("power-curves.json")
    const { layer } = setup((path) => (path.endsWith("/power-curves") ? jsonResponse(curves) : undefined))
    return Effect.gen(function*() {
      const out = yield* call("get_athlete_power_curves", { durations: [5, 45, 1200, 7200] })
      const curve = out.structured.curves[0]
      expect(curve.points.map((p: Json) => p.secs)).toEqual([5, 1200])
      expect(curve.missing_durations_s).toEqual([45, 7200])
      expect(out.text).toContain("No value for 45s, 2h00m.")
      const all = yield* call("get_athlete_power_curves", { durations: [5, 60] })
      expect(all.structured.curves[0]).not.toHaveProperty("missing_durations_s")
      expect(all.text).not.toContain("No value")
    }).pipe(Effect.provide(layer))
  })
})

// ---------------------------------------------------------------------------------------------------------------

describe("get_activity_streams", () => {
  const streams = sample("activity-streams.json")

  const refused = [
    ["watts,wattz", "\"wattz\""],
    ["constructor", "\"constructor\""],
    ["hrv,moving", "\"hrv\", \"moving\""]
  ]
  for (const [types, bad] of refused) {
    it.effect(`refuses ${types} before any request, naming the field and the allowed types`, () => {
      const { http, layer } = setup(() => jsonResponse(streams))
      return Effect.gen(function*() {
        const out = yield* call("get_activity_streams", { activity_id: "i1", stream_types: types })
        expect(out.isError).toBe(true)
        expect(out.text).toContain(`stream_types: unknown stream type`)
        expect(out.text).toContain(bad)
        expect(out.text).toMatch(
          /expected some of time, watts, heartrate, cadence, altitude, distance, velocity_smooth, latlng, grade_smooth/
        )
        expect(http.requests).toHaveLength(0)
      }).pipe(Effect.provide(layer))
    })
  }

  it.effect("passes known types upstream and says each stream's unit", () => {
    const { http, layer } = setup(() => jsonResponse(streams))
    return Effect.gen(function*() {
      const types = "time, watts,heartrate,cadence,temp"
      const out = yield* call("get_activity_streams", { activity_id: "i1", stream_types: types })
      expect(out.isError).toBeUndefined()
      expect(queryOf(http.requests[0]!).get("types")).toBe("time,watts,heartrate,cadence,temp")
      expect(out.text.split("\n").at(-1)).toBe("Units: time s, watts W, heartrate bpm, cadence rpm or spm.")
    }).pipe(Effect.provide(layer))
  })

  it("lists the allowed types in the parameter's description", () => {
    const schema = listing(tool("get_activity_streams")).inputSchema as Json
    expect(schema.properties.stream_types.description).toMatch(/^Comma-separated, of: time,watts,.*latlng.*grade_smooth/)
  })
})

// ---------------------------------------------------------------------------------------------------------------

describe("workout_doc absolute paces", () => {
  const convert = (pace: Record<string, unknown>) =>
    toWorkoutText(Schema.decodeUnknownSync(WorkoutDoc)({ steps: [{ duration: 600, pace }] }))
  const refusal = (pace: Record<string, unknown>) => {
    const result = convert(pace)
    if (Either.isRight(result)) throw new Error(`expected a refusal, got ${result.right}`)
    return `${result.left.path}: ${result.left.message}`
  }

  it("refuses minutes given for seconds, naming the field, the value, the unit and the range", () => {
    expect(refusal({ units: "MINS_KM", value: 4.5 })).toBe(
      "workout_doc.steps[0].pace.value: 4.5 is not a pace in MINS_KM: expected seconds per km, from 120 (2:00/km) " +
        "to 1200 (20:00/km), e.g. 300 for 5:00/km"
    )
    expect(refusal({ units: "SECS_100M", start: 90, end: 1000 })).toMatch(
      /^workout_doc\.steps\[0\]\.pace\.end: 1000 is not a pace in SECS_100M: .*from 40 \(0:40\/100m\) to 400 \(6:40\/100m\)/
    )
    expect(refusal({ units: "MINS_MILE", value: 7 })).toMatch(/pace\.value: 7 is not a pace in MINS_MILE: .*180.*1800/)
    expect(refusal({ units: "SECS_500M", value: 1.55 })).toMatch(/SECS_500M: .*60.*600/)
  })

  it("accepts real paces, bounds included", () => {
    expect(Either.getOrThrow(convert({ units: "MINS_KM", value: 300 }))).toBe("- 10m 5:00/km Pace")
    expect(Either.isRight(convert({ units: "MINS_KM", start: 120, end: 1200 }))).toBe(true)
    expect(Either.isRight(convert({ units: "SECS_100Y", value: 95 }))).toBe(true)
    // Relative paces are percentages, not bounded like this.
    expect(Either.isRight(convert({ units: "%pace", value: 4.5 }))).toBe(true)
  })

  it("says in the advertised schema that pace targets are seconds per unit", () => {
    const schema = listing(tool("add_or_update_event")).inputSchema as Json
    expect(schema.$defs.Target.description).toContain("pace units: seconds per unit, 300 = 5:00/km")
  })
})
