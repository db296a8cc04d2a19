/**
 * Finding activities across the athlete's history: by text in the name or an exact #tag (`/activities/search`), by
 * intervals of a duration and intensity (`/activities/interval-search`: "my last 5×4 min VO2 session"), or simply
 * what was done around a date; each narrowed by sport and window. One tool: the answer has the same shape in every
 * mode, a list of activities with what matched.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { AthleteId } from "../domain/Ids.js"
import type { Interval } from "../domain/Intervals.js"
import { boundedText } from "../domain/Limits.js"
import { addDays } from "../services/AthleteCalendar.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import * as Format from "./Format.js"
import { athleteIdParam, AthleteRef, boundedInt, dateParam, orderedDates, resolveAthlete, resolveWindow, whose } from "./Params.js"
import { compact, make, Num, optional, Str, ToolFailure } from "./Tool.js"

/** How loosely an interval's duration and intensity match what was asked: said in the description and the answer. */
export const DURATION_TOLERANCE = 0.1
export const INTENSITY_TOLERANCE = 5

const Match = Schema.Struct({
  id: Schema.String,
  date: Schema.String,
  weekday: Schema.String,
  name: Str,
  type: Str,
  moving_time_s: Num,
  distance_m: Num,
  load: Num,
  race: optional(Schema.Boolean),
  tags: optional(Schema.Array(Schema.String)),
  intervals: optional(
    Schema.Struct({
      count: Schema.Number,
      average_s: Schema.Number,
      average_intensity_percent: Num,
      average_watts: Num,
      average_heartrate_bpm: Num,
      average_speed_mps: Num
    }).annotations({ description: "The intervals that matched, averaged" })
  )
})
type Match = typeof Match.Type

const SearchOutput = Schema.Struct({
  athlete: AthleteRef,
  mode: Schema.Literal("intervals", "text", "window"),
  criteria: Schema.String.annotations({ description: "What was searched for, in words" }),
  matches: Schema.Array(Match),
  more: optional(Schema.Boolean.annotations({ description: "True when more matched than the limit" }))
})
type SearchOutput = typeof SearchOutput.Type

const SearchInput = Schema.Struct({
  athlete_id: athleteIdParam,
  query: optional(
    boundedText(100, 1).annotations({
      description: "Text in the activity name (case-insensitive), or #tag for an exact tag"
    })
  ),
  type: optional(
    boundedText(40, 1).annotations({ description: "Only this sport type: Ride, Run, Swim, VirtualRide, …" })
  ),
  start_date: dateParam("Oldest local date to include, YYYY-MM-DD"),
  end_date: dateParam("Newest local date to include, YYYY-MM-DD"),
  around_date: dateParam("Activities within `days` of this date (instead of start_date/end_date)"),
  days: optional(boundedInt(0, 30, "With around_date: days either side, default 3")),
  interval_seconds: optional(
    boundedInt(5, 4 * 3600, `Intervals of about this duration (±${DURATION_TOLERANCE * 100}%), e.g. 240 for 4 min`)
  ),
  interval_intensity: optional(
    boundedInt(
      30,
      300,
      `Intervals at about this intensity, % of threshold power or pace (±${INTENSITY_TOLERANCE}), e.g. 110 for VO2`
    )
  ),
  min_reps: optional(boundedInt(1, 100, "With an interval search: at least this many matching intervals, default 1")),
  limit: optional(boundedInt(1, 100, "Most activities to return, newest first, default 10"))
}).pipe(
  Schema.filter(orderedDates),
  Schema.filter((input) =>
    input.around_date === undefined || (input.start_date === undefined && input.end_date === undefined) || {
      path: ["around_date"],
      message: "expected either around_date or start_date/end_date, not both"
    }
  ),
  Schema.filter((input) =>
    input.days === undefined || input.around_date !== undefined ||
    { path: ["days"], message: "days needs around_date (the date to search around)" }
  ),
  Schema.filter((input) =>
    input.min_reps === undefined || input.interval_seconds !== undefined || input.interval_intensity !== undefined || {
      path: ["min_reps"],
      message: "min_reps needs interval_seconds or interval_intensity (what the intervals are like)"
    }
  )
)
type SearchInput = typeof SearchInput.Type

const mean = (xs: ReadonlyArray<number | null | undefined>) => {
  const known = xs.filter((x): x is number => typeof x === "number" && Number.isFinite(x))
  return known.length === 0 ? undefined : known.reduce((a, b) => a + b, 0) / known.length
}

/** What a search result and a listed activity have in common. */
interface Found {
  readonly id: string
  readonly start_date_local?: string | null | undefined
  readonly name?: string | null | undefined
  readonly type?: string | null | undefined
  readonly moving_time?: number | null | undefined
  readonly distance?: number | null | undefined
  readonly icu_training_load?: number | null | undefined
  readonly race?: boolean | null | undefined
  readonly tags?: ReadonlyArray<string | null> | null | undefined
}

