/**
 * Changing the calendar: planned workouts and other events, notes, and deletes. What they may touch depends on
 * `INTERVALS_WRITE_MODE` (see `AppConfig`); in `read-only` mode none of these tools is registered.
 *
 * Updates send only the fields the caller gave, so an update never resets what it did not mention. A workout given
 * as a structure is converted to Intervals.icu's workout text, and every write is read back so that the answer says
 * what Intervals.icu actually saved and parsed.
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { type AthleteId, EventId, LibraryWorkoutId, LocalDate } from "../domain/Ids.js"
import type { Event } from "../domain/Intervals.js"
import { boundedList, boundedText, lineText } from "../domain/Limits.js"
import { countSteps, toWorkoutText, WorkoutDoc } from "../domain/WorkoutDoc.js"
import { AppConfig } from "../services/AppConfig.js"
import { describe } from "../services/Decoding.js"
import { AthleteCalendar } from "../services/AthleteCalendar.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import { detail, EventDetail, EventSummary, eventLine, summary, withoutDescription } from "./Events.js"
import * as Format from "./Format.js"
import { athleteIdParam, boundedInt, dateParam, orderedDates, resolveAthlete } from "./Params.js"
import { compact, confirmWrite, make, optional, ToolFailure } from "./Tool.js"
import { entryOf, EventKind, journal, pick } from "./Undo.js"
import { checkWorkout, ParseReport, reportLines, reportView } from "./Workouts.js"

export const Category = Schema.Literal(
  "WORKOUT",
  "RACE_A",
  "RACE_B",
  "RACE_C",
  "NOTE",
  "PLAN",
  "HOLIDAY",
  "SICK",
  "INJURED",
  "SET_EFTP",
  "FITNESS_DAYS",
  "SEASON_START",
  "TARGET",
  "SET_FITNESS"
)

const Tags = boundedList(lineText(50), 20, "tags")
const Text = (max: number, description: string) =>
  optional(boundedText(max).annotations({ description }))

const midnight = (date: LocalDate) => `${date}T00:00:00`

const fail = (message: string) => Effect.fail(new ToolFailure({ message }))

/** Reads the event back and checks that a workout with steps was parsed into steps. */
const readBack = (athleteId: AthleteId, saved: Event, expectSteps: boolean) =>
  Effect.gen(function*() {
    const client = yield* IntervalsClient
    const event = yield* client.event(athleteId, saved.id)
    const parsed = countSteps(event.workout_doc?.steps ?? [])
    if (expectSteps && parsed === 0) {
      return yield* fail(
        `Intervals.icu saved event ${event.id} ("${event.name ?? ""}", ${Format.datePart(event.start_date_local)}) ` +
          "but parsed no workout steps from its text, so it has no structure on the calendar or the device. Its text " +
          `was:\n${event.description ?? "(empty)"}\nFix the workout and update event ${event.id} (event_id) ` +
          "rather than creating another."
      )
    }
    return { event, parsed }
  })

/** The fields that tell an event apart: what undo checks before it touches an event a write made. */
export const EVENT_KEYS = ["name", "start_date_local", "category", "type", "description"]
/** What recreates a deleted event as it was. */
export const EVENT_IMAGE = [...EVENT_KEYS, "end_date_local", "moving_time", "distance", "indoor", "color", "tags", "external_id"]

export const eventLabel = (event: { readonly name?: string | null | undefined; readonly start_date_local: string }) =>
  `${Format.quote(event.name) ?? "unnamed"} on ${Format.datePart(event.start_date_local)}`

/** An event as a confirmation lists it: "Tue 2026-12-08 WORKOUT "Endurance 90"". */
const askedLine = (event: Event) =>
  Format.join([Format.dayLabel(event.start_date_local), event.category ?? undefined, Format.quote(event.name) ?? "unnamed"], " ")

