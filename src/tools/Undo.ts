/**
 * Undo: what each write records in the connection's journal (`WriteJournal`), and `undo_last_write`, which reverts
 * the newest write that can be reverted. A write records the records it touched as they were before (read first)
 * and as Intervals.icu answered after; undoing restores the fields it changed, recreates what it deleted, and
 * deletes what it created, but only when the records still are as the write left them: if someone changed one since,
 * it refuses and says what changed.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { type ActivityId, type AthleteId, LocalDate } from "../domain/Ids.js"
import type { IntervalsError } from "../domain/IntervalsError.js"
import { FreshReads, IntervalsClient } from "../services/IntervalsClient.js"
import { CAPACITY, type Journal, type NewEntry, type UndoContext, WriteJournal } from "../services/WriteJournal.js"
import * as Format from "./Format.js"
import { make, optional, ToolFailure } from "./Tool.js"

type Fields = Readonly<Record<string, unknown>>

/** A kind of record a write can touch, and how to read, change, delete and create one. */
export interface Kind {
  /** "event", "library workout", "activity", "wellness day", "sport settings", "custom item". */
  readonly noun: string
  /** The record, or undefined when it is gone (404). */
  readonly read: (id: string) => Effect.Effect<Fields | undefined, IntervalsError, UndoContext>
  readonly update: (id: string, fields: Fields) => Effect.Effect<unknown, IntervalsError, UndoContext>
  readonly remove?: (id: string) => Effect.Effect<unknown, IntervalsError, UndoContext>
  /** Creates it again from its before-image; answers the new id. */
  readonly create?: (fields: Fields) => Effect.Effect<string, IntervalsError, UndoContext>
}

const orGone = <A extends object>(read: Effect.Effect<A, IntervalsError, UndoContext>) =>
  read.pipe(
    Effect.map((record): Fields | undefined => record as Fields),
    Effect.catchTag("IntervalsNotFound", () => Effect.succeed(undefined))
  )

const client = IntervalsClient

export const EventKind = (athleteId: AthleteId): Kind => ({
  noun: "event",
  read: (id) => orGone(Effect.flatMap(client, (c) => c.event(athleteId, id))),
  update: (id, fields) => Effect.flatMap(client, (c) => c.updateEvent(athleteId, id, fields)),
  remove: (id) => Effect.flatMap(client, (c) => c.deleteEvent(athleteId, id)),
  create: (fields) => Effect.flatMap(client, (c) => Effect.map(c.createEvent(athleteId, { ...fields }), (e) => String(e.id)))
})

export const LibraryKind = (athleteId: AthleteId): Kind => ({
  noun: "library workout",
  read: (id) => orGone(Effect.flatMap(client, (c) => c.libraryWorkout(athleteId, id))),
  update: (id, fields) => Effect.flatMap(client, (c) => c.updateLibraryWorkout(athleteId, id, fields)),
  remove: (id) => Effect.flatMap(client, (c) => c.deleteLibraryWorkout(athleteId, id)),
  create: (fields) =>
    Effect.flatMap(client, (c) => Effect.map(c.createLibraryWorkout(athleteId, { ...fields }), (w) => String(w.id)))
})

export const ActivityKind: Kind = {
  noun: "activity",
  read: (id) => orGone(Effect.flatMap(client, (c) => c.activity(id as ActivityId))),
  update: (id, fields) => Effect.flatMap(client, (c) => c.updateActivity(id as ActivityId, fields))
}

export const WellnessKind = (athleteId: AthleteId): Kind => ({
  noun: "wellness day",
  read: (id) => orGone(Effect.flatMap(client, (c) => c.wellnessDay(athleteId, LocalDate.make(id)))),
  update: (id, fields) => Effect.flatMap(client, (c) => c.updateWellness(athleteId, LocalDate.make(id), fields))
})

export const SportSettingsKind = (athleteId: AthleteId): Kind => ({
  noun: "sport settings",
  read: (id) =>
    Effect.flatMap(client, (c) =>
      Effect.map(c.athlete(athleteId), (a) => a.sportSettings?.find((s) => String(s.id) === id) as Fields | undefined)),
  update: (id, fields) => Effect.flatMap(client, (c) => c.updateSportSettings(athleteId, id, fields))
})

