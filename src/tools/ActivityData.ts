/**
 * More of one activity: its recorded streams, summarised, and its comments.
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { describe } from "../services/Decoding.js"
import { ActivityId, AnswerId } from "../domain/Ids.js"
import { boundedText } from "../domain/Limits.js"
import type { ActivityStream } from "../domain/Intervals.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import * as Format from "./Format.js"
import { boundedInt } from "./Params.js"
import { irreversible } from "./Undo.js"
import { compact, make, Num, optional } from "./Tool.js"

const DEFAULT_TYPES = ["time", "watts", "heartrate", "cadence", "altitude", "distance", "velocity_smooth"]

/**
 * The streams Intervals.icu records that hold one number per sample, with the unit each is in. Others (`moving`,
 * booleans; `hrv`, lists of beats) do not fit this summary, and a misspelt name would only come back as nothing, so
 * names outside this list are refused before any request.
 */
const STREAM_UNITS: Readonly<Record<string, string>> = {
  time: "s",
  watts: "W",
  heartrate: "bpm",
  cadence: "rpm or spm",
  altitude: "m",
  distance: "m",
  velocity_smooth: "m/s",
  latlng: "° latitude",
  grade_smooth: "%",
  temp: "°C",
  torque: "N·m",
  respiration: "breaths/min",
  left_right_balance: "% left",
  fixed_watts: "W",
  fixed_heartrate: "bpm",
  fixed_altitude: "m",
  ga_velocity: "m/s",
  w_bal: "J",
  smo2: "%",
  thb: "g/dL",
  core_temperature: "°C",
  dfa_a1: "",
  stride_length: "m",
  epoc: "ml/kg"
}
const STREAM_TYPES = Object.keys(STREAM_UNITS)

const StreamTypes = boundedText(600).pipe(
  Schema.filter((s) => /^[A-Za-z0-9_]{1,40}(,[A-Za-z0-9_]{1,40}){0,29}$/.test(s.replace(/\s+/g, "")), {
    message: (issue) =>
      `expected a comma-separated list of at most 30 stream types like "watts,heartrate", got ${describe(issue.actual)}`
  }),
  Schema.filter((s) => {
    const unknown = s.replace(/\s+/g, "").split(",").filter((type) => !Object.hasOwn(STREAM_UNITS, type))
    return unknown.length === 0 ||
      `unknown stream type${unknown.length > 1 ? "s" : ""} ${unknown.map((t) => JSON.stringify(t)).join(", ")}; ` +
        `expected some of ${STREAM_TYPES.join(", ")}`
  }, {
    // Without a JSON Schema of its own, a filter is skipped by the generator, and the description set on it with it.
    jsonSchema: {}
  })
)

const StreamSummary = Schema.Struct({
  type: Schema.String,
  count: Schema.Number.annotations({ description: "Samples recorded (non-null)" }),
  min: Num,
  max: Num,
  mean: Num,
  normalized_power: optional(Schema.Number.annotations({ description: "For watts: 30 s rolling, 4th-power mean" })),
  series: Schema.Array(Schema.NullOr(Schema.Number)).annotations({
    description: "At most max_points samples, evenly spaced over the activity"
  }),
  data: optional(Schema.Array(Schema.NullOr(Schema.Number)).annotations({ description: "Every sample (full=true)" }))
})
type StreamSummary = typeof StreamSummary.Type

/** Evenly spaced samples, first and last included. */
export const downsample = <A>(data: ReadonlyArray<A>, points: number): Array<A> => {
  if (data.length <= points) return [...data]
  if (points === 1) return [data[0]!]
  return Array.from({ length: points }, (_, i) => data[Math.round((i * (data.length - 1)) / (points - 1))]!)
}

/** Normalized power from 1 Hz watts: the 4th root of the mean 4th power of the 30 s rolling average. */
export const normalizedPower = (watts: ReadonlyArray<number | null>): number | undefined => {
  if (watts.length < 30) return undefined
  let window = 0
  let sum = 0
  let count = 0
  for (let i = 0; i < watts.length; i++) {
    window += watts[i] ?? 0
    if (i >= 30) window -= watts[i - 30] ?? 0
    if (i >= 29) {
      sum += (window / 30) ** 4
      count++
    }
  }
  return Math.round((sum / count) ** 0.25)
}

const summarise = (stream: ActivityStream, points: number, full: boolean): StreamSummary => {
  const data = stream.data ?? []
  const known = data.filter((v): v is number => typeof v === "number")
  const digits = stream.type === "velocity_smooth" ? 3 : 1
  return {
    type: stream.type,
    count: known.length,
    ...compact({
      min: known.length > 0 ? Format.round(Math.min(...known), digits) : undefined,
      max: known.length > 0 ? Format.round(Math.max(...known), digits) : undefined,
      mean: known.length > 0 ? Format.round(known.reduce((a, b) => a + b, 0) / known.length, digits) : undefined,
      normalized_power: stream.type === "watts" ? normalizedPower(data) : undefined,
      data: full ? data : undefined
    }),
    series: downsample(data, points)
  }
}

const unitsLine = (streams: ReadonlyArray<{ readonly type: string }>) => {
  const units = streams.filter((s) => Object.hasOwn(STREAM_UNITS, s.type) && STREAM_UNITS[s.type] !== "")
  return units.length === 0 ? undefined : `Units: ${units.map((s) => `${s.type} ${STREAM_UNITS[s.type]}`).join(", ")}.`
}

