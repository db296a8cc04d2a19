/**
 * Reading Intervals.icu workout text (the "Workout Builder" syntax) into steps, as Intervals.icu does when it saves a
 * WORKOUT: `- [cue] <duration|distance> [ramp] <target> [cadence]` step lines, `Nx` repeat headers, blank lines
 * between blocks. The reader is lenient where Intervals.icu is (an unknown word is ignored, a line that is not a step
 * is free text) and reports each thing a writer most likely got wrong, with its line, so that a workout can be
 * checked before it is saved. Its output has the shape of Intervals.icu's own `workout_doc`.
 */

export interface TextTarget {
  readonly units: string
  readonly value?: number
  readonly start?: number
  readonly end?: number
  /** For `% MMP`: the best-effort duration it refers to, as written (`5m`). */
  readonly mmp?: string
}

export interface TextStep {
  readonly text?: string
  readonly duration?: number
  readonly distance?: number
  readonly warmup?: boolean
  readonly cooldown?: boolean
  readonly ramp?: boolean
  readonly freeride?: boolean
  readonly power?: TextTarget
  readonly hr?: TextTarget
  readonly pace?: TextTarget
  readonly cadence?: TextTarget
  readonly reps?: number
  readonly steps?: ReadonlyArray<TextStep>
}

export interface TextProblem {
  /** 1-based line of the text. */
  readonly line: number
  readonly message: string
}

export interface ParsedWorkout {
  readonly steps: ReadonlyArray<TextStep>
  /** Seconds of the steps with a duration, repeats counted in full. */
  readonly duration: number
  /** Metres of the steps with a distance, repeats counted in full. */
  readonly distance: number
  readonly problems: ReadonlyArray<TextProblem>
}

/** Pace units of absolute pace targets, as Intervals.icu names them in a `workout_doc`. */
export const PACE_UNIT_NAMES: Record<string, string> = {
  "/100m": "SECS_100M",
  "/100y": "SECS_100Y",
  "/km": "MINS_KM",
  "/mi": "MINS_MILE",
  "/500m": "SECS_500M",
  "/400m": "SECS_400M",
  "/250m": "SECS_250M"
}

const DISTANCE_METRES: Record<string, number> = { km: 1000, mi: 1609.344, mtr: 1, yrd: 0.9144 }

/** `1h`, `10m`, `30s`, `1h2m30s`, `1.5h`, `5'`, `30"`, `1'30"`; seconds, or undefined. */
export const readDuration = (token: string): number | undefined => {
  const hms = /^(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m)?(?:(\d+)s)?$/.exec(token)
  if (hms !== null && token !== "") {
    return Math.round(Number(hms[1] ?? 0) * 3600 + Number(hms[2] ?? 0) * 60 + Number(hms[3] ?? 0))
  }
  const quotes = /^(?:(\d+)')?(?:(\d+)")?$/.exec(token)
  if (quotes !== null && token !== "") return Number(quotes[1] ?? 0) * 60 + Number(quotes[2] ?? 0)
  return undefined
}

/** `500mtr`, `2km`, `1mi`, `100yrd`; metres, or undefined. */
export const readDistance = (token: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)(km|mi|mtr|yrd)$/.exec(token)
  return match === null ? undefined : Math.round(Number(match[1]) * DISTANCE_METRES[match[2]!]! * 100) / 100
}

const range = (text: string): { value?: number; start?: number; end?: number } => {
  const [a, b] = text.split("-")
  return b === undefined ? { value: Number(a) } : { start: Number(a), end: Number(b) }
}

const clock = (text: string): number => {
  const [m, s] = text.split(":")
  return Number(m) * 60 + Number(s)
}

type Kind = "power" | "hr" | "pace" | "cadence"

interface Read {
  readonly kind: Kind
  readonly target: TextTarget
  /** Tokens the target used, from the current one. */
  readonly used: number
}