/**
 * Creates an event (with `defaults` under the given fields, dated today in the athlete's timezone unless a date was
 * given) or updates one with only the given fields, then reads it back.
 */
const save = (
  athleteId: AthleteId,
  eventId: EventId | undefined,
  fields: Record<string, unknown>,
  create: { readonly defaults: Record<string, unknown>; readonly missing: string | undefined; readonly tool: string },
  expectSteps: boolean
) =>
  Effect.gen(function*() {
    const client = yield* IntervalsClient
    let saved: Event
    let before: Event | undefined
    if (eventId === undefined) {
      if (create.missing !== undefined) {
        return yield* fail(`Invalid arguments for ${create.tool}; nothing was sent to Intervals.icu:\n- ${create.missing}`)
      }
      const today = yield* Effect.flatMap(AthleteCalendar, (calendar) => calendar.today(athleteId))
      const day = (fields["start_date_local"] as string | undefined)?.slice(0, 10)
      // What safe mode could never change or delete afterwards, it does not create either.
      if (day !== undefined && day < today && (yield* AppConfig).writeMode !== "full") {
        return yield* fail(
          `Not created: ${day} is before today (${today}) in the athlete's timezone, and an event there could ` +
            `not be changed or deleted afterwards. ${SAFE_RULE}`
        )
      }
      saved = yield* client.createEvent(athleteId, { ...create.defaults, start_date_local: midnight(today), ...fields })
    } else {
      if (Object.keys(fields).length === 0) {
        return yield* fail("Nothing to update: give at least one field to change besides event_id.")
      }
      yield* guardPast(athleteId, eventId, fields["start_date_local"] as string | undefined)
      before = yield* client.event(athleteId, eventId)
      saved = yield* client.updateEvent(athleteId, eventId, fields)
    }
    // Recorded before the read-back, which may fail (no steps parsed) after the change was made.
    const keys = eventId === undefined ? EVENT_KEYS : Object.keys(fields)
    const image = pick(saved as unknown as Record<string, unknown>, keys)
    yield* journal(entryOf(
      create.tool,
      `${eventId === undefined ? "created" : "updated"} event ${saved.id} ${eventLabel(saved)}`,
      EventKind(athleteId),
      [{
        id: String(saved.id),
        label: eventLabel(saved),
        after: image,
        ...(before === undefined ? {} : { before: pick(before as unknown as Record<string, unknown>, keys) })
      }]
    ))
    const { event, parsed } = yield* readBack(athleteId, saved, expectSteps)
    return { action: eventId === undefined ? "created" as const : "updated" as const, event: detail(event), parsed }
  })

/** An event's fields as they recreate it (the computed ones, like its load, Intervals.icu works out again). */
export const recreatable = (event: Event) =>
  Object.fromEntries(
    Object.entries(pick(event as unknown as Record<string, unknown>, EVENT_IMAGE)).filter(([, value]) => value !== null)
  )

export const SAFE_RULE = "INTERVALS_WRITE_MODE=safe never changes, moves or deletes an event dated before today; " +
  "the server's owner can run it with INTERVALS_WRITE_MODE=full to allow that."

/**
 * In safe mode, the past of the calendar is read-only: an event dated before today (in the athlete's timezone) is
 * not changed, and no event is moved before today (where it could no longer be changed or deleted).
 */
const guardPast = (athleteId: AthleteId, eventId: EventId, newStart: string | undefined) =>
  Effect.gen(function*() {
    if ((yield* AppConfig).writeMode === "full") return
    const today = yield* Effect.flatMap(AthleteCalendar, (calendar) => calendar.today(athleteId))
    const event = yield* Effect.flatMap(IntervalsClient, (client) => client.event(athleteId, eventId))
    if (isPast(event, today)) {
      return yield* fail(
        `Not changed: event ${event.id} ("${event.name ?? ""}") is dated ${Format.datePart(event.start_date_local)}, ` +
          `before today (${today}) in the athlete's timezone. ${SAFE_RULE}`
      )
    }
    if (newStart !== undefined && newStart.slice(0, 10) < today) {
      return yield* fail(
        `Not changed: moving event ${event.id} ("${event.name ?? ""}") to ${newStart.slice(0, 10)} would put it ` +
          `before today (${today}). ${SAFE_RULE}`
      )
    }
  })

