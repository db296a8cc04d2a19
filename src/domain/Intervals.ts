/**
 * Schemas of the Intervals.icu payloads this server reads, after the OpenAPI specification and real samples
 * (`test/fixtures/samples`). Only the fields we use are declared: unknown fields are tolerated (and dropped, except
 * on the records whose every field an answer can show: an activity, an interval, a wellness day), and every metric is
 * optional and nullable because the API leaves most of them `null` depending on device and sport.
 */
import * as Schema from "effect/Schema"
import { AnswerId } from "./Ids.js"

const Maybe = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))
const Num = Maybe(Schema.Number)
const Str = Maybe(Schema.String)
const Bool = Maybe(Schema.Boolean)

const Numbers = Maybe(Schema.Array(Schema.NullOr(Schema.Number)))
const Strings = Maybe(Schema.Array(Schema.NullOr(Schema.String)))

export const SportSettings = Schema.Struct({
  id: Maybe(AnswerId),
  types: Maybe(Schema.Array(Schema.String)),
  ftp: Num,
  indoor_ftp: Num,
  w_prime: Num,
  p_max: Num,
  lthr: Num,
  max_hr: Num,
  threshold_pace: Num,
  pace_units: Str,
  power_zones: Numbers,
  power_zone_names: Strings,
  sweet_spot_min: Num,
  sweet_spot_max: Num,
  hr_zones: Numbers,
  hr_zone_names: Strings,
  pace_zones: Numbers,
  pace_zone_names: Strings,
  other: Bool
})
export type SportSettings = typeof SportSettings.Type

export const Athlete = Schema.Struct({
  id: Schema.String,
  name: Str,
  firstname: Str,
  lastname: Str,
  timezone: Str,
  sex: Str,
  city: Str,
  country: Str,
  locale: Str,
  measurement_preference: Str,
  fahrenheit: Bool,
  weight: Num,
  icu_weight: Num,
  icu_resting_hr: Num,
  icu_date_of_birth: Str,
  sportSettings: Maybe(Schema.Array(SportSettings))
})
export type Athlete = typeof Athlete.Type

/** An athlete the key may read: the key's owner, or one who follows or is coached by them (`GET /athletes`). */
export const AthleteListing = Schema.Struct({
  id: Schema.String,
  name: Str,
  timezone: Str,
  icu_permission: Str,
  icu_coach: Bool,
  icu_last_seen: Str,
  icu_tags: Strings
})
export type AthleteListing = typeof AthleteListing.Type

const CategoryTotals = {
  count: Num,
  time: Num,
  moving_time: Num,
  elapsed_time: Num,
  calories: Num,
  total_elevation_gain: Num,
  training_load: Num,
  srpe: Num,
  distance: Num,
  eftp: Num
}

/** One week of `athlete-summary`: totals, by sport, with fitness, fatigue and form at its end. */
export const SummaryWeek = Schema.Struct({
  ...CategoryTotals,
  date: Schema.String,
  athlete_id: Str,
  athlete_name: Str,
  fitness: Num,
  fatigue: Num,
  form: Num,
  rampRate: Num,
  weight: Num,
  timeInZones: Numbers,
  byCategory: Maybe(Schema.Array(Schema.Struct({ ...CategoryTotals, category: Str })))
})
export type SummaryWeek = typeof SummaryWeek.Type

export const PowerModel = Schema.Struct({
  type: Str,
  criticalPower: Num,
  wPrime: Num,
  pMax: Num,
  ftp: Num
})

export const PaceModel = Schema.Struct({
  type: Str,
  criticalSpeed: Num,
  dPrime: Num,
  r2: Num
})

/** One curve of a set: best values by duration (`secs`) or distance (`distance`), with the activity of each. */
export const DataCurve = Schema.Struct({
  id: Schema.String,
  label: Str,
  start_date_local: Str,
  end_date_local: Str,
  days: Num,
  weight: Num,
  secs: Numbers,
  distance: Numbers,
  values: Numbers,
  watts_per_kg: Numbers,
  activity_id: Strings,
  type: Str,
  powerModels: Maybe(Schema.Array(PowerModel)),
  paceModels: Maybe(Schema.Array(PaceModel))
})
export type DataCurve = typeof DataCurve.Type

