/**
 * The built-in demo athlete: deterministic, dated around today in its own timezone, complete (16 weeks of every
 * sport, a plan ahead with a race, wellness, gear) and consistent (every figure derived from the same streams).
 */
import { beforeAll, describe, expect, it } from "vitest"
import { addDays, bestAverages, CURVE_SECS, DEMO_TIMEZONE, localToday, makeDemoDataset } from "../src/demo/DemoAthlete.js"
import type { Dataset, Json } from "../src/demo/InMemoryIntervals.js"
import { parseWorkoutText } from "../src/domain/WorkoutText.js"

const NOW = new Date("2026-12-01T21:30:00Z")
let demo: Dataset

beforeAll(() => {
  demo = makeDemoDataset(NOW)
})

const streamOf = (id: string, type: string): Array<number> =>
  demo.streams(id).find((s) => s.type === type)?.data ?? []

describe("the demo athlete", () => {
  it("is the same data set whenever it is made on the same day", () => {
    const again = makeDemoDataset(new Date(NOW.getTime() + 60_000))
    expect(again.activities).toEqual(demo.activities)
    expect(again.wellness).toEqual(demo.wellness)
    expect(again.events).toEqual(demo.events)
    expect(again.streams(demo.activities.at(-1).id)).toEqual(demo.streams(demo.activities.at(-1).id))
  })

  it("moves with today in the athlete's timezone", () => {
    // 23:30 UTC is already the next day in Amsterdam (UTC+1 in winter).
    expect(makeDemoDataset(new Date("2026-12-01T23:30:00Z")).today).toBe("2026-12-02")
    expect(demo.today).toBe(localToday(DEMO_TIMEZONE, NOW))
    const later = makeDemoDataset(new Date("2027-03-15T12:00:00Z"))
    expect(later.today).toBe("2027-03-15")
    expect(later.wellness.at(-1).id).toBe("2027-03-15")
    expect(later.activities.at(-1).start_date_local.slice(0, 10) < "2027-03-15").toBe(true)
    expect(later.activities[0].start_date_local.slice(0, 10) >= addDays("2027-03-15", -112)).toBe(true)
  })

  it("holds 16 weeks of rides, runs, swims and strength, with Strava stubs", () => {
    const days = demo.activities.map((a) => a.start_date_local.slice(0, 10))
    expect(days[0]! >= addDays(demo.today, -112)).toBe(true)
    expect(days.at(-1)! < demo.today).toBe(true)
    const types = new Set(demo.activities.map((a) => a.type))
    for (const type of ["Ride", "VirtualRide", "Run", "Swim", "WeightTraining"]) expect(types).toContain(type)
    const stubs = demo.activities.filter((a) => a.source === "STRAVA")
    expect(stubs.length).toBeGreaterThanOrEqual(2)
    for (const stub of stubs) expect(Object.keys(stub).sort()).toEqual(["_note", "id", "source", "start_date_local"])
    // Every week has training in it.
    for (let week = 0; week < 16; week++) {
      const from = addDays(demo.today, -7 * (week + 1))
      const to = addDays(demo.today, -7 * week)
      expect(days.some((day) => day >= from && day < to)).toBe(true)
    }
  })

  it("derives each activity's figures from its own streams", () => {
    const ride = demo.activities.filter((a) => a.type === "Ride").at(-1)!
    const watts = streamOf(ride.id, "watts")
    const heartrate = streamOf(ride.id, "heartrate")
    expect(watts.length).toBe(ride.moving_time)
    expect(Math.round(watts.reduce((a, b) => a + b, 0) / watts.length)).toBe(ride.icu_average_watts)
    expect(Math.max(...heartrate)).toBe(ride.max_heartrate)
    expect(Math.round(ride.icu_joules / 1000)).toBe(Math.round(watts.reduce((a, b) => a + b, 0) / 1000))
    // Load is the power-based training load from NP and FTP.
    const intensity = ride.icu_weighted_avg_watts / ride.icu_ftp
    expect(Math.abs(ride.icu_training_load - (ride.moving_time / 3600) * intensity ** 2 * 100)).toBeLessThan(2)
    expect(ride.icu_hr_zone_times.reduce((a: number, b: number) => a + b, 0)).toBe(ride.moving_time)
    expect(ride.elapsed_time).toBeGreaterThanOrEqual(ride.moving_time)
  })

  it("gives structured sessions intervals that follow the plan", () => {
    const session = demo.activities.filter((a) => a.name === "Threshold 4×8" || a.name === "VO2max 5×4").at(-1)!
    const dto = demo.intervals.get(session.id)
    const [reps, seconds] = session.name === "Threshold 4×8" ? [4, 480] : [5, 240]
    const work = dto.icu_intervals.filter((i: Json) => i.type === "WORK" && i.moving_time === seconds)
    expect(work).toHaveLength(reps)
    for (const interval of work) expect(interval.average_watts).toBeGreaterThan(0.9 * session.icu_ftp)
    expect(dto.icu_groups.find((g: Json) => g.moving_time === seconds).count).toBe(reps)
    const event = demo.events.find((e) => e.id === session.paired_event_id)!
    expect(event.paired_activity_id).toBe(session.id)
    expect(event.name).toBe(session.name)
  })

  it("has fitness and fatigue that follow the activities' load", () => {
    let ctl: number | undefined
    let atl: number | undefined
    const loads = new Map<string, number>()
    for (const a of demo.activities) {
      if (a.icu_training_load == null) continue
      const day = a.start_date_local.slice(0, 10)
      loads.set(day, (loads.get(day) ?? 0) + a.icu_training_load)
    }
    for (const day of demo.wellness) {
      const load = loads.get(day.id) ?? 0
      expect(day.ctlLoad).toBe(load)
      if (ctl !== undefined && atl !== undefined) {
        expect(day.ctl).toBeCloseTo(ctl + (load - ctl) * (1 - Math.exp(-1 / 42)), 2)
        expect(day.atl).toBeCloseTo(atl + (load - atl) * (1 - Math.exp(-1 / 7)), 2)
      }
      ctl = day.ctl
      atl = day.atl
    }
    expect(demo.wellness).toHaveLength(112)
    expect(demo.wellness.at(-1).id).toBe(demo.today)
    const scored = demo.wellness.filter((w) => w.soreness != null)
    expect(scored.length).toBeGreaterThan(50)
    for (const w of scored) for (const key of ["soreness", "fatigue", "stress", "mood", "motivation"]) {
      expect(w[key]).toBeGreaterThanOrEqual(1)
      expect(w[key]).toBeLessThanOrEqual(4)
    }
  })

  it("plans three weeks ahead with workout text that parses, notes, and an A race in about five weeks", () => {
    const ahead = demo.events.filter((e) => e.start_date_local.slice(0, 10) >= demo.today)
    const workouts = ahead.filter((e) => e.category === "WORKOUT")
    expect(new Set(workouts.map((e) => e.start_date_local.slice(0, 10))).size).toBeGreaterThanOrEqual(14)
    expect(workouts.every((e) => e.start_date_local.slice(0, 10) < addDays(demo.today, 21))).toBe(true)
    for (const event of demo.events.filter((e) => e.category === "WORKOUT")) {
      const parsed = parseWorkoutText(event.description)
      expect(parsed.problems, event.description).toEqual([])
      expect(parsed.steps.length).toBeGreaterThan(0)
      expect(event.icu_training_load).toBeGreaterThan(0)
      expect(event.moving_time).toBeGreaterThan(0)
    }
    const race = demo.events.find((e) => e.category === "RACE_A")!
    const days = (Date.parse(race.start_date_local.slice(0, 10)) - Date.parse(demo.today)) / 86_400_000
    expect(days).toBeGreaterThanOrEqual(30)
    expect(days).toBeLessThanOrEqual(41)
    expect(ahead.some((e) => e.category === "NOTE")).toBe(true)
  })

  it("has power curves that are the best efforts of its rides", () => {
    const curves = demo.powerCurves({ type: "Ride", curves: "90d" })
    const curve = curves.list[0]
    const rides = demo.activities.filter((a) =>
      /Ride/.test(a.type ?? "") && a.start_date_local.slice(0, 10) >= addDays(demo.today, -90)
    )
    const at300 = CURVE_SECS.indexOf(300)
    const best = Math.max(...rides.map((a) => Math.round(bestAverages(streamOf(a.id, "watts"), [300])[0] ?? 0)))
    expect(curve.values[at300]).toBe(best)
    expect(curves.activities[curve.activity_id[at300]]).toBeDefined()
    // The curve falls with duration, and the sprints put the top near the athlete's peak power.
    const at = (secs: number) => curve.values[CURVE_SECS.indexOf(secs)]
    expect(at(5)).toBeGreaterThan(at(60))
    expect(at(60)).toBeGreaterThan(at(300))
    expect(at(300)).toBeGreaterThan(at(1200))
    expect(at(1200)).toBeGreaterThan(at(3600))
    const values = curve.values.filter((v: number | null) => v !== null)
    expect(values[0]).toBeGreaterThan(700)
    const indoor = demo.powerCurves({ type: "Ride", curves: "90d", filters: JSON.stringify([{ field_id: "trainer", value: [true] }]) })
    expect(indoor.list[0].values[0]).toBeLessThan(values[0])
  })

  it("has sport settings with zones and gear whose totals include the activities", () => {
    const ride = demo.athlete.sportSettings.find((s: Json) => s.types.includes("Ride"))
    expect(ride).toMatchObject({ ftp: 255, lthr: 166, max_hr: 187 })
    expect(ride.power_zones).toHaveLength(7)
    const run = demo.athlete.sportSettings.find((s: Json) => s.types.includes("Run"))
    expect(run).toMatchObject({ threshold_pace: 4, pace_units: "MINS_KM" })
    const shoes = demo.gear.find((g) => g.id === "g1003")!
    const ran = demo.activities.filter((a) => a.gear?.id === "g1003").reduce((n, a) => n + a.distance, 0)
    expect(shoes.distance).toBeCloseTo(212_000 + ran, 0)
    expect(demo.gear.some((g) => g.retired !== null)).toBe(true)
  })
})
