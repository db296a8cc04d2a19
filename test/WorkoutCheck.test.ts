/**
 * The workout checker: every class of mistake it reports, one row each, with its line; the estimate against values
 * worked out by hand; and the round trip text → steps → text → steps on every workout of the samples, which must
 * keep the steps and settle after one pass.
 */
import * as Either from "effect/Either"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "vitest"
import { checkDoc, checkText } from "../src/domain/WorkoutCheck.js"
import { parseWorkoutText } from "../src/domain/WorkoutText.js"
import { SAMPLES } from "./fake/Fixtures.js"

const thresholds = {
  ftp: 250,
  lthr: 170,
  maxHr: 190,
  thresholdPace: 4,
  powerZones: [55, 75, 90, 105, 120, 150, 999],
  hrZones: [140, 150, 160, 170, 180, 190]
}

describe("the problems it reports, each with its line", () => {
  it.each([
    ["a bare m meaning minutes where metres were meant", "run", "- 400m 5:00/km Pace", 1, /"400m" is 400 minutes.*400mtr/],
    ["metres in a swim written as m", "swim", "- 50m Z2 Pace", 1, /"50m" is 50 minutes/],
    ["min and sec units", "ride", "- 10min 60%", 1, /"10min" is not a duration .*write 10m/],
    ["seconds as sec", "ride", "- 10m 60%\n- 30sec 120%", 2, /"30sec" is not a duration .*write 30s/],
    ["a number without %", "ride", "- 20m 75", 1, /"75" has no unit.*75% \(of FTP\), 75w/],
    ["a range without %", "ride", "- 20m 70-80", 1, /"70-80" has no unit/],
    ["a ramp without a range", "ride", "- 10m ramp 80%", 1, /a ramp needs a range/],
    ["a repeat without a blank line before it", "ride", "- 10m 60%\n4x\n- 1m 120%\n- 1m 50%", 2, /blank line before the repeat "4x"/],
    ["a section straight after a repeat", "ride", "4x\n- 1m 120%\n- 1m 50%\nCooldown\n- 5m 50%", 4, /"Cooldown" comes straight after a repeat/],
    ["a target in the cue", "ride", "- Z2 Steady 1h 200w", 1, /"Z2" before the duration reads as a target, so the cue loses "Z2 Steady"/],
    ["nested repeats", "ride", "Main 3x\n- 5m 100%\n2x\n- 1m 120%", 3, /no nested repeats/],
    ["a pace on a ride", "ride", "- 10m 5:00/km Pace", 1, /a pace target on a ride/],
    ["a power target on a swim", "swim", "- 200mtr 80%", 1, /a power target on a swim/],
    ["a step with no length", "ride", "- 80%", 1, /no duration or distance/],
    ["text with no step at all", "ride", "Easy spin, legs only", 0, /no step was read from this text/]
  ] as const)("%s", (_, sport, text, line, message) => {
    const problems = checkText(text, sport, thresholds).problems
    expect(problems.find((p) => message.test(p.message)), JSON.stringify(problems)).toMatchObject({ line })
  })

  it("finds nothing wrong in a well-written workout", () => {
    const text = "Warmup\n- 10m ramp 50-75%\n\nMain Set 3x\n- 12m 88-93% 85-95rpm\n- 4m 55%\n\nCooldown\n- 10m 50%"
    expect(checkText(text, "ride", thresholds).problems).toEqual([])
  })
})

describe("the estimate", () => {
  it("counts an hour at threshold as load 100, repeats in full, and a ramp across its range", () => {
    expect(checkText("- 1h 100%", "ride", thresholds).estimate).toMatchObject({ duration: 3600, load: 100, intensity: 100 })
    // 3 × (10 min at 100% + 5 min at 50%): 30 min at 1.0² and 15 min at 0.5² → load 50 + 6.25 = 56.
    const reps = checkText("3x\n- 10m 100%\n- 5m 50%", "ride", thresholds)
    expect(reps.estimate).toMatchObject({ duration: 2700, load: 56 })
    expect(reps.stepCount).toBe(2)
    // A ramp from 50% to 100% over an hour: the mean of x² over the range is (0.25 + 0.5 + 1) / 3 = 0.5833.
    expect(checkText("- 1h ramp 50-100%", "ride", thresholds).estimate.load).toBe(58)
  })

  it("times a distance step from its pace target and the threshold pace", () => {
    // 2 km at 100% of a 4 m/s threshold pace: 500 s.
    const run = checkText("- 2km 100% Pace", "run", thresholds)
    expect(run.estimate).toMatchObject({ duration: 500, distance: 2000, untimed: 0 })
    expect(checkText("- 2km", "run", thresholds).estimate.untimed).toBe(1)
  })
})

describe("a workout_doc", () => {
  it("is written as text, then read back as Intervals.icu would", () => {
    const checked = checkDoc({
      steps: [
        { duration: 600, warmup: true, ramp: true, power: { units: "%ftp", start: 50, end: 75 } },
        { reps: 4, text: "VO2", steps: [{ duration: 240, power: { units: "%ftp", value: 115 } }, { duration: 180, power: { units: "%ftp", value: 50 } }] }
      ]
    }, "ride", thresholds)
    const report = Either.getOrThrow(checked)
    expect(report.text).toBe("Warmup\n- 10m ramp 50-75%\n\nVO2 4x\n- 4m 115%\n- 3m 50%")
    expect(report.problems).toEqual([])
    expect(report.estimate.duration).toBe(600 + 4 * 420)
  })

  it("is refused where the text could not say it, naming the step", () => {
    const refused = checkDoc({ steps: [{ duration: 60, text: "hold 300w", power: { units: "w", value: 300 } }] }, "ride", thresholds)
    expect(Either.isLeft(refused) && refused.left.path).toBe("workout_doc.steps[0].text")
  })
})

describe("the round trip on every workout of the samples", () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const workouts: Array<{ name: string; description: string }> = []
  const walk = (value: unknown) => {
    if (Array.isArray(value)) return value.forEach(walk)
    if (value === null || typeof value !== "object") return
    const record = value as Record<string, unknown>
    if (typeof record["description"] === "string" && "workout_doc" in record) {
      workouts.push({ name: String(record["name"]), description: record["description"] })
    }
    Object.values(record).forEach(walk)
  }
  for (const file of ["workout-doc-examples.json", "events-workouts.json", "folders.json", "event-race.json"]) {
    walk(JSON.parse(readFileSync(join(SAMPLES, file), "utf8")))
  }

  it("finds the samples' workouts", () => {
    expect(workouts.length).toBeGreaterThanOrEqual(10)
  })

  for (const { description, name } of workouts) {
    it(`keeps the steps of "${name}" through text → steps → text`, () => {
      const first = checkText(description, undefined, thresholds)
      if (first.steps.length === 0) return
      expect(first.text, "the writer could not say it").toBeDefined()
      const again = parseWorkoutText(first.text!)
      expect(again.steps).toEqual(first.steps)
      expect(again.problems).toEqual([])
      // And it settles: writing the re-read steps gives the same text.
      expect(checkText(first.text!, undefined, thresholds).text).toBe(first.text)
    })
  }
})