export const CurveSet = Schema.Struct({
  list: Schema.Array(DataCurve),
  activities: Maybe(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})

/** One bucket of an activity histogram: its lower bound and the seconds in it. */
export const Bucket = Schema.Struct({
  start: Num,
  secs: Num,
  movingSecs: Num
})

export const PowerVsHr = Schema.Struct({
  powerHr: Num,
  powerHrFirst: Num,
  powerHrSecond: Num,
  decoupling: Num,
  powerHrZ2: Num,
  avgCadenceZ2: Num
})

export const WeatherSummary = Schema.Struct({
  average_temp: Num,
  min_temp: Num,
  max_temp: Num,
  average_weather_temp: Num,
  average_feels_like: Num,
  average_wind_speed: Num,
  average_wind_gust: Num,
  prevailing_wind_deg: Num,
  headwind_percent: Num,
  tailwind_percent: Num,
  max_rain: Num,
  average_clouds: Num,
  description: Str
})

export const SearchResult = Schema.Struct({
  id: Schema.String,
  name: Str,
  start_date_local: Str,
  type: Str,
  race: Bool,
  distance: Num,
  moving_time: Num,
  tags: Strings,
  description: Str
})

/**
 * The forecast for one of the athlete's places. The specification documents only the place (`Forecast`); the daily
 * rows are read in the OpenWeather "daily" shape that its `provider` names, and left out when absent.
 */
export const ForecastDay = Schema.Struct({
  dt: Num,
  date: Str,
  temp: Maybe(Schema.Struct({ min: Num, max: Num, day: Num })),
  feels_like: Maybe(Schema.Struct({ day: Num })),
  wind_speed: Num,
  wind_gust: Num,
  wind_deg: Num,
  pop: Num,
  rain: Num,
  snow: Num,
  clouds: Num,
  weather: Maybe(Schema.Array(Schema.Struct({ main: Str, description: Str })))
})
export type ForecastDay = typeof ForecastDay.Type

export const Forecast = Schema.Struct({
  id: Maybe(AnswerId),
  provider: Str,
  location: Str,
  label: Str,
  lat: Num,
  lon: Num,
  enabled: Bool,
  daily: Maybe(Schema.Array(ForecastDay))
})

export const WeatherForecast = Schema.Struct({ forecasts: Maybe(Schema.Array(Forecast)) })

/** Fields an activity shares with its intervals. */
const Effort = {
  distance: Num,
  moving_time: Num,
  elapsed_time: Num,
  average_speed: Num,
  max_speed: Num,
  average_heartrate: Num,
  max_heartrate: Num,
  average_cadence: Num,
  total_elevation_gain: Num,
  gap: Num,
  decoupling: Num
}

/** Every other field the API sends, kept so that `detail: "full"` can show what no typed field names. */
const Rest = Schema.Record({ key: Schema.String, value: Schema.Unknown })

export const Activity = Schema.Struct({
  id: Schema.String,
  source: Str,
  _note: Str,
  name: Str,
  description: Str,
  type: Str,
  sub_type: Str,
  start_date_local: Str,
  start_date: Str,
  timezone: Str,
  ...Effort,
  icu_distance: Num,
  total_elevation_loss: Num,
  icu_average_watts: Num,
  icu_weighted_avg_watts: Num,
  icu_ftp: Num,
  icu_intensity: Num,
  icu_variability_index: Num,
  icu_efficiency_factor: Num,
  icu_training_load: Num,
  icu_joules: Num,
  icu_joules_above_ftp: Num,
  calories: Num,
  trimp: Num,
  hr_load: Num,
  hr_load_type: Str,
  power_load: Num,
  pace_load: Num,
  lthr: Num,
  icu_resting_hr: Num,
  icu_weight: Num,
  icu_rpe: Num,
  feel: Num,
  average_temp: Num,
  trainer: Bool,
  commute: Bool,
  race: Bool,
  device_name: Str,
  icu_ctl: Num,
  icu_atl: Num,
  paired_event_id: Num,
  compliance: Num,
  pool_length: Num,
  threshold_pace: Num,
  interval_summary: Maybe(Schema.Array(Schema.String)),
  icu_hr_zone_times: Maybe(Schema.Array(Schema.NullOr(Schema.Number))),
  icu_zone_times: Maybe(Schema.Array(Schema.Struct({ id: Str, secs: Num }))),
  pace_zone_times: Numbers,
  icu_hr_zones: Numbers,
  icu_power_zones: Numbers,
  pace_zones: Numbers,
  polarization_index: Num,
  icu_power_hr: Num,
  avg_lr_balance: Num,
  min_temp: Num,
  max_temp: Num,
  average_weather_temp: Num,
  average_wind_speed: Num,
  power_meter: Str,
  power_meter_serial: Str,
  file_type: Str,
  average_stride: Num,
  gear: Maybe(Schema.Struct({ id: Str, name: Str, distance: Num })),
  stream_types: Strings,
  icu_athlete_id: Str,
  tags: Maybe(Schema.Array(Schema.String))
}, Rest)
export type Activity = typeof Activity.Type

export const Interval = Schema.Struct({
  id: Num,
  type: Str,
  label: Str,
  group_id: Str,
  start_time: Num,
  end_time: Num,
  ...Effort,
  average_watts: Num,
  weighted_average_watts: Num,
  max_watts: Num,
  average_watts_kg: Num,
  intensity: Num,
  training_load: Num,
  joules: Num,
  zone: Num,
  average_gradient: Num
}, Rest)
export type Interval = typeof Interval.Type

export const IntervalGroup = Schema.Struct({
  id: Schema.String,
  count: Num,
  ...Effort,
  average_watts: Num,
  weighted_average_watts: Num,
  intensity: Num
})
export type IntervalGroup = typeof IntervalGroup.Type

export const IntervalsDTO = Schema.Struct({
  id: Schema.String,
  analyzed: Str,
  icu_intervals: Maybe(Schema.Array(Interval)),
  icu_groups: Maybe(Schema.Array(IntervalGroup))
})
export type IntervalsDTO = typeof IntervalsDTO.Type

/**
 * A wellness day. The known fields are typed; everything else the API sends is kept in the index signature so that
 * `include_all_fields` can show fields this server does not know about yet.
 */
export const Wellness = Schema.Struct(
  {
    id: Schema.String,
    ctl: Num,
    atl: Num,
    rampRate: Num,
    ctlLoad: Num,
    atlLoad: Num,
    weight: Num,
    restingHR: Num,
    hrv: Num,
    hrvSDNN: Num,
    sleepSecs: Num,
    sleepScore: Num,
    sleepQuality: Num,
    avgSleepingHR: Num,
    soreness: Num,
    fatigue: Num,
    stress: Num,
    mood: Num,
    motivation: Num,
    injury: Num,
    spO2: Num,
    readiness: Num,
    steps: Num,
    respiration: Num,
    comments: Str
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)
export type Wellness = typeof Wellness.Type

export const Target = Schema.Struct({
  units: Str,
  value: Num,
  start: Num,
  end: Num
})
export type Target = typeof Target.Type

export interface WorkoutStep {
  readonly text?: string | null | undefined
  readonly duration?: number | null | undefined
  readonly distance?: number | null | undefined
  readonly reps?: number | null | undefined
  readonly warmup?: boolean | null | undefined
  readonly cooldown?: boolean | null | undefined
  readonly ramp?: boolean | null | undefined
  readonly freeride?: boolean | null | undefined
  readonly power?: Target | null | undefined
  readonly hr?: Target | null | undefined
  readonly pace?: Target | null | undefined
  readonly cadence?: Target | null | undefined
  readonly steps?: ReadonlyArray<WorkoutStep> | null | undefined
}

export const WorkoutStep: Schema.Schema<WorkoutStep, unknown> = Schema.Struct({
  text: Str,
  duration: Num,
  distance: Num,
  reps: Num,
  warmup: Bool,
  cooldown: Bool,
  ramp: Bool,
  freeride: Bool,
  power: Maybe(Target),
  hr: Maybe(Target),
  pace: Maybe(Target),
  cadence: Maybe(Target),
  steps: Maybe(Schema.Array(Schema.suspend(() => WorkoutStep)))
}) as unknown as Schema.Schema<WorkoutStep, unknown>

export const WorkoutDoc = Schema.Struct({
  steps: Maybe(Schema.Array(WorkoutStep)),
  duration: Num,
  distance: Num
})

/** What a planned workout holds, on a calendar day (an event) or in the library alike. */
const PlannedWorkout = {
  id: AnswerId,
  type: Str,
  name: Str,
  description: Str,
  indoor: Bool,
  moving_time: Num,
  distance: Num,
  icu_training_load: Num,
  icu_intensity: Num,
  joules: Num,
  tags: Maybe(Schema.Array(Schema.String)),
  workout_doc: Maybe(WorkoutDoc),
  updated: Str
}

export const Event = Schema.Struct({
  ...PlannedWorkout,
  start_date_local: Schema.String,
  end_date_local: Str,
  category: Str,
  color: Str,
  paired_activity_id: Str,
  /** The id a program gave the event when it wrote it (bulk writes upsert by it). */
  external_id: Str
})
export type Event = typeof Event.Type

/** A workout of the library (`Workout` in the spec): a planned workout that is in a folder, not on a date. */
export const LibraryWorkout = Schema.Struct({
  ...PlannedWorkout,
  athlete_id: Str,
  folder_id: Maybe(AnswerId),
  day: Num
})
export type LibraryWorkout = typeof LibraryWorkout.Type

/** A folder of the library, or a training plan (`type` PLAN), with its workouts. */
export const Folder = Schema.Struct({
  id: AnswerId,
  type: Str,
  name: Str,
  description: Str,
  visibility: Str,
  num_workouts: Num,
  duration_weeks: Num,
  children: Maybe(Schema.Array(LibraryWorkout))
})
export type Folder = typeof Folder.Type

export const ActivityStream = Schema.Struct({
  type: Schema.String,
  name: Str,
  data: Maybe(Schema.Array(Schema.NullOr(Schema.Number))),
  data2: Maybe(Schema.Array(Schema.NullOr(Schema.Number)))
})
export type ActivityStream = typeof ActivityStream.Type

export const Message = Schema.Struct({
  id: AnswerId,
  athlete_id: Str,
  name: Str,
  created: Str,
  type: Str,
  content: Str,
  deleted: Str
})
export type Message = typeof Message.Type

export const NewMessage = Schema.Struct({ id: AnswerId })

export const CustomItemType = Schema.Literal(
  "FITNESS_CHART",
  "FITNESS_TABLE",
  "TRACE_CHART",
  "INPUT_FIELD",
  "ACTIVITY_FIELD",
  "INTERVAL_FIELD",
  "ACTIVITY_STREAM",
  "ACTIVITY_CHART",
  "ACTIVITY_HISTOGRAM",
  "ACTIVITY_HEATMAP",
  "ACTIVITY_MAP",
  "ACTIVITY_PANEL",
  "ZONES"
)
export const Visibility = Schema.Literal("PRIVATE", "FOLLOWERS", "PUBLIC")

export const CustomItem = Schema.Struct({
  id: AnswerId,
  athlete_id: Str,
  type: Str,
  visibility: Str,
  name: Str,
  description: Str,
  content: Maybe(Schema.Unknown),
  usage_count: Num,
  index: Num,
  updated: Str
})
export type CustomItem = typeof CustomItem.Type

export const GearReminder = Schema.Struct({
  name: Str,
  percent_used: Num,
  distance: Num,
  time: Num,
  days: Num
})

export const Gear = Schema.Struct({
  id: Schema.String,
  type: Str,
  name: Str,
  purchased: Str,
  notes: Str,
  distance: Num,
  time: Num,
  activities: Num,
  retired: Str,
  component: Bool,
  component_ids: Maybe(Schema.Array(Schema.String)),
  reminders: Maybe(Schema.Array(GearReminder))
})
export type Gear = typeof Gear.Type

export const PowerCurve = Schema.Struct({
  id: Schema.String,
  label: Str,
  start_date_local: Str,
  end_date_local: Str,
  days: Num,
  weight: Num,
  secs: Maybe(Schema.Array(Schema.Number)),
  values: Maybe(Schema.Array(Schema.NullOr(Schema.Number))),
  watts_per_kg: Maybe(Schema.Array(Schema.NullOr(Schema.Number))),
  activity_id: Maybe(Schema.Array(Schema.NullOr(Schema.String))),
  powerModels: Maybe(Schema.Array(PowerModel))
})
export type PowerCurve = typeof PowerCurve.Type

export const PowerCurveSet = Schema.Struct({
  list: Schema.Array(PowerCurve),
  activities: Maybe(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})

export const DeleteEventsResponse = Schema.Struct({ eventsDeleted: Num })
