/**
 * A planned workout as a structure (steps, repeats, targets) and its conversion to the workout text Intervals.icu
 * parses (the "Workout Builder" syntax): `- [cue] <duration|distance> [ramp] <target> [cadence]` lines, `Nx` repeat
 * blocks separated by blank lines. The converter refuses what the syntax cannot say rather than emit text that
 * Intervals.icu would read as something else: cue text that looks like a duration or target, two intensity targets
 * on one step, repeats nested more than once (one level of nesting is unrolled, since Intervals.icu has no nested
 * repeats).
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { boundedList, boundedText } from "./Limits.js"

const Int = (min: number, max: number) => Schema.Number.pipe(Schema.int(), Schema.between(min, max))
const Positive = Schema.Number.pipe(Schema.positive(), Schema.lessThanOrEqualTo(1_000_000)).annotations({
  message: () => ({ message: "expected a number more than 0 and at most 1,000,000", override: false })
})
const opt = <A, I>(schema: Schema.Schema<A, I>) => Schema.optionalWith(schema, { exact: true })

/** The target units Intervals.icu's workout steps carry. */
export const Units = Schema.Literal(
  "%ftp",
  "w",
  "power_zone",
  "%hr",
  "%lthr",
  "hr_zone",
  "%pace",
  "pace_zone",
  "SECS_100M",
  "SECS_100Y",
  "MINS_KM",
  "MINS_MILE",
  "SECS_500M",
  "SECS_400M",
  "SECS_250M",
  "rpm"
)

export const PACE_UNITS = {
  SECS_100M: "/100m",
  SECS_100Y: "/100y",
  MINS_KM: "/km",
  MINS_MILE: "/mi",
  SECS_500M: "/500m",
  SECS_400M: "/400m",
  SECS_250M: "/250m"
} as const

/**
 * The paces a person can hold, in seconds per each absolute pace unit (2:00 to 20:00 per km on foot, 0:40 to 6:40 per
 * 100 m in water, 1:00 to 10:00 per 500 m on a rower…): a value outside is a mistake, most often minutes (4.5 for
 * 4:30/km) where seconds were meant, which Intervals.icu would take as a 4.5-second kilometre.
 */
export const PACE_BOUNDS: Readonly<Record<keyof typeof PACE_UNITS, readonly [number, number]>> = {
  MINS_KM: [120, 1200],
  MINS_MILE: [180, 1800],
  SECS_100M: [40, 400],
  SECS_100Y: [35, 370],
  SECS_500M: [60, 600],
  SECS_400M: [45, 480],
  SECS_250M: [30, 300]
}

/** One target for all kinds: which units fit which kind is checked by the converter, with a message. */
const Target = Schema.Struct({
  units: Units,
  value: opt(Positive),
  start: opt(Positive),
  end: opt(Positive)
}).annotations({
  identifier: "Target",
  description: "value, or start and end (a range); pace units: seconds per unit, 300 = 5:00/km"
})


export interface Step {
  readonly text?: string
  readonly duration?: number
  readonly distance?: number
  readonly distance_unit?: "m" | "km" | "mi" | "yd"
  readonly warmup?: boolean
  readonly cooldown?: boolean
  readonly ramp?: boolean
  readonly freeride?: boolean
  readonly power?: typeof Target.Type
  readonly hr?: typeof Target.Type
  readonly pace?: typeof Target.Type
  readonly cadence?: typeof Target.Type
  readonly reps?: number
  readonly steps?: ReadonlyArray<Step>
}

