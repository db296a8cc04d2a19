/**
 * Custom items: the athlete's own charts, fields, streams and zones.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { AnswerId, ItemId } from "../domain/Ids.js"
import { boundedText, lineText } from "../domain/Limits.js"
import { CustomItemType, Visibility } from "../domain/Intervals.js"
import type { CustomItem } from "../domain/Intervals.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import * as Format from "./Format.js"
import { athleteIdParam, resolveAthlete } from "./Params.js"
import { compact, confirmWrite, make, optional, ToolFailure } from "./Tool.js"
import { CustomItemKind, entryOf, journal, pick } from "./Undo.js"


/** `content` arrives as JSON text and must be a JSON object. */
/** The most of an item's definition taken: Intervals.icu's own items are a few kilobytes. */
const MAX_CONTENT = 100_000

const Content = boundedText(MAX_CONTENT, 2).pipe(
  Schema.compose(
    Schema.parseJson(Schema.Record({ key: Schema.String, value: Schema.Unknown })).annotations({
      message: () => ({ message: "expected a JSON object as text, e.g. \"{\\\"code\\\": \\\"…\\\"}\"", override: true })
    })
  )
).annotations({ description: "The item's definition, as a JSON object in text" })

const ItemSummary = Schema.Struct({
  id: AnswerId,
  name: optional(Schema.String),
  item_type: optional(Schema.String),
  visibility: optional(Schema.String),
  description: optional(Schema.String)
})
const ItemDetail = Schema.Struct({
  ...ItemSummary.fields,
  content: optional(Schema.String.annotations({ description: "The definition, JSON text" })),
  updated: optional(Schema.String)
})

const summary = (item: CustomItem) => ({
  id: item.id,
  ...compact({
    name: item.name,
    item_type: item.type,
    visibility: item.visibility,
    description: Format.oneLine(item.description, 200)
  })
})

const detail = (item: CustomItem) => ({
  ...summary(item),
  ...compact({
    description: item.description ?? undefined,
    content: item.content == null ? undefined : JSON.stringify(item.content),
    updated: item.updated
  })
})

const line = (item: typeof ItemSummary.Type) =>
  Format.join([`${item.id}`, item.item_type, Format.quote(item.name), item.visibility, item.description], " · ")

const renderDetail = ({ content, description, ...rest }: typeof ItemDetail.Type) =>
  [line(rest), description, content && `content: ${content}`]
    .filter((part): part is string => typeof part === "string").join("\n")

const WRITE = "Allowed in INTERVALS_WRITE_MODE safe (default) and full; not registered in read-only."
const writeAnnotations = (title: string, destructive: boolean, idempotent: boolean) => ({
  title,
  readOnlyHint: false,
  destructiveHint: destructive,
  idempotentHint: idempotent,
  openWorldHint: true
})

export const getCustomItems = make({
  name: "get_custom_items",
  title: "Custom items",
  description: "The athlete's custom items (charts, fitness tables, input/activity/interval fields, streams, panels, " +
    "zones), one line each with id, type, name and visibility.",
  annotations: { title: "Custom items", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({ athlete_id: athleteIdParam }),
  output: Schema.Struct({ items: Schema.Array(ItemSummary) }),
  run: Effect.fn("get_custom_items")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const items = yield* Effect.flatMap(IntervalsClient, (client) => client.customItems(athleteId))
    return { items: items.map(summary) }
  }),
  render: (out) =>
    out.items.length === 0
      ? "No custom items."
      : [`${Format.plural(out.items.length, "custom item")}:`, ...out.items.map(line)].join("\n")
})

export const getCustomItemById = make({
  name: "get_custom_item_by_id",
  title: "Custom item",
  description: "One custom item in full, with its definition (content) as JSON text.",
  annotations: { title: "Custom item", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({ item_id: ItemId, athlete_id: athleteIdParam }),
  output: ItemDetail,
  run: Effect.fn("get_custom_item_by_id")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    return detail(yield* Effect.flatMap(IntervalsClient, (client) => client.customItem(athleteId, input.item_id)))
  }),
  render: renderDetail
})

