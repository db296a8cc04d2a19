/**
 * The athlete's records and equipment: power curves and gear.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { AthleteId, LocalDate } from "../domain/Ids.js"
import type { PowerCurve } from "../domain/Intervals.js"
import { boundedList } from "../domain/Limits.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import * as Format from "./Format.js"
import { athleteIdParam, dateParam, orderedDates, resolveAthlete, resolveWindow } from "./Params.js"
import { compact, make, optional } from "./Tool.js"

const DEFAULT_DURATIONS = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600]

const Durations = boundedList(Schema.Number.pipe(Schema.int(), Schema.between(1, 86_400)), 40, "durations", 1)

const CurvePoint = Schema.Struct({
  secs: Schema.Number,
  watts: Schema.Number,
  watts_per_kg: optional(Schema.Number),
  activity_id: optional(Schema.String)
})
const PowerModelView = Schema.Struct({
  critical_power_watts: optional(Schema.Number),
  w_prime_j: optional(Schema.Number),
  p_max_watts: optional(Schema.Number),
  ftp_watts: optional(Schema.Number.annotations({ description: "The model's estimate" }))
})

const Curve = Schema.Struct({
  id: Schema.String,
  label: optional(Schema.String),
  start_date: optional(Schema.String),
  end_date: optional(Schema.String),
  weight_kg: optional(Schema.Number),
  points: Schema.Array(CurvePoint),
  missing_durations_s: optional(
    Schema.Array(Schema.Number).annotations({ description: "Durations asked for that the curve has no value for" })
  ),
  model: optional(PowerModelView.annotations({ description: "Intervals.icu's fitted critical power model" }))
})
type Curve = typeof Curve.Type

/** The best power at each requested duration (the curve's own point at that duration, when it has one). */
const pick = (curve: PowerCurve, durations: ReadonlyArray<number>, normalised: boolean): Curve => {
  const secs = curve.secs ?? []
  const points = durations.flatMap((d) => {
    const i = secs.indexOf(d)
    const watts = i >= 0 ? curve.values?.[i] : undefined
    if (watts == null) return []
    return [{
      secs: d,
      watts,
      ...compact({
        watts_per_kg: normalised ? curve.watts_per_kg?.[i] ?? undefined : undefined,
        activity_id: curve.activity_id?.[i] ?? undefined
      })
    }]
  })
  // A duration without a value is said, not silently dropped: no effort that long in the period, or a duration the
  // curve does not sample.
  const missing = durations.filter((d) => !points.some((p) => p.secs === d))
  const model = curve.powerModels?.[0]
  return {
    id: curve.id,
    ...compact({
      missing_durations_s: missing.length > 0 ? missing : undefined,
      label: curve.label,
      start_date: Format.datePart(curve.start_date_local),
      end_date: Format.datePart(curve.end_date_local),
      weight_kg: curve.weight,
      model: model === undefined ? undefined : compact({
        critical_power_watts: model.criticalPower,
        w_prime_j: model.wPrime,
        p_max_watts: model.pMax,
        ftp_watts: model.ftp
      })
    }),
    points
  }
}

/**
 * The curve ids Intervals.icu takes for the periods asked for: a date range (`r.FROM.TO`), this season (`s0`), last
 * season (`s1`), or by default the last 90 days.
 */
export const curvePeriods = (
  athleteId: AthleteId,
  input: { readonly start_date?: LocalDate; readonly end_date?: LocalDate; readonly this_season?: boolean; readonly last_season?: boolean }
) =>
  Effect.gen(function*() {
    const curves: Array<string> = []
    if (input.start_date !== undefined || input.end_date !== undefined) {
      const window = yield* resolveWindow(athleteId, input, { startOffsetDays: -90, endOffsetDays: 0 })
      curves.push(`r.${window.start}.${window.end}`)
    }
    if (input.this_season) curves.push("s0")
    if (input.last_season) curves.push("s1")
    if (curves.length === 0) curves.push("90d")
    return curves
  })

