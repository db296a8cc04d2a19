/**
 * One activity analysed, section by section, each asked for by name and costing one request at most: best efforts,
 * histograms, time in zones (as bounds in watts, bpm and pace), aerobic decoupling and efficiency, interval statistics,
 * power against heart rate, and the weather. A section the activity cannot have (power on a run without a meter,
 * anything on a Strava activity) is said plainly, not failed.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { ActivityId, AthleteId } from "../domain/Ids.js"
import type { Activity, DataCurve, SportSettings } from "../domain/Intervals.js"
import type { IntervalsError } from "../domain/IntervalsError.js"
import { hrZones, paceText, paceZones, powerZones } from "../domain/Zones.js"
import { AppConfig } from "../services/AppConfig.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import { resolveAthlete } from "./Params.js"
import * as Format from "./Format.js"
import { compact, make, Num, optional, reporting, Str } from "./Tool.js"

const SECTIONS = ["best_efforts", "histograms", "zones", "decoupling", "intervals", "power_hr", "weather"] as const
type Section = typeof SECTIONS[number]

/** Every section says whether the activity has it, and why not when it does not. */
const Availability = { available: Schema.Boolean, reason: Str }

const Bucket = Schema.Struct({ from: Schema.Number, to: Schema.Number, seconds: Schema.Number, percent: Schema.Number })
const ZoneTime = Schema.Struct({ zone: Schema.String, range: Schema.String, seconds: Schema.Number, percent: Schema.Number })

const AnalysisOutput = Schema.Struct({
  activity: Schema.Struct({ id: Schema.String, name: Str, type: Str, date: Str, weekday: Str, moving_time_s: Num }),
  best_efforts: optional(Schema.Struct({ ...Availability,
    kind: Str,
    efforts: optional(Schema.Array(Schema.Struct({ over: Schema.String, value: Schema.String })))
  })),
  histograms: optional(Schema.Struct({ ...Availability,
    power_watts: optional(Schema.Array(Bucket)),
    heartrate_bpm: optional(Schema.Array(Bucket)),
    speed_kmh: optional(Schema.Array(Bucket))
  })),
  zones: optional(Schema.Struct({ ...Availability,
    power: optional(Schema.Array(ZoneTime)),
    heartrate: optional(Schema.Array(ZoneTime)),
    pace: optional(Schema.Array(ZoneTime))
  })),
  decoupling: optional(Schema.Struct({ ...Availability, decoupling_percent: Num, efficiency_factor: Num, power_hr: Num, note: Str })),
  intervals: optional(Schema.Struct({ ...Availability,
    work_intervals: Num,
    average_duration_s: Num,
    average_watts: Num,
    average_heartrate_bpm: Num,
    average_pace: Str,
    first_rep: Str,
    last_rep: Str,
    fade_percent: optional(Schema.Number.annotations({ description: "Last work interval against the first, by power (or speed)" })),
    spread_percent: optional(Schema.Number.annotations({ description: "Strongest against weakest rep" }))
  })),
  power_hr: optional(Schema.Struct({ ...Availability, power_hr: Num, first_half: Num, second_half: Num, decoupling_percent: Num })),
  weather: optional(Schema.Struct({ ...Availability,
    temperature_c: Num,
    feels_like_c: Num,
    wind_kmh: Num,
    gusts_kmh: Num,
    wind_from: Str,
    headwind_percent: Num,
    rain_mm: Num,
    clouds_percent: Num,
    description: Str
  }))
})
type AnalysisOutput = typeof AnalysisOutput.Type

const unavailable = (reason: string) => ({ available: false, reason })

const familyOf = (type: string | null | undefined) => Format.sportFamily(type)

/**
 * Histogram buckets with their share of the time. The thin tails (each under 1% of the time, at either end) are
 * folded into the first and last buckets that are not thin, so that a model reads a few lines, not fifty, and the
 * shares still add up to 100%.
 */
