/**
 * `completion/complete` for the prompts' arguments and the resource templates' `{id}`: recent activities, upcoming
 * events and races, recent weeks and months, the athletes a coach may read, sport types, library folders, each matched against what the user has typed so far (an id's start, or
 * a word of the name). The values come from the tools themselves (so from the read cache, with its errors), and a
 * failure to read completes nothing rather than failing the request: completion is a convenience.
 */
import type { CallToolResult } from "@modelcontextprotocol/server"
import * as Effect from "effect/Effect"
import { addDays } from "../domain/Dates.js"

/** Runs a tool by name (the bridge's `call`), to its result. */
export type Call<R = never> = (name: string, args: Record<string, unknown>) => Effect.Effect<CallToolResult, never, R>

/** What the protocol allows in one answer. */
const MAX_VALUES = 100

type Source = <R>(call: Call<R>, typed: string) => Effect.Effect<ReadonlyArray<string>, never, R>

const structured = <A>(result: CallToolResult): A | undefined =>
  result.isError === true ? undefined : (result.structuredContent as A | undefined)

interface Named {
  readonly id: string | number
  readonly name?: string
  readonly start_date_local?: string
  readonly category?: string
}

/** An id that starts with what was typed, or a name with a word that does. */
const matches = (typed: string) => (item: Named) => {
  const text = typed.trim().toLowerCase()
  return text === "" || String(item.id).toLowerCase().startsWith(text) ||
    (item.name ?? "").toLowerCase().split(/\s+/).some((word) => word.startsWith(text))
}

const today = <R>(call: Call<R>) =>
  Effect.map(call("get_athlete_profile", {}), (result) =>
    structured<{ athlete: { today: string } }>(result)?.athlete.today ?? new Date().toISOString().slice(0, 10))

const recentActivities: Source = (call, typed) =>
  Effect.gen(function*() {
    const day = yield* today(call)
    const result = yield* call("get_activities", { start_date: addDays(day, -42), end_date: day, limit: 100 })
    const activities = structured<{ activities: ReadonlyArray<Named> }>(result)?.activities ?? []
    return activities.filter(matches(typed)).map((a) => String(a.id))
  })

const upcomingEvents = (races: boolean): Source => (call, typed) =>
  Effect.gen(function*() {
    const day = yield* today(call)
    const result = yield* call("get_events", { start_date: day, end_date: addDays(day, races ? 365 : 42) })
    const events = structured<{ events: ReadonlyArray<Named> }>(result)?.events ?? []
    return races
      ? events.filter((e) => (e.category ?? "").startsWith("RACE_")).map((e) => (e.start_date_local ?? "").slice(0, 10))
        .filter((date) => date.startsWith(typed.trim()))
      : events.filter(matches(typed)).map((e) => String(e.id))
  })

/** The Mondays of the last eight weeks, newest first. */
const recentWeeks: Source = (call, typed) =>
  Effect.map(today(call), (day) => {
    const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7
    const monday = addDays(day, -weekday)
    return Array.from({ length: 8 }, (_, i) => addDays(monday, -7 * i)).filter((d) => d.startsWith(typed.trim()))
  })

/** The last twelve months, newest first. */
const recentMonths: Source = (call, typed) =>
  Effect.map(today(call), (day) => {
    const [year, month] = day.split("-").map(Number) as [number, number]
    return Array.from({ length: 12 }, (_, i) => {
      const index = year * 12 + (month - 1) - i
      return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, "0")}`
    }).filter((m) => m.startsWith(typed.trim()))
  })

/** The key's owner and the athletes who share with them, matched by id or by a word of the name. */
const athletes: Source = (call, typed) =>
  Effect.map(call("list_athletes", {}), (result) =>
    (structured<{ athletes: ReadonlyArray<Named> }>(result)?.athletes ?? []).filter(matches(typed)).map((a) => String(a.id)))

/** The sport types the athlete has settings for (Ride, VirtualRide, Run, …), in the profile's order. */
const sportTypes: Source = (call, typed) =>
  Effect.map(call("get_athlete_profile", {}), (result) =>
    (structured<{ sports: ReadonlyArray<{ types: ReadonlyArray<string> }> }>(result)?.sports ?? [])
      .flatMap((sport) => sport.types)
      .filter((type) => type.toLowerCase().startsWith(typed.trim().toLowerCase())))

/** The names of the library's folders and plans (none when the library toolset is off). */
const folders: Source = (call, typed) =>
  Effect.map(call("get_workout_library", {}), (result) =>
    (structured<{ folders?: ReadonlyArray<Named> }>(result)?.folders ?? []).filter(matches(typed))
      .flatMap((folder) => (folder.name === undefined ? [] : [folder.name])))

const byArgument: Record<string, Source> = {
  athlete_id: athletes,
  sport: sportTypes,
  library_folder: folders,
  activity_id: recentActivities,
  first_activity_id: recentActivities,
  second_activity_id: recentActivities,
  race_date: upcomingEvents(true),
  week_start: recentWeeks,
  month: recentMonths
}

export type Reference =
  | { readonly type: "ref/prompt"; readonly name: string }
  | { readonly type: "ref/resource"; readonly uri: string }

/** The values to offer for one argument, and whether there are more than fit. */
export const complete = <R>(
  call: Call<R>,
  ref: Reference,
  argument: { readonly name: string; readonly value: string }
): Effect.Effect<{ values: Array<string>; total: number; hasMore: boolean }, never, R> => {
  const source = ref.type === "ref/resource"
    ? ref.uri === "intervals://activity/{id}" && argument.name === "id"
      ? recentActivities
      : ref.uri === "intervals://event/{id}" && argument.name === "id"
      ? upcomingEvents(false)
      : undefined
    : byArgument[argument.name]
  if (source === undefined) return Effect.succeed({ values: [], total: 0, hasMore: false })
  return source(call, argument.value.slice(0, 100)).pipe(
    Effect.map((all) => {
      const unique = [...new Set(all)]
      return { values: unique.slice(0, MAX_VALUES), total: unique.length, hasMore: unique.length > MAX_VALUES }
    })
  )
}
