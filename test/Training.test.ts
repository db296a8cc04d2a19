/**
 * The figures the training tools derive, against values worked out by hand: the fitness model and its projection,
 * form zones, plan compliance and the periods of a summary, histogram buckets, zones as watts, bpm and pace, wind
 * and the forecast's local days.
 */
import { describe, expect, it } from "vitest"
import { addDays, mondayOf } from "../src/domain/Dates.js"
import { formZone, fromLoads, nextDay, project } from "../src/domain/Fitness.js"
import { hrZones, paceText, paceZones, powerZones } from "../src/domain/Zones.js"
import { buckets } from "../src/tools/Analysis.js"
import { compass } from "../src/tools/Format.js"
import { compliance, periodsOf } from "../src/tools/Summary.js"
import { dayView } from "../src/tools/Weather.js"

describe("the fitness model", () => {
  // 1 − e^(−1/42) = 0.023530 and 1 − e^(−1/7) = 0.133122, worked out by hand.
  it("moves fitness and fatigue toward the day's load by their time constants", () => {
    const day = nextDay({ fitness: 50, fatigue: 40 }, 100)
    expect(day.fitness).toBeCloseTo(51.1764, 3)
    expect(day.fatigue).toBeCloseTo(47.9873, 3)
  })

  it("projects through planned loads, resting on days with none", () => {
    const days = project({ fitness: 50, fatigue: 40 }, "2026-12-01", "2026-12-03", (d) => (d === "2026-12-02" ? 100 : 0))
    expect(days.map((d) => d.date)).toEqual(["2026-12-01", "2026-12-02", "2026-12-03"])
    expect(days[0]).toMatchObject({ fitness: 50, fatigue: 40, form: 10, plannedLoad: 0 })
    expect(days[1]!.form).toBeCloseTo(3.1891, 3)
    expect(days[2]!.fitness).toBeCloseTo(49.9723, 3)
    expect(days[2]!.fatigue).toBeCloseTo(41.5992, 3)
    expect(days[2]!.form).toBeCloseTo(8.3732, 3)
  })

  it("adds what is still planned today to today", () => {
    const [today] = project({ fitness: 50, fatigue: 40 }, "2026-12-01", "2026-12-01", () => 0, 30)
    expect(today!.fitness).toBeCloseTo(50.7058, 3)
    expect(today!.fatigue).toBeCloseTo(43.9937, 3)
    expect(today!.plannedLoad).toBe(30)
  })

  it("builds a sport's own curve from its loads, from zero", () => {
    const days = fromLoads(new Map([["2026-01-01", 100]]), "2026-01-01", "2026-01-02")
    expect(days[0]!.fitness).toBeCloseTo(2.353, 3)
    expect(days[0]!.fatigue).toBeCloseTo(13.3122, 3)
    expect(days[1]!.load).toBe(0)
    expect(days[1]!.fitness).toBeLessThan(days[0]!.fitness)
  })

  it("labels form as Intervals.icu does, each threshold belonging to the zone below it", () => {
    expect([25.1, 25, 5.1, 5, -9.9, -10, -29.9, -30, -45].map(formZone)).toEqual([
      "transition",
      "fresh",
      "fresh",
      "grey zone",
      "grey zone",
      "optimal",
      "optimal",
      "high risk",
      "high risk"
    ])
  })
})

describe("training summaries", () => {
  it("rounds compliance, and has none without a plan", () => {
    expect(compliance(7, 6)).toBe(86)
    expect(compliance(3, 1)).toBe(33)
    expect(compliance(0, 0)).toBeUndefined()
  })

  it("cuts a window into Monday-to-Sunday weeks, saying which are partial and why", () => {
    expect(periodsOf("2026-11-04", "2026-11-20", "week", "2026-11-30")).toEqual([
      {
        start: "2026-11-04",
        end: "2026-11-08",
        label: "week of Mon 2026-11-02",
        partial: "only 2026-11-04 to 2026-11-08 of the week is in the window"
      },
      { start: "2026-11-09", end: "2026-11-15", label: "week of Mon 2026-11-09" },
      {
        start: "2026-11-16",
        end: "2026-11-20",
        label: "week of Mon 2026-11-16",
        partial: "only 2026-11-16 to 2026-11-20 of the week is in the window"
      }
    ])
    expect(periodsOf("2026-11-30", "2026-12-06", "week", "2026-12-02")[0]!.partial).toBe(
      "the week is not over (today is 2026-12-02)"
    )
  })

  it("cuts a window into calendar months, February of a leap year included", () => {
    const months = periodsOf("2028-01-15", "2028-03-31", "month", "2028-06-01")
    expect(months.map((m) => [m.label, m.start, m.end, m.partial !== undefined])).toEqual([
      ["January 2028", "2028-01-15", "2028-01-31", true],
      ["February 2028", "2028-02-01", "2028-02-29", false],
      ["March 2028", "2028-03-01", "2028-03-31", false]
    ])
  })

  it("counts weeks from Monday", () => {
    expect(["2026-11-30", "2026-12-02", "2026-12-06"].map(mondayOf)).toEqual(["2026-11-30", "2026-11-30", "2026-11-30"])
    expect(addDays("2028-02-28", 1)).toBe("2028-02-29")
  })
})