/** A target starting at `tokens[i]`, with the keyword that may follow it (`HR`, `LTHR`, `Pace`, `MMP 5m`). */
const readTarget = (tokens: ReadonlyArray<string>, i: number): Read | undefined => {
  const token = tokens[i]!
  const next = tokens[i + 1]
  const keyword = next?.toLowerCase()
  let match: RegExpExecArray | null
  if ((match = /^(\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?)rpm$/i.exec(token))) {
    return { kind: "cadence", target: { ...range(match[1]!), units: "rpm" }, used: 1 }
  }
  if ((match = /^(\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?)w$/i.exec(token))) {
    return { kind: "power", target: { ...range(match[1]!), units: "w" }, used: 1 }
  }
  if ((match = /^(\d+(?:\.\d+)?)w-(\d+(?:\.\d+)?)w$/i.exec(token))) {
    return { kind: "power", target: { start: Number(match[1]), end: Number(match[2]), units: "w" }, used: 1 }
  }
  if ((match = /^(\d+(?:\.\d+)?)%?-(\d+(?:\.\d+)?)%$|^(\d+(?:\.\d+)?)%$/.exec(token))) {
    const values = match[3] !== undefined
      ? { value: Number(match[3]) }
      : { start: Number(match[1]), end: Number(match[2]) }
    if (keyword === "hr") return { kind: "hr", target: { ...values, units: "%hr" }, used: 2 }
    if (keyword === "lthr") return { kind: "hr", target: { ...values, units: "%lthr" }, used: 2 }
    if (keyword === "pace") return { kind: "pace", target: { ...values, units: "%pace" }, used: 2 }
    if (keyword === "mmp") {
      const of = tokens[i + 2]
      return of !== undefined && readDuration(of) !== undefined
        ? { kind: "power", target: { ...values, units: "%mmp", mmp: of }, used: 3 }
        : { kind: "power", target: { ...values, units: "%mmp" }, used: 2 }
    }
    return { kind: "power", target: { ...values, units: "%ftp" }, used: 1 }
  }
  if ((match = /^(C?)Z(\d+)(?:-(?:C?Z)?(\d+))?$/i.exec(token))) {
    const values = match[3] !== undefined
      ? { start: Number(match[2]), end: Number(match[3]) }
      : { value: Number(match[2]) }
    if (match[1] !== "") return { kind: "power", target: { ...values, units: "custom_zone" }, used: 1 }
    if (keyword === "hr") return { kind: "hr", target: { ...values, units: "hr_zone" }, used: 2 }
    if (keyword === "pace") return { kind: "pace", target: { ...values, units: "pace_zone" }, used: 2 }
    return { kind: "power", target: { ...values, units: "power_zone" }, used: 1 }
  }
  if ((match = /^(\d+:\d{2})(\/\d*[a-z]+)?(?:-(\d+:\d{2})(\/\d*[a-z]+)?)?$/i.exec(token)) && keyword === "pace") {
    const unit = match[4] ?? match[2]
    const units = unit === undefined ? "pace" : PACE_UNIT_NAMES[unit.toLowerCase()]
    if (units === undefined) return undefined
    const values = match[3] !== undefined
      ? { start: clock(match[1]!), end: clock(match[3]) }
      : { value: clock(match[1]!) }
    return { kind: "pace", target: { ...values, units }, used: 2 }
  }
  return undefined
}

const isLength = (token: string) => readDuration(token) !== undefined || readDistance(token) !== undefined

/** `10min`, `30sec`, `1hr`: units Intervals.icu does not read (it wants `10m`, `30s`, `1h`). */
const WRONG_UNIT = /^(\d+(?:\.\d+)?)(min|mins|minute|minutes|sec|secs|second|seconds|hr|hrs|hour|hours)$/i

const suggestion = (token: string) => {
  const [, n, unit] = WRONG_UNIT.exec(token)!
  return `${n}${/^h/i.test(unit!) ? "h" : /^m/i.test(unit!) ? "m" : "s"}`
}