const WriteOutput = Schema.Struct({
  action: Schema.Literal("created", "updated"),
  event: EventDetail,
  workout_text: optional(Schema.String),
  parsed_steps: Schema.Number.annotations({ description: "Steps Intervals.icu parsed from the workout, repeats once" }),
  report: optional(ParseReport)
})
type WriteOutput = typeof WriteOutput.Type

const renderWrite = (out: WriteOutput) =>
  [
    `${out.action === "created" ? "Created" : "Updated"} event ${out.event.id}: ${eventLine(withoutDescription(out.event))}`,
    out.event.workout_steps &&
    `Intervals.icu parsed ${Format.plural(out.parsed_steps, "step")}` +
      (out.event.workout_duration_s ? `, ${Format.duration(out.event.workout_duration_s)}` : "") +
      (out.event.training_load !== undefined ? `, load ${out.event.training_load}` : "") +
      `:\n${out.event.workout_steps.join("\n")}`,
    !out.event.workout_steps && out.event.description && `Description: ${out.event.description}`,
    out.report && out.report.problems.length > 0 &&
    ["Checked before saving:", ...reportLines(out.report, false).slice(1)].join("\n")
  ].filter((line): line is string => typeof line === "string").join("\n")

const MODES = "In INTERVALS_WRITE_MODE safe (default) an event dated before today is never changed and none is moved " +
  "before today; full has no such limit; read-only does not register this tool."

// ---------------------------------------------------------------------------------------------------------------
// add_or_update_event

const EventInput = Schema.Struct({
  athlete_id: athleteIdParam,
  event_id: optional(EventId.annotations({ description: "Update this event; omit to create one" })),
  workout_type: optional(
    lineText(40).annotations({ description: "Sport: Ride, Run, Swim, VirtualRide, WeightTraining, … Required to create" })
  ),
  name: optional(lineText(200).annotations({ description: "Name. Required to create" })),
  start_date: dateParam("Day, YYYY-MM-DD. Default for a create: today in the athlete's timezone; an update keeps it"),
  category: optional(Category.annotations({ description: "Default for a create: WORKOUT" })),
  workout_doc: optional(WorkoutDoc),
  description: Text(10_000, "Free text, or a workout already written in Intervals.icu syntax; not with workout_doc"),
  moving_time: optional(boundedInt(1, 86_400 * 7, "Planned duration, seconds")),
  distance: optional(
    Schema.Number.pipe(Schema.positive(), Schema.lessThanOrEqualTo(1_000_000)).annotations({
      description: "Planned distance, metres",
      message: (issue) => ({
        message: `expected a distance in metres, more than 0 and at most 1,000,000, got ${describe(issue.actual)}`,
        override: true
      })
    })
  ),
  indoor: optional(Schema.Boolean),
  tags: optional(Tags),
  library_workout_id: optional(
    LibraryWorkoutId.annotations({
      description: "Schedule this library workout on start_date; fields given here override its own"
    })
  )
})