describe("histogram buckets", () => {
  it("gives each bucket its range and share of the time", () => {
    expect(buckets([{ start: 100, secs: 30 }, { start: 125, secs: 70 }, { start: 150, secs: 0 }], 25)).toEqual([
      { from: 100, to: 125, seconds: 30, percent: 30 },
      { from: 125, to: 150, seconds: 70, percent: 70 }
    ])
  })

  it("folds thin tails into their neighbours, so the shares still add up to 100%", () => {
    const rows = buckets([
      { start: 0, secs: 2 },
      { start: 25, secs: 3 },
      { start: 50, secs: 495 },
      { start: 75, secs: 300 },
      { start: 100, secs: 4 },
      { start: 125, secs: 196 },
      { start: 150, secs: 1 }
    ], 25)
    // 1,001 s in all: 0–25 (0.2%) and 25–50 (0.3%) join 50–75; 150–175 (0.1%) joins 125–150; 100–125 (0.4%) is
    // between thick buckets and stays.
    expect(rows).toEqual([
      { from: 0, to: 75, seconds: 500, percent: 50 },
      { from: 75, to: 100, seconds: 300, percent: 30 },
      { from: 100, to: 125, seconds: 4, percent: 0.4 },
      { from: 125, to: 175, seconds: 197, percent: 19.7 }
    ])
  })

  it("scales speed buckets from m/s to km/h", () => {
    expect(buckets([{ start: 5, secs: 10 }, { start: 5.5, secs: 10 }], 0.5, 3.6)).toEqual([
      { from: 18, to: 19.8, seconds: 10, percent: 50 },
      { from: 19.8, to: 21.6, seconds: 10, percent: 50 }
    ])
  })

  it("is empty when nothing was recorded", () => {
    expect(buckets([{ start: 100, secs: 0 }], 25)).toEqual([])
  })
})

describe("zones as bounds", () => {
  // The fixture athlete's cycling: FTP 249.75 W with bounds 55/75/90/105/120/150% (999 is open-ended).
  it("turns power zones into watts of FTP", () => {
    const zones = powerZones(249.75, [55, 75, 90, 105, 120, 150, 999], ["Recovery"])
    expect(zones.map((z) => [z.zone, z.from_watts, z.to_watts])).toEqual([
      ["Z1", 0, 137],
      ["Z2", 137, 187],
      ["Z3", 187, 225],
      ["Z4", 225, 262],
      ["Z5", 262, 300],
      ["Z6", 300, 375],
      ["Z7", 375, undefined]
    ])
    expect(zones[0]!.name).toBe("Recovery")
    expect(zones[6]!.to_percent).toBeUndefined()
  })

  it("turns heart-rate bounds into bpm ranges that do not overlap", () => {
    expect(hrZones([148, 164, 171, 183, 188, 194, 203]).map((z) => [z.from_bpm, z.to_bpm])).toEqual([
      [0, 148],
      [149, 164],
      [165, 171],
      [172, 183],
      [184, 188],
      [189, 194],
      [195, 203]
    ])
  })

  it("turns pace zones into paces in the sport's units", () => {
    // Threshold 4 m/s is 4:10 /km; 77.5% of it is 3.1 m/s, 322.6 s per km.
    const zones = paceZones(4, "MINS_KM", [77.5, 87.7, 94.3, 100, 103.4, 111.5, 999])
    expect(zones[0]).toMatchObject({ zone: "Z1", fastest: "5:23 /km" })
    expect(zones[0]!.slowest).toBeUndefined()
    expect(zones[1]).toMatchObject({ slowest: "5:23 /km", fastest: "4:45 /km" })
    expect(zones[3]).toMatchObject({ fastest: "4:10 /km" })
    expect(zones[6]).toMatchObject({ slowest: "3:44 /km" })
    expect(zones[6]!.fastest).toBeUndefined()
    // The fixture's swim threshold 0.8333 m/s: 120 s per 100 m.
    expect(paceText(0.8333, "SECS_100M")).toBe("2:00 /100m")
    expect(paceText(4, "MINS_MILE")).toBe("6:42 /mi")
  })
})

describe("weather", () => {
  it("names the compass point the wind blows from", () => {
    expect([0, 22, 23, 44, 180, 200, 350, -90, 720].map(compass)).toEqual(["N", "N", "NE", "NE", "S", "S", "N", "W", "N"])
  })

  it("reads a forecast day in the athlete's own date, in °C, mm, % and km/h", () => {
    // 2025-12-05 12:00 UTC is already 02:00 on the 6th at UTC+14.
    const day = dayView({
      dt: Date.parse("2025-12-05T12:00:00Z") / 1000,
      temp: { min: 3, max: 11 },
      pop: 0.8,
      rain: 4.2,
      wind_speed: 2.5,
      wind_gust: 7,
      wind_deg: 200,
      clouds: 40,
      weather: [{ main: "Rain", description: "moderate rain" }]
    }, "Pacific/Kiritimati")
    expect(day).toEqual({
      date: "2025-12-06",
      weekday: "Saturday",
      summary: "moderate rain",
      temp_min_c: 3,
      temp_max_c: 11,
      rain_mm: 4.2,
      rain_chance_percent: 80,
      wind_kmh: 9,
      gusts_kmh: 25.2,
      wind_from: "S",
      clouds_percent: 40
    })
    expect(dayView({ temp: { max: 5 } }, "UTC")).toBeUndefined()
  })
})