export const getAthletePowerCurves = make({
  name: "get_athlete_power_curves",
  title: "Power curves",
  description: "The athlete's best power for each duration (5 s to 1 h by default) over a period: a date range " +
    "(start_date/end_date), this_season, last_season, or by default the last 90 days, for one sport (activity_type, " +
    "default Ride), optionally only indoor or outdoor rides. include_normalised adds W/kg. Each point names the " +
    "activity that set it.",
  annotations: { title: "Power curves", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({
    athlete_id: athleteIdParam,
    activity_type: optional(
      Schema.String.pipe(
        Schema.pattern(/^[A-Za-z]{2,40}$/, {
          message: (issue) => `expected a sport name such as Ride or Run, got ${JSON.stringify(issue.actual)}`
        })
      ).annotations({ description: "Sport. Default Ride" })
    ),
    durations: optional(Durations.annotations({ description: "Durations in seconds. Default 5 s … 1 h" })),
    indoor_outdoor: optional(Schema.Literal("all", "indoor", "outdoor").annotations({ description: "Default all" })),
    start_date: dateParam("First day, YYYY-MM-DD"),
    end_date: dateParam("Last day, YYYY-MM-DD"),
    this_season: optional(Schema.Boolean),
    last_season: optional(Schema.Boolean),
    include_normalised: optional(Schema.Boolean.annotations({ description: "Add watts per kg. Default false" }))
  }).pipe(Schema.filter(orderedDates)),
  output: Schema.Struct({ activity_type: Schema.String, curves: Schema.Array(Curve) }),
  run: Effect.fn("get_athlete_power_curves")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const curves = yield* curvePeriods(athleteId, input)
    const type = input.activity_type ?? "Ride"
    const client = yield* IntervalsClient
    const set = yield* client.powerCurves(athleteId, {
      type,
      curves: curves.join(","),
      ...(input.indoor_outdoor === "indoor" || input.indoor_outdoor === "outdoor"
        ? { filters: JSON.stringify([{ field_id: "trainer", value: [input.indoor_outdoor === "indoor"] }]) }
        : {})
    })
    return {
      activity_type: type,
      curves: set.list.map((c) => pick(c, input.durations ?? DEFAULT_DURATIONS, input.include_normalised ?? false))
    }
  }),
  render: (out) =>
    out.curves.length === 0
      ? `No ${out.activity_type} power curve for that period.`
      : out.curves.map((c) =>
        [
          `${out.activity_type} power curve ${Format.join([c.label, c.start_date && c.label !== `${c.start_date} to ${c.end_date}` && `${c.start_date} to ${c.end_date}`], " ")}` +
          (c.weight_kg !== undefined ? ` (${c.weight_kg} kg)` : "") + ":",
          ...c.points.map((p) =>
            Format.join([
              `${Format.duration(p.secs)} ${p.watts} W`,
              p.watts_per_kg !== undefined && `${p.watts_per_kg} W/kg`,
              p.activity_id && `activity ${p.activity_id}`
            ])
          ),
          ...(c.missing_durations_s
            ? [`No value for ${c.missing_durations_s.map((d) => Format.duration(d)).join(", ")}.`]
            : []),
          ...(c.model
            ? [`Model: ${Format.join([
              c.model.critical_power_watts !== undefined && `critical power ${c.model.critical_power_watts} W`,
              c.model.w_prime_j !== undefined && `W′ ${Format.round(c.model.w_prime_j / 1000, 1)} kJ`,
              c.model.p_max_watts !== undefined && `Pmax ${c.model.p_max_watts} W`,
              c.model.ftp_watts !== undefined && `FTP ${c.model.ftp_watts} W`
            ])}`]
            : [])
        ].join("\n")
      ).join("\n\n")
})

const GearView = Schema.Struct({
  id: Schema.String,
  name: optional(Schema.String),
  type: optional(Schema.String),
  distance_km: optional(Schema.Number),
  time_h: optional(Schema.Number),
  activities: optional(Schema.Number),
  retired: optional(Schema.String.annotations({ description: "Date it was retired" })),
  component: optional(Schema.Boolean),
  reminders: optional(Schema.Array(Schema.String).annotations({ description: "Service reminders and their use" }))
})

export const getGearList = make({
  name: "get_gear_list",
  title: "Gear",
  description: "The athlete's gear (bikes, shoes, components…) with distance, time, activity count, retirement and " +
    "service reminders with how much of each interval is used.",
  annotations: { title: "Gear", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({ athlete_id: athleteIdParam }),
  output: Schema.Struct({ gear: Schema.Array(GearView) }),
  run: Effect.fn("get_gear_list")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const gear = yield* Effect.flatMap(IntervalsClient, (client) => client.gear(athleteId))
    return {
      gear: gear.map((g) => ({
        id: g.id,
        ...compact({
          name: g.name,
          type: g.type,
          distance_km: g.distance == null ? undefined : Format.round(g.distance / 1000, 1),
          time_h: g.time == null ? undefined : Format.round(g.time / 3600, 1),
          activities: g.activities,
          retired: g.retired,
          component: g.component || undefined,
          reminders: g.reminders && g.reminders.length > 0
            ? g.reminders.map((r) =>
              Format.join([r.name ?? "reminder", r.percent_used != null && `${Format.round(r.percent_used)}% used`], " ")
            )
            : undefined
        })
      }))
    }
  }),
  render: (out) =>
    out.gear.length === 0 ? "No gear." : [
      `${Format.plural(out.gear.length, "item")} of gear:`,
      ...out.gear.map((g) =>
        Format.join([
          Format.join([g.type, Format.quote(g.name)], " "),
          Format.unit(g.distance_km, " km", 1),
          Format.unit(g.time_h, " h", 1),
          Format.unit(g.activities, " activities"),
          g.component && "component",
          g.retired && `retired ${g.retired}`,
          g.reminders && `reminders: ${g.reminders.join("; ")}`,
          `id ${g.id}`
        ])
      )
    ].join("\n")
})