// One recursive step: its JSON Schema is a single definition; the converter bounds the nesting.
const StepSchema: Schema.Schema<Step> = Schema.Struct({
  text: opt(boundedText(120)),
  duration: opt(Int(1, 86_400).annotations({ description: "seconds" })),
  distance: opt(Positive),
  distance_unit: opt(Schema.Literal("m", "km", "mi", "yd").annotations({ description: "m (default) is metres" })),
  warmup: opt(Schema.Boolean),
  cooldown: opt(Schema.Boolean),
  ramp: opt(Schema.Boolean),
  freeride: opt(Schema.Boolean),
  power: opt(Target),
  hr: opt(Target),
  pace: opt(Target),
  cadence: opt(Target),
  reps: opt(Int(1, 100)),
  steps: opt(boundedList(Schema.suspend(() => StepSchema), 50, "steps"))
}).annotations({
  identifier: "Step",
  message: () => ({ message: "expected a step: an object with duration or distance, and a target", override: false })
})

/** Steps, repeats (`reps` + `steps`, nested at most twice) and targets; see the converter for what it accepts. */
export const WorkoutDoc = Schema.Struct({
  steps: boundedList(StepSchema, 100, "steps", 1)
}).annotations({
  description: "Steps: duration or distance, one target, or reps with nested steps (2 levels)",
  message: () => ({ message: "expected an object with a list of steps, e.g. {\"steps\": [{\"duration\": 600}]}", override: false })
})
export type WorkoutDoc = typeof WorkoutDoc.Type

export class WorkoutTextError {
  readonly _tag = "WorkoutTextError"
  constructor(readonly path: string, readonly message: string) {}
}

/** After this many lines a workout is surely a mistake (Intervals.icu workouts are tens of steps). */
const MAX_LINES = 400

const number = (n: number) => String(Math.round(n * 1000) / 1000)

export const durationText = (seconds: number): string => {
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = Math.round(seconds % 60)
  return `${h > 0 ? `${h}h` : ""}${m > 0 ? `${m}m` : ""}${s > 0 || seconds === 0 ? `${s}s` : ""}`
}

const DISTANCE_SUFFIX = { m: "mtr", km: "km", mi: "mi", yd: "yrd" } as const

const clock = (seconds: number) => {
  const total = Math.round(seconds)
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")}`
}

/** Values of a target: "75", or "95-105". */
const values = (t: typeof Target.Type, path: string, format: (n: number) => string = number): Either.Either<string, WorkoutTextError> => {
  if (t.value !== undefined && t.start === undefined && t.end === undefined) return Either.right(format(t.value))
  if (t.value === undefined && t.start !== undefined && t.end !== undefined) {
    return Either.right(`${format(t.start)}-${format(t.end)}`)
  }
  return Either.left(new WorkoutTextError(path, "give either value, or both start and end"))
}

const zone = (t: typeof Target.Type, path: string) =>
  [t.value, t.start, t.end].every((n) => n === undefined || (Number.isInteger(n) && n >= 1 && n <= 10))
    ? values(t, path, (n) => `Z${n}`).pipe(Either.map((v) => v.replace("-Z", "-Z")))
    : Either.left(new WorkoutTextError(path, "zones are whole numbers from 1 to 10"))

const KINDS: Record<"power" | "hr" | "pace", ReadonlyArray<string>> = {
  power: ["%ftp", "w", "power_zone"],
  hr: ["%hr", "%lthr", "hr_zone"],
  pace: ["%pace", "pace_zone", ...Object.keys(PACE_UNITS)]
}

