/**
 * The workout library: folders and plans with their workouts, one workout with its text and the check of its steps,
 * saving a workout into a folder, deleting one (full mode only), and any planned workout or library workout as a
 * file for a device or app (`.zwo` for Zwift, `.mrc`, `.erg`, `.fit`), fetched with Intervals.icu's own downloads.
 */
import type { EmbeddedResource } from "@modelcontextprotocol/server"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { EventId, FolderId, LibraryWorkoutId } from "../domain/Ids.js"
import type { Folder, LibraryWorkout } from "../domain/Intervals.js"
import { boundedList, boundedText, lineText } from "../domain/Limits.js"
import { toWorkoutText, WorkoutDoc } from "../domain/WorkoutDoc.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import * as Format from "./Format.js"
import { athleteIdParam, resolveAthlete } from "./Params.js"
import { compact, confirmWrite, make, Num, optional, Str, ToolFailure } from "./Tool.js"
import { entryOf, journal, LibraryKind, pick } from "./Undo.js"
import { checkWorkout, ParseReport, reportLines, reportView } from "./Workouts.js"

const WorkoutSummary = Schema.Struct({
  id: Schema.String,
  name: Str,
  type: Str,
  duration_s: Num,
  load: Num,
  intensity_percent: Num,
  tags: optional(Schema.Array(Schema.String))
})
type WorkoutSummary = typeof WorkoutSummary.Type

const FolderView = Schema.Struct({
  id: Schema.String,
  kind: Schema.Literal("folder", "plan"),
  name: Str,
  description: Str,
  weeks: Num,
  workouts: Schema.Array(WorkoutSummary)
})

const WorkoutDetail = Schema.Struct({
  ...WorkoutSummary.fields,
  folder_id: Str,
  folder: Str,
  description: Str,
  report: ParseReport
})

const summaryOf = (w: LibraryWorkout): WorkoutSummary => ({
  id: String(w.id),
  ...compact({
    name: w.name,
    type: w.type,
    duration_s: w.moving_time || undefined,
    load: w.icu_training_load,
    intensity_percent: Format.roundOrUndefined(w.icu_intensity, 1),
    tags: w.tags && w.tags.length > 0 ? [...w.tags] : undefined
  })
})

const workoutLine = (w: WorkoutSummary) =>
  Format.join([
    Format.join([w.type, Format.quote(w.name)], " "),
    Format.duration(w.duration_s),
    w.load !== undefined && `load ${w.load}`,
    Format.tags(w.tags),
    `id ${w.id}`
  ])

export const getWorkoutLibrary = make({
  name: "get_workout_library",
  title: "Workout library",
  description: "The athlete's workout library: folders and training plans with their workouts (name, sport, " +
    "duration, load, id), optionally only those whose name contains folder. With workout_id: that one workout with " +
    "its text and its check (steps, load, problems). Schedule one with add_or_update_event " +
    "(library_workout_id), or export it with export_workout.",
  annotations: { title: "Workout library", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({
    athlete_id: athleteIdParam,
    folder: optional(lineText(60).annotations({ description: "Only folders and plans whose name contains this" })),
    workout_id: optional(LibraryWorkoutId.annotations({ description: "One workout, with its text and check" }))
  }),
  output: Schema.Struct({
    folders: optional(Schema.Array(FolderView)),
    workout: optional(WorkoutDetail)
  }),
  run: Effect.fn("get_workout_library")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const client = yield* IntervalsClient
    if (input.workout_id !== undefined) {
      const [workout, folders] = yield* Effect.all(
        [client.libraryWorkout(athleteId, input.workout_id), client.folders(athleteId)],
        { concurrency: 2 }
      )
      const report = yield* checkWorkout(athleteId, workout.type ?? undefined, { text: workout.description ?? "" }, "get_workout_library")
      const folder = folders.find((f) => String(f.id) === String(workout.folder_id))
      return {
        workout: {
          ...summaryOf(workout),
          ...compact({
            folder_id: workout.folder_id == null ? undefined : String(workout.folder_id),
            folder: folder?.name,
            description: workout.description
          }),
          report: reportView(report)
        }
      }
    }
    const needle = input.folder?.toLowerCase()
    const folders = (yield* client.folders(athleteId))
      .filter((f: Folder) => needle === undefined || (f.name ?? "").toLowerCase().includes(needle))
    return {
      folders: folders.map((f) => ({
        id: String(f.id),
        kind: f.type === "PLAN" ? "plan" as const : "folder" as const,
        ...compact({ name: f.name, description: f.description, weeks: f.duration_weeks }),
        workouts: (f.children ?? []).map(summaryOf)
      }))
    }
  }),
  render: (out) =>
    out.workout !== undefined
      ? [
        `Library workout ${out.workout.id}: ${workoutLine(out.workout)}${out.workout.folder ? ` (in ${Format.quote(out.workout.folder)})` : ""}`,
        ...reportLines(out.workout.report),
        out.workout.description && `Text:\n${out.workout.description}`
      ].filter((l): l is string => typeof l === "string").join("\n")
      : (out.folders ?? []).length === 0
      ? "The library has no folder or plan (that matches)."
      : (out.folders ?? []).flatMap((f) => [
        `${f.kind === "plan" ? "Plan" : "Folder"} ${Format.quote(f.name) ?? f.id} (id ${f.id}${f.weeks ? `, ${f.weeks} weeks` : ""}): ` +
        `${Format.plural(f.workouts.length, "workout")}`,
        ...f.workouts.map((w) => `- ${workoutLine(w)}`)
      ]).join("\n")
})

