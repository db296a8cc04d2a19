/**
 * Parameters several tools share, and how their defaults are resolved: the athlete from configuration, date windows
 * in the athlete's own timezone.
 */
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { AthleteId, LocalDate } from "../domain/Ids.js"
import type { IntervalsError } from "../domain/IntervalsError.js"
import { AppConfig } from "../services/AppConfig.js"
import { addDays, AthleteCalendar } from "../services/AthleteCalendar.js"
import { describe } from "../services/Decoding.js"
import { UpstreamAccount } from "../services/UpstreamAccount.js"
import { ToolFailure } from "./Tool.js"

export const athleteIdParam = Schema.optionalWith(AthleteId, { exact: true })

export const dateParam = (description: string) =>
  Schema.optionalWith(LocalDate.annotations({ description }), { exact: true })

/** A whole number in a range, with a message that says so whatever the caller sent (a string, a fraction…). */
export const boundedInt = (min: number, max: number, description: string) =>
  Schema.Number.pipe(Schema.int(), Schema.between(min, max)).annotations({
    description,
    message: (issue) => ({
      message: `expected a whole number from ${min} to ${max}, got ${describe(issue.actual)}`,
      override: true
    })
  })

/** Refuses an input whose `end_date` comes before its `start_date`, naming `end_date`. */
export const orderedDates = <A extends { readonly start_date?: string; readonly end_date?: string }>(input: A) =>
  input.start_date === undefined || input.end_date === undefined || input.start_date <= input.end_date ||
  {
    path: ["end_date"],
    message: `expected a date on or after start_date (${input.start_date}), got "${input.end_date}"`
  }

export const resolveAthlete = (athleteId: AthleteId | undefined) =>
  athleteId !== undefined
    ? Effect.succeed(athleteId)
    : Effect.flatMap(FiberRef.get(UpstreamAccount), (account) =>
      Option.isSome(account)
        ? Effect.succeed(AthleteId.make(account.value.athleteId))
        : Effect.map(AppConfig, (config) => config.athleteId))

/**
 * The window a tool reads: the dates given, and for those left out, `today + offset` in the athlete's timezone (the
 * athlete's profile is read only when a default is needed). A lone date that falls outside the default window keeps
 * the default window's length around it instead of making an empty or reversed range.
 */
export const resolveWindow = (
  athleteId: AthleteId,
  given: { readonly start_date?: LocalDate; readonly end_date?: LocalDate },
  defaults: { readonly startOffsetDays: number; readonly endOffsetDays: number }
): Effect.Effect<{ readonly start: LocalDate; readonly end: LocalDate }, IntervalsError | ToolFailure, AthleteCalendar> =>
  Effect.gen(function*() {
    const { end_date, start_date } = given
    if (start_date !== undefined && end_date !== undefined) {
      return start_date <= end_date ? { start: start_date, end: end_date } : yield* new ToolFailure({
        message: `end_date ${end_date} is before start_date ${start_date}; pass an end_date on or after start_date`
      })
    }
    const today = yield* Effect.flatMap(AthleteCalendar, (calendar) => calendar.today(athleteId))
    const length = defaults.endOffsetDays - defaults.startOffsetDays
    if (start_date !== undefined) {
      const end = addDays(today, defaults.endOffsetDays)
      return { start: start_date, end: end >= start_date ? end : addDays(start_date, length) }
    }
    if (end_date !== undefined) {
      const start = addDays(today, defaults.startOffsetDays)
      return { start: start <= end_date ? start : addDays(end_date, -length), end: end_date }
    }
    return { start: addDays(today, defaults.startOffsetDays), end: addDays(today, defaults.endOffsetDays) }
  })

/** Whose data an answer holds, as the answer names it. */
export const AthleteRef = Schema.Struct({
  id: Schema.String,
  name: Schema.optionalWith(Schema.String, { exact: true })
}).annotations({ description: "Whose data this is" })
export type AthleteRef = typeof AthleteRef.Type

/** The athlete's id and name, from the profile read for their timezone (cached). */
export const whose = (athleteId: AthleteId): Effect.Effect<AthleteRef, IntervalsError, AthleteCalendar> =>
  Effect.map(
    Effect.flatMap(AthleteCalendar, (calendar) => calendar.zone(athleteId)),
    (zone) => ({ id: zone.athleteId, ...(zone.name ? { name: zone.name } : {}) })
  )
