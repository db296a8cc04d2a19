/**
 * What a connection may do, as OAuth scopes and as the server's write modes. A grant records the owner's choice on
 * the consent page; a connection made with it gets the tools of the lesser of that choice and the server's own
 * `INTERVALS_WRITE_MODE` (a server run read-only grants no writes, whatever a client asks).
 */
import * as Schema from "effect/Schema"
import type { WriteMode } from "../services/AppConfig.js"

export const SCOPE_READ = "intervals:read"
export const SCOPE_WRITE = "intervals:write"
export const SCOPE_DELETE = "intervals:delete"
export const SCOPES = [SCOPE_READ, SCOPE_WRITE, SCOPE_DELETE] as const

/** read: look only; write: plan and change what is today or later; delete: also delete what cannot be put back. */
export const Access = Schema.Literal("read", "write", "delete")
export type Access = typeof Access.Type

const RANK: Record<Access, number> = { read: 0, write: 1, delete: 2 }

export const modeOf = (access: Access): WriteMode =>
  access === "read" ? "read-only" : access === "write" ? "safe" : "full"

export const accessOf = (mode: WriteMode): Access => (mode === "read-only" ? "read" : mode === "safe" ? "write" : "delete")

export const lesser = (a: Access, b: Access): Access => (RANK[a] <= RANK[b] ? a : b)

/** The write mode a connection runs with: the grant's, capped by the server's. */
export const capMode = (server: WriteMode, access: Access | undefined): WriteMode =>
  access === undefined ? server : modeOf(lesser(accessOf(server), access))

export const scopesOf = (access: Access): Array<string> => SCOPES.slice(0, RANK[access] + 1)

/** The widest access a scope string asks for; an empty or absent scope asks for what the server allows. */
export const accessAsked = (scope: string | undefined, server: Access): Access => {
  const asked = (scope ?? "").split(" ").filter((s) => s !== "")
  if (asked.length === 0) return server
  const rank = Math.max(...asked.map((s) => SCOPES.indexOf(s as (typeof SCOPES)[number])))
  return lesser(server, (["read", "write", "delete"] as const)[Math.max(rank, 0)]!)
}

/** Scopes in a request that this server does not know, to be refused by name. */
export const unknownScopes = (scope: string | undefined): Array<string> =>
  (scope ?? "").split(" ").filter((s) => s !== "" && !(SCOPES as ReadonlyArray<string>).includes(s))

export const describeAccess = (access: Access): string =>
  access === "read"
    ? "read your activities, wellness, fitness, calendar and library"
    : access === "write"
    ? "read, and add or change workouts, events and notes (today or later)"
    : "read, change, and delete activities, events and library workouts"
