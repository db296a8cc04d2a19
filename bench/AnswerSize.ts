/**
 * What the six reads the old server also had cost a model, on the bench fixture: the characters of each answer's text
 * beside the characters the old server's text has for the same records (`OldServerText`), and the ratio between them,
 * whose target is a quarter. The text is what a model reads: the `text` items of the answer, not its resource links
 * or its structured result (whose size is reported beside it).
 */
import { inRange } from "../src/demo/InMemoryIntervals.js"
import { addDays, type Fixtures, POWER_RIDE_ID } from "../test/fake/Fixtures.js"
import { oldServerText } from "./OldServerText.js"

export interface CallResult {
  readonly content: Array<{ type?: string; text?: string }>
  readonly structuredContent?: unknown
  readonly isError?: boolean
}

export type Call = (name: string, args: Record<string, unknown>) => Promise<CallResult>

export interface AnswerSizeRow {
  readonly tool: string
  readonly text_chars: number
  readonly old_server_chars: number
  readonly vs_old_server: number
  readonly text_tokens: number
  readonly structured_chars: number
}

const TARGET = 0.25

/** The text a model reads from an answer: its text items, one after the other. */
export const answerText = (result: CallResult): string =>
  result.content.filter((item) => (item.type ?? "text") === "text" && typeof item.text === "string")
    .map((item) => item.text).join("\n")

export const measureAnswerSizes = async (
  call: Call,
  fixtures: Fixtures
): Promise<{ readonly tools: ReadonlyArray<AnswerSizeRow>; readonly target_vs_old_server: number }> => {
  const today = fixtures.today
  const from = addDays(today, -29)
  const firstEvent = addDays(today, 1)
  const lastEvent = addDays(today, fixtures.events.length)
  // The records the old server's request would have had back for the same arguments, chosen as the API chooses them.
  const activities = fixtures.activities.filter((a) => inRange(a.start_date_local, from, today))
  const wellness = fixtures.wellness.filter((w) => inRange(w.id, from, today))
  const events = fixtures.events.filter((e) => inRange(e.start_date_local, firstEvent, lastEvent))
  const ride = fixtures.activities.find((a) => a.id === POWER_RIDE_ID)
  const event = fixtures.events[0]
  const reads: ReadonlyArray<readonly [string, string, Record<string, unknown>, string]> = [
    [
      `get_activities (${activities.length} activities)`,
      "get_activities",
      { start_date: from, end_date: today, limit: activities.length },
      oldServerText.get_activities(activities)
    ],
    [
      `get_wellness_data (${wellness.length} days)`,
      "get_wellness_data",
      { start_date: from, end_date: today },
      oldServerText.get_wellness_data(wellness)
    ],
    [
      `get_activity_intervals (${fixtures.intervals.get(POWER_RIDE_ID)?.icu_intervals?.length ?? 0} intervals)`,
      "get_activity_intervals",
      { activity_id: POWER_RIDE_ID },
      oldServerText.get_activity_intervals(fixtures.intervals.get(POWER_RIDE_ID))
    ],
    [
      `get_events (${events.length} events)`,
      "get_events",
      { start_date: firstEvent, end_date: lastEvent },
      oldServerText.get_events(events)
    ],
    [
      "get_activity_details",
      "get_activity_details",
      { activity_id: POWER_RIDE_ID },
      oldServerText.get_activity_details(ride)
    ],
    ["get_event_by_id", "get_event_by_id", { event_id: event.id }, oldServerText.get_event_by_id(event)]
  ]
  const tools: Array<AnswerSizeRow> = []
  for (const [label, name, args, old] of reads) {
    const result = await call(name, args)
    if (result.isError) throw new Error(`${name}: ${answerText(result)}`)
    const text = answerText(result)
    tools.push({
      tool: label,
      text_chars: text.length,
      old_server_chars: old.length,
      vs_old_server: Math.round((text.length / old.length) * 100) / 100,
      text_tokens: Math.round(text.length / 4),
      structured_chars: JSON.stringify(result.structuredContent ?? null).length
    })
  }
  return { tools, target_vs_old_server: TARGET }
}
