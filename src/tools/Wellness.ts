/**
 * Daily wellness: fitness, fatigue and form, and what the athlete or their devices logged (HRV, resting HR, sleep,
 * weight, subjective scores).
 */
import { Effect, Schema } from "effect"
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

/** "soreness 2/4 average": the value, its scale and its label; the legend under the list says 1 is best. */
const scale = (value: number | undefined, name: string, key: ScaleName) =>
  value === undefined
    ? undefined
    : `${name} ${value}/4` + (SCALES[key].labels[value - 1] ? ` ${SCALES[key].labels[value - 1]}` : "")

const SCORES = ["soreness", "fatigue", "stress", "mood", "motivation", "injury", "sleep_quality"] as const

const dayLine = (d: WellnessDay): string =>
  Format.join([
    Format.dayLabel(d.date),
    d.fitness_ctl !== undefined &&
    Format.join([
      `fitness ${d.fitness_ctl}`,
      Format.unit(d.fatigue_atl, "") && `fatigue ${d.fatigue_atl}`,
      Format.unit(d.form_tsb, "") && `form ${d.form_tsb}`
    ], " "),
    Format.unit(d.hrv_rmssd_ms, " ms") && `HRV ${d.hrv_rmssd_ms} ms`,
    Format.unit(d.resting_hr_bpm, "") && `RHR ${d.resting_hr_bpm} bpm`,
    d.sleep_hours !== undefined &&
    `sleep ${Format.duration(d.sleep_hours * 3600)}` +
      (d.sleep_score !== undefined ? ` (score ${d.sleep_score}/100)` : ""),
    Format.unit(d.avg_sleeping_hr_bpm, " bpm asleep"),
    scale(d.sleep_quality, "sleep quality", "sleepQuality"),
    Format.unit(d.weight_kg, " kg", 1),
    Format.unit(d.spo2_percent, "% SpO2"),
    Format.unit(d.respiration_per_min, " breaths/min", 1),
    Format.unit(d.steps, " steps"),
    Format.unit(d.readiness, "") && `readiness ${d.readiness}`,
    Format.unit(d.hrv_sdnn_ms, " ms") && `HRV SDNN ${d.hrv_sdnn_ms} ms`,
    Format.unit(d.ramp_rate, "") && `ramp ${d.ramp_rate}/week`,
    scale(d.soreness, "soreness", "soreness"),
    scale(d.fatigue, "fatigue (felt)", "fatigue"),
    scale(d.stress, "stress", "stress"),
    scale(d.mood, "mood", "mood"),
    scale(d.motivation, "motivation", "motivation"),
    scale(d.injury, "injury", "injury"),
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
    return [
      `Wellness ${window}:`,
      ...out.days.map(dayLine),
      `${Format.plural(out.days.length, "day")}: HRV on ${days((d) => d.hrv_rmssd_ms !== undefined)}, sleep on ` +
      `${days((d) => d.sleep_hours !== undefined)}, resting HR on ${days((d) => d.resting_hr_bpm !== undefined)}, ` +
      `weight on ${days((d) => d.weight_kg !== undefined)}.`,
      scored && "Subjective scores are 1-4, 1 is best (soreness, fatigue, stress, injury: 1 low/none; mood, sleep " +
        "quality: 1 great; motivation: 1 extreme)."
    ].filter((line): line is string => typeof line === "string").join("\n")
  }
})