/** One `- …` line: its step, or undefined when it has no duration or distance. */
const readStep = (line: string, at: number, problems: Array<TextProblem>, sport: Sport): TextStep | undefined => {
  const tokens = line.replace(/^-\s*/, "").split(/\s+/).filter((token) => token !== "")
  for (const token of tokens.filter((t) => WRONG_UNIT.test(t))) {
    problems.push({
      line: at,
      message: `"${token}" is not a duration Intervals.icu reads: write ${suggestion(token)} (m is minutes, s seconds, h hours)`
    })
  }
  const lengthAt = tokens.findIndex(isLength)
  if (lengthAt < 0) {
    if (!tokens.some((t) => WRONG_UNIT.test(t))) {
      problems.push({ line: at, message: "this step has no duration or distance, so Intervals.icu skips it" })
    }
    return undefined
  }
  // The cue is what comes before the first target or the duration: Intervals.icu drops a target written before the
  // duration ("Z2 Steady 1h" has no cue; "Rep — 300w 3m" has the cue "Rep —").
  const firstTarget = tokens.findIndex((_, i) => i < lengthAt && readTarget(tokens, i) !== undefined)
  if (firstTarget >= 0) {
    problems.push({
      line: at,
      message: `"${tokens[firstTarget]}" before the duration reads as a target, so the cue loses ` +
        `"${tokens.slice(firstTarget, lengthAt).join(" ")}"; put targets after the duration and keep them out of cue text`
    })
  }
  const cue = tokens.slice(0, firstTarget < 0 ? lengthAt : firstTarget)
  const length = tokens[lengthAt]!
  const step: {
    -readonly [K in keyof TextStep]: TextStep[K]
  } = {}
  if (cue.length > 0) step.text = cue.join(" ")
  const distance = readDistance(length)
  if (distance !== undefined) step.distance = distance
  else step.duration = readDuration(length)!
  const minutes = /^(\d+(?:\.\d+)?)m$/.exec(length)
  if (minutes !== null && (Number(minutes[1]) >= 100 || (sport === "swim" && Number(minutes[1]) >= 25))) {
    problems.push({
      line: at,
      message: `"${length}" is ${minutes[1]} minutes: a bare m is minutes in Intervals.icu; for metres write ` +
        `${minutes[1]}mtr`
    })
  }
  for (let i = lengthAt + 1; i < tokens.length; i++) {
    const token = tokens[i]!
    if (token.toLowerCase() === "ramp") step.ramp = true
    else if (token.toLowerCase() === "freeride") step.freeride = true
    else if (/^[a-z]+=\S+$/i.test(token) || WRONG_UNIT.test(token)) continue
    else {
      const read = readTarget(tokens, i)
      if (read === undefined) {
        problems.push({
          line: at,
          message: /^\d+(?:\.\d+)?(?:-\d+(?:\.\d+)?)?$/.test(token)
            ? `"${token}" has no unit, so Intervals.icu ignores it: write ${token}% (of FTP), ${token}w, ` +
              `${token}% HR or ${token}% Pace`
            : `"${token}" after the duration is not a target Intervals.icu reads; ignored`
        })
        continue
      }
      if (step[read.kind] !== undefined) {
        problems.push({ line: at, message: `a second ${read.kind} target ("${token}") on one step; the first is kept` })
      } else step[read.kind] = read.target
      i += read.used - 1
    }
  }
  const intensity = step.power ?? step.hr ?? step.pace
  if (step.ramp && (intensity === undefined || intensity.start === undefined)) {
    problems.push({
      line: at,
      message: "a ramp needs a range to ramp through, e.g. \"10m ramp 50-75%\"; without one it is a steady step"
    })
  }
  if (sport === "ride" && step.pace !== undefined) {
    problems.push({ line: at, message: "a pace target on a ride: a bike computer cannot follow it; use power or HR" })
  }
  if (sport === "swim" && step.power !== undefined) {
    problems.push({ line: at, message: "a power target on a swim: use pace or HR" })
  }
  return step
}

