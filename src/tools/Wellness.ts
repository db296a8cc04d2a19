/**
 * Daily wellness: fitness, fatigue and form, and what the athlete or their devices logged (HRV, resting HR, sleep,
 * weight, subjective scores).
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { Wellness } from "../domain/Intervals.js"
import { type ScaleName, SCALES } from "../domain/Scales.js"
import { AthleteCalendar } from "../services/AthleteCalendar.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import * as Format from "./Format.js"
import { athleteIdParam, dateParam, orderedDates, resolveAthlete, resolveWindow } from "./Params.js"
import { compact, make, Num, optional } from "./Tool.js"

const WellnessDay = Schema.Struct({
  date: Schema.String.annotations({ description: "Local date, YYYY-MM-DD" }),
  fitness_ctl: Num,
  fatigue_atl: Num,
  form_tsb: Num,
  ramp_rate: Num,
  weight_kg: Num,
  resting_hr_bpm: Num,
  hrv_rmssd_ms: Num,
  hrv_sdnn_ms: Num,
  sleep_hours: Num,
  sleep_score: Num,
  sleep_quality: Num,
  avg_sleeping_hr_bpm: Num,
  soreness: Num,
  fatigue: Num,
  stress: Num,
  mood: Num,
  motivation: Num,
  injury: Num,
  spo2_percent: Num,
  readiness: Num,
  steps: Num,
  respiration_per_min: Num,
  comments: optional(Schema.String),
  other: optional(
    Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Number, Schema.Boolean) })
      .annotations({
        description: "Every other field Intervals.icu recorded for the day (include_all_fields=true); lists and " +
          "objects as JSON text"
      })
  )
})
type WellnessDay = typeof WellnessDay.Type

const KNOWN = new Set([
  "id",
  "ctl",
  "atl",
  "rampRate",
  "weight",
  "restingHR",
  "hrv",
  "hrvSDNN",
  "sleepSecs",
  "sleepScore",
  "sleepQuality",
  "avgSleepingHR",
  "soreness",
  "fatigue",
  "stress",
  "mood",
  "motivation",
  "injury",
  "spO2",
  "readiness",
  "steps",
  "respiration",
  "comments"
])

/** Fields that describe the record, not the athlete. */
const BOOKKEEPING = new Set(["updated", "locked", "tempWeight", "tempRestingHR"])

const isEmptyValue = (value: unknown) =>
  value === null || value === undefined || (Array.isArray(value) && value.length === 0)

const isScalar = (value: unknown): value is string | number | boolean =>
  typeof value === "string" || typeof value === "number" || typeof value === "boolean"

const day = (w: Wellness, includeAll: boolean): WellnessDay => {
  const other = includeAll
    ? Object.fromEntries(
      Object.entries(w)
        .filter(([key, value]) => !KNOWN.has(key) && !BOOKKEEPING.has(key) && !isEmptyValue(value))
        .map(([key, value]) => [key, isScalar(value) ? value : JSON.stringify(value)])
    )
    : {}
  return {
    date: w.id,
    ...compact({
      fitness_ctl: Format.roundOrUndefined(w.ctl, 1),
      fatigue_atl: Format.roundOrUndefined(w.atl, 1),
      form_tsb: w.ctl != null && w.atl != null ? Format.round(w.ctl - w.atl, 1) : undefined,
      ramp_rate: Format.roundOrUndefined(w.rampRate, 1),
      weight_kg: Format.roundOrUndefined(w.weight, 1),
      resting_hr_bpm: w.restingHR,
      hrv_rmssd_ms: Format.roundOrUndefined(w.hrv, 1),
      hrv_sdnn_ms: Format.roundOrUndefined(w.hrvSDNN, 1),
      sleep_hours: w.sleepSecs == null ? undefined : Format.round(w.sleepSecs / 3600, 2),
      sleep_score: w.sleepScore,
      sleep_quality: w.sleepQuality,
      avg_sleeping_hr_bpm: w.avgSleepingHR,
      soreness: w.soreness,
      fatigue: w.fatigue,
      stress: w.stress,
      mood: w.mood,
      motivation: w.motivation,
      injury: w.injury,
      spo2_percent: w.spO2,
      readiness: w.readiness,
      steps: w.steps,
      respiration_per_min: Format.roundOrUndefined(w.respiration, 1),
      comments: w.comments?.trim() || undefined,
      other: Object.keys(other).length > 0 ? other : undefined
    })
  }
}

const GetWellnessInput = Schema.Struct({
  athlete_id: athleteIdParam,
  start_date: dateParam("First day (athlete's local date). Default: 30 days before today"),
  end_date: dateParam("Last day, inclusive. Default: the athlete's today"),
  include_all_fields: optional(
    Schema.Boolean.annotations({
      description: "Also return every other field Intervals.icu stores for a day (nutrition, blood pressure, " +
        "menstrual phase, sport info…). Default false."
    })
  )
}).pipe(Schema.filter(orderedDates))

const GetWellnessOutput = Schema.Struct({
  athlete_id: Schema.String,
  start_date: Schema.String,
  end_date: Schema.String,
  today: optional(Schema.String.annotations({ description: "The athlete's today, when a default date was used" })),
  days: Schema.Array(WellnessDay).annotations({ description: "Oldest first" })
})

/** A number as a cell: up to one decimal, as the structured day has it. */
const num = (value: number | undefined) => Format.unit(value, "", 1)

/**
 * The columns of the day table, in the order they are printed, each with its header (units in it, so that a row is
 * bare numbers) and how its cell reads. A column no day has a value for is left out.
 */
