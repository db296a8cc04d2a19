/**
 * The workout-text reader against Intervals.icu's own parse of real workouts (`workout-doc-examples.json`: the text
 * a user wrote and the `workout_doc` Intervals.icu stored for it), and against the grammar, one case a row.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { parseWorkoutText, readDistance, readDuration, workoutDocOf } from "../src/domain/WorkoutText.js"
import { SAMPLES } from "./fake/Fixtures.js"

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

/** Intervals.icu's steps without what it derives (repeat totals) or what this reader does not keep (`power=1s`). */
const essential = (steps: ReadonlyArray<Json>): Array<Json> =>
  steps.map(({ distance, duration, steps: inner, ...rest }) => {
    const out: Json = { ...rest }
    if (out.power?.target !== undefined) {
      const { target: _, ...power } = out.power
      out.power = power
    }
    if (inner) out.steps = essential(inner)
    else {
      if (duration !== undefined) out.duration = duration
      if (distance) out.distance = distance
    }
    return out
  })

/** The real workouts whose cue text Intervals.icu cut short, and where. */
const LOSSY: Record<string, ReadonlyArray<string>> = {
  "Z2 Endurance (Away — sub-2hr)": ["1: \"Z2\" before the duration reads as a targ"],
  "Pursuit VO₂ — 3 × 3min @ 92–96% MAP": ["12: \"363w-378w\" before the duration reads as"]
}

describe("parseWorkoutText on real workouts", () => {
  const examples: Array<Json> = JSON.parse(readFileSync(join(SAMPLES, "workout-doc-examples.json"), "utf8"))
  for (const example of examples) {
    it(`reads "${example.name}" as Intervals.icu did`, () => {
      const parsed = parseWorkoutText(example.description)
      expect(essential(parsed.steps)).toEqual(essential(example.workout_doc.steps))
      expect(parsed.duration).toBe(example.workout_doc.duration)
      // Where the writer put a target before the duration, Intervals.icu dropped it from the cue: said, line by line.
      expect(parsed.problems.map((p) => `${p.line}: ${p.message.slice(0, 40)}`)).toEqual(LOSSY[example.name] ?? [])
    })
  }

  it("gives repeats their totals in a workout_doc, as Intervals.icu does", () => {
    const example = examples.find((e) => e.name === "VO2 intervals")!
    const doc = workoutDocOf(example.description)
    expect(doc.steps[1]).toMatchObject({ reps: 4, duration: 2160, distance: 0 })
    expect(doc.duration).toBe(3960)
  })
})

describe("the grammar", () => {
  it.each([
    ["1h", 3600],
    ["10m", 600],
    ["30s", 30],
    ["1h2m30s", 3750],
    ["1.5h", 5400],
    ["5'", 300],
    ["30\"", 30],
    ["1'30\"", 90],
    ["10", undefined],
    ["10min", undefined],
    ["m", undefined]
  ])("duration %s is %s seconds", (token, seconds) => {
    expect(readDuration(token)).toBe(seconds)
  })

  it.each([
    ["500mtr", 500],
    ["2km", 2000],
    ["1mi", 1609.34],
    ["100yrd", 91.44],
    ["400m", undefined]
  ])("distance %s is %s metres", (token, metres) => {
    expect(readDistance(token)).toBe(metres)
  })

  it.each([
    ["- 10m 75%", { power: { value: 75, units: "%ftp" } }],
    ["- 10m 95-105%", { power: { start: 95, end: 105, units: "%ftp" } }],
    ["- 10m 220w", { power: { value: 220, units: "w" } }],
    ["- 10m 200-240w", { power: { start: 200, end: 240, units: "w" } }],
    ["- 10m Z2", { power: { value: 2, units: "power_zone" } }],
    ["- 10m Z3-Z4", { power: { start: 3, end: 4, units: "power_zone" } }],
    ["- 10m 60% MMP 5m", { power: { value: 60, units: "%mmp", mmp: "5m" } }],
    ["- 10m CZ1", { power: { value: 1, units: "custom_zone" } }],
    ["- 10m 70% HR", { hr: { value: 70, units: "%hr" } }],
    ["- 10m 95% LTHR", { hr: { value: 95, units: "%lthr" } }],
    ["- 10m Z2 HR", { hr: { value: 2, units: "hr_zone" } }],
    ["- 10m 80% Pace", { pace: { value: 80, units: "%pace" } }],
    ["- 10m Z2 Pace", { pace: { value: 2, units: "pace_zone" } }],
    ["- 10m 5:00/km Pace", { pace: { value: 300, units: "MINS_KM" } }],
    ["- 400mtr 3:00/100m-4:00/100m Pace", { distance: 400, pace: { start: 180, end: 240, units: "SECS_100M" } }],
    ["- 10m 80% 90rpm", { power: { value: 80, units: "%ftp" }, cadence: { value: 90, units: "rpm" } }],
    ["- 10m ramp 50%-75%", { ramp: true, power: { start: 50, end: 75, units: "%ftp" } }],
    ["- 10m freeride", { freeride: true }],
    ["- Spin easy 10m 60%", { text: "Spin easy", power: { value: 60, units: "%ftp" } }]
  ])("%s", (line, expected) => {
    const parsed = parseWorkoutText(line)
    expect(parsed.steps).toEqual([{ ...("distance" in expected ? {} : { duration: 600 }), ...expected }])
    expect(parsed.problems).toEqual([])
  })

  it("reads repeats, sections and free text", () => {
    const parsed = parseWorkoutText(
      "Sweet spot block\n\nWarmup\n- 10m 55%\n\nMain Set 3x\n- 12m 90%\n- 4m 55%\n\nCooldown\n- 8m 50%"
    )
    expect(parsed.steps).toEqual([
      { warmup: true, duration: 600, power: { value: 55, units: "%ftp" } },
      {
        reps: 3,
        text: "Main Set 3x",
        steps: [{ duration: 720, power: { value: 90, units: "%ftp" } }, { duration: 240, power: { value: 55, units: "%ftp" } }]
      },
      { cooldown: true, duration: 480, power: { value: 50, units: "%ftp" } }
    ])
    expect(parsed.duration).toBe(600 + 3 * 960 + 480)
  })

  it("reports what it could not read, with its line, and keeps the rest", () => {
    const parsed = parseWorkoutText("- 10min 60%\n- 20m 90% sprinkles\n- 5m 80% 90%")
    expect(parsed.steps).toHaveLength(2)
    expect(parsed.problems).toEqual([
      { line: 1, message: "\"10min\" is not a duration Intervals.icu reads: write 10m (m is minutes, s seconds, h hours)" },
      { line: 2, message: "\"sprinkles\" after the duration is not a target Intervals.icu reads; ignored" },
      { line: 3, message: "a second power target (\"90%\") on one step; the first is kept" }
    ])
  })

  it("reads nothing from empty or missing text", () => {
    expect(parseWorkoutText("")).toEqual({ steps: [], duration: 0, distance: 0, problems: [] })
    expect(parseWorkoutText(undefined).steps).toEqual([])
  })
})
