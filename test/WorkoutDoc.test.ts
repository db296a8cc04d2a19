import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { describe, expect, it } from "vitest"
import { toWorkoutText, WorkoutDoc } from "../src/domain/WorkoutDoc.js"

const text = (steps: Array<unknown>) => {
  const doc = Schema.decodeUnknownSync(WorkoutDoc)({ steps })
  return Either.getOrThrowWith(toWorkoutText(doc), (e) => new Error(`${e.path}: ${e.message}`))
}
const error = (steps: Array<unknown>) => {
  const result = toWorkoutText(Schema.decodeUnknownSync(WorkoutDoc)({ steps }))
  if (Either.isRight(result)) throw new Error(`expected a refusal, got ${result.right}`)
  return `${result.left.path}: ${result.left.message}`
}

describe("workout_doc to Intervals.icu workout text", () => {
  const lines: Array<[string, Record<string, unknown>, string]> = [
    ["seconds", { duration: 30, power: { units: "%ftp", value: 120 } }, "- 30s 120%"],
    ["minutes", { duration: 600, power: { units: "%ftp", value: 75 } }, "- 10m 75%"],
    ["combined", { duration: 3750, power: { units: "%ftp", value: 65 } }, "- 1h2m30s 65%"],
    ["%ftp range", { duration: 240, power: { units: "%ftp", start: 95, end: 105 } }, "- 4m 95-105%"],
    ["watts", { duration: 300, power: { units: "w", value: 220 } }, "- 5m 220w"],
    ["watts range", { duration: 300, power: { units: "w", start: 200, end: 240 } }, "- 5m 200-240w"],
    ["power zone", { duration: 1200, power: { units: "power_zone", value: 2 } }, "- 20m Z2"],
    ["power zone range", { duration: 1200, power: { units: "power_zone", start: 3, end: 4 } }, "- 20m Z3-Z4"],
    ["%hr", { duration: 600, hr: { units: "%hr", value: 70 } }, "- 10m 70% HR"],
    ["%lthr range", { duration: 600, hr: { units: "%lthr", start: 90, end: 95 } }, "- 10m 90-95% LTHR"],
    ["hr zone", { duration: 600, hr: { units: "hr_zone", value: 2 } }, "- 10m Z2 HR"],
    ["hr zone range", { duration: 600, hr: { units: "hr_zone", start: 2, end: 3 } }, "- 10m Z2-Z3 HR"],
    ["%pace", { duration: 900, pace: { units: "%pace", start: 78, end: 82 } }, "- 15m 78-82% Pace"],
    ["pace zone", { duration: 900, pace: { units: "pace_zone", value: 2 } }, "- 15m Z2 Pace"],
    ["pace /km", { distance: 1, distance_unit: "km", pace: { units: "MINS_KM", value: 270 } }, "- 1km 4:30/km Pace"],
    ["pace /mi", { distance: 1, distance_unit: "mi", pace: { units: "MINS_MILE", value: 420 } }, "- 1mi 7:00/mi Pace"],
    [
      "pace /100m range",
      { distance: 400, pace: { units: "SECS_100M", start: 180, end: 240 } },
      "- 400mtr 3:00/100m-4:00/100m Pace"
    ],
    ["pace /100y (yards)", { distance: 100, distance_unit: "yd", pace: { units: "SECS_100Y", value: 95 } }, "- 100yrd 1:35/100y Pace"],
    ["pace /500m", { duration: 240, pace: { units: "SECS_500M", value: 110 } }, "- 4m 1:50/500m Pace"],
    ["pace /400m", { distance: 400, pace: { units: "SECS_400M", value: 88 } }, "- 400mtr 1:28/400m Pace"],
    ["pace /250m", { distance: 250, pace: { units: "SECS_250M", value: 55 } }, "- 250mtr 0:55/250m Pace"],
    ["cadence", { duration: 720, power: { units: "%ftp", start: 88, end: 93 }, cadence: { units: "rpm", start: 85, end: 95 } }, "- 12m 88-93% 85-95rpm"],
    ["ramp", { duration: 600, ramp: true, power: { units: "%ftp", start: 50, end: 75 } }, "- 10m ramp 50-75%"],
    ["freeride", { duration: 1200, freeride: true }, "- 20m freeride"],
    ["cue", { text: "Recovery spin", duration: 30, power: { units: "%ftp", value: 50 } }, "- Recovery spin 30s 50%"],
    ["metres are mtr, never m", { distance: 500, pace: { units: "%pace", value: 100 } }, "- 500mtr 100% Pace"],
    ["decimal km", { distance: 0.4, distance_unit: "km", pace: { units: "%pace", value: 105 } }, "- 0.4km 105% Pace"]
  ]
  for (const [name, step, expected] of lines) {
    it(name, () => expect(text([step])).toBe(expected))
  }

  it("puts repeats in their own block with blank lines around them", () => {
    expect(text([
      { warmup: true, duration: 600, ramp: true, power: { units: "%ftp", start: 50, end: 75 } },
      {
        text: "Main Set",
        reps: 3,
        steps: [
          { duration: 720, power: { units: "%ftp", start: 88, end: 93 } },
          { duration: 240, power: { units: "%ftp", value: 55 } }
        ]
      },
      { duration: 300, power: { units: "%ftp", value: 60 } },
      { cooldown: true, duration: 600, power: { units: "%ftp", value: 50 } }
    ])).toBe(
      "Warmup\n- 10m ramp 50-75%\n\nMain Set 3x\n- 12m 88-93%\n- 4m 55%\n\n- 5m 60%\n\nCooldown\n- 10m 50%"
    )
  })

  it("unrolls an outer repeat around inner repeats into consecutive blocks", () => {
    expect(text([{
      reps: 2,
      steps: [
        { reps: 3, steps: [{ duration: 30, power: { units: "w", value: 400 } }, { duration: 30, power: { units: "w", value: 150 } }] },
        { duration: 300, power: { units: "w", value: 150 } }
      ]
    }])).toBe("3x\n- 30s 400w\n- 30s 150w\n\n- 5m 150w\n\n3x\n- 30s 400w\n- 30s 150w\n\n- 5m 150w")
  })

  it("refuses repeats nested deeper than twice (schema) and huge unrolls (converter)", () => {
    const leaf = { duration: 30, power: { units: "w", value: 300 } }
    const deep = { reps: 2, steps: [{ reps: 2, steps: [{ reps: 2, steps: [leaf] }] }] }
    expect(error([deep])).toMatch(/workout_doc\.steps\[0\]\.steps: repeats nest at most two levels/)
    const big = { reps: 100, steps: [{ reps: 10, steps: Array.from({ length: 10 }, () => leaf) }] }
    expect(error([big])).toMatch(/unrolls to \d+ lines; at most 400/)
  })

  const refusals: Array<[string, Record<string, unknown>, RegExp]> = [
    ["no length", { power: { units: "w", value: 200 } }, /steps\[0\]: a step needs a duration/],
    ["both lengths", { duration: 60, distance: 100 }, /give a duration or a distance, not both/],
    ["two targets", { duration: 60, power: { units: "w", value: 200 }, hr: { units: "hr_zone", value: 2 } }, /one intensity target per step, got power and hr/],
    ["half a range", { duration: 60, power: { units: "w", start: 200 } }, /steps\[0\]\.power: give either value, or both start and end/],
    ["ramp without a range", { duration: 60, ramp: true, power: { units: "w", value: 200 } }, /ramp needs a target range/],
    ["zone out of range", { duration: 60, power: { units: "power_zone", value: 2.5 } }, /zones are whole numbers/],
    ["cue with a duration", { text: "Hold 5m hard", duration: 60 }, /cue text "Hold 5m hard" contains something Intervals\.icu would read/],
    ["cue with a percentage", { text: "at 80% effort", duration: 60 }, /would read as a duration, distance,/],
    ["cue with a zone", { text: "easy z2", duration: 60 }, /would read/],
    ["cue on two lines", { text: "a\nb", duration: 60 }, /one line/],
    ["reps without steps", { reps: 3, duration: 60 }, /reps needs nested steps/],
    ["a heart-rate unit on power", { duration: 60, power: { units: "%hr", value: 70 } }, /power\.units: expected one of %ftp, w, power_zone for power, got %hr/],
    ["cadence not in rpm", { duration: 60, cadence: { units: "w", value: 90 } }, /cadence\.units: expected rpm/]
  ]
  for (const [name, step, message] of refusals) {
    it(`refuses ${name}`, () => expect(error([step])).toMatch(message))
  }
})