const lengthOf = (steps: ReadonlyArray<TextStep>, key: "duration" | "distance"): number =>
  steps.reduce((sum, step) => sum + (step.steps ? (step.reps ?? 1) * lengthOf(step.steps, key) : step[key] ?? 0), 0)

/** A repeat header: a line ending in `Nx` (`Main Set 5x`, or `5x` alone). */
const REPEAT = /(?:^|\s)(\d+)\s*x$/i

/** The sport family a workout is for, when known: some mistakes depend on it (a pace on a ride, metres in a swim). */
export type Sport = "ride" | "run" | "swim" | "other" | undefined

export const sportOf = (type: string | null | undefined): Sport =>
  type == null || type === ""
    ? undefined
    : /ride|cycl/i.test(type)
    ? "ride"
    : /run|walk|hike/i.test(type)
    ? "run"
    : /swim/i.test(type)
    ? "swim"
    : "other"

/** Reads workout text into steps; never fails: what it cannot read is a problem, and the rest is kept. */
export const parseWorkoutText = (text: string | null | undefined, sport?: Sport): ParsedWorkout => {
  const problems: Array<TextProblem> = []
  const steps: Array<TextStep> = []
  let repeat: { reps: number; text: string; steps: Array<TextStep> } | undefined
  let section: "warmup" | "cooldown" | undefined
  const lines = (text ?? "").split(/\r?\n/)
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim()
    const at = index + 1
    if (line === "") {
      repeat = undefined
      section = undefined
      continue
    }
    if (line.startsWith("-")) {
      const step = readStep(line, at, problems, sport)
      if (step === undefined || (step.duration === 0 && step.distance === undefined)) continue
      const marked = section === "warmup" ? { ...step, warmup: true } : section === "cooldown" ? { ...step, cooldown: true } : step
      if (repeat !== undefined) repeat.steps.push(marked)
      else steps.push(marked)
      continue
    }
    const reps = REPEAT.exec(line)
    if (reps !== null) {
      if (repeat !== undefined && repeat.steps.length > 0) {
        problems.push({
          line: at,
          message: "a repeat starts inside another repeat: Intervals.icu has no nested repeats; leave a blank line " +
            "before it (and write the outer repeat out)"
        })
      } else if (index > 0 && lines[index - 1]!.trim() !== "") {
        problems.push({ line: at, message: `leave a blank line before the repeat "${line}", as Intervals.icu expects` })
      }
      repeat = { reps: Number(reps[1]), text: line, steps: [] }
      steps.push(repeat)
      section = undefined
    } else if (/^(warm\s*-?\s*up|cool\s*-?\s*down)$/i.test(line)) {
      if (repeat !== undefined) {
        problems.push({
          line: at,
          message: `"${line}" comes straight after a repeat, so it and its steps are read as part of the repeat: ` +
            "leave a blank line after the repeat's steps"
        })
      }
      section = /^warm/i.test(line) ? "warmup" : "cooldown"
    }
    // Any other line is free text: Intervals.icu shows it with the workout and reads no step from it.
  }
  const kept = steps.filter((step) => step.steps === undefined || step.steps.length > 0)
  return {
    steps: kept,
    duration: lengthOf(kept, "duration"),
    distance: lengthOf(kept, "distance"),
    problems
  }
}

/**
 * The `workout_doc` Intervals.icu would store for the text: its steps (repeats with their total `duration`), total
 * duration and distance, and the bookkeeping keys of a real doc.
 */
export const workoutDocOf = (text: string | null | undefined) => {
  const parsed = parseWorkoutText(text)
  const withTotals = (steps: ReadonlyArray<TextStep>): Array<TextStep> =>
    steps.map((step) =>
      step.steps === undefined
        ? step
        : {
          ...step,
          steps: withTotals(step.steps),
          duration: (step.reps ?? 1) * lengthOf(step.steps, "duration"),
          distance: (step.reps ?? 1) * lengthOf(step.steps, "distance")
        }
    )
  return {
    steps: withTotals(parsed.steps),
    duration: parsed.duration,
    distance: parsed.distance,
    locales: [],
    options: {}
  }
}