export const addOrUpdateEvent = make({
  name: "add_or_update_event",
  title: "Plan or change a calendar event",
  description: "Create a planned workout (or race, note, other event) on the athlete's calendar, or update one by " +
    "event_id (only the fields given change). Give the workout as workout_doc (steps with a duration or distance " +
    "and one target: power, hr or pace, plus cadence; reps with nested steps) or as Intervals.icu workout text in " +
    "description (resource intervals://docs/workout-syntax). The answer shows what Intervals.icu parsed (steps, " +
    "duration, load) and a check of the text (problems by line); it is an error if nothing parsed. " +
    "library_workout_id schedules a library workout. undo_last_write reverts it. " + MODES,
  annotations: {
    title: "Plan or change a calendar event",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: true
  },
  input: EventInput,
  output: WriteOutput,
  run: Effect.fn("add_or_update_event")(function*(input) {
    if (input.workout_doc !== undefined && input.description !== undefined) {
      return yield* fail("Give either workout_doc or description, not both: the description is the workout text.")
    }
    const workoutText = input.workout_doc === undefined ? undefined : toWorkoutText(input.workout_doc)
    if (workoutText !== undefined && Either.isLeft(workoutText)) {
      return yield* fail(
        `Invalid arguments for add_or_update_event; nothing was sent to Intervals.icu:\n- ${workoutText.left.path}: ` +
          workoutText.left.message
      )
    }
    const text = workoutText === undefined ? undefined : workoutText.right
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const client = yield* IntervalsClient
    const library = input.library_workout_id === undefined
      ? undefined
      : yield* client.libraryWorkout(athleteId, input.library_workout_id)
    const fields = compact({
      type: input.workout_type ?? library?.type,
      name: input.name ?? library?.name,
      category: input.category ?? (library !== undefined ? "WORKOUT" : undefined),
      description: text ?? input.description ?? library?.description,
      moving_time: input.moving_time ?? library?.moving_time,
      distance: input.distance ?? library?.distance,
      indoor: input.indoor ?? library?.indoor,
      tags: input.tags ?? library?.tags,
      start_date_local: input.start_date === undefined ? undefined : midnight(input.start_date)
    })
    // The workout text as it will be saved, checked as validate_workout does: the same report for text and doc.
    const workout = fields.description
    const isWorkout = (fields.category ?? (input.event_id === undefined ? "WORKOUT" : undefined)) === "WORKOUT"
    const report = workout !== undefined && isWorkout
      ? reportView(yield* checkWorkout(athleteId, fields.type, { text: workout }, "add_or_update_event"))
      : undefined
    const { action, event, parsed } = yield* save(athleteId, input.event_id, fields, {
      tool: "add_or_update_event",
      defaults: { category: "WORKOUT" },
      missing: fields.type === undefined || fields.name === undefined
        ? "workout_type and name are required to create an event (or give event_id to update one)"
        : undefined
    }, report !== undefined && report.step_count > 0)
    return {
      action,
      event,
      ...(text !== undefined ? { workout_text: text } : {}),
      parsed_steps: parsed,
      ...(report !== undefined ? { report } : {})
    }
  }),
  render: renderWrite
})

// ---------------------------------------------------------------------------------------------------------------
// add_or_update_note

const NoteInput = Schema.Struct({
  athlete_id: athleteIdParam,
  event_id: optional(EventId.annotations({ description: "Update this note; omit to create one" })),
  name: optional(lineText(200).annotations({ description: "Title. Required to create" })),
  description: Text(10_000, "Text of the note. Required to create"),
  start_date: dateParam("Day, YYYY-MM-DD. Default for a create: today in the athlete's timezone; an update keeps it"),
  color: optional(
    Schema.String.pipe(
      Schema.pattern(/^(#[0-9a-fA-F]{6}|[a-z]{3,20})$/, {
        message: (issue) => `expected a colour such as #ff8800 or red, got ${JSON.stringify(issue.actual)}`
      })
    ).annotations({ description: "Colour, e.g. #ff8800 or red" })
  )
})

