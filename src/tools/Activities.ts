/**
 * Completed activities: the list for a date window, one activity in detail, and its intervals.
 */
import { Array as Arr, Effect, Order, Schema } from "effect"
import { ActivityId } from "../domain/Ids.js"
import type { Activity, Interval, IntervalGroup } from "../domain/Intervals.js"
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
  hr_zone_times_s: optional(
    Schema.Array(Schema.Number).annotations({ description: "Seconds in each heart-rate zone, Z1 first" })
  ),
  interval_summary: optional(Schema.Array(Schema.String)),
  tags: optional(Schema.Array(Schema.String)),
  note: Str
}).annotations({ description: UNITS })
type ActivityDetail = typeof ActivityDetail.Type

const kj = (joules: number | null | undefined) => (joules == null ? undefined : Format.round(joules / 1000, 1))

const summarize = (a: Activity): ActivitySummary => {
  if (isStravaStub(a)) {
    return { id: a.id, ...compact({ start_date_local: a.start_date_local, source: a.source }), strava_stub: true }
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

const detail = (a: Activity): ActivityDetail => {
  if (isStravaStub(a)) return { ...summarize(a), note: STRAVA_NOTE }
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
      hr_zone_times_s: a.icu_hr_zone_times?.every((s) => typeof s === "number")
        ? (a.icu_hr_zone_times as ReadonlyArray<number>)
        : undefined,
      interval_summary: a.interval_summary && a.interval_summary.length > 0 ? a.interval_summary : undefined,
      tags: a.tags && a.tags.length > 0 ? a.tags : undefined
    })
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

const power = (average?: number, normalized?: number) =>
  average === undefined && normalized === undefined
    ? undefined
    : Format.join([Format.unit(average, " W avg"), Format.unit(normalized, " W NP")], ", ")

const heartRate = (average?: number, max?: number) =>
  average === undefined && max === undefined
    ? undefined
    : "HR " + Format.join([Format.unit(average, " avg"), Format.unit(max, " max")], "/")

const summaryLine = (a: ActivitySummary): string =>
  a.strava_stub
    ? Format.join([Format.localDateTime(a.start_date_local), "Strava activity (no data via the API)", `id ${a.id}`])
    : Format.join([
      Format.join([Format.localDateTime(a.start_date_local), a.type, Format.quote(a.name)], " "),
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
  start_date: dateParam("First day, YYYY-MM-DD, athlete's local time. Default: 30 days before end_date or today."),
  end_date: dateParam("Last day (inclusive), YYYY-MM-DD. Default: today in the athlete's timezone."),
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
    "cannot be read through the Intervals.icu API: they are listed as such, without data.",
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

const ActivityInput = Schema.Struct({ activity_id: ActivityId })

export const getActivityDetails = make({
  name: "get_activity_details",
  title: "Activity details",
  description: "Everything Intervals.icu knows about one completed activity: time, distance, elevation, speed and " +
    "pace, power (average, normalized, FTP, intensity, variability), heart rate (average, max, zone times, " +
    "decoupling), training load, work in kJ, calories, RPE and feel, the athlete's notes, and the fitness and fatigue " +
    "after it. Values the device did not record are left out. Use an id from get_activities.",
  annotations: { title: "Activity details", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: ActivityInput,
  output: ActivityDetail,
  run: Effect.fn("get_activity_details")(function*(input) {
    const client = yield* IntervalsClient
    return detail(yield* client.activity(input.activity_id))
  }),
  render: (a) => {
    if (a.strava_stub) {
      return `Activity ${a.id} (${Format.localDateTime(a.start_date_local) ?? "date unknown"}): ${a.note}`
    }
    const family = Format.sportFamily(a.type)
    const lines = [
      Format.join([Format.localDateTime(a.start_date_local), a.type, Format.quote(a.name), `id ${a.id}`], " "),
      Format.join([
        Format.duration(a.moving_time_s) && `moving ${Format.duration(a.moving_time_s)}`,
        Format.duration(a.elapsed_time_s) && `elapsed ${Format.duration(a.elapsed_time_s)}`,
        Format.distance(a.distance_m, family),
        Format.unit(a.elevation_gain_m, " m up"),
        a.average_speed_mps !== undefined &&
        `avg ${Format.join([a.average_pace, family !== "other" ? undefined : Format.speed(a.average_speed_mps, family)])}`,
        a.max_speed_mps !== undefined && `max ${Format.speed(a.max_speed_mps, "other")}`
      ]),
      (a.average_watts ?? a.normalized_watts ?? a.ftp_watts) !== undefined && "Power: " + Format.join([
        Format.unit(a.average_watts, " W avg"),
        Format.unit(a.normalized_watts, " W NP"),
        Format.unit(a.ftp_watts, " W FTP"),
        Format.unit(a.intensity_percent, "% intensity", 1),
        Format.unit(a.variability_index, " VI", 2),
        Format.unit(a.efficiency_factor, " EF", 2)
      ]),
      (a.average_heartrate_bpm ?? a.max_heartrate_bpm) !== undefined && "Heart rate: " + Format.join([
        Format.unit(a.average_heartrate_bpm, " bpm avg"),
        Format.unit(a.max_heartrate_bpm, " bpm max"),
        Format.unit(a.lthr_bpm, " bpm LTHR"),
        Format.unit(a.decoupling_percent, "% decoupling", 1),
        a.hr_zone_times_s && `zones ${a.hr_zone_times_s.map((s, i) => `Z${i + 1} ${Format.duration(s)}`).join(", ")}`
      ]),
      "Load: " + Format.join([
        Format.unit(a.training_load, ""),
        a.intensity_percent !== undefined && a.average_watts === undefined &&
        Format.unit(a.intensity_percent, "% intensity", 1),
        Format.unit(a.trimp, " TRIMP", 1),
        Format.unit(a.work_kj, " kJ", 1),
        Format.unit(a.work_above_ftp_kj, " kJ above FTP", 1),
        Format.unit(a.calories_kcal, " kcal"),
        Format.unit(a.average_cadence, " cadence"),
        Format.unit(a.rpe, "/10 RPE"),
        Format.unit(a.feel, "/5 feel")
      ]),
      (a.fitness_ctl ?? a.fatigue_atl) !== undefined && "After: " + Format.join([
        Format.unit(a.fitness_ctl, " fitness (CTL)", 1),
        Format.unit(a.fatigue_atl, " fatigue (ATL)", 1),
        a.fitness_ctl !== undefined && a.fatigue_atl !== undefined &&
        `form ${Format.round(a.fitness_ctl - a.fatigue_atl, 1)}`
      ]),
      Format.join([
        a.source && `source ${a.source}`,
        a.device && `device ${a.device}`,
        Format.unit(a.average_temp_c, " °C", 1),
        Format.unit(a.weight_kg, " kg", 1),
        a.trainer && "indoor trainer",
        a.race && "race",
        a.commute && "commute",
        a.paired_event_id !== undefined && `planned workout ${a.paired_event_id}` +
          (a.compliance_percent !== undefined ? ` (${a.compliance_percent}% compliance)` : ""),
        a.tags && `tags ${a.tags.join(", ")}`
      ]),
      a.interval_summary && `Intervals: ${a.interval_summary.join("; ")}`,
      a.description && `Notes: ${Format.oneLine(a.description, 600)}`
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
  work_kj: Num
})
type IntervalView = typeof IntervalView.Type

const GroupView = Schema.Struct({
  id: Schema.String,
  count: Num,
  moving_time_s: Num,
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

const intervalView = (i: Interval, family: Format.SportFamily): IntervalView =>
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
    work_kj: kj(i.joules)
  })

const groupView = (g: IntervalGroup) =>
  ({
    id: g.id,
    ...compact({
      count: g.count,
      moving_time_s: g.moving_time,
      distance_m: Format.roundOrUndefined(g.distance, 1),
      average_watts: g.average_watts,
      normalized_watts: g.weighted_average_watts,
      average_heartrate_bpm: g.average_heartrate,
      average_speed_mps: Format.roundOrUndefined(g.average_speed, 3)
    })
  }) as const

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
    "edited them: WORK/RECOVERY, start-end within the activity, duration, distance, average and normalized power, " +
    "intensity and zone, heart rate, cadence, pace or speed, and load; plus groups of like intervals (e.g. 5 × 4 min " +
    "at similar power). Use it to judge how a session went or to compare sessions. Use an id from get_activities.",
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
    return {
      activity_id: dto.id,
      ...compact({ activity_name: activity.name, activity_type: activity.type, start_date_local: activity.start_date_local }),
      intervals: (dto.icu_intervals ?? []).map((i) => intervalView(i, family)),
      groups: (dto.icu_groups ?? []).map(groupView)
    }
  }),
  render: (out) => {
    const family = Format.sportFamily(out.activity_type)
    const head = Format.join([
      `Intervals of ${Format.join([out.activity_type, Format.quote(out.activity_name)], " ") || "activity"}`,
      Format.localDateTime(out.start_date_local),
      `id ${out.activity_id}`
    ])
    if (out.intervals.length === 0) return `${head}: none recorded.`
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
        Format.unit(i.average_cadence, " rpm"),
        i.average_pace ?? Format.speed(i.average_speed_mps, "other"),
        Format.unit(i.elevation_gain_m, " m up"),
        Format.unit(i.training_load, "", 1) && `load ${i.training_load}`
      ])
    )
    const groups = out.groups.filter((g) => (g.count ?? 0) > 1).map((g) =>
      Format.join([
        `${g.count} × ${Format.duration(g.moving_time_s) ?? "?"}`,
        power(g.average_watts, g.normalized_watts),
        heartRate(g.average_heartrate_bpm),
        Format.speed(g.average_speed_mps, family)
      ])
    )
    return [
      `${head}: ${Format.plural(out.intervals.length, "interval")}`,
      ...lines,
      ...(groups.length > 0 ? ["Groups of like intervals:", ...groups] : [])
    ].join("\n")
  }
})