const LIBRARY_KEYS = ["name", "type", "description", "folder_id", "moving_time", "indoor", "tags"]

export const saveLibraryWorkout = make({
  name: "save_library_workout",
  title: "Save a library workout",
  description: "Create a workout in a folder of the library (folder_id, name, workout_type, and workout_doc or " +
    "text), or update one with workout_id (only the fields given). The answer carries the check of its text " +
    "and the workout as Intervals.icu saved it. undo_last_write reverts it. Not registered with " +
    "INTERVALS_WRITE_MODE=read-only.",
  annotations: { title: "Save a library workout", readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true },
  input: Schema.Struct({
    athlete_id: athleteIdParam,
    workout_id: optional(LibraryWorkoutId.annotations({ description: "Update this workout; omit to create one" })),
    folder_id: optional(FolderId.annotations({ description: "The folder (from get_workout_library). Required to create" })),
    name: optional(lineText(200)),
    workout_type: optional(lineText(40).annotations({ description: "Ride, Run, Swim, … Required to create" })),
    workout_doc: optional(WorkoutDoc),
    text: optional(boundedText(10_000, 1).annotations({ description: "The workout in Intervals.icu syntax; not with workout_doc" })),
    indoor: optional(Schema.Boolean),
    tags: optional(boundedList(lineText(50), 20, "tags"))
  }),
  output: Schema.Struct({ action: Schema.Literal("created", "updated"), workout: WorkoutSummary, report: optional(ParseReport) }),
  run: Effect.fn("save_library_workout")(function*(input) {
    if (input.workout_doc !== undefined && input.text !== undefined) {
      return yield* new ToolFailure({ message: "Give either workout_doc or text, not both." })
    }
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const client = yield* IntervalsClient
    const written = input.workout_doc === undefined ? undefined : toWorkoutText(input.workout_doc)
    if (written !== undefined && Either.isLeft(written)) {
      return yield* new ToolFailure({
        message: `Invalid arguments for save_library_workout; nothing was sent to Intervals.icu:\n- ${written.left.path}: ${written.left.message}`
      })
    }
    const text = written === undefined ? input.text : written.right
    const before = input.workout_id === undefined ? undefined : yield* client.libraryWorkout(athleteId, input.workout_id)
    const type = input.workout_type ?? before?.type ?? undefined
    const report = text === undefined ? undefined : yield* checkWorkout(athleteId, type, { text }, "save_library_workout")
    const fields = compact({
      name: input.name,
      type: input.workout_type,
      description: text,
      folder_id: input.folder_id === undefined ? undefined : Number(input.folder_id),
      indoor: input.indoor,
      tags: input.tags,
      moving_time: report !== undefined && report.estimate.duration > 0 ? report.estimate.duration : undefined
    })
    if (before === undefined && (fields.folder_id === undefined || fields.name === undefined || fields.type === undefined)) {
      return yield* new ToolFailure({
        message: "Invalid arguments for save_library_workout; nothing was sent to Intervals.icu:\n- folder_id, name " +
          "and workout_type are required to create a workout (or give workout_id to update one)"
      })
    }
    if (before !== undefined && Object.keys(fields).length === 0) {
      return yield* new ToolFailure({ message: "Nothing to update: give at least one field besides workout_id." })
    }
    const saved = before === undefined
      ? yield* client.createLibraryWorkout(athleteId, fields)
      : yield* client.updateLibraryWorkout(athleteId, String(before.id), fields)
    const keys = before === undefined ? ["name", "type", "description"] : Object.keys(fields)
    const label = Format.quote(saved.name) ?? String(saved.id)
    yield* journal(entryOf(
      "save_library_workout",
      `${before === undefined ? "created" : "updated"} library workout ${saved.id} ${label}`,
      LibraryKind(athleteId),
      [{
        id: String(saved.id),
        label,
        after: pick(saved as unknown as Record<string, unknown>, keys),
        ...(before === undefined ? {} : { before: pick(before as unknown as Record<string, unknown>, keys) })
      }]
    ))
    return {
      action: before === undefined ? "created" as const : "updated" as const,
      workout: summaryOf(saved),
      ...(report !== undefined ? { report: reportView(report) } : {})
    }
  }),
  render: (out) =>
    [
      `${out.action === "created" ? "Created" : "Updated"} library workout ${out.workout.id}: ${workoutLine(out.workout)}`,
      ...(out.report ? reportLines(out.report) : [])
    ].join("\n")
})

