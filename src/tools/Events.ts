/**
 * The calendar: planned workouts, races, notes and other events.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { AnswerId, EventId } from "../domain/Ids.js"
import type { Event, Target, WorkoutStep } from "../domain/Intervals.js"
import { AthleteCalendar } from "../services/AthleteCalendar.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import * as Format from "./Format.js"
import { athleteIdParam, dateParam, orderedDates, resolveAthlete, resolveWindow } from "./Params.js"
import { compact, make, Num, optional, Str } from "./Tool.js"

export const EventSummary = Schema.Struct({
  id: AnswerId,
  start_date_local: Schema.String.annotations({ description: "Local start, YYYY-MM-DDTHH:MM:SS" }),
  category: Str,
  type: Str,
  name: Str,
  moving_time_s: Num,
  distance_m: Num,
  training_load: Num,
  intensity_percent: Num,
  work_kj: Num,
  indoor: optional(Schema.Boolean),
  tags: optional(Schema.Array(Schema.String)),
  paired_activity_id: Str,
  description: Str
})
export type EventSummary = typeof EventSummary.Type

export const EventDetail = Schema.Struct({
  ...EventSummary.fields,
  end_date_local: Str,
  color: Str,
  workout_steps: optional(
    Schema.Array(Schema.String).annotations({
      description: "The workout as Intervals.icu parsed it, one step a line; repeats are indented"
    })
  ),
  workout_duration_s: Num,
  workout_distance_m: Num
})
export type EventDetail = typeof EventDetail.Type

export const summary = (e: Event, descriptionLength: number): EventSummary => ({
  id: e.id,
  start_date_local: e.start_date_local,
  ...compact({
    category: e.category,
    type: e.type,
    name: e.name?.trim() || undefined,
    moving_time_s: e.moving_time || undefined,
    distance_m: e.distance || undefined,
    training_load: e.icu_training_load,
    intensity_percent: Format.roundOrUndefined(e.icu_intensity, 1),
    work_kj: e.joules ? Format.round(e.joules / 1000, 1) : undefined,
    indoor: e.indoor || undefined,
    tags: e.tags && e.tags.length > 0 ? e.tags : undefined,
    paired_activity_id: e.paired_activity_id,
    description: descriptionLength === Infinity
      ? e.description?.trim() || undefined
      : Format.oneLine(e.description, descriptionLength)
  })
})

// ---------------------------------------------------------------------------------------------------------------
// Workout steps as text

const range = (t: Target) =>
  t.start != null && t.end != null ? `${t.start}-${t.end}` : t.value != null ? `${t.value}` : undefined

const TARGET_UNITS: Record<string, (value: string) => string> = {
  "w": (v) => `${v} W`,
  "%ftp": (v) => `${v}% FTP`,
  "power_zone": (v) => `Z${v}`,
  "%mmp": (v) => `${v}% MMP`,
  "hr_zone": (v) => `Z${v} HR`,
  "%hr": (v) => `${v}% HR`,
  "%lthr": (v) => `${v}% LTHR`,
  "bpm": (v) => `${v} bpm`,
  "pace_zone": (v) => `Z${v} pace`,
  "%pace": (v) => `${v}% pace`,
  "rpm": (v) => `${v} rpm`
}

const target = (t: Target | null | undefined, fallbackUnit: string) => {
  if (!t) return undefined
  const value = range(t)
  if (value === undefined) return undefined
  const units = (t.units ?? fallbackUnit).toLowerCase()
  const render = TARGET_UNITS[units]
  return render ? render(value) : `${value} ${t.units ?? ""}`.trim()
}

export const stepLines = (steps: ReadonlyArray<WorkoutStep>, depth = 0): Array<string> =>
  steps.flatMap((step) => {
    const indent = "  ".repeat(depth)
    if (step.steps && step.steps.length > 0) {
      const header = Format.join([
        step.reps != null ? `${step.reps}x` : undefined,
        step.text && step.text.replace(/\s*\d+x\s*$/, "") ? step.text.replace(/\s*\d+x\s*$/, "") : undefined
      ], " ")
      return [`${indent}${header || "repeat"}:`, ...stepLines(step.steps, depth + 1)]
    }
    return [
      indent + "- " + Format.join([
        step.warmup ? "warm-up" : step.cooldown ? "cool-down" : undefined,
        step.text ?? undefined,
        step.distance ? Format.distance(step.distance) : Format.duration(step.duration),
        step.ramp ? "ramp" : undefined,
        step.freeride ? "free ride" : undefined,
        target(step.power, "w"),
        target(step.hr, "bpm"),
        target(step.pace, "%pace"),
        target(step.cadence, "rpm")
      ], " ")
    ]
  })

export const detail = (e: Event): EventDetail => {
  const steps = e.workout_doc?.steps ?? []
  return {
    ...summary(e, Infinity),
    ...compact({
      end_date_local: e.end_date_local,
      color: e.color,
      workout_steps: steps.length > 0 ? stepLines(steps) : undefined,
      workout_duration_s: e.workout_doc?.duration || undefined,
      workout_distance_m: e.workout_doc?.distance || undefined
    })
  }
}

export const withoutDescription = ({ description: _, ...rest }: EventSummary): EventSummary => rest

/** One line per event; a description, whole in the structured result, is cut here to keep the line a line. */
export const eventLine = (e: EventSummary): string =>
  Format.join([
    Format.join([Format.localDayTime(e.start_date_local), e.category, e.type, Format.quote(e.name)], " "),
    Format.duration(e.moving_time_s),
    Format.distance(e.distance_m, Format.sportFamily(e.type)),
    e.training_load !== undefined && `load ${e.training_load}`,
    Format.unit(e.intensity_percent, "% intensity", 1),
    e.indoor && "indoor",
    e.paired_activity_id && `done: activity ${e.paired_activity_id}`,
    `id ${e.id}`,
    e.description && `— ${Format.oneLine(e.description, 160)}`
  ])