const tagsOf = (activity: Found) => {
  const tags = (activity.tags ?? []).filter((t): t is string => typeof t === "string" && t !== "")
  return tags.length > 0 ? tags : undefined
}

const matchOf = (activity: Found, intervals?: ReadonlyArray<Interval>): Match => {
  const date = Format.datePart(activity.start_date_local) ?? ""
  return {
    id: activity.id,
    date,
    weekday: date === "" ? "" : Format.weekdayOf(date),
    ...compact({
      name: activity.name,
      type: activity.type,
      moving_time_s: activity.moving_time,
      distance_m: Format.roundOrUndefined(activity.distance),
      load: activity.icu_training_load,
      race: activity.race === true ? true : undefined,
      tags: tagsOf(activity)
    }),
    ...(intervals === undefined || intervals.length === 0 ? {} : {
      intervals: {
        count: intervals.length,
        average_s: Format.round(mean(intervals.map((i) => i.moving_time)) ?? 0),
        ...compact({
          average_intensity_percent: Format.roundOrUndefined(mean(intervals.map((i) => i.intensity))),
          average_watts: Format.roundOrUndefined(mean(intervals.map((i) => i.average_watts))),
          average_heartrate_bpm: Format.roundOrUndefined(mean(intervals.map((i) => i.average_heartrate))),
          average_speed_mps: Format.roundOrUndefined(mean(intervals.map((i) => i.average_speed)), 2)
        })
      }
    })
  }
}

interface Filters {
  readonly type?: string | undefined
  readonly start?: string | undefined
  readonly end?: string | undefined
  readonly text?: string | undefined
}

/** Narrowing the API cannot do itself: sport type, window and (in an interval search) text. */
const keep = (filters: Filters) => (activity: Found) => {
  const date = Format.datePart(activity.start_date_local) ?? ""
  const text = filters.text
  return (filters.type === undefined || activity.type?.toLowerCase() === filters.type.toLowerCase()) &&
    (filters.start === undefined || date >= filters.start) &&
    (filters.end === undefined || date <= filters.end) &&
    (text === undefined ||
      (text.startsWith("#")
        ? (tagsOf(activity) ?? []).includes(text.slice(1))
        : (activity.name ?? "").toLowerCase().includes(text.toLowerCase())))
}

/** What was asked, in words, for the answer's first line. */
const criteriaOf = (input: SearchInput, window: { start?: string; end?: string }) =>
  Format.join([
    input.interval_seconds !== undefined || input.interval_intensity !== undefined
      ? `${input.min_reps ?? 1}+ intervals` + Format.join([
        input.interval_seconds !== undefined &&
        ` of ${Format.duration(input.interval_seconds)} ±${DURATION_TOLERANCE * 100}%`,
        input.interval_intensity !== undefined && ` at ${input.interval_intensity}% ±${INTENSITY_TOLERANCE}`
      ], "")
      : undefined,
    input.query !== undefined && (input.query.startsWith("#") ? `tag ${input.query}` : `name contains "${input.query}"`),
    input.type !== undefined && `type ${input.type}`,
    input.around_date !== undefined
      ? `within ${input.days ?? 3} days of ${Format.dayLabel(input.around_date)}`
      : window.start !== undefined || window.end !== undefined
      ? `${window.start ?? "the start"} to ${window.end ?? "today"}`
      : undefined
  ], ", ") || "all activities"

/** How many results to ask for when the answer is narrowed afterwards, so the limit still fills. */
const OVERFETCH = 5