export const deleteLibraryWorkout = make({
  name: "delete_library_workout",
  title: "Delete a library workout",
  description: "Delete a workout from the library (not the events planned from it). Registered only with " +
    "INTERVALS_WRITE_MODE=full. undo_last_write creates it again (with a new id).",
  annotations: { title: "Delete a library workout", readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  fullModeOnly: true,
  input: Schema.Struct({ athlete_id: athleteIdParam, workout_id: LibraryWorkoutId }),
  output: Schema.Struct({ deleted: WorkoutSummary }),
  run: Effect.fn("delete_library_workout")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const client = yield* IntervalsClient
    const workout = yield* client.libraryWorkout(athleteId, input.workout_id)
    yield* confirmWrite({
      message: `Delete the library workout "${workout.name ?? "unnamed"}" (${workout.id})? It cannot be put back.`
    })
    yield* client.deleteLibraryWorkout(athleteId, input.workout_id)
    const label = Format.quote(workout.name) ?? String(workout.id)
    yield* journal(entryOf("delete_library_workout", `deleted library workout ${workout.id} ${label}`, LibraryKind(athleteId), [{
      id: String(workout.id),
      label,
      before: Object.fromEntries(
        Object.entries(pick(workout as unknown as Record<string, unknown>, LIBRARY_KEYS)).filter(([, v]) => v !== null)
      )
    }]))
    return { deleted: summaryOf(workout) }
  }),
  render: (out) => `Deleted library workout ${out.deleted.id}: ${workoutLine(out.deleted)}`
})

// ---------------------------------------------------------------------------------------------------------------
// export_workout

const FORMATS = {
  zwo: { app: "Zwift", mime: "application/xml" },
  mrc: { app: "TrainerRoad, ERG apps (percent of FTP)", mime: "text/plain" },
  erg: { app: "ERG apps (watts)", mime: "text/plain" },
  fit: { app: "Garmin, Wahoo and other devices", mime: "application/vnd.ant.fit" }
} as const

/** The most bytes of a workout file: a workout's files are a few kilobytes. */
const MAX_FILE_BYTES = 512 * 1024