export const createCustomItem = make({
  name: "create_custom_item",
  title: "Create a custom item",
  description: "Create a custom item (chart, field, stream, zones…) from a name, an item_type and its content as " +
    "JSON text. Each call creates a new item. " + WRITE,
  annotations: writeAnnotations("Create a custom item", false, false),
  input: Schema.Struct({
    athlete_id: athleteIdParam,
    name: lineText(200),
    item_type: CustomItemType,
    content: Content,
    description: optional(boundedText(5000)),
    visibility: optional(Visibility.annotations({ description: "Default PRIVATE" }))
  }),
  output: ItemDetail,
  run: Effect.fn("create_custom_item")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const client = yield* IntervalsClient
    const created = yield* client.createCustomItem(athleteId, {
      name: input.name,
      type: input.item_type,
      content: input.content,
      visibility: input.visibility ?? "PRIVATE",
      ...compact({ description: input.description })
    })
    const label = Format.quote(created.name) ?? "unnamed"
    yield* journal(entryOf("create_custom_item", `created custom item ${created.id} ${label}`, CustomItemKind(athleteId), [
      { id: String(created.id), label, after: pick(created as unknown as Record<string, unknown>, ["name", "type"]) }
    ]))
    return detail(created)
  }),
  render: (item) => `Created custom item ${item.id}.\n${renderDetail(item)}`
})

export const updateCustomItem = make({
  name: "update_custom_item",
  title: "Change a custom item",
  description: "Change a custom item: only the fields given are sent, the rest is kept. " + WRITE,
  annotations: writeAnnotations("Change a custom item", true, true),
  input: Schema.Struct({
    item_id: ItemId,
    athlete_id: athleteIdParam,
    name: optional(lineText(200)),
    item_type: optional(CustomItemType),
    content: optional(Content),
    description: optional(boundedText(5000)),
    visibility: optional(Visibility)
  }),
  output: ItemDetail,
  run: Effect.fn("update_custom_item")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const fields = compact({
      name: input.name,
      type: input.item_type,
      content: input.content,
      description: input.description,
      visibility: input.visibility
    })
    if (Object.keys(fields).length === 0) {
      return yield* new ToolFailure({ message: "Nothing to update: give at least one field besides item_id." })
    }
    const client = yield* IntervalsClient
    const before = yield* client.customItem(athleteId, input.item_id)
    const updated = yield* client.updateCustomItem(athleteId, input.item_id, fields)
    const keys = Object.keys(fields)
    const label = Format.quote(updated.name) ?? "unnamed"
    yield* journal(entryOf("update_custom_item", `updated custom item ${updated.id} ${label}`, CustomItemKind(athleteId), [{
      id: String(updated.id),
      label,
      before: pick(before as unknown as Record<string, unknown>, keys),
      after: pick(updated as unknown as Record<string, unknown>, keys)
    }]))
    return detail(updated)
  }),
  render: (item) => `Updated custom item ${item.id}.\n${renderDetail(item)}`
})

export const deleteCustomItem = make({
  name: "delete_custom_item",
  title: "Delete a custom item",
  description: "Delete one custom item. " + WRITE,
  annotations: writeAnnotations("Delete a custom item", true, true),
  input: Schema.Struct({ item_id: ItemId, athlete_id: athleteIdParam }),
  output: Schema.Struct({ deleted: ItemSummary }),
  run: Effect.fn("delete_custom_item")(function*(input) {
    const athleteId = yield* resolveAthlete(input.athlete_id)
    const client = yield* IntervalsClient
    const item = yield* client.customItem(athleteId, input.item_id)
    yield* confirmWrite({ message: `Delete the custom item "${item.name ?? "unnamed"}" (${item.id})?` })
    yield* client.deleteCustomItem(athleteId, input.item_id)
    const label = Format.quote(item.name) ?? "unnamed"
    yield* journal(entryOf("delete_custom_item", `deleted custom item ${item.id} ${label}`, CustomItemKind(athleteId), [{
      id: String(item.id),
      label,
      before: Object.fromEntries(
        Object.entries(pick(item as unknown as Record<string, unknown>, ["name", "type", "content", "description", "visibility"]))
          .filter(([, value]) => value !== null)
      )
    }]))
    return { deleted: summary(item) }
  }),
  render: (out) => `Deleted custom item ${line(out.deleted)}`
})
