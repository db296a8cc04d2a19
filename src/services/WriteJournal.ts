/**
 * What this client changed, so that it can be undone. Every write a tool makes records an entry: what it did, how to
 * tell whether its target changed since (someone else edited it), and how to revert it (restore the fields it read
 * before, recreate what it deleted, delete what it created). One journal per MCP connection (per session over HTTP,
 * per process over stdio): a client never undoes another client's writes. It holds the newest `CAPACITY` entries.
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { IntervalsError } from "../domain/IntervalsError.js"
import type { ToolFailure } from "../tools/Tool.js"
import type { AppConfig } from "./AppConfig.js"
import type { AthleteCalendar } from "./AthleteCalendar.js"
import type { IntervalsClient } from "./IntervalsClient.js"

/** What undoing needs: the same services as the tools, less the journal itself. */
export type UndoContext = IntervalsClient | AthleteCalendar | AppConfig

export interface JournalEntry {
  readonly seq: number
  readonly at: string
  readonly tool: string
  /** What the write did, in words: "created event 123 \"Tempo\" on 2026-12-05". */
  readonly what: string
  /**
   * Why it cannot be undone now (its target was changed or deleted since), or undefined when it can. Undefined as a
   * whole for a write that can never be undone (a comment: the API cannot delete one).
   */
  readonly changedSince?: Effect.Effect<string | undefined, IntervalsError, UndoContext>
  /** Reverts the write; answers what it did. */
  readonly revert?: Effect.Effect<string, IntervalsError | ToolFailure, UndoContext>
  /** Why it can never be undone, for an entry without `revert`. */
  readonly irreversible?: string
}

export type NewEntry = Omit<JournalEntry, "seq" | "at">

/** The newest entries kept: enough for a session's plan and its corrections, and bounded. */
export const CAPACITY = 50

export interface Journal {
  readonly record: (entry: NewEntry) => Effect.Effect<void>
  /** Entries not yet undone, newest first. */
  readonly pending: () => ReadonlyArray<JournalEntry>
  readonly markUndone: (seq: number) => void
  /** Entries dropped because the journal was full. */
  readonly dropped: () => number
  /**
   * Why no journal is kept, where none can be: every request is a connection of its own (a 2026-07-28 HTTP request,
   * or a server run with MCP_STATELESS). Undefined where the journal is kept.
   */
  readonly unkept: "per-request" | "stateless" | undefined
  /**
   * Runs one undo at a time: two undos sent together would otherwise both pick the same newest entry and revert it
   * twice.
   */
  readonly exclusive: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}

export const makeJournal = (capacity = CAPACITY, unkept?: "per-request" | "stateless"): Journal => {
  const entries: Array<JournalEntry> = []
  const lock = Effect.unsafeMakeSemaphore(1)
  let seq = 0
  let dropped = 0
  return {
    unkept,
    exclusive: lock.withPermits(1),
    record: (entry) =>
      Effect.sync(() => {
        if (unkept !== undefined) return
        entries.push({ ...entry, seq: ++seq, at: new Date().toISOString() })
        while (entries.length > capacity) {
          entries.shift()
          dropped++
        }
      }),
    pending: () => [...entries].reverse(),
    markUndone: (undone) => {
      const index = entries.findIndex((e) => e.seq === undone)
      if (index >= 0) entries.splice(index, 1)
    },
    dropped: () => dropped
  }
}

export class WriteJournal extends Context.Tag("WriteJournal")<WriteJournal, Journal>() {
  /** A journal of its own, for one connection (or one command-line call). */
  static readonly fresh = Layer.sync(WriteJournal, () => makeJournal())
}
