/**
 * Dates as the athlete lives them. Default windows ("today", "30 days ago") are computed in the athlete's own
 * timezone, read once per athlete from their Intervals.icu profile and cached; the server's clock zone never matters.
 */
import * as Cache from "effect/Cache"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Dates from "../domain/Dates.js"
import type { AthleteId, LocalDate } from "../domain/Ids.js"
import { FIRST_YEAR, LAST_YEAR, localDate } from "../domain/Ids.js"
import type { IntervalsError } from "../domain/IntervalsError.js"
import { IntervalsClient } from "./IntervalsClient.js"

export interface AthleteZone {
  /** The athlete's IANA timezone, or "UTC" when the profile has none. */
  readonly timezone: string
  /** The athlete's id as Intervals.icu reports it (resolves `0` to the key's own athlete). */
  readonly athleteId: string
  readonly name?: string
}

/** The local date `days` after `date` (negative for before). */
export const addDays = (date: LocalDate, days: number): LocalDate => localDate(clampDate(Dates.addDays(date, days)))

/**
 * A computed date kept inside the years a date may have (a default window around a date near the ends of the range
 * would otherwise fall outside it).
 */
const clampDate = (date: string): string =>
  date < `${FIRST_YEAR}-01-01` ? `${FIRST_YEAR}-01-01` : date > `${LAST_YEAR}-12-31` ? `${LAST_YEAR}-12-31` : date

/** The Monday of the week (Monday to Sunday, as Intervals.icu counts weeks) that holds `date`. */
export const mondayOf = (date: LocalDate): LocalDate => localDate(clampDate(Dates.mondayOf(date)))

export class AthleteCalendar extends Effect.Service<AthleteCalendar>()("AthleteCalendar", {
  effect: Effect.gen(function*() {
    const client = yield* IntervalsClient
    const zones = yield* Cache.makeWith({
      capacity: 256,
      lookup: (athleteId: AthleteId) =>
        client.athlete(athleteId).pipe(
          Effect.map((athlete): AthleteZone => ({
            timezone: athlete.timezone && isKnownZone(athlete.timezone) ? athlete.timezone : "UTC",
            athleteId: athlete.id,
            ...(athlete.name ? { name: athlete.name } : {})
          }))
        ),
      timeToLive: (exit) => Exit.isSuccess(exit) ? Duration.hours(6) : Duration.zero
    })

    // A failure is not kept (a time-to-live of zero still serves it until the clock moves): a timeout now must not
    // poison the next call.
    const zone = (athleteId: AthleteId): Effect.Effect<AthleteZone, IntervalsError> =>
      zones.get(athleteId).pipe(Effect.tapError(() => zones.invalidate(athleteId)))

    const today = (athleteId: AthleteId): Effect.Effect<LocalDate, IntervalsError> =>
      Effect.gen(function*() {
        const { timezone } = yield* zone(athleteId)
        const now = yield* DateTime.now
        return localDate(DateTime.formatIsoDate(DateTime.unsafeSetZoneNamed(now, timezone)))
      })

    return { zone, today } as const
  })
}) {}

const isKnownZone = (timezone: string): boolean => DateTime.zoneMakeNamed(timezone)._tag === "Some"
