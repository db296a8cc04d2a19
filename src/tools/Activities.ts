/**
 * Completed activities: the list for a date window, one activity in detail, and its intervals.
 */
import * as Arr from "effect/Array"
import * as Effect from "effect/Effect"
import * as Order from "effect/Order"
import * as Schema from "effect/Schema"
import { ActivityId } from "../domain/Ids.js"
import type { Activity, Interval, IntervalGroup } from "../domain/Intervals.js"
import { SCALES } from "../domain/Scales.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import * as Format from "./Format.js"
import { athleteIdParam, boundedInt, dateParam, orderedDates, resolveAthlete, resolveWindow } from "./Params.js"
import { compact, make, Num, optional, Str } from "./Tool.js"

const STRAVA_NOTE = "Synced from Strava: Intervals.icu cannot share Strava activities through its API (Strava's terms " +
  "forbid it), so none of its data is available here. Sync the device (Garmin, Wahoo, Coros, Suunto…) to Intervals.icu " +
  "directly, or upload the file, to analyse it."

const UNITS = "Units are in the field names (_s seconds, _m metres, _mps m/s, _kj kJ, _bpm beats/min); values " +
  "Intervals.icu does not have are left out."

/** An activity from Strava comes back as a stub: its source, a note, a start time, nothing else. */
const isStravaStub = (activity: Activity): boolean =>
  activity.source === "STRAVA" && (activity._note != null || activity.type == null)

// ---------------------------------------------------------------------------------------------------------------
// Output schemas

const ActivitySummary = Schema.Struct({
  id: Schema.String,
  name: Str,
  type: Str,
  start_date_local: Str,
  source: Str,
  strava_stub: optional(
    Schema.Boolean.annotations({ description: "True when this is a Strava activity the API cannot share" })
  ),
  moving_time_s: Num,
  elapsed_time_s: Num,
  distance_m: Num,
  elevation_gain_m: Num,
  average_speed_mps: Num,
  average_pace: Str,
  average_watts: Num,
  normalized_watts: Num,
  average_heartrate_bpm: Num,
  max_heartrate_bpm: Num,
  average_cadence: Num,
  training_load: Num,
  intensity_percent: Num,
  work_kj: Num,
  calories_kcal: Num,
  rpe: Num,
  feel: Num,
  trainer: optional(Schema.Boolean),
  race: optional(Schema.Boolean),
  commute: optional(Schema.Boolean),
  paired_event_id: Num
})
type ActivitySummary = typeof ActivitySummary.Type

/**
 * Every other field, for `detail: "full"`: raw names, scalars only. Advertised as an object alone: its keys are the
 * API's, and spelling out the value types costs every `tools/list` for what the name already says.
 */
const OtherFields = optional(
  Schema.Record({ key: Schema.String, value: Schema.Union(Schema.String, Schema.Number, Schema.Boolean) })
    .annotations({ jsonSchema: { type: "object" } })
)

const ActivityDetail = Schema.Struct({
  ...ActivitySummary.fields,
  description: Str,
  start_date_utc: Str,
  timezone: Str,
  max_speed_mps: Num,
  elevation_loss_m: Num,
  ftp_watts: Num,
  variability_index: Num,
  efficiency_factor: Num,
  decoupling_percent: Num,
  work_above_ftp_kj: Num,
  trimp: Num,
  lthr_bpm: Num,
  resting_hr_bpm: Num,
  weight_kg: Num,
  average_temp_c: Num,
  fitness_ctl: Num,
  fatigue_atl: Num,
  compliance_percent: Num,
  device: Str,
  power_meter: Str,
  power_meter_serial: Str,
  file_type: Str,
  gear_id: Str,
  gear_name: Str,
  power_load: Num,
  hr_load: Num,
  hr_load_type: Str,
  pace_load: Num,
  polarization_index: Num,
  lr_balance_percent: Num,
  power_hr: Num,
  min_temp_c: Num,
  max_temp_c: Num,
  average_stride_m: Num,
  hr_zone_times_s: optional(
    Schema.Array(Schema.Number).annotations({ description: "Seconds in each heart-rate zone, Z1 first" })
  ),
  interval_summary: optional(Schema.Array(Schema.String)),
  tags: optional(Schema.Array(Schema.String)),
  note: Str,
  other_fields: OtherFields
}).annotations({ description: UNITS })
type ActivityDetail = typeof ActivityDetail.Type

