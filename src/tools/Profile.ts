/**
 * Who the athlete is and how they train: their profile and settings per sport family, with zones as bounds in
 * watts, bpm and pace; and, for a coach, the athletes who share their data with the key's owner.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { SportSettings } from "../domain/Intervals.js"
import { hrZones, paceText, paceZones, powerZones } from "../domain/Zones.js"
import { AthleteId } from "../domain/Ids.js"
import { boundedText } from "../domain/Limits.js"
import { addDays, AthleteCalendar } from "../services/AthleteCalendar.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import * as Format from "./Format.js"
import { athleteIdParam, AthleteRef, resolveAthlete } from "./Params.js"
import { compact, make, Num, optional, Str } from "./Tool.js"

const PowerZoneView = Schema.Struct({
  zone: Schema.String,
  name: Str,
  from_percent: Schema.Number,
  to_percent: Num,
  from_watts: Schema.Number,
  to_watts: Num
})
const HrZoneView = Schema.Struct({ zone: Schema.String, name: Str, from_bpm: Schema.Number, to_bpm: Num })
const PaceZoneView = Schema.Struct({
  zone: Schema.String,
  name: Str,
  from_percent: Schema.Number,
  to_percent: Num,
  slowest: Str,
  fastest: Str
})

const SportView = Schema.Struct({
  types: Schema.Array(Schema.String),
  ftp_watts: Num,
  indoor_ftp_watts: Num,
  eftp_watts: optional(Schema.Number.annotations({ description: "Intervals.icu's estimate from recent efforts" })),
  w_prime_j: Num,
  p_max_watts: Num,
  sweet_spot_percent: Str,
  lthr_bpm: Num,
  max_hr_bpm: Num,
  threshold_pace: optional(Schema.String.annotations({ description: "Pace at threshold, in the sport's units" })),
  threshold_speed_mps: Num,
  pace_units: Str,
  power_zones: optional(Schema.Array(PowerZoneView)),
  hr_zones: optional(Schema.Array(HrZoneView)),
  pace_zones: optional(Schema.Array(PaceZoneView))
})
type SportView = typeof SportView.Type

const ProfileOutput = Schema.Struct({
  athlete: Schema.Struct({
    ...AthleteRef.fields,
    timezone: Schema.String,
    today: Schema.String.annotations({ description: "Today in the athlete's timezone" }),
    today_weekday: Schema.String,
    sex: Str,
    city: Str,
    country: Str,
    date_of_birth: Str,
    weight_kg: Num,
    resting_hr_bpm: Num,
    units: Schema.Literal("metric", "imperial")
  }),
  sports: Schema.Array(SportView)
})

const sportView = (s: SportSettings, eftp: number | undefined): SportView => {
  const ftp = s.ftp ?? undefined
  const threshold = s.threshold_pace ?? undefined
  const hasPower = ftp !== undefined && ftp > 0
  return {
    types: [...(s.types ?? [])],
    ...compact({
      ftp_watts: hasPower ? Math.round(ftp) : undefined,
      indoor_ftp_watts: s.indoor_ftp ?? undefined,
      eftp_watts: hasPower && eftp !== undefined ? Math.round(eftp) : undefined,
      w_prime_j: s.w_prime ?? undefined,
      p_max_watts: s.p_max ?? undefined,
      sweet_spot_percent: hasPower && s.sweet_spot_min != null && s.sweet_spot_max != null
        ? `${s.sweet_spot_min}-${s.sweet_spot_max}`
        : undefined,
      lthr_bpm: s.lthr ?? undefined,
      max_hr_bpm: s.max_hr ?? undefined,
      threshold_pace: threshold !== undefined && threshold > 0 ? paceText(threshold, s.pace_units ?? undefined) : undefined,
      threshold_speed_mps: threshold !== undefined && threshold > 0 ? Format.round(threshold, 3) : undefined,
      pace_units: threshold !== undefined ? s.pace_units ?? undefined : undefined,
      power_zones: hasPower && s.power_zones ? powerZones(ftp, s.power_zones, s.power_zone_names ?? undefined) : undefined,
      hr_zones: s.hr_zones && s.hr_zones.length > 0 ? hrZones(s.hr_zones, s.hr_zone_names ?? undefined) : undefined,
      pace_zones: threshold !== undefined && threshold > 0 && s.pace_zones
        ? paceZones(threshold, s.pace_units ?? undefined, s.pace_zones, s.pace_zone_names ?? undefined)
        : undefined
    })
  }
}

const zoneLine = (label: string, zones: ReadonlyArray<string>) => `  ${label}: ${zones.join(" · ")}`

const sportLines = (s: SportView): Array<string> => [
  `${s.types.join(", ")}: ` + Format.join([
    s.ftp_watts !== undefined && `FTP ${s.ftp_watts} W` + (s.indoor_ftp_watts !== undefined || s.eftp_watts !== undefined
      ? ` (${Format.join([s.indoor_ftp_watts !== undefined && `indoor ${s.indoor_ftp_watts} W`, s.eftp_watts !== undefined && `eFTP ${s.eftp_watts} W`], ", ")})`
      : ""),
    s.w_prime_j !== undefined && `W′ ${Format.round(s.w_prime_j / 1000, 1)} kJ`,
    Format.unit(s.p_max_watts, " W") && `Pmax ${s.p_max_watts} W`,
    s.sweet_spot_percent && `sweet spot ${s.sweet_spot_percent}% FTP`,
    s.threshold_pace && `threshold pace ${s.threshold_pace}`,
    Format.unit(s.lthr_bpm, " bpm") && `LTHR ${s.lthr_bpm} bpm`,
    Format.unit(s.max_hr_bpm, " bpm") && `max HR ${s.max_hr_bpm} bpm`
  ]) || `${s.types.join(", ")}: no thresholds set`,
  ...(s.power_zones
    ? [zoneLine("Power zones", s.power_zones.map((z) =>
      `${z.zone}${z.name ? ` ${z.name}` : ""} ${z.to_watts === undefined ? `>${z.from_watts}` : z.from_watts === 0 ? `<${z.to_watts}` : `${z.from_watts}-${z.to_watts}`} W`
    ))]
    : []),
  ...(s.hr_zones
    ? [zoneLine("HR zones", s.hr_zones.map((z) =>
      `${z.zone} ${z.to_bpm === undefined ? `≥${z.from_bpm}` : z.from_bpm === 0 ? `≤${z.to_bpm}` : `${z.from_bpm}-${z.to_bpm}`} bpm`
    ))]
    : []),
  ...(s.pace_zones
    ? [zoneLine("Pace zones", s.pace_zones.map((z) =>
      `${z.zone} ${z.slowest === undefined ? `slower than ${z.fastest}` : z.fastest === undefined ? `faster than ${z.slowest}` : `${z.slowest} to ${z.fastest}`}`
    ))]
    : [])
]

export const getAthleteProfile = make({
  name: "get_athlete_profile",
  title: "Athlete profile and zones",
  description: "Who the athlete is and their settings per sport family: FTP (indoor FTP and eFTP where known), W′, " +
    "Pmax, LTHR, max and resting heart rate, threshold pace in the sport's units, weight, timezone and today's date " +
    "there, and the power, heart-rate and pace zones as bounds in watts, bpm and pace. Read this before planning or " +
    "judging intensity instead of guessing zones from activities.",
  annotations: { title: "Athlete profile and zones", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({ athlete_id: athleteIdParam }),
  output: ProfileOutput,
  namesAthlete: true,
  run: Effect.fn("get_athlete_profile")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const client = yield* IntervalsClient
    const calendar = yield* AthleteCalendar
    const athlete = yield* client.athlete(athleteId)
    const today = yield* calendar.today(athleteId)
    // eFTP is Intervals.icu's estimate of the day, kept with each day's wellness.
    const recent = yield* client.wellness(athleteId, addDays(today, -6), today).pipe(
      Effect.orElseSucceed(() => [])
    )
    const sportInfo = [...recent].reverse().flatMap((w) => (Array.isArray(w["sportInfo"]) ? w["sportInfo"] : []))
      .find((info: { type?: string; eftp?: number | null }) => info?.type === "Ride" && typeof info.eftp === "number") as
        | { eftp: number }
        | undefined
    return {
      athlete: {
        id: athlete.id,
        ...compact({ name: athlete.name }),
        timezone: athlete.timezone ?? "UTC",
        today,
        today_weekday: Format.weekdayOf(today),
        ...compact({
          sex: athlete.sex,
          city: athlete.city,
          country: athlete.country,
          date_of_birth: athlete.icu_date_of_birth,
          weight_kg: Format.roundOrUndefined(athlete.icu_weight ?? athlete.weight, 1),
          resting_hr_bpm: athlete.icu_resting_hr
        }),
        units: athlete.measurement_preference === "feet" ? "imperial" as const : "metric" as const
      },
      sports: (athlete.sportSettings ?? []).map((s) =>
        sportView(s, (s.types ?? []).some((t) => /ride/i.test(t)) ? sportInfo?.eftp : undefined)
      )
    }
  }),
  render: (out) =>
    [
      Format.join([
        Format.athleteLabel(out.athlete),
        out.athlete.timezone,
        `today ${out.athlete.today_weekday} ${out.athlete.today}`,
        Format.unit(out.athlete.weight_kg, " kg", 1),
        Format.unit(out.athlete.resting_hr_bpm, " bpm") && `resting HR ${out.athlete.resting_hr_bpm} bpm`,
        `${out.athlete.units} units`
      ]),
      ...out.sports.flatMap(sportLines)
    ].join("\n")
})

// ---------------------------------------------------------------------------------------------------------------
// list_athletes

const AthleteEntry = Schema.Struct({
  ...AthleteRef.fields,
  timezone: Str,
  key_owner: Schema.Boolean,
  access: Schema.String.annotations({ description: "What this key may do with the athlete's data" }),
  last_seen: Str
})

export const listAthletes = make({
  name: "list_athletes",
  title: "Athletes this key may read",
  description: "For a coach: the athletes whose data this API key may read — the key's owner and the athletes who " +
    "share with them — each with id, name and what the key may do. Pass an id as athlete_id to any other tool.",
  annotations: { title: "Athletes this key may read", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({
    name: optional(boundedText(60, 1).annotations({ description: "Only athletes whose name contains this" }))
  }),
  output: Schema.Struct({ athletes: Schema.Array(AthleteEntry) }),
  run: Effect.fn("list_athletes")(function*(input) {
    const client = yield* IntervalsClient
    const [listed, owner] = yield* Effect.all([client.athletes(), client.athlete(AthleteId.make("0"))], {
      concurrency: 2
    })
    // The key's owner first, whether or not the list names them; then those who share, by name.
    const others = listed.filter((a) => a.id !== owner.id)
      .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id))
    const needle = input.name?.toLowerCase()
    return {
      athletes: [
        listed.find((a) => a.id === owner.id) ??
          { id: owner.id, name: owner.name, timezone: owner.timezone, icu_last_seen: undefined, icu_permission: undefined },
        ...others
      ]
        .filter((a) => needle === undefined || (a.name ?? "").toLowerCase().includes(needle))
        .map((a) => ({
          id: a.id,
          ...compact({ name: a.name, timezone: a.timezone, last_seen: Format.datePart(a.icu_last_seen) }),
          key_owner: a.id === owner.id,
          access: a.id === owner.id
            ? "everything (the key's own account)"
            : /write/i.test(a.icu_permission ?? "")
            ? "read and write (shared with the key's owner)"
            : "read (shared with the key's owner)"
        }))
    }
  }),
  render: (out) =>
    out.athletes.length === 0
      ? "No athlete this key may read matches that name."
      : [
        `${Format.plural(out.athletes.length, "athlete")} this key may read:`,
        ...out.athletes.map((a) =>
          Format.join([Format.athleteLabel(a), a.key_owner ? "key owner" : undefined, a.access, a.timezone, a.last_seen && `last seen ${a.last_seen}`])
        )
      ].join("\n")
})
