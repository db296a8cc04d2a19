/**
 * The fake Intervals.icu's reading of workout text into `workout_doc`, after the documented grammar
 * (`shared/intervals-api/README.md`) and the real parsed docs in `samples/workout-doc-examples.json`. Like the real
 * site, text it cannot read gives a doc with no steps (the event is still saved).
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/
const DISTANCE = /^(\d+(?:\.\d+)?)(km|mi|mtr|yrd)$/
const PACE_UNIT: Record<string, string> = {
  "/100m": "SECS_100M",
  "/100y": "SECS_100Y",
  "/km": "MINS_KM",
  "/mi": "MINS_MILE",
  "/500m": "SECS_500M",
  "/400m": "SECS_400M",
  "/250m": "SECS_250M"
}

const range = (text: string, parse: (s: string) => number = Number) => {
  const [a, b] = text.split("-")
  return b === undefined ? { value: parse(a!) } : { start: parse(a!), end: parse(b) }
}

const clock = (s: string) => {
  const [m, sec] = s.split(":")
  return Number(m) * 60 + Number(sec)
}

/** One `- …` line, or undefined when it does not parse. */
const parseStep = (line: string): Json | undefined => {
  const tokens = line.replace(/^-\s*/, "").split(/\s+/).filter((t) => t !== "")
  const at = tokens.findIndex((t) => (DURATION.test(t) && t !== "") || DISTANCE.test(t))
  if (at < 0) return undefined
  const step: Json = {}
  const text = tokens.slice(0, at).join(" ")
  if (text) step.text = text
  const length = tokens[at]!
  const distance = DISTANCE.exec(length)
  if (distance) {
    const n = Number(distance[1])
    step.distance = distance[2] === "km" ? n * 1000 : distance[2] === "mi" ? n * 1609.34 : distance[2] === "yrd" ? n * 0.9144 : n
  } else {
    const [, h, m, s] = DURATION.exec(length)!
    step.duration = Number(h ?? 0) * 3600 + Number(m ?? 0) * 60 + Number(s ?? 0)
  }
  const rest = tokens.slice(at + 1)
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i]!
    const next = rest[i + 1]
    let match: RegExpExecArray | null
    if (token === "ramp") step.ramp = true
    else if (token === "freeride") step.freeride = true
    else if ((match = /^([\d.]+(?:-[\d.]+)?)rpm$/.exec(token))) step.cadence = { ...range(match[1]!), units: "rpm" }
    else if ((match = /^([\d.]+(?:-[\d.]+)?)w$/i.exec(token))) step.power = { ...range(match[1]!), units: "w" }
    else if ((match = /^([\d.]+(?:-[\d.]+)?)%$/.exec(token))) {
      if (next === "HR" || next === "LTHR" || next === "Pace") {
        i++
        const units = next === "HR" ? "%hr" : next === "LTHR" ? "%lthr" : "%pace"
        step[next === "Pace" ? "pace" : "hr"] = { ...range(match[1]!), units }
      } else step.power = { ...range(match[1]!), units: "%ftp" }
    } else if ((match = /^Z(\d+)(?:-Z(\d+))?$/.exec(token))) {
      const value = match[2] ? { start: Number(match[1]), end: Number(match[2]) } : { value: Number(match[1]) }
      if (next === "HR") {
        i++
        step.hr = { ...value, units: "hr_zone" }
      } else if (next === "Pace") {
        i++
        step.pace = { ...value, units: "pace_zone" }
      } else step.power = { ...value, units: "power_zone" }
    } else if ((match = /^(\d+:\d\d)(\/\w+)(?:-(\d+:\d\d)(\/\w+))?$/.exec(token)) && next === "Pace") {
      i++
      const units = PACE_UNIT[match[2]!]
      if (units === undefined) return undefined
      step.pace = match[3] ? { start: clock(match[1]!), end: clock(match[3]), units } : { value: clock(match[1]!), units }
    } else return undefined
  }
  return step
}

/** Parses workout text; a doc with no steps when any line cannot be read. */
export const parseWorkout = (description: string | null | undefined): Json => {
  const empty = { steps: [], duration: 0, distance: 0, locales: [], options: {} }
  if (!description) return empty
  const steps: Array<Json> = []
  let repeat: Json | undefined
  let section: string | undefined
  for (const raw of description.split("\n")) {
    const line = raw.trim()
    if (line === "") {
      repeat = undefined
      section = undefined
      continue
    }
    if (line.startsWith("-")) {
      const step = parseStep(line)
      if (step === undefined) return empty
      if (section === "warmup") step.warmup = true
      if (section === "cooldown") step.cooldown = true
      if (repeat) repeat.steps.push(step)
      else steps.push(step)
      continue
    }
    const reps = /(?:^|\s)(\d+)x$/.exec(line)
    if (reps) {
      repeat = { reps: Number(reps[1]), text: line, steps: [] }
      steps.push(repeat)
    } else if (/^warm\s*-?\s*up$/i.test(line)) section = "warmup"
    else if (/^cool\s*-?\s*down$/i.test(line)) section = "cooldown"
    else return empty
  }
  const length = (list: Array<Json>): number =>
    list.reduce((n, s) => n + (s.steps ? s.reps * length(s.steps) : s.duration ?? 0), 0)
  for (const s of steps) if (s.steps) s.duration = s.reps * length(s.steps)
  return { ...empty, steps, duration: length(steps) }
}