const kj = (joules: number | null | undefined) => (joules == null ? undefined : Format.round(joules / 1000, 1))

const summarize = (a: Activity): ActivitySummary => {
  if (isStravaStub(a)) {
    // What the stub does carry is kept: it is all there is to tell one Strava activity from another.
    return {
      id: a.id,
      ...compact({
        name: a.name?.trim() || undefined,
        type: a.type,
        start_date_local: a.start_date_local,
        source: a.source
      }),
      strava_stub: true
    }
  }
  const family = Format.sportFamily(a.type)
  // Swims often carry no average speed; distance over moving time is the same figure.
  const averageSpeed = a.average_speed ?? (a.distance && a.moving_time ? a.distance / a.moving_time : undefined)
  return {
    id: a.id,
    ...compact({
      name: a.name?.trim() || undefined,
      type: a.type,
      start_date_local: a.start_date_local,
      source: a.source,
      moving_time_s: a.moving_time,
      elapsed_time_s: a.elapsed_time,
      distance_m: Format.roundOrUndefined(a.distance ?? a.icu_distance, 1),
      elevation_gain_m: Format.roundOrUndefined(a.total_elevation_gain),
      average_speed_mps: Format.roundOrUndefined(averageSpeed, 3),
      average_pace: family === "other" ? undefined : Format.speed(averageSpeed, family),
      average_watts: a.icu_average_watts,
      normalized_watts: a.icu_weighted_avg_watts,
      average_heartrate_bpm: a.average_heartrate,
      max_heartrate_bpm: a.max_heartrate,
      average_cadence: Format.roundOrUndefined(a.average_cadence),
      training_load: a.icu_training_load,
      intensity_percent: Format.roundOrUndefined(a.icu_intensity, 1),
      work_kj: kj(a.icu_joules),
      calories_kcal: a.calories,
      rpe: a.icu_rpe,
      feel: a.feel,
      trainer: a.trainer || undefined,
      race: a.race || undefined,
      commute: a.commute || undefined,
      paired_event_id: a.paired_event_id
    })
  }
}

/** The upstream fields `summarize` and `detail` show, by their raw names. */
const SHOWN = new Set([
  "id",
  "source",
  "name",
  "type",
  "start_date_local",
  "moving_time",
  "elapsed_time",
  "distance",
  "total_elevation_gain",
  "average_speed",
  "icu_average_watts",
  "icu_weighted_avg_watts",
  "average_heartrate",
  "max_heartrate",
  "average_cadence",
  "icu_training_load",
  "icu_intensity",
  "icu_joules",
  "calories",
  "icu_rpe",
  "feel",
  "paired_event_id",
  "description",
  "start_date",
  "timezone",
  "max_speed",
  "total_elevation_loss",
  "icu_ftp",
  "icu_variability_index",
  "icu_efficiency_factor",
  "decoupling",
  "icu_joules_above_ftp",
  "trimp",
  "lthr",
  "icu_resting_hr",
  "icu_weight",
  "average_temp",
  "icu_ctl",
  "icu_atl",
  "compliance",
  "device_name",
  "power_meter",
  "power_meter_serial",
  "file_type",
  "power_load",
  "hr_load",
  "hr_load_type",
  "pace_load",
  "polarization_index",
  "avg_lr_balance",
  "icu_power_hr",
  "min_temp",
  "max_temp",
  "average_stride"
])

/** What `detail: "full"` adds: the fields above leave out a false flag and a second distance, so those count too. */
const otherActivityFields = (a: Activity) => {
  const shown = new Set(SHOWN)
  for (const flag of ["trainer", "race", "commute"] as const) if (a[flag]) shown.add(flag)
  if (a.distance == null || a.icu_distance === a.distance) shown.add("icu_distance")
  return Format.otherFields(a, isStravaStub(a) ? new Set(["id", "source", "name", "type", "start_date_local"]) : shown)
}