const intensity = (step: Step, path: string): Either.Either<string | undefined, WorkoutTextError> => {
  const given = (["power", "hr", "pace"] as const).filter((key) => step[key] !== undefined)
  if (given.length > 1) {
    return Either.left(
      new WorkoutTextError(path, `one intensity target per step, got ${given.join(" and ")}`)
    )
  }
  const key = given[0]
  if (key === undefined) return Either.right(undefined)
  const t = step[key]!
  const at = `${path}.${key}`
  if (!KINDS[key].includes(t.units)) {
    return Either.left(new WorkoutTextError(`${at}.units`, `expected one of ${KINDS[key].join(", ")} for ${key}, got ${t.units}`))
  }
  switch (t.units) {
    case "%ftp":
      return values(t, at).pipe(Either.map((v) => `${v}%`))
    case "w":
      return values(t, at).pipe(Either.map((v) => `${v}w`))
    case "power_zone":
      return zone(t, at)
    case "%hr":
      return values(t, at).pipe(Either.map((v) => `${v}% HR`))
    case "%lthr":
      return values(t, at).pipe(Either.map((v) => `${v}% LTHR`))
    case "hr_zone":
      return zone(t, at).pipe(Either.map((v) => `${v} HR`))
    case "%pace":
      return values(t, at).pipe(Either.map((v) => `${v}% Pace`))
    case "pace_zone":
      return zone(t, at).pipe(Either.map((v) => `${v} Pace`))
    default: {
      const unit = PACE_UNITS[t.units as keyof typeof PACE_UNITS]
      if (unit === undefined) return Either.left(new WorkoutTextError(`${at}.units`, `unknown unit ${t.units}`))
      const [low, high] = PACE_BOUNDS[t.units as keyof typeof PACE_BOUNDS]
      for (const field of ["value", "start", "end"] as const) {
        const n = t[field]
        if (n !== undefined && (n < low || n > high)) {
          return Either.left(
            new WorkoutTextError(
              `${at}.${field}`,
              `${number(n)} is not a pace in ${t.units}: expected seconds per ${unit.slice(1)}, from ${low} ` +
                `(${clock(low)}${unit}) to ${high} (${clock(high)}${unit}), e.g. ${number(low * 2.5)} for ` +
                `${clock(low * 2.5)}${unit}`
            )
          )
        }
      }
      // Absolute pace carries its unit on each end and the Pace keyword: "3:00/100m-4:00/100m Pace".
      return values(t, at, (n) => `${clock(n)}${unit}`).pipe(Either.map((v) => `${v} Pace`))
    }
  }
}

