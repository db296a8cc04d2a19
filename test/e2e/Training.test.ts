/**
 * The athlete and training tools, called on the built server over stdio against the fake Intervals.icu: every
 * answer is checked against the fixtures it was made from (the SDK Client also checks each `structuredContent`
 * against the tool's `outputSchema`), and against the request log for what was asked upstream.
 */
import type { CallToolResult } from "@modelcontextprotocol/client"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { addDays, API_KEY, ATHLETE_ID, COACHED_ID, POWER_RIDE_ID, STRAVA_ID, TIMEZONE } from "../fake/Fixtures.js"
import { type Connected, connectStdio, textOf } from "../support/StdioServer.js"

let fake: FakeIntervals
let server: Connected

const call = async (name: string, args: Record<string, unknown> = {}) =>
  (await server.client.callTool({ name, arguments: args })) as CallToolResult

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const structured = (result: CallToolResult): any => {
  expect(result.isError, textOf(result)).toBeFalsy()
  return result.structuredContent
}

const paths = () => fake.requests.map((r) => r.path.replace("/api/v1", ""))

beforeAll(async () => {
  fake = await startFakeIntervals()
  server = await connectStdio({ API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl })
})
afterAll(async () => {
  await server?.close()
  await fake?.close()
})
beforeEach(() => {
  fake.requests.length = 0
  fake.faults.length = 0
})

describe("get_athlete_profile", () => {
  it("gives settings per sport with zones in watts, bpm and pace, and today in the athlete's timezone", async () => {
    const result = await call("get_athlete_profile")
    const out = structured(result)
    expect(out.athlete).toMatchObject({ id: ATHLETE_ID, name: "Alex Rider", timezone: TIMEZONE, today: fake.fixtures.today })
    const ride = out.sports.find((s: { types: Array<string> }) => s.types.includes("Ride"))
    // FTP 249.75 W: Z2 is 55–75% of it.
    expect(ride.ftp_watts).toBe(250)
    expect(ride.power_zones[1]).toMatchObject({ zone: "Z2", from_watts: 137, to_watts: 187, from_percent: 55 })
    expect(ride.hr_zones[0]).toMatchObject({ zone: "Z1", from_bpm: 0, to_bpm: 148 })
    const swim = out.sports.find((s: { types: Array<string> }) => s.types.includes("Swim"))
    expect(swim.threshold_pace).toBe("2:00 /100m")
    expect(textOf(result)).toMatch(/^Alex Rider \(i123456\) · Pacific\/Kiritimati · today \w+day \d{4}-\d{2}-\d{2}/)
    expect(textOf(result)).toContain("Z2 Endurance 137-187 W")
    expect(JSON.stringify(out)).not.toContain("null")
  })
})