export const CustomItemKind = (athleteId: AthleteId): Kind => ({
  noun: "custom item",
  read: (id) => orGone(Effect.flatMap(client, (c) => c.customItem(athleteId, id))),
  update: (id, fields) => Effect.flatMap(client, (c) => c.updateCustomItem(athleteId, id, fields)),
  remove: (id) => Effect.flatMap(client, (c) => c.deleteCustomItem(athleteId, id)),
  create: (fields) =>
    Effect.flatMap(client, (c) => Effect.map(c.createCustomItem(athleteId, { ...fields }), (i) => String(i.id)))
})

/** The given keys of a record, with `null` for those it lacks (so that restoring them clears them). */
export const pick = (record: Fields, keys: ReadonlyArray<string>): Fields =>
  Object.fromEntries(keys.map((key) => [key, record[key] ?? null]))

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

/** The keys on which a record no longer is as a write left it. */
const changedKeys = (now: Fields, expected: Fields) => Object.keys(expected).filter((key) => !same(now[key], expected[key]))

export interface Touched {
  readonly id: string
  /** The record before the write (the fields it changed), or undefined for a record the write created. */
  readonly before?: Fields
  /** The record after, on the fields that tell it apart, or undefined for a record the write deleted. */
  readonly after?: Fields
  /** "Tempo ride on 2026-12-05", for the answer. */
  readonly label: string
}

/** The journal entry of a write that touched `records` of one kind. */
export const entryOf = (tool: string, what: string, kind: Kind, records: ReadonlyArray<Touched>): NewEntry => ({
  tool,
  what,
  changedSince: Effect.locally(FreshReads, true)(Effect.gen(function*() {
    for (const record of records) {
      if (record.after === undefined) continue
      const now = yield* kind.read(record.id)
      if (now === undefined) return `${kind.noun} ${record.id} (${record.label}) was deleted since`
      const changed = changedKeys(now, record.after)
      if (changed.length > 0) {
        return `${kind.noun} ${record.id} (${record.label}) was changed since (${changed.slice(0, 4).join(", ")})`
      }
    }
    return undefined
  })),
  revert: Effect.gen(function*() {
    const deleted: Array<string> = []
    const recreated: Array<string> = []
    const restored: Array<string> = []
    for (const record of [...records].reverse()) {
      if (record.before === undefined) {
        yield* kind.remove!(record.id)
        deleted.push(`${record.id} ${record.label}`)
      } else if (record.after === undefined) {
        const id = yield* kind.create!(record.before)
        recreated.push(`${record.label} as ${id}`)
      } else {
        yield* kind.update(record.id, record.before)
        restored.push(`${record.id} ${record.label}`)
      }
    }
    const fields = records.find((r) => r.before !== undefined && r.after !== undefined)?.before
    const part = (verb: string, list: ReadonlyArray<string>, extra = "") =>
      list.length === 0
        ? undefined
        : `${verb} ${list.length === 1 ? kind.noun : `${list.length} ${kind.noun}s`}${extra} ${list.join(", ")}`
    return [
      part("deleted", deleted),
      part("recreated", recreated),
      part("restored", restored, fields === undefined ? "" : ` (${Object.keys(fields).join(", ")}) of`)
    ].filter((p): p is string => p !== undefined).join("; ")
  })
})

/** Records a write in the connection's journal. */
export const journal = (entry: NewEntry) => Effect.flatMap(WriteJournal, (j) => j.record(entry))

/** A write that cannot be undone (a comment), recorded so that undo can say so and go past it. */
export const irreversible = (tool: string, what: string, why: string) =>
  journal({ tool, what, irreversible: why })

const UndoOutput = Schema.Struct({
  undone: Schema.Boolean,
  write: optional(Schema.Struct({ tool: Schema.String, what: Schema.String, at: Schema.String })),
  result: Schema.String.annotations({ description: "What the undo did, or why it did nothing" }),
  skipped: optional(Schema.Array(Schema.String).annotations({ description: "Newer writes that cannot be undone" })),
  remaining: Schema.Number.annotations({ description: "Writes left in this session's journal" })
})