const detail = (a: Activity, full: boolean): ActivityDetail => {
  const other = full ? compact({ other_fields: otherActivityFields(a) }) : {}
  if (isStravaStub(a)) return { ...summarize(a), note: STRAVA_NOTE, ...other }
  return {
    ...summarize(a),
    ...compact({
      description: a.description?.trim() || undefined,
      start_date_utc: a.start_date,
      timezone: a.timezone,
      max_speed_mps: Format.roundOrUndefined(a.max_speed, 3),
      elevation_loss_m: Format.roundOrUndefined(a.total_elevation_loss),
      ftp_watts: a.icu_ftp,
      variability_index: Format.roundOrUndefined(a.icu_variability_index, 2),
      efficiency_factor: Format.roundOrUndefined(a.icu_efficiency_factor, 2),
      decoupling_percent: Format.roundOrUndefined(a.decoupling, 1),
      work_above_ftp_kj: kj(a.icu_joules_above_ftp),
      trimp: Format.roundOrUndefined(a.trimp, 1),
      lthr_bpm: a.lthr,
      resting_hr_bpm: a.icu_resting_hr,
      weight_kg: Format.roundOrUndefined(a.icu_weight, 1),
      average_temp_c: Format.roundOrUndefined(a.average_temp, 1),
      fitness_ctl: Format.roundOrUndefined(a.icu_ctl, 1),
      fatigue_atl: Format.roundOrUndefined(a.icu_atl, 1),
      compliance_percent: Format.roundOrUndefined(a.compliance, 1),
      device: a.device_name,
      power_meter: a.power_meter,
      power_meter_serial: a.power_meter_serial,
      file_type: a.file_type,
      gear_id: a.gear?.id,
      gear_name: a.gear?.name?.trim() || undefined,
      power_load: a.power_load,
      hr_load: a.hr_load,
      hr_load_type: a.hr_load_type,
      pace_load: a.pace_load,
      polarization_index: Format.roundOrUndefined(a.polarization_index, 2),
      lr_balance_percent: Format.roundOrUndefined(a.avg_lr_balance, 1),
      power_hr: Format.roundOrUndefined(a.icu_power_hr, 2),
      min_temp_c: Format.roundOrUndefined(a.min_temp, 1),
      max_temp_c: Format.roundOrUndefined(a.max_temp, 1),
      average_stride_m: Format.roundOrUndefined(a.average_stride, 2),
      hr_zone_times_s: a.icu_hr_zone_times?.every((s) => typeof s === "number")
        ? (a.icu_hr_zone_times as ReadonlyArray<number>)
        : undefined,
      interval_summary: a.interval_summary && a.interval_summary.length > 0 ? a.interval_summary : undefined,
      tags: a.tags && a.tags.length > 0 ? a.tags : undefined
    }),
    ...other
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

const power = (average?: number, normalized?: number) =>
  average === undefined && normalized === undefined
    ? undefined
    : Format.join([Format.unit(average, " W avg"), Format.unit(normalized, " W NP")], ", ")

/** "HR 140 avg/162 max bpm", or "HR 145 bpm avg" for one value. */
const heartRate = (average?: number, max?: number) =>
  average !== undefined && max !== undefined
    ? `HR ${average} avg/${max} max bpm`
    : average !== undefined
    ? `HR ${average} bpm avg`
    : max !== undefined
    ? `HR ${max} bpm max`
    : undefined

/** The subjective scores with their scales, so that a 2 is never read as "poor". */
const rpeText = (rpe: number | undefined) => rpe === undefined ? undefined : `RPE ${rpe}/10 (10 hardest)`
const feelText = (feel: number | undefined) => {
  if (feel === undefined) return undefined
  const label = SCALES.feel.labels[feel - 1]
  return `feel ${feel}/5${label ? ` ${label}` : ""} (1 ${SCALES.feel.labels[0]} … 5 ${SCALES.feel.labels[4]})`
}

/** "Other fields: a 1, b x", for `detail: "full"`. */
const otherText = (other: Readonly<Record<string, string | number | boolean>> | undefined) =>
  other === undefined
    ? undefined
    : Object.entries(other).map(([k, v]) => `${Format.flat(k)} ${Format.oneLine(String(v), 200) ?? "\"\""}`).join(", ")

const summaryLine = (a: ActivitySummary): string =>
  a.strava_stub
    ? Format.join([
      Format.join([Format.localDayTime(a.start_date_local), a.type, Format.quote(a.name)], " "),
      "Strava activity (no data via the API)",
      `id ${a.id}`
    ])
    : Format.join([
      Format.join([Format.localDayTime(a.start_date_local), a.type, Format.quote(a.name)], " "),
      Format.duration(a.moving_time_s),
      Format.distance(a.distance_m, Format.sportFamily(a.type)),
      Format.unit(a.elevation_gain_m, " m up"),
      a.average_pace ?? Format.speed(a.average_speed_mps, "other"),
      power(a.average_watts, a.normalized_watts),
      heartRate(a.average_heartrate_bpm, a.max_heartrate_bpm),
      Format.unit(a.training_load, "", 0) && `load ${a.training_load}`,
      a.race && "race",
      `id ${a.id}`
    ])

// ---------------------------------------------------------------------------------------------------------------
// get_activities

const GetActivitiesInput = Schema.Struct({
  athlete_id: athleteIdParam,
  start_date: dateParam("First day (athlete's local date). Default: 30 days before end_date"),
  end_date: dateParam("Last day, inclusive. Default: the athlete's today"),
  limit: optional(boundedInt(1, 500, "Most activities to return, newest first. Default 10.")),
  include_unnamed: optional(
    Schema.Boolean.annotations({ description: "Include activities with no name. Default false." })
  )
}).pipe(Schema.filter(orderedDates))

const GetActivitiesOutput = Schema.Struct({
  athlete_id: Schema.String,
  start_date: Schema.String,
  end_date: Schema.String,
  total_in_window: Schema.Number.annotations({ description: "Activities in the window, before limit" }),
  unnamed_hidden: Schema.Number.annotations({ description: "Unnamed activities left out (include_unnamed=false)" }),
  activities: Schema.Array(ActivitySummary).annotations({ description: "Newest first, at most limit" })
}).annotations({ description: UNITS })

const byStartDescending = Order.reverse(
  Order.mapInput(Order.string, (a: Activity) => a.start_date_local ?? a.start_date ?? "")
)

export const getActivities = make({
  name: "get_activities",
  title: "List activities",
  description: "List the athlete's completed activities in a window of local dates (default: the last 30 days), " +
    "newest first, one line each: start time, sport, name, moving time, distance, elevation, pace or speed, power, " +
    "heart rate, load, and the id for get_activity_details / get_activity_intervals. Activities synced from Strava " +
    "cannot be read through the Intervals.icu API: they are listed without data.",
  annotations: { title: "List activities", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: GetActivitiesInput,
  output: GetActivitiesOutput,
  run: Effect.fn("get_activities")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const window = yield* resolveWindow(athleteId, input, { startOffsetDays: -30, endOffsetDays: 0 })
    const client = yield* IntervalsClient
    const all = yield* client.activities(athleteId, window.start, window.end)
    // The API may answer with more than was asked: keep only what starts inside the window, by local date.
    const inWindow = all.filter((a) => {
      const day = Format.datePart(a.start_date_local)
      return day !== undefined && day >= window.start && day <= window.end
    })
    const shown = input.include_unnamed
      ? inWindow
      : inWindow.filter((a) => isStravaStub(a) || (a.name ?? "").trim() !== "")
    const activities = Arr.sort(shown, byStartDescending).slice(0, input.limit ?? 10).map(summarize)
    return {
      athlete_id: athleteId,
      start_date: window.start,
      end_date: window.end,
      total_in_window: shown.length,
      unnamed_hidden: inWindow.length - shown.length,
      activities
    }
  }),
  render: (out) => {
    const head = out.activities.length === 0
      ? `No activities from ${out.start_date} to ${out.end_date}.`
      : `${Format.plural(out.total_in_window, "activity", "activities")} from ${out.start_date} to ${out.end_date}` +
        (out.activities.length < out.total_in_window
          ? ` (showing the ${out.activities.length} most recent; raise limit for more):`
          : ":")
    const stubs = out.activities.filter((a) => a.strava_stub).length
    return [
      head,
      ...out.activities.map(summaryLine),
      out.unnamed_hidden > 0 &&
      `${Format.plural(out.unnamed_hidden, "unnamed activity", "unnamed activities")} hidden; include_unnamed=true shows them.`,
      stubs > 0 && `${stubs === 1 ? "1 activity was" : `${stubs} activities were`} synced from Strava: ` +
        "Intervals.icu cannot share Strava data through its API, so there is nothing more to read about them."
    ].filter((line): line is string => typeof line === "string").join("\n")
  }
})

// ---------------------------------------------------------------------------------------------------------------
// get_activity_details

const ActivityInput = Schema.Struct({
  activity_id: ActivityId,
  detail: optional(Schema.Literal("full").annotations({ description: "Adds other_fields" }))
})

export const getActivityDetails = make({
  name: "get_activity_details",
  title: "Activity details",
  description: "Everything Intervals.icu knows about one completed activity: time, distance, elevation, pace or " +
    "speed, power (avg, NP, FTP, intensity, VI, L/R balance), heart rate (zones, decoupling), loads, kJ, calories, " +
    "RPE, feel, notes, gear, devices, and fitness and fatigue after it. Unrecorded values are left out; detail=full " +
    "adds every other field. Use an id from get_activities.",
  annotations: { title: "Activity details", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: ActivityInput,
  output: ActivityDetail,
  run: Effect.fn("get_activity_details")(function*(input) {
    const client = yield* IntervalsClient
    return detail(yield* client.activity(input.activity_id), input.detail === "full")
  }),
  render: (a) => {
    const other = a.other_fields && `Other fields: ${otherText(a.other_fields)}`
    if (a.strava_stub) {
      const when = Format.localDayTime(a.start_date_local) ?? "date unknown"
      const what = Format.join([when, a.type, Format.quote(a.name)], " ")
      return Format.join([`Activity ${a.id} (${what}): ${a.note}`, other], "\n")
    }
    const family = Format.sportFamily(a.type)
    const temperatures = a.min_temp_c !== undefined && a.max_temp_c !== undefined
      ? `${a.min_temp_c}–${a.max_temp_c} °C` +
        (a.average_temp_c !== undefined ? ` (avg ${a.average_temp_c} °C)` : "")
      : Format.unit(a.average_temp_c, " °C", 1)
    const lines = [
      Format.join([Format.localDayTime(a.start_date_local), a.type, Format.quote(a.name), `id ${a.id}`], " "),
      Format.join([
        Format.duration(a.moving_time_s) && `moving ${Format.duration(a.moving_time_s)}`,
        Format.duration(a.elapsed_time_s) && `elapsed ${Format.duration(a.elapsed_time_s)}`,
        Format.distance(a.distance_m, family),
        Format.unit(a.elevation_gain_m, " m up"),
        Format.unit(a.elevation_loss_m, " m down"),
        a.average_speed_mps !== undefined &&
        `avg ${Format.join([a.average_pace, family !== "other" ? undefined : Format.speed(a.average_speed_mps, family)])}`,
        a.max_speed_mps !== undefined && `max ${Format.speed(a.max_speed_mps, "other")}`,
        Format.unit(a.average_cadence, ` ${Format.cadenceUnit(a.type)} cadence`),
        Format.unit(a.average_stride_m, " m stride", 2)
      ]),
      (a.average_watts ?? a.normalized_watts ?? a.ftp_watts) !== undefined && "Power: " + Format.join([
        Format.unit(a.average_watts, " W avg"),
        Format.unit(a.normalized_watts, " W NP"),
        Format.unit(a.ftp_watts, " W FTP"),
        Format.unit(a.intensity_percent, "% intensity", 1),
        Format.unit(a.variability_index, " VI", 2),
        Format.unit(a.efficiency_factor, " EF", 2),
        a.lr_balance_percent !== undefined &&
        `L/R balance ${a.lr_balance_percent}/${Format.round(100 - a.lr_balance_percent, 1)} %`,
        Format.unit(a.power_hr, " W/bpm power:HR", 2)
      ]),
      (a.average_heartrate_bpm ?? a.max_heartrate_bpm) !== undefined && "Heart rate: " + Format.join([
        Format.unit(a.average_heartrate_bpm, " bpm avg"),
        Format.unit(a.max_heartrate_bpm, " bpm max"),
        Format.unit(a.lthr_bpm, " bpm LTHR"),
        Format.unit(a.resting_hr_bpm, " bpm resting"),
        Format.unit(a.decoupling_percent, "% decoupling", 1),
        a.hr_zone_times_s && `zones ${a.hr_zone_times_s.map((s, i) => `Z${i + 1} ${Format.duration(s)}`).join(", ")}`
      ]),
      "Load: " + Format.join([
        a.training_load !== undefined && `training load ${a.training_load}`,
        a.power_load !== undefined && `power load ${a.power_load}`,
        a.hr_load !== undefined && `HR load ${a.hr_load}` + (a.hr_load_type ? ` (${a.hr_load_type})` : ""),
        a.pace_load !== undefined && `pace load ${a.pace_load}`,
        a.intensity_percent !== undefined && a.average_watts === undefined &&
        Format.unit(a.intensity_percent, "% intensity", 1),
        Format.unit(a.trimp, " TRIMP", 1),
        a.polarization_index !== undefined && `polarization index ${a.polarization_index}`,
        Format.unit(a.work_kj, " kJ", 1),
        Format.unit(a.work_above_ftp_kj, " kJ above FTP", 1),
        Format.unit(a.calories_kcal, " kcal")
      ]),
      (a.rpe ?? a.feel) !== undefined && "Felt: " + Format.join([rpeText(a.rpe), feelText(a.feel)]),
      (a.fitness_ctl ?? a.fatigue_atl) !== undefined && "After: " + Format.join([
        Format.unit(a.fitness_ctl, " fitness (CTL)", 1),
        Format.unit(a.fatigue_atl, " fatigue (ATL)", 1),
        a.fitness_ctl !== undefined && a.fatigue_atl !== undefined &&
        `form ${Format.round(a.fitness_ctl - a.fatigue_atl, 1)}`
      ]),
      Format.join([
        a.source && `source ${a.source}`,
        a.device && `device ${a.device}`,
        a.power_meter && `power meter ${a.power_meter}` +
          (a.power_meter_serial ? ` (serial ${a.power_meter_serial})` : ""),
        a.file_type && `${a.file_type} file`,
        (a.gear_name ?? a.gear_id) &&
        `gear ${Format.join([Format.quote(a.gear_name), a.gear_id && `(${a.gear_id})`], " ")}`,
        temperatures,
        Format.unit(a.weight_kg, " kg", 1),
        a.trainer && "indoor trainer",
        a.race && "race",
        a.commute && "commute",
        a.paired_event_id !== undefined && `planned workout ${a.paired_event_id}` +
          (a.compliance_percent !== undefined ? ` (${a.compliance_percent}% compliance)` : ""),
        a.tags && `tags ${a.tags.join(", ")}`,
        a.start_date_utc && `UTC start ${a.start_date_utc}`,
        a.timezone && `timezone ${a.timezone}`
      ]),
      a.interval_summary && `Intervals: ${a.interval_summary.join("; ")}`,
      a.description && `Notes: ${Format.oneLine(a.description, 600)}`,
      other
    ]
    return lines.filter((line): line is string => typeof line === "string" && line !== "" && line !== "Load: ")
      .join("\n")
  }
})

// ---------------------------------------------------------------------------------------------------------------
// get_activity_intervals

const IntervalView = Schema.Struct({
  id: Num,
  type: Str,
  label: Str,
  group_id: Str,
  start_time_s: Num,
  end_time_s: Num,
  moving_time_s: Num,
  elapsed_time_s: Num,
  distance_m: Num,
  average_watts: Num,
  normalized_watts: Num,
  max_watts: Num,
  watts_per_kg: Num,
  intensity_percent: Num,
  zone: Num,
  average_heartrate_bpm: Num,
  max_heartrate_bpm: Num,
  average_cadence: Num,
  average_speed_mps: Num,
  average_pace: Str,
  elevation_gain_m: Num,
  average_gradient_percent: Num,
  decoupling_percent: Num,
  training_load: Num,
  work_kj: Num,
  other_fields: OtherFields
})
type IntervalView = typeof IntervalView.Type

const GroupView = Schema.Struct({
  id: Schema.String,
  count: Num,
  moving_time_s: Num,
  total_time_s: Num,
  distance_m: Num,
  average_watts: Num,
  normalized_watts: Num,
  average_heartrate_bpm: Num,
  average_speed_mps: Num
})

const GetIntervalsOutput = Schema.Struct({
  activity_id: Schema.String,
  activity_name: Str,
  activity_type: Str,
  start_date_local: Str,
  intervals: Schema.Array(IntervalView),
  groups: Schema.Array(GroupView)
}).annotations({ description: UNITS })

/** The upstream interval fields `intervalView` shows, by their raw names. */
const SHOWN_INTERVAL = new Set([
  "id",
  "type",
  "label",
  "group_id",
  "start_time",
  "end_time",
  "moving_time",
  "elapsed_time",
  "distance",
  "average_watts",
  "weighted_average_watts",
  "max_watts",
  "average_watts_kg",
  "intensity",
  "zone",
  "average_heartrate",
  "max_heartrate",
  "average_cadence",
  "average_speed",
  "total_elevation_gain",
  "average_gradient",
  "decoupling",
  "training_load",
  "joules"
])

const intervalView = (i: Interval, family: Format.SportFamily, full: boolean): IntervalView =>
  compact({
    id: i.id,
    type: i.type,
    label: i.label,
    group_id: i.group_id,
    start_time_s: i.start_time,
    end_time_s: i.end_time,
    moving_time_s: i.moving_time,
    elapsed_time_s: i.elapsed_time,
    distance_m: Format.roundOrUndefined(i.distance, 1),
    average_watts: i.average_watts,
    normalized_watts: i.weighted_average_watts,
    max_watts: i.max_watts,
    watts_per_kg: Format.roundOrUndefined(i.average_watts_kg, 2),
    intensity_percent: i.intensity,
    zone: i.zone,
    average_heartrate_bpm: i.average_heartrate,
    max_heartrate_bpm: i.max_heartrate,
    average_cadence: Format.roundOrUndefined(i.average_cadence),
    average_speed_mps: Format.roundOrUndefined(i.average_speed, 3),
    average_pace: family === "other" ? undefined : Format.speed(i.average_speed, family),
    elevation_gain_m: Format.roundOrUndefined(i.total_elevation_gain),
    average_gradient_percent: Format.roundOrUndefined(
      i.average_gradient == null ? undefined : i.average_gradient * 100,
      1
    ),
    decoupling_percent: Format.roundOrUndefined(i.decoupling, 1),
    training_load: Format.roundOrUndefined(i.training_load, 1),
    work_kj: kj(i.joules),
    other_fields: full ? Format.otherFields(i, SHOWN_INTERVAL) : undefined
  })

/**
 * A group of like intervals. Its own times are those of one rep (a real group of reps of 16 s and 14 s says
 * `elapsed_time: 15`, and its id "15s@357w83rpm" says 15 s too), so the total is the sum of its members' times when
 * they are all in the answer, else rep × count.
 */
const groupView = (g: IntervalGroup, intervals: ReadonlyArray<Interval>) => {
  const members = intervals.filter((i) => i.group_id === g.id)
  const times = members.map((i) => i.moving_time ?? i.elapsed_time)
  const rep = g.moving_time ?? g.elapsed_time
  const total = members.length > 0 && members.length === g.count && times.every((t) => t != null)
    ? times.reduce((sum: number, t) => sum + t!, 0)
    : rep != null && g.count != null
    ? rep * g.count
    : undefined
  return {
    id: g.id,
    ...compact({
      count: g.count,
      moving_time_s: rep,
      total_time_s: total,
      distance_m: Format.roundOrUndefined(g.distance, 1),
      average_watts: g.average_watts,
      normalized_watts: g.weighted_average_watts,
      average_heartrate_bpm: g.average_heartrate,
      average_speed_mps: Format.roundOrUndefined(g.average_speed, 3)
    })
  } as const
}

const clock = (seconds: number | undefined) => {
  if (seconds === undefined) return undefined
  const h = Math.floor(seconds / 3600)
  const m = Math.floor((seconds % 3600) / 60)
  const s = Math.round(seconds % 60)
  return (h > 0 ? `${h}:${String(m).padStart(2, "0")}` : `${m}`) + `:${String(s).padStart(2, "0")}`
}

export const getActivityIntervals = make({
  name: "get_activity_intervals",
  title: "Activity intervals",
  description: "The intervals of one completed activity, one line each, as Intervals.icu detected or the athlete " +
    "edited them: WORK/RECOVERY, start-end, duration, distance, power, intensity, zone, heart rate, cadence, pace or " +
    "speed, load; and groups of like intervals (5 × 4 min at similar power). To judge or compare sessions. " +
    "detail=full adds every other field. Use an id from get_activities.",
  annotations: { title: "Activity intervals", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: ActivityInput,
  output: GetIntervalsOutput,
  run: Effect.fn("get_activity_intervals")(function*(input) {
    const client = yield* IntervalsClient
    // The activity's sport decides pace or speed; both requests go out together.
    const [dto, activity] = yield* Effect.all(
      [client.activityIntervals(input.activity_id), client.activity(input.activity_id)],
      { concurrency: 2 }
    )
    const family = Format.sportFamily(activity.type)
    const intervals = dto.icu_intervals ?? []
    return {
      activity_id: dto.id,
      ...compact({ activity_name: activity.name, activity_type: activity.type, start_date_local: activity.start_date_local }),
      intervals: intervals.map((i) => intervalView(i, family, input.detail === "full")),
      groups: (dto.icu_groups ?? []).map((g) => groupView(g, intervals))
    }
  }),
  render: (out) => {
    const family = Format.sportFamily(out.activity_type)
    const head = Format.join([
      `Intervals of ${Format.join([out.activity_type, Format.quote(out.activity_name)], " ") || "activity"}`,
      Format.localDayTime(out.start_date_local),
      `id ${out.activity_id}`
    ])
    if (out.intervals.length === 0) return `${head}: none recorded.`
    const cadence = ` ${Format.cadenceUnit(out.activity_type)}`
    const lines = out.intervals.map((i, index) =>
      Format.join([
        Format.join([`#${index + 1}`, i.type, Format.quote(i.label)], " "),
        i.start_time_s !== undefined && `${clock(i.start_time_s)}-${clock(i.end_time_s)}`,
        Format.duration(i.moving_time_s ?? i.elapsed_time_s),
        Format.distance(i.distance_m, family),
        power(i.average_watts, i.normalized_watts),
        Format.unit(i.intensity_percent, "%"),
        i.zone !== undefined && `Z${i.zone}`,
        heartRate(i.average_heartrate_bpm, i.max_heartrate_bpm),
        Format.unit(i.average_cadence, cadence),
        i.average_pace ?? Format.speed(i.average_speed_mps, "other"),
        Format.unit(i.elevation_gain_m, " m up"),
        Format.unit(i.training_load, "", 1) && `load ${i.training_load}`
      ]) + (i.other_fields ? `\n  other: ${otherText(i.other_fields)}` : "")
    )
    const groups = out.groups.filter((g) => (g.count ?? 0) > 1).map((g) => {
      // A rep's time is the total shared out, so that the line adds up to what the reps did.
      const rep = g.total_time_s !== undefined ? g.total_time_s / g.count! : g.moving_time_s
      const total = g.total_time_s !== undefined ? ` (total ${Format.duration(g.total_time_s)})` : ""
      return Format.join([
        `${g.count} × ${Format.duration(rep) ?? "?"}${total}`,
        power(g.average_watts, g.normalized_watts),
        heartRate(g.average_heartrate_bpm),
        Format.speed(g.average_speed_mps, family)
      ])
    })
    return [
      `${head}: ${Format.plural(out.intervals.length, "interval")}`,
      ...lines,
      ...(groups.length > 0 ? ["Groups of like intervals:", ...groups] : [])
    ].join("\n")
  }
})