/** How long a description may run in a list line; get_event_by_id has it whole. */
const LIST_DESCRIPTION = 60

/** What makes two events the same planned thing, apart from their day, their id and whether they were done. */
const planOf = (e: EventSummary): string =>
  JSON.stringify([
    e.category,
    e.type,
    e.name,
    e.moving_time_s,
    e.distance_m,
    e.training_load,
    e.intensity_percent,
    e.work_kj,
    e.indoor,
    e.tags,
    e.description
  ])

/** The planned size of an event: `35m, 1 km, load 36, 78.6% intensity, indoor`. */
const planned = (e: EventSummary): string =>
  Format.join([
    Format.duration(e.moving_time_s),
    Format.distance(e.distance_m, Format.sportFamily(e.type)),
    e.training_load !== undefined && `load ${e.training_load}`,
    Format.unit(e.intensity_percent, "% intensity", 1),
    e.indoor && "indoor"
  ], ", ")

/**
 * A calendar line: day, id, what it is, its plan and the start of its description. An event planned exactly like one
 * already listed (a plan's weekly workout) names that one instead of repeating its plan; `sport` is left out when the
 * heading says every event shares it.
 */
const listLine = (e: EventSummary, sameAs: EventSummary["id"] | undefined, sharedSport: boolean): string =>
  Format.join([
    Format.join([
      Format.localDayTime(e.start_date_local),
      `id ${e.id}`,
      e.category,
      sharedSport ? undefined : e.type,
      Format.quote(e.name),
      sameAs === undefined ? planned(e) : `same as id ${sameAs}`,
      e.paired_activity_id && `done: ${e.paired_activity_id}`
    ], " "),
    sameAs === undefined && e.description ? Format.oneLine(e.description, LIST_DESCRIPTION) : undefined
  ], " — ")

// ---------------------------------------------------------------------------------------------------------------
// get_events

const GetEventsInput = Schema.Struct({
  athlete_id: athleteIdParam,
  start_date: dateParam("First day (athlete's local date). Default: the athlete's today"),
  end_date: dateParam("Last day, inclusive. Default: 30 days after today")
}).pipe(Schema.filter(orderedDates))