describe("list_athletes and athletes who share", () => {
  it("lists the key's owner first, then who shares with them and what the key may do", async () => {
    const out = structured(await call("list_athletes"))
    expect(out.athletes.map((a: { id: string }) => a.id)).toEqual([ATHLETE_ID, COACHED_ID])
    expect(out.athletes[0]).toMatchObject({ key_owner: true })
    expect(out.athletes[1]).toMatchObject({ key_owner: false, name: "Coached Rider", access: "read (shared with the key's owner)" })
    expect(structured(await call("list_athletes", { name: "COACHED" })).athletes).toHaveLength(1)
  })

  it("serves every tool for a coached athlete, heading the answer with whose data it is", async () => {
    const wellness = await call("get_wellness_data", { athlete_id: COACHED_ID })
    expect(textOf(wellness).split("\n")[0]).toBe(`Athlete: Coached Rider (${COACHED_ID})`)
    expect(paths()).toContain(`/athlete/${COACHED_ID}/wellness`)
    const own = await call("get_wellness_data")
    expect(textOf(own)).not.toMatch(/^Athlete:/)
    const fitness = await call("get_fitness", { athlete_id: COACHED_ID })
    expect(textOf(fitness)).toMatch(/^Coached Rider \(i654321\): fitness/)
    expect(textOf(fitness)).not.toMatch(/^Athlete:/)
  })

  it("says plainly that an athlete who does not share cannot be read, and where to look", async () => {
    const result = await call("get_training_summary", { athlete_id: "i777" })
    expect(result.isError).toBe(true)
    expect(textOf(result)).toMatch(/denied access to athlete i777 .*does not share their data with the key's owner.*list_athletes/)
  })
})

describe("get_fitness", () => {
  it("reports the window from wellness with Intervals.icu's form zones, and projects to the next race", async () => {
    const result = await call("get_fitness")
    const out = structured(result)
    const today = fake.fixtures.today
    const wellnessToday = fake.fixtures.wellness.find((w) => w.id === today)!
    expect(out.current).toMatchObject({ date: today, fitness: Math.round(wellnessToday.ctl * 10) / 10 })
    for (const p of out.points) {
      const zone = p.form > 25 ? "transition" : p.form > 5 ? "fresh" : p.form > -10 ? "grey zone" : p.form > -30 ? "optimal" : "high risk"
      expect(p.form_zone).toBe(zone)
      expect(p.weekday).toMatch(/day$/)
    }
    // The fixture's A race is 20 days ahead; the projection runs through the planned workouts to it.
    const race = fake.fixtures.events.find((e) => e.category === "RACE_A")!
    expect(out.projection.to_date).toBe(race.start_date_local.slice(0, 10))
    expect(out.projection.race.name).toBe(race.name)
    expect(out.projection.at_end.date).toBe(out.projection.to_date)
    expect(out.projection.method).toMatch(/42/)

    // Worked out independently: from today's values, each later day moves toward its planned load.
    let fitness = wellnessToday.ctl
    let fatigue = wellnessToday.atl
    const planned = new Map<string, number>()
    for (const e of fake.fixtures.events) {
      const day = e.start_date_local.slice(0, 10)
      if (day > today && ["WORKOUT", "RACE_A", "RACE_B", "RACE_C"].includes(e.category) && e.icu_training_load) {
        planned.set(day, (planned.get(day) ?? 0) + e.icu_training_load)
      }
    }
    for (let day = addDays(today, 1); day <= out.projection.to_date; day = addDays(day, 1)) {
      const load = planned.get(day) ?? 0
      fitness += (load - fitness) * (1 - Math.exp(-1 / 42))
      fatigue += (load - fatigue) * (1 - Math.exp(-1 / 7))
    }
    expect(out.projection.at_end.fitness).toBeCloseTo(fitness, 0)
    expect(out.projection.at_end.form).toBeCloseTo(fitness - fatigue, 0)
    expect(textOf(result)).toContain("Form zones (Intervals.icu): transition above +25")
  })

  it("projects to a given date and answers weekly", async () => {
    const to = addDays(fake.fixtures.today, 10)
    const out = structured(await call("get_fitness", { project_to: to, granularity: "week" }))
    expect(out.granularity).toBe("week")
    expect(out.projection.to_date).toBe(to)
    expect(out.projection.race).toBeUndefined()
  })
})

describe("get_training_summary", () => {
  it("counts each week's sessions from the activities, marks the partial week, and pairs the plan", async () => {
    const out = structured(await call("get_training_summary"))
    const done = fake.fixtures.activities.filter((a) => a.source !== "STRAVA")
    for (const week of out.periods) {
      const inWeek = done.filter((a) => a.start_date_local.slice(0, 10) >= week.start && a.start_date_local.slice(0, 10) <= week.end)
      expect(week.sessions, week.label).toBe(inWeek.length)
      expect(week.label).toMatch(/^week of Mon \d{4}-\d{2}-\d{2}$/)
    }
    const last = out.periods.at(-1)
    expect(last.end).toBe(fake.fixtures.today)
    expect(last.partial).toBeDefined()
    // Today's planned workout was done by the power ride (paired), so it counts.
    expect(last.plan).toMatchObject({ planned: 1, completed: 1, compliance_percent: 100 })
    expect(out.totals.sessions).toBe(out.periods.reduce((n: number, p: { sessions: number }) => n + p.sessions, 0))
    expect(paths().some((p) => p.endsWith("/athlete-summary.json") || p.endsWith("/athlete-summary"))).toBe(true)
  })
})

describe("curves", () => {
  it("gives heart-rate and pace curves with the activity and date of each best", async () => {
    const hr = structured(await call("get_athlete_curves", { kind: "hr" }))
    expect(hr.curves[0].points.length).toBeGreaterThan(0)
    for (const p of hr.curves[0].points) {
      expect(p.bpm).toBeGreaterThan(0)
      expect(p.activity_id).toMatch(/^i\d+$/)
      expect(p.date).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    }
    const pace = structured(await call("get_athlete_curves", { kind: "pace", activity_type: "Run" }))
    expect(pace.curves[0].points[0]).toHaveProperty("pace")
    expect(pace.curves[0].model?.critical_pace ?? "").toMatch(/^(\d+:\d{2} \/km)?$/)
  })
})

describe("get_activity_analysis", () => {
  it("answers each asked-for section with one request at most, and says what the activity cannot have", async () => {
    const result = await call("get_activity_analysis", { activity_id: POWER_RIDE_ID })
    const out = structured(result)
    expect(out.activity).toMatchObject({ id: POWER_RIDE_ID, type: "Ride", weekday: expect.stringMatching(/day$/) })
    expect(out.best_efforts.available).toBe(true)
    expect(out.histograms.power_watts.length).toBeGreaterThan(0)
    const shares = out.histograms.power_watts.reduce((s: number, b: { percent: number }) => s + b.percent, 0)
    expect(shares).toBeCloseTo(100, 0)
    for (const b of out.histograms.power_watts) expect((b.to - b.from) % 25).toBe(0)
    // The fixture's three 12-minute sweet-spot reps at 244, 270 and 264 W.
    expect(out.intervals).toMatchObject({ available: true, work_intervals: 3, fade_percent: 8.2 })
    expect(out.weather.available).toBe(false)
    expect(textOf(result)).toMatch(/Intervals:\n {2}3 work intervals/)

    fake.requests.length = 0
    const only = structured(await call("get_activity_analysis", { activity_id: POWER_RIDE_ID, include: ["decoupling"] }))
    expect(Object.keys(only).sort()).toEqual(["activity", "decoupling"])
    // The activity itself may come from the cache; no section endpoint is asked.
    expect(paths().filter((p) => p !== `/activity/${POWER_RIDE_ID}`)).toEqual([])
  })

  it("says every section is unavailable for a Strava activity, without asking for them", async () => {
    const out = structured(await call("get_activity_analysis", { activity_id: STRAVA_ID }))
    for (const name of ["best_efforts", "histograms", "zones", "decoupling", "intervals", "power_hr", "weather"]) {
      expect(out[name]).toMatchObject({ available: false, reason: expect.stringMatching(/Strava/) })
    }
    expect(paths()).toEqual([`/activity/${STRAVA_ID}`])
  })
})

describe("search_activities", () => {
  it("finds by text in the name, by tag, and around a date", async () => {
    const named = structured(await call("search_activities", { query: "sweet spot" }))
    expect(named.mode).toBe("text")
    expect(named.matches.map((m: { id: string }) => m.id)).toContain(POWER_RIDE_ID)
    expect(paths()[0]).toBe(`/athlete/${ATHLETE_ID}/activities/search`)

    const day = addDays(fake.fixtures.today, -3)
    const around = structured(await call("search_activities", { around_date: day, days: 0 }))
    expect(around.mode).toBe("window")
    expect(around.matches.length).toBeGreaterThan(0)
    for (const m of around.matches) expect(m.date).toBe(day)
  })

  it("finds sessions by their intervals' duration and intensity", async () => {
    // The power ride's reps are 12 minutes at 84–93% of 290 W.
    const result = await call("search_activities", { interval_seconds: 720, interval_intensity: 90, min_reps: 2 })
    const out = structured(result)
    expect(out.mode).toBe("intervals")
    expect(out.matches[0]).toMatchObject({ id: POWER_RIDE_ID, intervals: { count: expect.any(Number) } })
    expect(out.matches[0].intervals.average_s).toBeGreaterThan(648)
    expect(fake.requests[fake.requests.length - 1]!.query).toMatchObject({ minSecs: "648", maxSecs: "792", minIntensity: "85", maxIntensity: "95", minReps: "2" })
    expect(textOf(result)).toMatch(/Searched: 2\+ intervals of 12m ±10% at 90% ±5/)
  })

  it("refuses a search with nothing to search by, and contradictory windows, naming the parameter", async () => {
    const empty = await call("search_activities")
    expect(empty.isError).toBe(true)
    expect(textOf(empty)).toMatch(/needs something to search by/)
    const both = await call("search_activities", { around_date: "2026-01-05", start_date: "2026-01-01" })
    expect(textOf(both)).toMatch(/around_date: expected either around_date or start_date\/end_date/)
    expect(textOf(await call("search_activities", { min_reps: 3 }))).toMatch(/min_reps: min_reps needs interval_seconds/)
    expect(fake.requests).toHaveLength(0)
  })
})

describe("get_weather_forecast", () => {
  it("gives each place's days ahead in the athlete's dates, in °C, mm and km/h with the wind's compass point", async () => {
    const result = await call("get_weather_forecast", { days: 3 })
    const out = structured(result)
    expect(out.today).toBe(fake.fixtures.today)
    expect(out.places).toHaveLength(1)
    const home = out.places[0]
    expect(home).toMatchObject({ place: "Home", location: "Annecy, FR" })
    expect(home.days.map((d: { date: string }) => d.date)).toEqual([0, 1, 2].map((n) => addDays(fake.fixtures.today, n)))
    // Day 0 of the fixture: 2.5 m/s from 200°, gusts 7 m/s, 80% chance of 4.2 mm.
    expect(home.days[0]).toMatchObject({ wind_kmh: 9, gusts_kmh: 25.2, wind_from: "S", rain_chance_percent: 80, rain_mm: 4.2, temp_min_c: 3, temp_max_c: 11 })
    expect(textOf(result)).toMatch(/rain 80% 4\.2 mm · wind 9 km\/h from S, gusts 25\.2/)
    const none = structured(await call("get_weather_forecast", { place: "Girona" }))
    expect(none.places).toHaveLength(0)
    expect(none.note).toMatch(/No place matches "Girona"; places: Home/)
  })
})