/**
 * Reverts the newest entry that can be reverted. Like every write it runs to its end once begun (see callTool): a
 * client that cancels mid-way must not leave a write reverted but still in the journal, which the next undo would
 * find "changed since". The journal's lock is held inside that run, so a cancelled undo still holds it until done.
 */
const undoNewest = (writes: Journal) =>
  Effect.gen(function*() {
    const skipped: Array<string> = []
    for (const entry of writes.pending()) {
      if (entry.revert === undefined) {
        skipped.push(`${entry.what} (${entry.irreversible ?? "cannot be undone"})`)
        continue
      }
      const write = { tool: entry.tool, what: entry.what, at: entry.at }
      const changed = entry.changedSince === undefined ? undefined : yield* entry.changedSince
      if (changed !== undefined) {
        return yield* new ToolFailure({
          message: `Not undone: the last write that can be undone (${entry.tool}: ${entry.what}) no longer holds: ` +
            `${changed}. Nothing was changed; look at the record and change it by hand if need be.`
        })
      }
      const result = yield* entry.revert.pipe(
        Effect.mapError((error) =>
          error._tag === "ToolFailure"
            ? error
            : new ToolFailure({
              message: `Undoing ${entry.tool} (${entry.what}) failed part-way or not at all: ${error.message} ` +
                "Read the records back before trying again."
            })
        ),
        Effect.tap(() => Effect.sync(() => writes.markUndone(entry.seq)))
      )
      return {
        undone: true,
        write,
        result,
        ...(skipped.length > 0 ? { skipped } : {}),
        remaining: writes.pending().filter((e) => e.revert !== undefined).length
      }
    }
    return {
      undone: false,
      result: writes.dropped() > 0
        ? `Nothing left to undo in this session's journal (it keeps the last ${CAPACITY} writes).`
        : "Nothing to undo: this session has made no change that can be undone.",
      ...(skipped.length > 0 ? { skipped } : {}),
      remaining: 0
    }
  })

export const undoLastWrite = make({
  name: "undo_last_write",
  title: "Undo the last write",
  description: "Revert this connection's most recent write that can be reverted, and say what was done: a created " +
    "record is deleted, a changed one gets its previous fields back, a deleted one is created again. Call again to " +
    `go further back (the last ${CAPACITY} writes of a stdio process or an HTTP session; a stateless or 2026-07-28 ` +
    "HTTP request keeps none). A record someone changed since is not touched. A comment cannot be undone. Not " +
    "registered with INTERVALS_WRITE_MODE=read-only.",
  annotations: {
    title: "Undo the last write",
    readOnlyHint: false,
    destructiveHint: true,
    idempotentHint: false,
    openWorldHint: true
  },
  // An empty struct accepts any object, so the "no parameters" rule is said outright.
  input: Schema.Struct({}).pipe(
    Schema.filter((args) =>
      Object.keys(args).length === 0 ||
      { path: [Object.keys(args)[0]!], message: "unknown parameter; undo_last_write takes none" }
    )
  ).annotations({ jsonSchema: { type: "object", properties: {}, additionalProperties: false } }),
  output: UndoOutput,
  run: Effect.fn("undo_last_write")(function*() {
    const writes = yield* WriteJournal
    if (writes.unkept !== undefined) {
      return {
        undone: false,
        result: "Nothing can be undone here: " + (writes.unkept === "stateless"
          ? "this server runs stateless over HTTP (MCP_STATELESS), where every request is a connection of its own"
          : "a 2026-07-28 request over HTTP carries no session, so each is a connection of its own") +
          ", and no journal of writes is kept. Each write's answer says what it changed, before → after; change it " +
          "back with the same tools.",
        remaining: 0
      }
    }
    return yield* writes.exclusive(undoNewest(writes))
  }),
  render: (out) =>
    [
      out.undone ? `Undone ${out.write!.tool} (${out.write!.what}): ${out.result}.` : out.result,
      out.skipped && out.skipped.length > 0 && `Passed over (cannot be undone): ${out.skipped.join("; ")}`,
      out.undone && `${Format.plural(out.remaining, "more write")} can be undone in this session.`
    ].filter((line): line is string => typeof line === "string").join("\n")
})