const COLUMNS: ReadonlyArray<readonly [string, (d: WellnessDay) => string | undefined]> = [
  ["fitness(CTL)", (d) => num(d.fitness_ctl)],
  ["fatigue(ATL)", (d) => num(d.fatigue_atl)],
  ["form(TSB)", (d) => num(d.form_tsb)],
  ["ramp(CTL/week)", (d) => num(d.ramp_rate)],
  ["HRV(ms)", (d) => num(d.hrv_rmssd_ms)],
  ["HRV_SDNN(ms)", (d) => num(d.hrv_sdnn_ms)],
  ["RHR(bpm)", (d) => num(d.resting_hr_bpm)],
  ["sleep(h:mm)", (d) => Format.hoursMinutes(d.sleep_hours === undefined ? undefined : d.sleep_hours * 3600)],
  ["sleep_score(/100)", (d) => num(d.sleep_score)],
  ["sleep_HR(bpm)", (d) => num(d.avg_sleeping_hr_bpm)],
  ["weight(kg)", (d) => num(d.weight_kg)],
  ["SpO2(%)", (d) => num(d.spo2_percent)],
  ["breaths/min", (d) => num(d.respiration_per_min)],
  ["steps", (d) => num(d.steps)],
  ["readiness", (d) => num(d.readiness)],
  ["sleep_quality", (d) => num(d.sleep_quality)],
  ["soreness", (d) => num(d.soreness)],
  ["fatigue(felt)", (d) => num(d.fatigue)],
  ["stress", (d) => num(d.stress)],
  ["mood", (d) => num(d.mood)],
  ["motivation", (d) => num(d.motivation)],
  ["injury", (d) => num(d.injury)]
]

const SCORES = ["soreness", "fatigue", "stress", "mood", "motivation", "injury", "sleep_quality"] as const

/** The 1-4 scales in one line, their labels from `SCALES` (what Intervals.icu's wellness form says). */
const scaleLegend = (): string => {
  const ends = (key: ScaleName) => `1 ${SCALES[key].labels[0]}…4 ${SCALES[key].labels[3]}`
  return `Scores are 1-4, 1 is best: soreness, fatigue(felt), stress ${ends("soreness")}; mood ${ends("mood")}; ` +
    `sleep_quality ${ends("sleepQuality")}; motivation ${ends("motivation")}; injury ${ends("injury")}.`
}

/** A day's free text after its cells: the comment quoted, the other fields (include_all_fields) as `key value`. */
const dayNotes = (d: WellnessDay): string | undefined =>
  Format.join([
    d.comments && Format.quote(d.comments),
    d.other && Object.entries(d.other).map(([k, v]) => `${k} ${v}`).join(", ")
  ])

export const getWellnessData = make({
  name: "get_wellness_data",
  title: "Wellness data",
  description: "Daily wellness for a date window, one line a day: fitness (CTL), fatigue (ATL) and form (TSB), HRV, " +
    "resting heart rate, sleep, weight, SpO2, steps, and the athlete's subjective scores (soreness, fatigue, stress, " +
    "mood, motivation, injury: 1-4, 1 is best). Days with nothing recorded show only fitness and fatigue. Default: " +
    "the last 30 days. include_all_fields=true adds every other field Intervals.icu stores.",
  annotations: { title: "Wellness data", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: GetWellnessInput,
  output: GetWellnessOutput,
  run: Effect.fn("get_wellness_data")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const window = yield* resolveWindow(athleteId, input, { startOffsetDays: -30, endOffsetDays: 0 })
    // A window from a default is relative to the athlete's today: the answer says which day that was (the profile
    // read for it is cached, so this costs no request).
    const today = input.start_date === undefined || input.end_date === undefined
      ? yield* Effect.flatMap(AthleteCalendar, (calendar) => calendar.today(athleteId))
      : undefined
    const client = yield* IntervalsClient
    const records = yield* client.wellness(athleteId, window.start, window.end)
    return {
      athlete_id: athleteId,
      start_date: window.start,
      end_date: window.end,
      ...compact({ today }),
      days: records
        .filter((w) => w.id >= window.start && w.id <= window.end)
        .sort((a, b) => a.id.localeCompare(b.id))
        .map((w) => day(w, input.include_all_fields ?? false))
    }
  }),
  render: (out) => {
    const window = `from ${out.start_date} to ${out.end_date}` +
      (out.today !== undefined ? ` (default window; today is ${Format.dayLabel(out.today)})` : "")
    if (out.days.length === 0) return `No wellness data ${window}.`
    const days = (has: (d: WellnessDay) => boolean) => out.days.filter(has).length
    const scored = out.days.some((d) => SCORES.some((key) => d[key] !== undefined))
    // One row a day under a header printed once: the labels and units a line a day would repeat 30 times.
    const columns = COLUMNS.filter(([, cell]) => out.days.some((d) => cell(d) !== undefined))
    const row = (d: WellnessDay) => {
      const notes = dayNotes(d)
      const cells = [Format.dayLabel(d.date), ...columns.map(([, cell]) => cell(d) ?? "-")].join(" ")
      return notes === "" || notes === undefined ? cells : `${cells} ${notes}`
    }
    return [
      `Wellness ${window}:`,
      ["day", ...columns.map(([header]) => header)].join(" "),
      ...out.days.map(row),
      `${Format.plural(out.days.length, "day")}: HRV on ${days((d) => d.hrv_rmssd_ms !== undefined)}, sleep on ` +
      `${days((d) => d.sleep_hours !== undefined)}, resting HR on ${days((d) => d.resting_hr_bpm !== undefined)}, ` +
      `weight on ${days((d) => d.weight_kg !== undefined)}.`,
      scored && scaleLegend(),
      out.days.some((d) => d.other !== undefined)
        ? undefined
        : "include_all_fields=true adds every other field Intervals.icu stores for a day."
    ].filter((line): line is string => typeof line === "string").join("\n")
  }
})