export const addOrUpdateNote = make({
  name: "add_or_update_note",
  title: "Write a calendar note",
  description: "Create a note on the athlete's calendar (travel, illness, a reminder), or update one with event_id. " +
    "An update sends only the fields given and keeps the rest. " + MODES,
  annotations: {
    title: "Write a calendar note",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: true
  },
  input: NoteInput,
  output: WriteOutput,
  run: Effect.fn("add_or_update_note")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const fields = compact({
      name: input.name,
      description: input.description,
      color: input.color,
      start_date_local: input.start_date === undefined ? undefined : midnight(input.start_date)
    })
    const { action, event, parsed } = yield* save(athleteId, input.event_id, fields, {
      tool: "add_or_update_note",
      defaults: { category: "NOTE" },
      missing: input.name === undefined || input.description === undefined
        ? "name and description are required to create a note (or give event_id to update one)"
        : undefined
    }, false)
    return { action, event, parsed_steps: parsed }
  }),
  render: renderWrite
})

// ---------------------------------------------------------------------------------------------------------------
// Deletes

const isPast = (event: { readonly start_date_local: string }, today: LocalDate) =>
  event.start_date_local.slice(0, 10) < today

export const deleteEvent = make({
  name: "delete_event",
  title: "Delete a calendar event",
  description: "Delete one event from the athlete's calendar. In INTERVALS_WRITE_MODE safe (default) only events " +
    "dated today or later in the athlete's timezone can be deleted, never past ones; full allows any; read-only does " +
    "not register this tool.",
  annotations: {
    title: "Delete a calendar event",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: true
  },
  input: Schema.Struct({ event_id: EventId, athlete_id: athleteIdParam }),
  output: Schema.Struct({ deleted: EventSummary }),
  run: Effect.fn("delete_event")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const client = yield* IntervalsClient
    const config = yield* AppConfig
    const event = yield* client.event(athleteId, input.event_id)
    if (config.writeMode !== "full") {
      const today = yield* Effect.flatMap(AthleteCalendar, (calendar) => calendar.today(athleteId))
      if (isPast(event, today)) {
        return yield* fail(
          `Not deleted: event ${event.id} ("${event.name ?? ""}") is dated ${Format.datePart(event.start_date_local)}, ` +
            `before today (${today}) in the athlete's timezone. ${SAFE_RULE}`
        )
      }
    }
    yield* confirmWrite({ message: `Delete this event from the calendar? ${askedLine(event)} (event ${event.id})` })
    yield* client.deleteEvent(athleteId, input.event_id)
    yield* journal(entryOf("delete_event", `deleted event ${event.id} ${eventLabel(event)}`, EventKind(athleteId), [{
      id: String(event.id),
      label: eventLabel(event),
      before: recreatable(event)
    }]))
    return { deleted: summary(event, 160) }
  }),
  render: (out) => `Deleted event ${out.deleted.id}: ${eventLine(withoutDescription(out.deleted))}`
})

const RangeInput = Schema.Struct({
  athlete_id: athleteIdParam,
  start_date: LocalDate.annotations({ description: "First day, YYYY-MM-DD" }),
  end_date: LocalDate.annotations({ description: "Last day (inclusive), YYYY-MM-DD" }),
  category: optional(
    Schema.Array(Category).pipe(
      Schema.minItems(1, { message: () => "expected at least one category, e.g. [\"WORKOUT\"]" }),
      Schema.maxItems(Category.literals.length, {
        message: () => `expected at most ${Category.literals.length} categories (each once)`
      })
    ).annotations({
      description: "Only events of these categories, e.g. [\"WORKOUT\"]. Required in safe mode"
    })
  ),
  confirm: optional(
    Schema.Boolean.annotations({ description: "true to delete; otherwise (safe mode) the answer is a preview" })
  )
}).pipe(Schema.filter(orderedDates))

const RangeOutput = Schema.Struct({
  start_date: Schema.String,
  end_date: Schema.String,
  preview: Schema.Boolean.annotations({ description: "True when nothing was deleted: this is what would be" }),
  deleted_count: Schema.Number,
  events: Schema.Array(EventSummary).annotations({ description: "Deleted, or to be deleted when preview" }),
  kept_past: Schema.Array(EventSummary).annotations({ description: "Past events safe mode leaves alone" }),
  note: optional(Schema.String)
})