export const getActivityStreams = make({
  name: "get_activity_streams",
  title: "Activity streams",
  description: "The second-by-second recordings of one activity (power, heart rate, cadence, altitude, speed…), " +
    "summarised per stream: sample count, min, max, mean, normalized power for watts, and an evenly downsampled " +
    "series of at most max_points points (include \"time\" to know where each point falls). full=true also returns " +
    "every sample in the structured result. Use an id from get_activities.",
  annotations: { title: "Activity streams", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({
    activity_id: ActivityId,
    stream_types: optional(StreamTypes.annotations({
      description: `Comma-separated, of: ${STREAM_TYPES.join(",")}. Default: ${DEFAULT_TYPES.join(",")}`
    })),
    max_points: optional(boundedInt(2, 2000, "Most points per downsampled series. Default 200")),
    full: optional(Schema.Boolean.annotations({ description: "Also return every sample. Default false" }))
  }),
  output: Schema.Struct({ activity_id: Schema.String, streams: Schema.Array(StreamSummary) }),
  run: Effect.fn("get_activity_streams")(function*(input) {
    const types = input.stream_types === undefined
      ? DEFAULT_TYPES
      : input.stream_types.replace(/\s+/g, "").split(",")
    const client = yield* IntervalsClient
    const streams = yield* client.streams(input.activity_id, types)
    return {
      activity_id: input.activity_id,
      streams: streams.map((s) => summarise(s, input.max_points ?? 200, input.full ?? false))
    }
  }),
  render: (out) =>
    out.streams.length === 0
      ? `Activity ${out.activity_id} has none of the requested streams.`
      : [
        `Streams of activity ${out.activity_id} (series downsampled to at most ${
          Math.max(...out.streams.map((s) => s.series.length))
        } points):`,
        ...out.streams.map((s) =>
          `${s.type}: ` + Format.join([
            `${s.count} samples`,
            s.min !== undefined && `min ${s.min}`,
            s.max !== undefined && `max ${s.max}`,
            s.mean !== undefined && `mean ${s.mean}`,
            s.normalized_power !== undefined && `NP ${s.normalized_power} W`
          ], ", ") + `\n  ${s.series.map((v) => (v === null ? "-" : String(Format.round(v, 1)))).join(" ")}`
        ),
        // On a line of its own, so that each stream's line stays the same shape for a reader that parses it.
        unitsLine(out.streams)
      ].filter((line) => line !== undefined).join("\n")
})

// ---------------------------------------------------------------------------------------------------------------
// Comments

const MessageView = Schema.Struct({
  id: AnswerId,
  author: optional(Schema.String),
  created: optional(Schema.String),
  content: Schema.String
})

export const getActivityMessages = make({
  name: "get_activity_messages",
  title: "Activity comments",
  description: "The comments (messages) on one activity, oldest first, with author and time. Use an id from " +
    "get_activities.",
  annotations: { title: "Activity comments", readOnlyHint: true, openWorldHint: true, idempotentHint: true },
  input: Schema.Struct({ activity_id: ActivityId }),
  output: Schema.Struct({ activity_id: Schema.String, messages: Schema.Array(MessageView) }),
  run: Effect.fn("get_activity_messages")(function*(input) {
    const client = yield* IntervalsClient
    const messages = yield* client.messages(input.activity_id)
    return {
      activity_id: input.activity_id,
      messages: messages.filter((m) => !m.deleted).map((m) => ({
        id: m.id,
        content: m.content ?? "",
        ...compact({ author: m.name, created: m.created })
      }))
    }
  }),
  render: (out) =>
    out.messages.length === 0
      ? `No comments on activity ${out.activity_id}.`
      : [
        `${Format.plural(out.messages.length, "comment")} on activity ${out.activity_id}:`,
        ...out.messages.map((m) =>
          Format.join([Format.localDateTime(m.created), m.author, Format.oneLine(m.content, 600)], " · ")
        )
      ].join("\n")
})

export const addActivityMessage = make({
  name: "add_activity_message",
  title: "Comment on an activity",
  description: "Post a comment on one activity, as the athlete who owns the API key. Each call posts a new comment. " +
    "Allowed in INTERVALS_WRITE_MODE safe (default) and full; not registered in read-only.",
  annotations: {
    title: "Comment on an activity",
    readOnlyHint: false,
    destructiveHint: false,
    idempotentHint: false,
    openWorldHint: true
  },
  input: Schema.Struct({
    activity_id: ActivityId,
    content: boundedText(4000, 1).annotations({
      description: "The comment's text"
    })
  }),
  output: Schema.Struct({ activity_id: Schema.String, message_id: AnswerId }),
  run: Effect.fn("add_activity_message")(function*(input) {
    const client = yield* IntervalsClient
    const created = yield* client.addMessage(input.activity_id, input.content)
    yield* irreversible(
      "add_activity_message",
      `commented on activity ${input.activity_id}`,
      "Intervals.icu's API cannot delete a comment"
    )
    return { activity_id: input.activity_id, message_id: created.id }
  }),
  render: (out) => `Posted comment ${out.message_id} on activity ${out.activity_id}.`
})
