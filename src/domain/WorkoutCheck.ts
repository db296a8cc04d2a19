/**
 * A workout checked before it is saved: read as Intervals.icu will read it (`WorkoutText`), what it will cost
 * (`WorkoutEstimate`), the text this server would write for it (`WorkoutDoc`'s writer), and every problem found with
 * its line. One report for workout text and for a `workout_doc`, so that `validate_workout`, the calendar writes and
 * the library answer alike.
 */
import * as Either from "effect/Either"
import { durationText, type Step, toWorkoutText, Units, WorkoutTextError } from "./WorkoutDoc.js"
import { type Estimate, estimateWorkout, type Thresholds } from "./WorkoutEstimate.js"
import { parseWorkoutText, type Sport, type TextProblem, type TextStep } from "./WorkoutText.js"

export interface WorkoutReport {
  readonly steps: ReadonlyArray<TextStep>
  /** Steps once repeats are counted once, as Intervals.icu's parsed doc lists them. */
  readonly stepCount: number
  readonly estimate: Estimate
  /** The text this server writes for the steps; undefined when they hold what its writer cannot say (% MMP, CZ). */
  readonly text?: string
  /** The text as given, when it came as text. */
  readonly given?: string
  readonly problems: ReadonlyArray<TextProblem>
}

/** Units the writer can put into text: every unit a step may carry. */
const WRITABLE: ReadonlySet<string> = new Set(Units.literals)

/** The parsed steps as the writer's structure, or undefined when a target has no structured form in it. */
export const toDoc = (steps: ReadonlyArray<TextStep>): ReadonlyArray<Step> | undefined => {
  let writable = true
  const convert = (list: ReadonlyArray<TextStep>): Array<Step> =>
    list.map((step) => {
      const out: { -readonly [K in keyof Step]: Step[K] } = {}
      const cue = step.text?.replace(/\s*\d+\s*x$/i, "")
      if (cue) out.text = cue
      if (step.duration !== undefined && step.steps === undefined) out.duration = step.duration
      if (step.distance !== undefined && step.steps === undefined) out.distance = step.distance
      for (const flag of ["warmup", "cooldown", "freeride"] as const) if (step[flag]) out[flag] = true
      // A ramp without a range is a steady step to Intervals.icu (and a problem in the report): written as one.
      const ranged = [step.power, step.hr, step.pace].some((t) => t?.start !== undefined && t.end !== undefined)
      if (step.ramp && ranged) out.ramp = true
      for (const kind of ["power", "hr", "pace", "cadence"] as const) {
        const target = step[kind]
        if (target === undefined) continue
        if (!WRITABLE.has(target.units)) writable = false
        out[kind] = {
          units: target.units as never,
          ...(target.value !== undefined ? { value: target.value } : {}),
          ...(target.start !== undefined ? { start: target.start } : {}),
          ...(target.end !== undefined ? { end: target.end } : {})
        }
      }
      if (step.steps !== undefined) {
        out.reps = step.reps ?? 1
        out.steps = convert(step.steps)
      }
      return out
    })
  const doc = convert(steps)
  return writable ? doc : undefined
}

const countOnce = (steps: ReadonlyArray<TextStep>): number =>
  steps.reduce((n, step) => n + (step.steps !== undefined ? countOnce(step.steps) : 1), 0)

/** Checks workout text as Intervals.icu will read it. */
export const checkText = (text: string, sport: Sport, thresholds: Thresholds): WorkoutReport => {
  const parsed = parseWorkoutText(text, sport)
  const doc = toDoc(parsed.steps)
  const written = doc === undefined || doc.length === 0 ? undefined : toWorkoutText({ steps: doc })
  const problems = [...parsed.problems]
  if (parsed.steps.length === 0 && text.trim() !== "") {
    problems.push({
      line: 0,
      message: "no step was read from this text, so Intervals.icu will save it as a note-like workout with no " +
        "structure: each step is a line \"- <duration or distance> <target>\", e.g. \"- 10m 65%\""
    })
  }
  return {
    steps: parsed.steps,
    stepCount: countOnce(parsed.steps),
    estimate: estimateWorkout(parsed.steps, thresholds),
    ...(written !== undefined && Either.isRight(written) ? { text: written.right } : {}),
    given: text,
    problems
  }
}

/** Checks a structure: written as text first (its refusal is the answer), then read back as Intervals.icu would. */
export const checkDoc = (
  doc: { readonly steps: ReadonlyArray<Step> },
  sport: Sport,
  thresholds: Thresholds
): Either.Either<WorkoutReport, WorkoutTextError> =>
  Either.map(toWorkoutText(doc), (text) => {
    const { given: _, ...report } = checkText(text, sport, thresholds)
    return { ...report, text }
  })

/** "1h05m, 41.2 km, load 78, intensity 84%" for a report's first line. */
export const headline = (report: WorkoutReport): string =>
  [
    report.estimate.duration > 0 ? durationText(report.estimate.duration) : undefined,
    report.estimate.distance > 0 ? `${Math.round(report.estimate.distance / 10) / 100} km` : undefined,
    `load ${report.estimate.load}`,
    `intensity ${report.estimate.intensity}%`
  ].filter((part) => part !== undefined).join(", ")

export { WorkoutTextError }