const GetEventsOutput = Schema.Struct({
  athlete_id: Schema.String,
  start_date: Schema.String,
  end_date: Schema.String,
  today: optional(Schema.String.annotations({ description: "The athlete's today, when a default date was used" })),
  events: Schema.Array(EventSummary).annotations({ description: "In date order, descriptions whole" })
})

export const getEvents = make({
  name: "get_events",
  title: "Calendar events",
  description: "The athlete's calendar for a date window, one line per event in date order: planned workouts with " +
    "their duration, distance and load, races (RACE_A/B/C), notes and other events, each with its id for " +
    "get_event_by_id, and the activity that completed it. Default: today to 30 days ahead.",
  annotations: { title: "Calendar events", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: GetEventsInput,
  output: GetEventsOutput,
  run: Effect.fn("get_events")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const window = yield* resolveWindow(athleteId, input, { startOffsetDays: 0, endOffsetDays: 30 })
    // A window from a default is relative to the athlete's today: the answer says which day that was (the profile
    // read for it is cached, so this costs no request).
    const today = input.start_date === undefined || input.end_date === undefined
      ? yield* Effect.flatMap(AthleteCalendar, (calendar) => calendar.today(athleteId))
      : undefined
    const client = yield* IntervalsClient
    const events = yield* client.events(athleteId, window.start, window.end)
    return {
      athlete_id: athleteId,
      start_date: window.start,
      end_date: window.end,
      ...compact({ today }),
      events: [...events]
        .sort((a, b) => a.start_date_local.localeCompare(b.start_date_local))
        .map((e) => summary(e, Infinity))
    }
  }),
  render: (out) => {
    const window = `from ${out.start_date} to ${out.end_date}` +
      (out.today !== undefined ? ` (default window; today is ${Format.dayLabel(out.today)})` : "")
    if (out.events.length === 0) return `No events ${window}.`
    const byCategory = new Map<string, number>()
    for (const e of out.events) byCategory.set(e.category ?? "other", (byCategory.get(e.category ?? "other") ?? 0) + 1)
    const sports = new Set(out.events.flatMap((e) => (e.type === undefined ? [] : [e.type])))
    const sharedSport = sports.size === 1 && out.events.length > 1 ? [...sports][0] : undefined
    const seen = new Map<string, EventSummary["id"]>()
    let shortened = false
    const lines = out.events.map((e) => {
      const plan = planOf(e)
      const sameAs = seen.get(plan)
      if (sameAs === undefined) seen.set(plan, e.id)
      if (sameAs !== undefined ? e.description !== undefined : (e.description?.length ?? 0) > LIST_DESCRIPTION) {
        shortened = true
      }
      return listLine(e, sameAs, sharedSport !== undefined)
    })
    return [
      `${Format.plural(out.events.length, "event")} ${window}` + (sharedSport ? `, sport ${sharedSport}:` : ":"),
      ...lines,
      `By category: ${[...byCategory].map(([category, n]) => `${n} ${category}`).join(", ")}`,
      shortened
        ? "Descriptions are cut or left out here; get_event_by_id (and structuredContent) has each whole."
        : undefined
    ].filter((line): line is string => typeof line === "string").join("\n")
  }
})

// ---------------------------------------------------------------------------------------------------------------
// get_event_by_id

export const getEventById = make({
  name: "get_event_by_id",
  title: "Calendar event",
  description: "One calendar event in full: date, category, sport, name, the whole description (for a planned " +
    "workout, its workout text), planned duration, distance, load and intensity, and the workout's steps as " +
    "Intervals.icu parsed them. Use an id from get_events.",
  annotations: { title: "Calendar event", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({ event_id: EventId, athlete_id: athleteIdParam }),
  output: EventDetail,
  run: Effect.fn("get_event_by_id")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const client = yield* IntervalsClient
    return detail(yield* client.event(athleteId, input.event_id))
  }),
  render: (e) =>
    [
      listLine(withoutDescription(e), undefined, false),
      e.description && `Description:\n${e.description}`,
      e.workout_steps && `Parsed steps` +
          (e.workout_duration_s ? ` (${Format.duration(e.workout_duration_s)})` : "") +
          `:\n${e.workout_steps.join("\n")}`
    ].filter((line): line is string => typeof line === "string").join("\n")
})
