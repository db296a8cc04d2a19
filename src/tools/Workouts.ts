/**
 * Workouts checked before they are saved: `validate_workout`, and the parse report every tool that writes a workout
 * answers with (the calendar, the bulk plan, the library): the steps as Intervals.icu will read them, duration,
 * distance, estimated load and intensity from the athlete's zones, time in zones, the text this server writes, and
 * every problem found with its line.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { AthleteId } from "../domain/Ids.js"
import { boundedText } from "../domain/Limits.js"
import { checkDoc, checkText, headline, type WorkoutReport } from "../domain/WorkoutCheck.js"
import { WorkoutDoc } from "../domain/WorkoutDoc.js"
import { type Thresholds, thresholdsOf } from "../domain/WorkoutEstimate.js"
import { sportOf } from "../domain/WorkoutText.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import { stepLines } from "./Events.js"
import * as Format from "./Format.js"
import { athleteIdParam, resolveAthlete } from "./Params.js"
import { compact, make, optional, ToolFailure } from "./Tool.js"

export const ParseReport = Schema.Struct({
  steps: Schema.Array(Schema.String).annotations({ description: "One step a line; repeats are indented" }),
  step_count: Schema.Number,
  duration_s: Schema.Number,
  distance_m: optional(Schema.Number),
  load: Schema.Number.annotations({ description: "Estimated training load (100 = an hour at threshold)" }),
  intensity_percent: Schema.Number.annotations({ description: "Estimated intensity, % of threshold" }),
  zone_kind: optional(Schema.Literal("power", "hr", "pace")),
  zone_s: optional(Schema.Array(Schema.Number).annotations({ description: "Estimated seconds in Z1, Z2, …" })),
  untimed_steps: optional(Schema.Number.annotations({ description: "Distance steps whose time could not be estimated" })),
  text: optional(Schema.String.annotations({ description: "The workout text this server writes for these steps" })),
  problems: Schema.Array(Schema.Struct({
    line: Schema.Number.annotations({ description: "1-based line of the text; 0 for the whole workout" }),
    message: Schema.String
  }))
}).annotations({ description: "The workout as Intervals.icu will read it" })
export type ParseReport = typeof ParseReport.Type

export const reportView = (report: WorkoutReport): ParseReport => ({
  steps: stepLines(report.steps),
  step_count: report.stepCount,
  duration_s: report.estimate.duration,
  ...compact({
    distance_m: report.estimate.distance > 0 ? report.estimate.distance : undefined,
    zone_kind: report.estimate.zoneKind,
    zone_s: report.estimate.zoneSeconds.some((s) => s > 0) ? report.estimate.zoneSeconds : undefined,
    untimed_steps: report.estimate.untimed > 0 ? report.estimate.untimed : undefined,
    text: report.text
  }),
  load: report.estimate.load,
  intensity_percent: report.estimate.intensity,
  problems: report.problems
})

/** The report in a few lines: the headline, the problems, the steps. */
export const reportLines = (report: ParseReport, withSteps = true): Array<string> => [
  `${Format.plural(report.step_count, "step")}: ` + Format.join([
    report.duration_s > 0 ? Format.duration(report.duration_s) : undefined,
    Format.distance(report.distance_m),
    `load ${report.load}`,
    `intensity ${report.intensity_percent}%`,
    report.zone_s && report.zone_kind &&
    `${report.zone_kind} zones ${report.zone_s.map((s, i) => (s > 0 ? `Z${i + 1} ${Format.duration(s)}` : "")).filter(Boolean).join(" ")}`
  ]),
  ...(report.problems.length === 0
    ? ["No problems found."]
    : [
      `${Format.plural(report.problems.length, "problem")}:`,
      ...report.problems.map((p) => `- ${p.line > 0 ? `line ${p.line}: ` : ""}${p.message}`)
    ]),
  ...(withSteps ? report.steps : [])
]

/** The thresholds of the athlete's sport settings for a sport type (Ride, Run…), from the cached profile. */
export const thresholdsFor = (athleteId: AthleteId, type: string | undefined) =>
  Effect.map(
    Effect.flatMap(IntervalsClient, (client) => client.athlete(athleteId)),
    (athlete): Thresholds => thresholdsOf(athlete.sportSettings, type ?? "Ride", athlete.icu_resting_hr)
  )

/** Checks a workout given as text or as a structure, for an athlete and sport; a structure the writer refuses fails. */
export const checkWorkout = (
  athleteId: AthleteId,
  type: string | undefined,
  workout: { readonly text?: string | undefined; readonly doc?: typeof WorkoutDoc.Type | undefined },
  tool: string
) =>
  Effect.gen(function*() {
    const thresholds = yield* thresholdsFor(athleteId, type)
    if (workout.doc !== undefined) {
      const checked = checkDoc(workout.doc, sportOf(type), thresholds)
      if (Either.isLeft(checked)) {
        return yield* new ToolFailure({
          message: `Invalid arguments for ${tool}; nothing was sent to Intervals.icu:\n- ${checked.left.path}: ` +
            checked.left.message
        })
      }
      return checked.right
    }
    return checkText(workout.text ?? "", sportOf(type), thresholds)
  })

export const validateWorkout = make({
  name: "validate_workout",
  title: "Check a workout",
  description: "Check a workout before saving it, without changing anything: give workout text (Intervals.icu " +
    "syntax) or a workout_doc, and the sport. Answers the steps as Intervals.icu will read them, total duration and " +
    "distance, estimated load and intensity from the athlete's zones, time in zones, the text this server would " +
    "write, and every problem with its line: a bare m (minutes) where metres were meant, min/sec units, a number " +
    "without %, a ramp without a range, a repeat without blank lines around it, targets in the cue text, nested " +
    "repeats, a pace on a ride. The syntax is the resource intervals://docs/workout-syntax.",
  annotations: { title: "Check a workout", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({
    athlete_id: athleteIdParam,
    workout_type: optional(boundedText(40, 1).annotations({ description: "Sport: Ride, Run, Swim… Default Ride" })),
    text: optional(boundedText(10_000, 1).annotations({ description: "Workout text in Intervals.icu syntax" })),
    workout_doc: optional(WorkoutDoc)
  }).pipe(
    Schema.filter((input) =>
      (input.text === undefined) !== (input.workout_doc === undefined) ||
      { path: ["text"], message: "expected either text or workout_doc (one of them)" }
    )
  ),
  output: Schema.Struct({ workout_type: Schema.String, report: ParseReport }),
  namesAthlete: true,
  run: Effect.fn("validate_workout")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const type = input.workout_type ?? "Ride"
    const report = yield* checkWorkout(athleteId, type, { text: input.text, doc: input.workout_doc }, "validate_workout")
    return { workout_type: type, report: reportView(report) }
  }),
  render: (out) =>
    [
      `${out.workout_type} workout as Intervals.icu will read it (nothing was saved):`,
      ...reportLines(out.report),
      out.report.text !== undefined && `Text this server writes:\n${out.report.text}`
    ].filter((line): line is string => typeof line === "string").join("\n")
})

export { headline }