export const buckets = (
  raw: ReadonlyArray<{ readonly start?: number | null | undefined; readonly secs?: number | null | undefined }>,
  size: number,
  scale = 1
) => {
  const rows = raw.filter((b) => b.start != null && (b.secs ?? 0) > 0)
    .map((b) => ({ from: b.start!, to: b.start! + size, seconds: b.secs! }))
    .sort((a, b) => a.from - b.from)
  const total = rows.reduce((s, b) => s + b.seconds, 0)
  if (total === 0) return []
  const thick = (row: { seconds: number }) => row.seconds / total >= 0.01
  const first = rows.findIndex(thick)
  const last = rows.length - 1 - [...rows].reverse().findIndex(thick)
  const kept = first === -1 ? rows : rows.slice(first, last + 1).map((row, i, all) => ({
    from: i === 0 ? rows[0]!.from : row.from,
    to: i === all.length - 1 ? rows.at(-1)!.to : row.to,
    seconds: row.seconds +
      (i === 0 ? rows.slice(0, first).reduce((s, b) => s + b.seconds, 0) : 0) +
      (i === all.length - 1 ? rows.slice(last + 1).reduce((s, b) => s + b.seconds, 0) : 0)
  }))
  return kept.map((row) => ({
    from: Format.round(row.from * scale, 1),
    to: Format.round(row.to * scale, 1),
    seconds: row.seconds,
    percent: Format.round((row.seconds / total) * 100, 1)
  }))
}

const effortsOf = (curve: DataCurve, kind: "power" | "pace" | "hr", units: string | undefined) => {
  if (kind === "pace") {
    return [400, 1000, 1609.344, 5000, 10_000, 21_097.5].flatMap((metres) => {
      const i = (curve.distance ?? []).findIndex((d) => d !== null && Math.abs(d - metres) < 1)
      const time = i >= 0 ? curve.values?.[i] : undefined
      return time == null ? [] : [{ over: Format.distance(metres)!, value: `${Format.duration(time)} (${paceText(metres / time, units)})` }]
    })
  }
  return [5, 30, 60, 300, 1200, 3600].flatMap((secs) => {
    const i = (curve.secs ?? []).indexOf(secs)
    const value = i >= 0 ? curve.values?.[i] : undefined
    return value == null ? [] : [{ over: Format.duration(secs)!, value: `${value} ${kind === "power" ? "W" : "bpm"}` }]
  })
}

const zoneTimes = (activity: Activity, settings: SportSettings | undefined) => {
  // Shares of the time the zones cover (which need not be the moving time: pauses with heart rate count), so each
  // kind adds up to 100%.
  const shareOf = (times: ReadonlyArray<number>) => {
    const total = times.reduce((a, b) => a + b, 0)
    return (s: number) => (total > 0 ? Format.round((s / total) * 100, 1) : 0)
  }
  const power = activity.icu_zone_times?.filter((z) => /^Z\d$/.test(z.id ?? ""))
  const powerShare = shareOf((power ?? []).map((z) => z.secs ?? 0))
  const ftp = activity.icu_ftp ?? settings?.ftp ?? undefined
  const powerBounds = ftp && (activity.icu_power_zones ?? settings?.power_zones)
    ? powerZones(ftp, activity.icu_power_zones ?? settings!.power_zones!)
    : undefined
  const hrBounds = activity.icu_hr_zones ?? settings?.hr_zones
  const hr = activity.icu_hr_zone_times
  const hrShare = shareOf((hr ?? []).map((s) => s ?? 0))
  const paceShare = shareOf((activity.pace_zone_times ?? []).map((s) => s ?? 0))
  const threshold = activity.threshold_pace ?? settings?.threshold_pace ?? undefined
  const paceBounds = threshold && (activity.pace_zones ?? settings?.pace_zones)
    ? paceZones(threshold, settings?.pace_units ?? undefined, activity.pace_zones ?? settings!.pace_zones!)
    : undefined
  return compact({
    power: power && power.length > 0 ? power.map((z, i) => ({
      zone: z.id!,
      range: powerBounds?.[i]
        ? powerBounds[i]!.to_watts === undefined
          ? `>${powerBounds[i]!.from_watts} W`
          : powerBounds[i]!.from_watts === 0
          ? `<${powerBounds[i]!.to_watts} W`
          : `${powerBounds[i]!.from_watts}-${powerBounds[i]!.to_watts} W`
        : "",
      seconds: z.secs ?? 0,
      percent: powerShare(z.secs ?? 0)
    })) : undefined,
    heartrate: hr && hr.length > 0 ? hrZones(hrBounds ?? hr.map(() => null)).map((z, i) => ({
      zone: z.zone,
      range: z.to_bpm === undefined
        ? `≥${z.from_bpm} bpm`
        : z.from_bpm === 0
        ? `≤${z.to_bpm} bpm`
        : `${z.from_bpm}-${z.to_bpm} bpm`,
      seconds: hr[i] ?? 0,
      percent: hrShare(hr[i] ?? 0)
    })).filter((_, i) => i < hr.length) : undefined,
    pace: activity.pace_zone_times && activity.pace_zone_times.length > 0 && paceBounds
      ? paceBounds.map((z, i) => ({
        zone: z.zone,
        range: z.slowest === undefined ? `slower than ${z.fastest}` : z.fastest === undefined ? `faster than ${z.slowest}` : `${z.slowest} to ${z.fastest}`,
        seconds: activity.pace_zone_times![i] ?? 0,
        percent: paceShare(activity.pace_zone_times![i] ?? 0)
      }))
      : undefined
  })
}

