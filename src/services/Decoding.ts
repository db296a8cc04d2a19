/**
 * How answers from Intervals.icu are read. The API is looser than its specification (a `retired` that is `false`
 * instead of a date, numbers sent as text, a list item without its id), and one odd field must not hide a whole list:
 * a strict decode is tried first (the common case costs nothing more), and on failure the offending values are
 * repaired or left out, one round at a time, and reported so that the caller can log them. What this server sends
 * stays strictly encoded.
 *
 * Ids are read exactly: JSON numbers above 2^53 lose digits in `JSON.parse`, so the integer values of id fields with
 * 16 or more digits are turned into strings before parsing.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

const LONG_ID = /("(?:id|[A-Za-z]+_id|[A-Za-z]+Id)"\s*:\s*)(-?\d{16,})(?=\s*[,}\]])/g

/** JSON text with long integer ids quoted, so that parsing keeps every digit. */
export const quoteLongIds = (text: string): string => (/\d{16}/.test(text) ? text.replace(LONG_ID, "$1\"$2\"") : text)

export interface Decoded<A> {
  readonly value: A
  /** What was left out or converted, as "path: what" lines. */
  readonly repairs: ReadonlyArray<string>
}

const MAX_ROUNDS = 25

const at = (root: Json, path: ReadonlyArray<PropertyKey>): Json =>
  path.reduce((node: Json, key) => (node === null || typeof node !== "object" ? undefined : node[key as string]), root)

const label = (path: ReadonlyArray<PropertyKey>) => (path.length === 0 ? "(the whole answer)" : path.join("."))

/** Removes the list item that holds `path` (the innermost one); false when there is none. */
const dropItem = (root: Json, path: ReadonlyArray<PropertyKey>, repairs: Array<string>): boolean => {
  for (let depth = path.length - 1; depth >= 0; depth--) {
    const index = path[depth]
    const parent = at(root, path.slice(0, depth))
    if (Array.isArray(parent) && typeof index === "number" && index < parent.length) {
      parent.splice(index, 1)
      repairs.push(`${label(path.slice(0, depth + 1))}: left out (${label(path.slice(depth + 1))} missing or unreadable)`)
      return true
    }
  }
  return false
}

const NUMERIC = /^\s*-?\d+(\.\d+)?([eE][-+]?\d+)?\s*$/

/** One round of repairs for the problems of one failed decode; false when nothing could be repaired. */
const repair = (root: Json, issues: ReadonlyArray<ParseResult.ArrayFormatterIssue>, repairs: Array<string>): boolean => {
  // Deepest first, so that removing an item does not shift the index of another problem in the same round.
  const byPath = new Map<string, ParseResult.ArrayFormatterIssue>()
  for (const issue of issues) if (!byPath.has(issue.path.join("\u0000"))) byPath.set(issue.path.join("\u0000"), issue)
  const sorted = [...byPath.values()].sort((a, b) => b.path.length - a.path.length || String(b.path.at(-1)).localeCompare(String(a.path.at(-1))))
  let repaired = false
  for (const issue of sorted) {
    const path = issue.path
    if (path.length === 0) return repaired
    const parent = at(root, path.slice(0, -1))
    const key = path.at(-1)!
    if (parent === null || typeof parent !== "object") continue
    const value = parent[key as string]
    if (issue._tag === "Missing" || value === undefined) {
      repaired = dropItem(root, path, repairs) || repaired
    } else if (typeof value === "string" && NUMERIC.test(value) && /number/i.test(issue.message)) {
      parent[key as string] = Number(value)
      repairs.push(`${label(path)}: the number ${JSON.stringify(value)} was sent as text; read as a number`)
      repaired = true
    } else if (Array.isArray(parent)) {
      // An element of a list of values (a curve's watts, a stream): the list is left out whole, since dropping one
      // element would misalign it with its sibling lists.
      const list = path.slice(0, -1)
      const owner = at(root, list.slice(0, -1))
      if (owner !== null && typeof owner === "object" && !Array.isArray(owner)) {
        delete owner[list.at(-1) as string]
        repairs.push(`${label(list)}: left out (item ${String(key)} is ${describe(value)})`)
        repaired = true
      } else repaired = dropItem(root, path, repairs) || repaired
    } else {
      delete parent[key as string]
      repairs.push(`${label(path)}: left out (${describe(value)} where the API documents something else)`)
      repaired = true
    }
  }
  return repaired
}

/** A value in a few words, never a type dump: `false`, `"abc"`, `a list`, `an object`. */
export const describe = (value: unknown): string => {
  if (value === null) return "null"
  if (Array.isArray(value)) return `a list of ${value.length}`
  if (typeof value === "object") return "an object"
  if (typeof value === "string") {
    return value.length > 40 ? `${JSON.stringify(`${value.slice(0, 40)}…`)} (${value.length} characters)` : JSON.stringify(value)
  }
  return String(value)
}

/**
 * Decodes parsed JSON with `schema`, repairing what the API got wrong; Left with the first decode's error when the
 * answer cannot be read even so (its top level is of the wrong kind, or a required field of a single object is
 * missing).
 */
export const decodeLeniently = <A>(
  decode: (input: unknown) => Either.Either<A, ParseResult.ParseError>,
  json: Json
): Either.Either<Decoded<A>, ParseResult.ParseError> => {
  const first = decode(json)
  if (Either.isRight(first)) return Either.right({ value: first.right, repairs: [] })
  const repairs: Array<string> = []
  let error = first.left
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (!repair(json, ParseResult.ArrayFormatter.formatErrorSync(error), repairs)) return Either.left(first.left)
    const next = decode(json)
    if (Either.isRight(next)) return Either.right({ value: next.right, repairs })
    error = next.left
  }
  return Either.left(first.left)
}

/** One line for an answer that could not be read: what came, in a few words, and where it went wrong. */
export const summarise = (error: ParseResult.ParseError, json: Json): string => {
  const issue = ParseResult.ArrayFormatter.formatErrorSync(error)[0]
  if (issue === undefined) return "an answer of an unexpected shape"
  const found = at(json, issue.path)
  const where = issue.path.length === 0 ? "the answer" : issue.path.join(".")
  return issue._tag === "Missing" ? `${where} is missing` : `${where} is ${describe(found)}, not what the API documents`
}

/** A decoder that reads lists leniently, built once per schema (building one compiles the schema). */
export const decoderOf = <A, I>(schema: Schema.Schema<A, I>) => Schema.decodeUnknownEither(schema, { errors: "all" })