/** Text that Intervals.icu would read as a duration, distance or target if it appeared in a cue. */
const LOOKS_LIKE_SYNTAX = /(^|\s)(\d+(\.\d+)?\s*(h|m|s|km|mi|mtr|yrd|w|rpm|%)|\d+['"]|z\d|\d+x)(?=$|\s|[-,;:.!?)])/i

const cue = (text: string | undefined, path: string): Either.Either<string | undefined, WorkoutTextError> => {
  if (text === undefined || text.trim() === "") return Either.right(undefined)
  if (/[\r\n]/.test(text)) return Either.left(new WorkoutTextError(path, "cue text must be one line"))
  if (LOOKS_LIKE_SYNTAX.test(text) || /^\s*-/.test(text)) {
    return Either.left(
      new WorkoutTextError(
        path,
        `cue text ${JSON.stringify(text)} contains something Intervals.icu would read as a duration, distance, ` +
          "target or repeat (like \"5m\", \"80%\", \"Z2\" or \"3x\"); put numbers in the step's fields instead"
      )
    )
  }
  return Either.right(text.trim())
}

const stepLine = (step: Step, path: string): Either.Either<string, WorkoutTextError> =>
  Either.gen(function*() {
    if (step.duration === undefined && step.distance === undefined) {
      return yield* Either.left(new WorkoutTextError(path, "a step needs a duration (seconds) or a distance"))
    }
    if (step.duration !== undefined && step.distance !== undefined) {
      return yield* Either.left(new WorkoutTextError(path, "give a duration or a distance, not both"))
    }
    if (step.distance_unit !== undefined && step.distance === undefined) {
      return yield* Either.left(new WorkoutTextError(`${path}.distance_unit`, "distance_unit needs a distance"))
    }
    const text = yield* cue(step.text, `${path}.text`)
    const target = yield* intensity(step, path)
    if (step.ramp && (target === undefined || !target.includes("-"))) {
      return yield* Either.left(new WorkoutTextError(`${path}.ramp`, "a ramp needs a target range (start and end)"))
    }
    if (step.cadence !== undefined && step.cadence.units !== "rpm") {
      return yield* Either.left(new WorkoutTextError(`${path}.cadence.units`, `expected rpm, got ${step.cadence.units}`))
    }
    const cadence = step.cadence === undefined
      ? undefined
      : yield* values(step.cadence, `${path}.cadence`).pipe(Either.map((v) => `${v}rpm`))
    const length = step.distance !== undefined
      ? `${number(step.distance)}${DISTANCE_SUFFIX[step.distance_unit ?? "m"]}`
      : durationText(step.duration!)
    return "- " + [text, length, step.ramp ? "ramp" : undefined, target, cadence, step.freeride ? "freeride" : undefined]
      .filter((part) => part !== undefined).join(" ")
  })

/** A block of lines, with the blank line before and after that repeats need. */
type Block = ReadonlyArray<string>

const header = (step: Step, path: string, reps: number) =>
  cue(step.text, `${path}.text`).pipe(Either.map((text) => (text ? `${text} ${reps}x` : `${reps}x`)))

const hasSteps = (step: Step) => step.steps !== undefined && step.steps.length > 0

const blocksOf = (steps: ReadonlyArray<Step>, path: string): Either.Either<Array<Block>, WorkoutTextError> =>
  Either.gen(function*() {
    const blocks: Array<Block> = []
    let loose: Array<string> = []
    const flush = () => {
      if (loose.length > 0) blocks.push(loose)
      loose = []
    }
    for (const [index, step] of steps.entries()) {
      const at = `${path}[${index}]`
      if (!hasSteps(step)) {
        if (step.reps !== undefined) {
          return yield* Either.left(new WorkoutTextError(`${at}.reps`, "reps needs nested steps"))
        }
        const line = yield* stepLine(step, at)
        if (step.warmup || step.cooldown) {
          // A section header names warm-up and cool-down for Intervals.icu.
          flush()
          blocks.push([step.warmup ? "Warmup" : "Cooldown", line])
        } else loose.push(line)
        continue
      }
      flush()
      const reps = step.reps ?? 1
      const nested = step.steps!
      if (nested.some((inner) => inner.steps?.some(hasSteps))) {
        return yield* Either.left(
          new WorkoutTextError(`${at}.steps`, "repeats nest at most two levels (a repeat inside a repeat)")
        )
      }
      if (nested.some(hasSteps)) {
        // Intervals.icu has no nested repeats: repeat the outer block's content, in order.
        const inner = yield* blocksOf(nested, `${at}.steps`)
        for (let i = 0; i < reps; i++) blocks.push(...inner)
        continue
      }
      const lines: Array<string> = [yield* header(step, at, reps)]
      for (const [inner, leaf] of nested.entries()) lines.push(yield* stepLine(leaf, `${at}.steps[${inner}]`))
      blocks.push(lines)
    }
    flush()
    return blocks
  })

/** The workout text for a structure, or the first reason it cannot be written. */
export const toWorkoutText = (doc: { readonly steps: ReadonlyArray<Step> }): Either.Either<string, WorkoutTextError> =>
  blocksOf(doc.steps, "workout_doc.steps").pipe(
    Either.flatMap((blocks) => {
      const lines = blocks.reduce((n, block) => n + block.length + 1, 0)
      return lines > MAX_LINES
        ? Either.left(new WorkoutTextError("workout_doc", `the workout unrolls to ${lines} lines; at most ${MAX_LINES}`))
        : Either.right(blocks.map((block) => block.join("\n")).join("\n\n"))
    })
  )

/** How many steps a workout holds once repeats are counted once (as Intervals.icu's parsed doc lists them). */
interface Nested {
  readonly steps?: ReadonlyArray<Nested> | null | undefined
}
export const countSteps = (steps: ReadonlyArray<Nested>): number =>
  steps.reduce((n, step) => n + (step.steps && step.steps.length > 0 ? countSteps(step.steps) : 1), 0)