type Sections = Omit<AnalysisOutput, "activity">

const analyse = (activity: Activity, wanted: ReadonlySet<Section>): Effect.Effect<Sections, IntervalsError, IntervalsClient | AppConfig> =>
  Effect.gen(function*() {
    const client = yield* IntervalsClient
    const id = ActivityId.make(activity.id)
    const family = familyOf(activity.type)
    const hasPower = activity.icu_average_watts != null
    const hasHr = activity.average_heartrate != null
    const hasPace = family !== "other" && (activity.distance ?? 0) > 0
    const outdoor = !activity.trainer && family !== "swim"
    const athleteId = AthleteId.make(activity.icu_athlete_id && /^i?\d+$/.test(activity.icu_athlete_id)
      ? activity.icu_athlete_id
      : yield* resolveAthlete(undefined))
    const settingsOf = Effect.map(client.athlete(athleteId), (athlete) =>
      athlete.sportSettings?.find((s) => s.types?.includes(activity.type ?? ""))
    ).pipe(Effect.orElseSucceed(() => undefined))

    const tasks: Partial<Record<Section, Effect.Effect<unknown, IntervalsError, never>>> = {}
    if (wanted.has("best_efforts")) {
      const kind = hasPower ? "power" as const : hasPace && family === "run" ? "pace" as const : hasHr ? "hr" as const : undefined
      tasks.best_efforts = kind === undefined
        ? Effect.succeed(unavailable("this activity has no power, pace or heart rate recorded"))
        : Effect.map(Effect.all([client.activityCurve(id, kind), settingsOf]), ([curve, settings]) => ({
          available: true,
          kind: kind === "power" ? "best power" : kind === "pace" ? "best times" : "best heart rate",
          efforts: effortsOf(curve, kind, settings?.pace_units ?? undefined)
        }))
    }
    if (wanted.has("histograms")) {
      tasks.histograms = !hasPower && !hasHr && !hasPace
        ? Effect.succeed(unavailable("this activity has no power, heart rate or speed recorded"))
        : Effect.map(Effect.all({
          power: hasPower ? client.histogram(id, "power", 25) : Effect.succeed(undefined),
          hr: hasHr ? client.histogram(id, "hr", 5) : Effect.succeed(undefined),
          pace: hasPace ? client.histogram(id, "pace") : Effect.succeed(undefined)
        }, { concurrency: "unbounded" }), (h) => ({
          available: true,
          ...compact({
            power_watts: h.power ? buckets(h.power, 25) : undefined,
            heartrate_bpm: h.hr ? buckets(h.hr, 5) : undefined,
            // Speed buckets come in m/s; km/h reads better for every sport.
            speed_kmh: h.pace ? buckets(h.pace, (h.pace[1]?.start ?? 0.25) - (h.pace[0]?.start ?? 0) || 0.25, 3.6) : undefined
          })
        }))
    }
    if (wanted.has("zones")) {
      tasks.zones = Effect.map(settingsOf, (settings) => {
        const zones = zoneTimes(activity, settings)
        return Object.keys(zones).length === 0
          ? unavailable("Intervals.icu has no time in zones for this activity")
          : { available: true, ...zones }
      })
    }
    if (wanted.has("decoupling")) {
      tasks.decoupling = Effect.succeed(
        activity.decoupling == null && activity.icu_efficiency_factor == null
          ? unavailable("not computed: it needs heart rate with power or pace over 20 minutes or more")
          : {
            available: true,
            ...compact({
              decoupling_percent: Format.roundOrUndefined(activity.decoupling, 1),
              efficiency_factor: Format.roundOrUndefined(activity.icu_efficiency_factor, 2),
              power_hr: Format.roundOrUndefined(activity.icu_power_hr, 2),
              note: activity.decoupling == null
                ? undefined
                : Math.abs(activity.decoupling) < 5
                ? "under 5%: heart rate held steady against the output (aerobically well paced)"
                : "5% or more: heart rate drifted up against the output (fatigue, heat or pacing)"
            })
          }
      )
    }
    if (wanted.has("intervals")) {
      tasks.intervals = Effect.map(client.activityIntervals(id), (dto) => {
        const work = (dto.icu_intervals ?? []).filter((i) => i.type === "WORK")
        if (work.length === 0) return unavailable("no work intervals were detected or marked in this activity")
        const by = hasPower ? (i: typeof work[number]) => i.average_watts ?? 0 : (i: typeof work[number]) => i.average_speed ?? 0
        const values = work.map(by).filter((v) => v > 0)
        const describe = (i: typeof work[number]) =>
          Format.join([Format.duration(i.moving_time), Format.unit(i.average_watts, " W"), Format.unit(i.average_heartrate, " bpm"), family !== "other" ? Format.speed(i.average_speed, family) : undefined])
        const mean = (f: (i: typeof work[number]) => number | null | undefined) => {
          const xs = work.map(f).filter((v): v is number => typeof v === "number")
          return xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length
        }
        return {
          available: true,
          work_intervals: work.length,
          ...compact({
            average_duration_s: Format.roundOrUndefined(mean((i) => i.moving_time)),
            average_watts: Format.roundOrUndefined(mean((i) => i.average_watts)),
            average_heartrate_bpm: Format.roundOrUndefined(mean((i) => i.average_heartrate)),
            average_pace: family !== "other" ? Format.speed(mean((i) => i.average_speed), family) : undefined,
            first_rep: describe(work[0]!),
            last_rep: describe(work.at(-1)!),
            fade_percent: values.length > 1 ? Format.round(((values.at(-1)! - values[0]!) / values[0]!) * 100, 1) : undefined,
            spread_percent: values.length > 1 ? Format.round(((Math.max(...values) - Math.min(...values)) / Math.min(...values)) * 100, 1) : undefined
          })
        }
      })
    }
    if (wanted.has("power_hr")) {
      tasks.power_hr = !hasPower || !hasHr
        ? Effect.succeed(unavailable(`this activity has no ${!hasPower ? "power" : "heart rate"} recorded`))
        : Effect.map(client.powerVsHr(id), (p) => ({
          available: true,
          ...compact({
            power_hr: Format.roundOrUndefined(p.powerHr, 2),
            first_half: Format.roundOrUndefined(p.powerHrFirst, 2),
            second_half: Format.roundOrUndefined(p.powerHrSecond, 2),
            decoupling_percent: Format.roundOrUndefined(p.decoupling, 1)
          })
        }))
    }
    if (wanted.has("weather")) {
      tasks.weather = !outdoor
        ? Effect.succeed(unavailable("an indoor activity has no weather"))
        : Effect.map(client.weatherSummary(id), (w) =>
          w.average_weather_temp == null && w.average_wind_speed == null
            ? unavailable("Intervals.icu has no weather for this activity; it needs a GPS track")
            : {
              available: true,
              ...compact({
                temperature_c: Format.roundOrUndefined(w.average_weather_temp ?? w.average_temp, 1),
                feels_like_c: Format.roundOrUndefined(w.average_feels_like, 1),
                wind_kmh: w.average_wind_speed == null ? undefined : Format.round(w.average_wind_speed * 3.6, 1),
                gusts_kmh: w.average_wind_gust == null ? undefined : Format.round(w.average_wind_gust * 3.6, 1),
                wind_from: w.prevailing_wind_deg == null ? undefined : Format.compass(w.prevailing_wind_deg),
                headwind_percent: Format.roundOrUndefined(w.headwind_percent),
                rain_mm: Format.roundOrUndefined(w.max_rain, 1),
                clouds_percent: Format.roundOrUndefined(w.average_clouds),
                description: w.description ?? undefined
              })
            })
    }
    // A section Intervals.icu cannot compute for this activity (a 422, a 404) is said, not the whole answer failed.
    const settled = Object.fromEntries(
      Object.entries(tasks).map(([name, task]) => [
        name,
        task.pipe(
          Effect.catchTags({
            IntervalsRejected: (error) => Effect.succeed(unavailable(`Intervals.icu could not compute it: ${error.detail}`)),
            IntervalsNotFound: () => Effect.succeed(unavailable("Intervals.icu has no such data for this activity"))
          })
        )
      ])
    )
    return (yield* Effect.all(reporting(settled), { concurrency: "unbounded" })) as Sections
  })