const search = (input: SearchInput, athleteId: AthleteId) =>
  Effect.gen(function*() {
    const client = yield* IntervalsClient
    const limit = input.limit ?? 10
    const around = input.around_date
    const start = around !== undefined ? addDays(around, -(input.days ?? 3)) : input.start_date
    const end = around !== undefined ? addDays(around, input.days ?? 3) : input.end_date
    const byInterval = input.interval_seconds !== undefined || input.interval_intensity !== undefined
    const narrowed = input.type !== undefined || start !== undefined || end !== undefined

    if (byInterval) {
      const secs = input.interval_seconds
      const intensity = input.interval_intensity
      const found = yield* client.intervalSearch(athleteId, {
        minSecs: secs === undefined ? 1 : Math.round(secs * (1 - DURATION_TOLERANCE)),
        maxSecs: secs === undefined ? 24 * 3600 : Math.round(secs * (1 + DURATION_TOLERANCE)),
        minIntensity: intensity === undefined ? 0 : intensity - INTENSITY_TOLERANCE,
        maxIntensity: intensity === undefined ? 1000 : intensity + INTENSITY_TOLERANCE,
        ...(input.min_reps === undefined ? {} : { minReps: input.min_reps }),
        limit: narrowed || input.query !== undefined ? Math.min(200, limit * OVERFETCH) : limit + 1
      })
      const matches = found.filter(keep({ type: input.type, start, end, text: input.query }))
      return { mode: "intervals" as const, matches: matches.map((a) => matchOf(a, a.icu_intervals ?? [])), limit, start, end }
    }
    if (input.query !== undefined) {
      const found = yield* client.searchActivities(
        athleteId,
        input.query,
        narrowed ? Math.min(500, limit * OVERFETCH * 4) : limit + 1
      )
      const matches = found.filter(keep({ type: input.type, start, end }))
      return {
        mode: "text" as const,
        matches: matches.map((a) => matchOf(a)),
        limit,
        start,
        end
      }
    }
    if (start === undefined && end === undefined) {
      return yield* new ToolFailure({
        message: "search_activities needs something to search by: query (text or #tag), interval_seconds or " +
          "interval_intensity, around_date, or start_date/end_date. To list recent activities, use get_activities."
      })
    }
    const window = yield* resolveWindow(athleteId, compact({ start_date: start, end_date: end }), {
      startOffsetDays: -30,
      endOffsetDays: 0
    })
    const listed = yield* client.activities(athleteId, window.start, window.end)
    const matches = [...listed].sort((a, b) => (b.start_date_local ?? "").localeCompare(a.start_date_local ?? ""))
      .filter(keep({ type: input.type }))
    return { mode: "window" as const, matches: matches.map((a) => matchOf(a)), limit, start, end }
  })

const matchLine = (m: Match): string =>
  Format.join([
    `${Format.dayLabel(m.date)}`,
    Format.join([m.type, Format.quote(m.name)], " "),
    m.race && "race",
    Format.duration(m.moving_time_s),
    Format.distance(m.distance_m, Format.sportFamily(m.type)),
    m.load !== undefined && `load ${m.load}`,
    m.intervals && Format.join([
      `${m.intervals.count} × ${Format.duration(m.intervals.average_s)}`,
      m.intervals.average_intensity_percent !== undefined && `${m.intervals.average_intensity_percent}%`,
      Format.unit(m.intervals.average_watts, " W"),
      Format.unit(m.intervals.average_heartrate_bpm, " bpm"),
      Format.speed(m.intervals.average_speed_mps, Format.sportFamily(m.type))
    ], " "),
    Format.tags(m.tags),
    `id ${m.id}`
  ])

export const searchActivities = make({
  name: "search_activities",
  title: "Search activities",
  description: "Find activities across the athlete's history, newest first. By query: text in the name, or #tag for " +
    "an exact tag. By intervals: interval_seconds and/or interval_intensity (% of threshold) with min_reps finds " +
    `sessions with such intervals (duration ±${DURATION_TOLERANCE * 100}%, intensity ±${INTENSITY_TOLERANCE}), e.g. ` +
    "5 × 4 min at 110%: interval_seconds 240, interval_intensity 110, min_reps 5. By date: around_date (± days) or " +
    "start_date/end_date. type narrows any of them to one sport. Each match gives date, weekday, name, time, " +
    "distance, load, tags and the averages of the matching intervals, with the id for get_activity_details.",
  annotations: { title: "Search activities", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: SearchInput,
  output: SearchOutput,
  namesAthlete: true,
  run: Effect.fn("search_activities")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const [athlete, found] = yield* Effect.all([whose(athleteId), search(input, athleteId)], {
      concurrency: "unbounded"
    })
    const criteria = criteriaOf(input, { ...compact({ start: found.start, end: found.end }) })
    return {
      athlete,
      mode: found.mode,
      criteria,
      matches: found.matches.slice(0, found.limit),
      ...(found.matches.length > found.limit ? { more: true } : {})
    } satisfies SearchOutput
  }),
  render: (out) =>
    [
      `${Format.athleteLabel(out.athlete)}: ${
        out.matches.length === 0
          ? "no activity matches"
          : `${Format.plural(out.matches.length, "activity", "activities")}, newest first${out.more ? " (more match)" : ""}`
      }. Searched: ${out.criteria}`,
      ...out.matches.map((m) => `- ${matchLine(m)}`),
      out.matches.length === 0 &&
      (out.mode === "intervals"
        ? "Try a wider intensity, fewer min_reps or no type; Strava-synced activities cannot be searched."
        : out.mode === "text"
        ? "Names are matched as written (case-insensitive) and tags exactly; try a shorter word."
        : undefined),
      out.more && "Ask with a higher limit or a narrower window for the rest."
    ].filter((l): l is string => typeof l === "string").join("\n")
})