export const deleteEventsByDateRange = make({
  name: "delete_events_by_date_range",
  title: "Delete calendar events in a date range",
  description: "Delete the events of a date range (inclusive) from the athlete's calendar, optionally only some " +
    "categories. In INTERVALS_WRITE_MODE safe (default): category is required, only events dated today or later are " +
    "touched (past ones are listed as kept), and nothing is deleted without confirm: true: the answer is a preview " +
    "of what would be. full: no such limits (all categories by default, no confirm needed). read-only: not registered.",
  annotations: {
    title: "Delete calendar events in a date range",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: true,
    openWorldHint: true
  },
  input: RangeInput,
  output: RangeOutput,
  run: Effect.fn("delete_events_by_date_range")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const client = yield* IntervalsClient
    const config = yield* AppConfig
    const safe = config.writeMode !== "full"
    if (safe && input.category === undefined) {
      return yield* fail(
        "Invalid arguments for delete_events_by_date_range; nothing was deleted:\n- category: required in safe " +
          "mode; list the categories to delete, e.g. [\"WORKOUT\"]"
      )
    }
    const events = yield* client.events(athleteId, input.start_date, input.end_date)
    const chosen = events.filter((e) =>
      (input.category === undefined || input.category.includes(e.category as typeof Category.Type)) &&
      e.start_date_local.slice(0, 10) >= input.start_date && e.start_date_local.slice(0, 10) <= input.end_date
    )
    const today = safe ? yield* Effect.flatMap(AthleteCalendar, (calendar) => calendar.today(athleteId)) : undefined
    const kept = today === undefined ? [] : chosen.filter((e) => isPast(e, today))
    const doomed = today === undefined ? chosen : chosen.filter((e) => !isPast(e, today))
    const base = {
      start_date: input.start_date,
      end_date: input.end_date,
      events: doomed.map((e) => summary(e, 80)),
      kept_past: kept.map((e) => summary(e, 80))
    }
    // Asked directly where the client can: the person's yes stands in for confirm: true.
    const verdict = doomed.length === 0 ? "unavailable" : yield* confirmWrite({
      message: `Delete ${Format.plural(doomed.length, "event")} from ${input.start_date} to ${input.end_date}?`,
      items: doomed.map(askedLine)
    })
    if (safe && input.confirm !== true && verdict !== "accepted") {
      return {
        ...base,
        preview: true,
        deleted_count: 0,
        note: "Preview only: call again with confirm: true to delete these events."
      }
    }
    if (doomed.length === 0) return { ...base, preview: false, deleted_count: 0 }
    const result = yield* client.deleteEvents(athleteId, doomed.map((e) => e.id))
    yield* journal(entryOf(
      "delete_events_by_date_range",
      `deleted ${Format.plural(doomed.length, "event")} from ${input.start_date} to ${input.end_date}`,
      EventKind(athleteId),
      doomed.map((e) => ({ id: String(e.id), label: eventLabel(e), before: recreatable(e) }))
    ))
    return { ...base, preview: false, deleted_count: result.eventsDeleted ?? doomed.length }
  }),
  render: (out) =>
    [
      out.preview
        ? `Preview: ${Format.plural(out.events.length, "event")} from ${out.start_date} to ${out.end_date} would be ` +
          "deleted (nothing was deleted; call again with confirm: true):"
        : `Deleted ${Format.plural(out.deleted_count, "event")} from ${out.start_date} to ${out.end_date}` +
          (out.events.length > 0 ? ":" : "."),
      ...out.events.map((e) => eventLine(withoutDescription(e))),
      out.kept_past.length > 0 &&
      `Kept ${Format.plural(out.kept_past.length, "past event")} (safe mode never deletes past events):`,
      ...out.kept_past.map((e) => eventLine(withoutDescription(e)))
    ].filter((line): line is string => typeof line === "string").join("\n")
})