export const getActivityAnalysis = make({
  name: "get_activity_analysis",
  title: "Activity analysis",
  description: "Deeper analysis of one activity, by the sections asked for in include (default all): best_efforts " +
    "(best power, pace or heart rate over standard durations or distances), histograms (power in 25 W, heart rate in " +
    "5 bpm and speed buckets, with the share of time), zones (time in power, heart-rate and pace zones with their " +
    "bounds), decoupling (aerobic decoupling and efficiency factor), intervals (work intervals: averages, first and " +
    "last rep, fade and spread), power_hr (power:HR in each half), weather. Each section costs at most one request; " +
    "one the activity cannot have is said plainly. Use an id from get_activities.",
  annotations: { title: "Activity analysis", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({
    activity_id: ActivityId,
    include: optional(
      Schema.Array(Schema.Literal(...SECTIONS)).pipe(Schema.minItems(1), Schema.maxItems(SECTIONS.length))
        .annotations({ description: "Sections, default all" })
    )
  }),
  output: AnalysisOutput,
  run: Effect.fn("get_activity_analysis")(function*(input) {
    const client = yield* IntervalsClient
    const activity = yield* client.activity(input.activity_id)
    const wanted = new Set<Section>(input.include ?? SECTIONS)
    const head = {
      id: activity.id,
      ...compact({
        name: activity.name,
        type: activity.type,
        date: Format.datePart(activity.start_date_local),
        weekday: activity.start_date_local ? Format.weekdayOf(activity.start_date_local) : undefined,
        moving_time_s: activity.moving_time
      })
    }
    if (activity.source === "STRAVA") {
      const reason = "synced from Strava: Intervals.icu cannot share Strava activities through its API"
      return { activity: head, ...Object.fromEntries([...wanted].map((s) => [s, unavailable(reason)])) }
    }
    return { activity: head, ...(yield* analyse(activity, wanted)) }
  }),
  render: (out) => {
    const line = (name: string, s: { available: boolean; reason?: string } | undefined, body: () => Array<string | undefined | false>) =>
      s === undefined ? undefined : !s.available ? `${name}: not available (${s.reason})` : [`${name}:`, ...body().filter((l): l is string => typeof l === "string" && l !== "")].join("\n  ")
    const bucketLine = (label: string, unit: string, rows: ReadonlyArray<{ from: number; to: number; percent: number }> | undefined) =>
      rows && rows.length > 0 && `${label}: ${rows.map((b) => `${b.from}-${b.to} ${unit} ${b.percent}%`).join(", ")}`
    const zoneLine = (label: string, rows: ReadonlyArray<{ zone: string; range: string; seconds: number; percent: number }> | undefined) =>
      rows && rows.length > 0 && `${label}: ${rows.filter((z) => z.seconds > 0).map((z) => `${z.zone}${z.range ? ` (${z.range})` : ""} ${Format.duration(z.seconds)} ${z.percent}%`).join(", ")}`
    const a = out.activity
    return [
      `Analysis of ${Format.join([a.type, Format.quote(a.name)], " ") || "activity"} ${a.date ? Format.dayLabel(a.date) : ""} (id ${a.id})`,
      line("Best efforts", out.best_efforts, () => [`${out.best_efforts?.kind}: ${(out.best_efforts?.efforts ?? []).map((e) => `${e.over} ${e.value}`).join(", ")}`]),
      line("Histograms", out.histograms, () => [
        bucketLine("power", "W", out.histograms?.power_watts),
        bucketLine("heart rate", "bpm", out.histograms?.heartrate_bpm),
        bucketLine("speed", "km/h", out.histograms?.speed_kmh)
      ]),
      line("Time in zones", out.zones, () => [zoneLine("power", out.zones?.power), zoneLine("heart rate", out.zones?.heartrate), zoneLine("pace", out.zones?.pace)]),
      line("Decoupling", out.decoupling, () => [Format.join([
        out.decoupling?.decoupling_percent !== undefined && `${out.decoupling.decoupling_percent}% decoupling`,
        out.decoupling?.efficiency_factor !== undefined && `efficiency factor ${out.decoupling.efficiency_factor}`,
        out.decoupling?.power_hr !== undefined && `power:HR ${out.decoupling.power_hr}`
      ]), out.decoupling?.note]),
      line("Intervals", out.intervals, () => [
        Format.join([
          out.intervals?.work_intervals !== undefined && Format.plural(out.intervals.work_intervals, "work interval"),
          out.intervals?.average_duration_s !== undefined && `average ${Format.duration(out.intervals.average_duration_s)}`,
          Format.unit(out.intervals?.average_watts, " W"),
          Format.unit(out.intervals?.average_heartrate_bpm, " bpm"),
          out.intervals?.average_pace
        ]),
        out.intervals?.first_rep && `first ${out.intervals.first_rep}; last ${out.intervals.last_rep}`,
        out.intervals?.fade_percent !== undefined && `fade ${out.intervals.fade_percent > 0 ? "+" : ""}${out.intervals.fade_percent}% (last against first), spread ${out.intervals.spread_percent}%`
      ]),
      line("Power against heart rate", out.power_hr, () => [Format.join([
        out.power_hr?.power_hr !== undefined && `power:HR ${out.power_hr.power_hr}`,
        out.power_hr?.first_half !== undefined && `first half ${out.power_hr.first_half}, second half ${out.power_hr.second_half}`,
        out.power_hr?.decoupling_percent !== undefined && `${out.power_hr.decoupling_percent}% decoupling`
      ])]),
      line("Weather", out.weather, () => [Format.join([
        out.weather?.description,
        Format.unit(out.weather?.temperature_c, " °C", 1),
        out.weather?.feels_like_c !== undefined && `feels like ${out.weather.feels_like_c} °C`,
        out.weather?.wind_kmh !== undefined && `wind ${out.weather.wind_kmh} km/h${out.weather.wind_from ? ` from ${out.weather.wind_from}` : ""}`,
        out.weather?.gusts_kmh !== undefined && `gusts ${out.weather.gusts_kmh} km/h`,
        out.weather?.headwind_percent !== undefined && `${out.weather.headwind_percent}% headwind`,
        out.weather?.rain_mm !== undefined && out.weather.rain_mm > 0 && `rain ${out.weather.rain_mm} mm`,
        out.weather?.clouds_percent !== undefined && `${out.weather.clouds_percent}% cloud`
      ])])
    ].filter((l): l is string => typeof l === "string").join("\n")
  }
})