export const exportWorkout = make({
  name: "export_workout",
  title: "Export a workout as a file",
  description: "A planned workout (event_id) or a library workout (workout_id) as a file for a device or app: " +
    "zwo (Zwift), mrc (% of FTP), erg (watts), fit (Garmin, Wahoo…), made by Intervals.icu. Answers a one-line " +
    "summary and the file as an embedded resource (its bytes in base64, its mime type and a file name).",
  annotations: { title: "Export a workout as a file", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({
    athlete_id: athleteIdParam,
    event_id: optional(EventId.annotations({ description: "A planned workout on the calendar" })),
    workout_id: optional(LibraryWorkoutId.annotations({ description: "A workout of the library" })),
    format: Schema.Literal("zwo", "mrc", "erg", "fit").annotations({ description: "zwo, mrc, erg or fit" })
  }).pipe(
    Schema.filter((input) =>
      (input.event_id === undefined) !== (input.workout_id === undefined) ||
      { path: ["event_id"], message: "expected either event_id or workout_id (one of them)" }
    )
  ),
  output: Schema.Struct({
    file_name: Schema.String,
    mime_type: Schema.String,
    size_bytes: Schema.Number,
    format: Schema.String,
    source: Schema.String.annotations({ description: "What was exported" }),
    uri: Schema.String,
    data_base64: Schema.String
  }),
  run: Effect.fn("export_workout")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const client = yield* IntervalsClient
    const ext = `.${input.format}`
    const { file, name, source, uri } = input.event_id !== undefined
      ? yield* Effect.gen(function*() {
        const event = yield* client.event(athleteId, input.event_id!)
        if (event.category !== "WORKOUT") {
          return yield* new ToolFailure({ message: `Event ${event.id} is a ${event.category ?? "event"}, not a planned workout: nothing to export.` })
        }
        return {
          file: yield* client.downloadEvent(athleteId, input.event_id!, ext),
          name: event.name ?? `workout-${event.id}`,
          source: `event ${event.id} ${Format.quote(event.name) ?? ""} on ${Format.datePart(event.start_date_local)}`,
          uri: `intervals://athlete/${athleteId}/events/${event.id}/download${ext}`
        }
      })
      : yield* Effect.gen(function*() {
        const workout = yield* client.libraryWorkout(athleteId, input.workout_id!)
        return {
          file: yield* client.downloadWorkout(athleteId, workout as unknown as Record<string, unknown>, ext),
          name: workout.name ?? `workout-${workout.id}`,
          source: `library workout ${workout.id} ${Format.quote(workout.name) ?? ""}`,
          uri: `intervals://athlete/${athleteId}/workouts/${workout.id}${ext}`
        }
      })
    if (file.bytes.length === 0 || file.bytes.length > MAX_FILE_BYTES) {
      return yield* new ToolFailure({
        message: `Intervals.icu answered a ${file.bytes.length}-byte file for ${source}, which is ${file.bytes.length === 0 ? "empty" : `over ${MAX_FILE_BYTES} bytes`}; it was not passed on.`
      })
    }
    const safe = name.replace(/[^\p{L}\p{N} ._-]+/gu, "").trim().replace(/\s+/g, "_").slice(0, 80) || "workout"
    return {
      file_name: `${safe}${ext}`,
      // Intervals.icu's own type when it names one, else the format's.
      mime_type: /^[a-z]+\/[a-z0-9.+-]+/i.exec(file.contentType)?.[0] ?? FORMATS[input.format].mime,
      size_bytes: file.bytes.length,
      format: input.format,
      source: source.replace(/\s+/g, " ").trim(),
      uri,
      data_base64: Buffer.from(file.bytes).toString("base64")
    }
  }),
  resources: (out): ReadonlyArray<EmbeddedResource> => [{
    type: "resource",
    resource: { uri: out.uri, mimeType: out.mime_type, blob: out.data_base64 }
  }],
  render: (out) =>
    `${out.file_name} (${out.format}, ${Format.count(out.size_bytes)} bytes, ${out.mime_type}) for ` +
    `${FORMATS[out.format as keyof typeof FORMATS].app}: ${out.source}. The file is attached as a resource.`
})
