/**
 * How a tool is advertised in `tools/list`: its JSON Schemas, generated from its `Schema`s by Effect, made compact.
 */
import type { Tool as ListedTool } from "@modelcontextprotocol/server"
import * as JSONSchema from "effect/JSONSchema"
import type * as Schema from "effect/Schema"
import type { AnyTool } from "../tools/Tool.js"

/** JSON Schema for a tool's input or output: draft-07 as effect generates it, without the `$schema` marker. */
export const toJsonSchema = (schema: Schema.Schema.AnyNoContext): ListedTool["inputSchema"] => {
  const { $schema: _, ...json } = JSONSchema.make(schema) as unknown as Record<string, unknown>
  return withoutGenerated(json) as ListedTool["inputSchema"]
}

/**
 * What an output schema need not say: it gives a result's shape (names, types, which are always there), while the
 * meaning of each field is the tool's description's and the answer's text's, and bounds are the input's business.
 * These cost characters on every `tools/list` and said the descriptions a second time.
 */
const NOT_SHAPE = new Set([
  "description",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minLength",
  "maxLength",
  "minItems",
  "maxItems"
])

/**
 * An output schema says what a result holds, and lists no field as required: an error answer's `structuredContent`
 * is `{ error }` instead of the result, and clients that check every `structuredContent` against the output schema,
 * error or not (the SDK's 1.x client, and so the MCP Inspector), would refuse every error answer of a schema with a
 * `required` list. An item leaves out every value Intervals.icu has not got anyway, so a program checks each field
 * it reads. `additionalProperties: false` adds nothing a program needs either. (Input schemas keep all of it:
 * unknown arguments are refused, and the descriptions are how a model learns each parameter.)
 */
const toOutputSchema = (schema: Schema.Schema.AnyNoContext) => {
  const strip = (value: unknown, depth: number): unknown => {
    if (Array.isArray(value)) return value.map((inner) => strip(inner, depth))
    if (typeof value !== "object" || value === null) return value
    if (depth > OUTPUT_DEPTH) return typeOnly(value as Record<string, unknown>)
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key, inner]) =>
          !NOT_SHAPE.has(key) &&
          !(key === "additionalProperties" && inner === false) &&
          !(key === "required" && Array.isArray(inner))
        )
        .map(([key, inner]) => [
          key,
          key === "properties"
            ? mapValues(inner, (child) => strip(child, depth + 1))
            : key === "items"
            ? strip(inner, depth + 1)
            : strip(inner, depth)
        ])
    )
  }
  return strip(toJsonSchema(schema), 0) as ListedTool["outputSchema"] & object
}

/**
 * How deep an output schema spells out fields: a result's own fields and the fields of what they hold (an activity
 * in a list, a week of a summary). Below that only the kind is given; the answer's text and the tool's description
 * say the rest, and a program reads the values it knows.
 */
const OUTPUT_DEPTH = 2

const typeOnly = (node: Record<string, unknown>): unknown =>
  typeof node["type"] === "string" || Array.isArray(node["type"]) ? { type: node["type"] } : {}

const mapValues = (record: unknown, f: (value: unknown) => unknown) =>
  Object.fromEntries(Object.entries(record as Record<string, unknown>).map(([key, value]) => [key, f(value)]))

/**
 * Effect titles every refinement after its filter ("between(1, 500)") and describes it in words ("a string at most
 * 200 character(s) long") beside the keyword that already says so (`maxLength: 200`): noise for a model and tokens
 * on every `tools/list`. A `title` that is a string is such a title (a property named "title" holds a schema
 * object); a description in Effect's wording of a built-in filter is such a description. Ours are written for the
 * model and kept.
 */
const withoutGenerated = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(withoutGenerated)
  if (typeof value !== "object" || value === null) return value
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, inner]) =>
        !(key === "title" && typeof inner === "string") &&
        !(key === "description" && typeof inner === "string" && GENERATED.test(inner)) &&
        !(key === "required" && Array.isArray(inner) && inner.length === 0)
      )
      .map(([key, inner]) => [key, withoutGenerated(inner)])
  )
}

/** Effect's own descriptions of its built-in filters (effect/Schema), which a keyword beside them restates. */
const GENERATED =
  /^(?:a string (?:at (?:most|least) \d+ character\(s\) long|matching the pattern .*)|a non empty string|an? (?:number|integer) (?:between .* and .*|(?:less|greater) than(?: or equal to)? .*)|an integer|a (?:positive|negative|non-negative|non-positive|finite) number|an array of (?:at (?:most|least)|exactly) \d+ item\(s\)|a non empty array)$/

export const listing = (tool: AnyTool): ListedTool => {
  // The title is said once, at the top level, not again in the annotations.
  const { title: _, ...annotations } = tool.annotations
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: toJsonSchema(tool.input),
    outputSchema: toOutputSchema(tool.output),
    annotations
  }
}

/** The parameter names a tool accepts, derived once per tool for the "unknown parameter" message. */
const parameterNames = new WeakMap<AnyTool, ReadonlyArray<string>>()
export const acceptedBy = (tool: AnyTool): ReadonlyArray<string> => {
  let names = parameterNames.get(tool)
  if (names === undefined) {
    names = Object.keys((toJsonSchema(tool.input).properties ?? {}) as object)
    parameterNames.set(tool, names)
  }
  return names
}
