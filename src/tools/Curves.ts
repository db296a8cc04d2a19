/**
 * Best heart rate over durations and best pace over distances, beside the power curves: each best with the activity
 * and date that set it, over a season or a window, and Intervals.icu's fitted critical speed model for pace.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { DataCurve } from "../domain/Intervals.js"
import { boundedList } from "../domain/Limits.js"
import { paceText } from "../domain/Zones.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import { curvePeriods } from "./Athlete.js"
import * as Format from "./Format.js"
import { athleteIdParam, AthleteRef, dateParam, orderedDates, resolveAthlete, whose } from "./Params.js"
import { compact, make, optional } from "./Tool.js"

const HR_SECS = [5, 30, 60, 300, 600, 1200, 1800, 3600, 7200]
const PACE_METRES = [400, 1000, 1609.344, 5000, 10_000, 21_097.5]

const Point = Schema.Struct({
  secs: optional(Schema.Number),
  metres: optional(Schema.Number),
  bpm: optional(Schema.Number.annotations({ description: "Best average heart rate over secs" })),
  time_s: optional(Schema.Number.annotations({ description: "Best time over metres" })),
  pace: optional(Schema.String),
  activity_id: optional(Schema.String),
  date: optional(Schema.String)
})
type Point = typeof Point.Type

const CurveView = Schema.Struct({
  id: Schema.String,
  label: optional(Schema.String),
  start_date: optional(Schema.String),
  end_date: optional(Schema.String),
  points: Schema.Array(Point),
  missing: optional(Schema.Array(Schema.Number).annotations({ description: "Asked-for durations or distances with no effort in the period" })),
  model: optional(Schema.Struct({
    critical_speed_mps: optional(Schema.Number),
    critical_pace: optional(Schema.String),
    d_prime_m: optional(Schema.Number)
  }))
})

const dateOf = (activities: unknown, id: string | null | undefined): string | undefined => {
  if (!id || typeof activities !== "object" || activities === null) return undefined
  const entry = (activities as Record<string, { start_date_local?: string }>)[id]
  return entry?.start_date_local?.slice(0, 10)
}

const near = (axis: ReadonlyArray<number | null> | null | undefined, target: number) => {
  const list = axis ?? []
  const exact = list.indexOf(target)
  if (exact >= 0) return exact
  return list.findIndex((v) => v !== null && Math.abs(v - target) / target < 0.005)
}

const view = (
  curve: DataCurve,
  kind: "hr" | "pace",
  wanted: ReadonlyArray<number>,
  units: string | undefined,
  activities: unknown
) => {
  const axis = kind === "hr" ? curve.secs : curve.distance
  const points: Array<Point> = []
  const missing: Array<number> = []
  for (const target of wanted) {
    const i = near(axis, target)
    const value = i >= 0 ? curve.values?.[i] : undefined
    if (value == null) {
      missing.push(target)
      continue
    }
    const activity = curve.activity_id?.[i] ?? undefined
    points.push(kind === "hr"
      ? { secs: target, bpm: value, ...compact({ activity_id: activity, date: dateOf(activities, activity) }) }
      : {
        metres: target,
        time_s: value,
        pace: paceText(target / value, units),
        ...compact({ activity_id: activity, date: dateOf(activities, activity) })
      })
  }
  const model = curve.paceModels?.[0]
  return {
    id: curve.id,
    ...compact({
      label: curve.label,
      start_date: Format.datePart(curve.start_date_local),
      end_date: Format.datePart(curve.end_date_local),
      missing: missing.length > 0 ? missing : undefined,
      model: model?.criticalSpeed == null ? undefined : compact({
        critical_speed_mps: Format.round(model.criticalSpeed, 3),
        critical_pace: paceText(model.criticalSpeed, units),
        d_prime_m: Format.roundOrUndefined(model.dPrime)
      })
    }),
    points
  }
}

export const getAthleteCurves = make({
  name: "get_athlete_curves",
  title: "Heart-rate and pace curves",
  description: "The athlete's best efforts beside the power curves (get_athlete_power_curves): kind=hr gives the " +
    "best average heart rate over durations (5 s to 2 h by default), kind=pace the best time and pace over distances " +
    "(400 m to a half marathon by default) with the fitted critical speed and D′. Each best names the activity and " +
    "date that set it. Period: a date range, this_season, last_season, or by default the last 90 days; asked-for " +
    "points with no effort in the period are listed as missing.",
  annotations: { title: "Heart-rate and pace curves", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({
    athlete_id: athleteIdParam,
    kind: Schema.Literal("hr", "pace").annotations({ description: "hr: heart rate by duration; pace: time by distance" }),
    activity_type: optional(Schema.Literal("Ride", "Run", "Swim", "Rowing", "NordicSki").annotations({
      description: "Sport. Default Run for pace, Ride for hr"
    })),
    durations: optional(boundedList(Schema.Number.pipe(Schema.int(), Schema.between(1, 86_400)), 30, "durations", 1)
      .annotations({ description: "For hr: seconds" })),
    distances: optional(boundedList(Schema.Number.pipe(Schema.between(50, 100_000)), 30, "distances", 1)
      .annotations({ description: "For pace: metres" })),
    gap: optional(Schema.Boolean.annotations({ description: "For pace: gradient-adjusted. Default false" })),
    start_date: dateParam("First day, YYYY-MM-DD"),
    end_date: dateParam("Last day, YYYY-MM-DD"),
    this_season: optional(Schema.Boolean),
    last_season: optional(Schema.Boolean)
  }).pipe(Schema.filter(orderedDates)),
  namesAthlete: true,
  output: Schema.Struct({
    athlete: AthleteRef,
    kind: Schema.Literal("hr", "pace"),
    activity_type: Schema.String,
    curves: Schema.Array(CurveView)
  }),
  run: Effect.fn("get_athlete_curves")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const curves = yield* curvePeriods(athleteId, input)
    const type = input.activity_type ?? (input.kind === "pace" ? "Run" : "Ride")
    const client = yield* IntervalsClient
    const [athlete, profile, set] = yield* Effect.all([
      whose(athleteId),
      client.athlete(athleteId),
      client.curves(athleteId, input.kind, {
        type,
        curves: curves.join(","),
        ...(input.kind === "pace" && input.gap ? { gap: true } : {})
      })
    ], { concurrency: "unbounded" })
    const units = profile.sportSettings?.find((s) => s.types?.includes(type))?.pace_units ?? (type === "Swim" ? "SECS_100M" : "MINS_KM")
    const wanted = input.kind === "hr" ? input.durations ?? HR_SECS : input.distances ?? PACE_METRES
    return {
      athlete,
      kind: input.kind,
      activity_type: type,
      curves: set.list.map((c) => view(c, input.kind, wanted, units ?? undefined, set.activities))
    }
  }),
  render: (out) =>
    out.curves.length === 0
      ? `${Format.athleteLabel(out.athlete)}: no ${out.activity_type} ${out.kind === "hr" ? "heart-rate" : "pace"} curve for that period.`
      : out.curves.map((c) =>
        [
          `${Format.athleteLabel(out.athlete)}: ${out.activity_type} ${out.kind === "hr" ? "heart-rate" : "pace"} curve ` +
          `${Format.join([c.label, c.start_date && `${c.start_date} to ${c.end_date}`], " ")}:`,
          ...c.points.map((p) =>
            Format.join([
              p.secs !== undefined ? `${Format.duration(p.secs)} ${p.bpm} bpm` : `${Format.distance(p.metres)} in ${Format.duration(p.time_s)} (${p.pace})`,
              p.date && Format.dayLabel(p.date),
              p.activity_id && `activity ${p.activity_id}`
            ])
          ),
          c.missing && `No effort in this period for: ${c.missing.map((m) => (out.kind === "hr" ? Format.duration(m) : Format.distance(m))).join(", ")}`,
          c.model && `Model: critical speed ${c.model.critical_speed_mps} m/s (${c.model.critical_pace})` +
            (c.model.d_prime_m !== undefined ? `, D′ ${c.model.d_prime_m} m` : "")
        ].filter((l): l is string => typeof l === "string").join("\n")
      ).join("\n\n")
})
