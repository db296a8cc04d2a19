/**
 * The server's resources: two guides (the workout-text syntax `validate_workout` enforces, and what each event
 * category means), the athlete's profile as JSON, and templates for one activity or one event, so that clients that
 * attach resources can. The data ones are read through the tools (the same decoding, cache and errors), and every
 * tool answer that mentions an activity or an event links to it (`linksOf`).
 */

export const WORKOUT_SYNTAX_URI = "intervals://docs/workout-syntax"
export const CATEGORIES_URI = "intervals://docs/event-categories"
export const PROFILE_URI = "intervals://athlete/profile"

/** The syntax guide: what `validate_workout` reads and reports, in one place (see WorkoutText and WorkoutCheck). */
export const WORKOUT_SYNTAX = `# Intervals.icu workout text

One step a line, starting with "- ": \`- [cue text] <duration or distance> [ramp] <target> [cadence]\`.

- Duration: \`30s\`, \`10m\`, \`1h\`, \`1h30m\`, \`5'\` (minutes), \`30"\` (seconds). A bare \`m\` is MINUTES.
  Never write \`min\` or \`sec\`.
- Distance: \`400mtr\`, \`1km\`, \`2mi\`, \`100yrd\` (metres are \`mtr\`, so \`400m\` is 400 minutes).
- Power: \`75%\` (of FTP), \`250w\`, \`Z2\`, a range \`88-94%\`; \`ramp 50-75%\` climbs through the range.
- Heart rate: \`70% HR\`, \`85% LTHR\`, \`Z2 HR\`. Pace (runs, swims): \`90% Pace\`, \`Z2 Pace\`, \`5:00/km Pace\`.
- Cadence: \`90rpm\` after the target. Every number target needs its unit (\`%\`, \`w\`, \`rpm\`).
- Repeats: a line \`4x\` (or \`4x Main set\`) followed by its steps, with a blank line before and after the block.
  Repeats do not nest.
- Cue text goes before the duration (\`- Spin easy 10m 55%\`); a number in the cue that looks like a target is read
  as one.
- Sport: no pace target on a ride (use power or HR), no power target on a swim.

Example (a ride):

\`\`\`
- Warm up 10m ramp 50-70%

4x
- 8m 95-100% 90rpm
- 4m 55%

- Cool down 10m 50%
\`\`\`

validate_workout checks a text (or a workout_doc) with the athlete's zones before anything is saved, and reports
each of the mistakes above with its line.
`

export const EVENT_CATEGORIES = `# Calendar event categories

- WORKOUT: a planned session (with workout text or a workout_doc it has steps, load and time; it pairs with the
  activity done that day).
- RACE_A, RACE_B, RACE_C: a race by priority. A is the season's goal (taper for it), B matters, C is training.
- NOTE: free text on a day (travel, illness, a reminder); no load.
- TARGET: a weekly or daily target of time, distance or load.
- PLAN: the start of a training plan applied from the library.
- HOLIDAY, SICK, INJURED: days off the plan, for what they are; they explain missed workouts.
- SEASON_START: the start of a season (fitness charts and records split there).
- SET_EFTP, FITNESS_DAYS, SET_FITNESS: settings on a day (an eFTP, or fitness and fatigue values) that Intervals.icu
  uses from then on.

In safe mode (the default) an event dated before today is never changed, moved or deleted.
`

export interface StaticResource {
  readonly uri: string
  readonly name: string
  readonly title: string
  readonly description: string
  readonly mimeType: string
  /** The text itself, or the tool (and arguments) that reads it. */
  readonly content: { readonly text: string } | { readonly tool: string; readonly args: Record<string, unknown> }
}

export const staticResources: ReadonlyArray<StaticResource> = [
  {
    uri: WORKOUT_SYNTAX_URI,
    name: "workout-syntax",
    title: "Workout text syntax",
    description: "How to write Intervals.icu workout text: steps, durations, targets, repeats, and the usual mistakes",
    mimeType: "text/markdown",
    content: { text: WORKOUT_SYNTAX }
  },
  {
    uri: CATEGORIES_URI,
    name: "event-categories",
    title: "Event categories",
    description: "What each calendar event category means (workouts, races by priority, notes, targets, days off)",
    mimeType: "text/markdown",
    content: { text: EVENT_CATEGORIES }
  },
  {
    uri: PROFILE_URI,
    name: "athlete-profile",
    title: "Athlete profile",
    description: "The athlete's settings per sport (FTP, LTHR, threshold pace, zones), weight and timezone, as JSON",
    mimeType: "application/json",
    content: { tool: "get_athlete_profile", args: {} }
  }
]

export const resourceTemplates = [
  {
    uriTemplate: "intervals://activity/{id}",
    name: "activity",
    title: "An activity",
    description: "One activity by its id (i12345678): its details as JSON",
    mimeType: "application/json"
  },
  {
    uriTemplate: "intervals://event/{id}",
    name: "event",
    title: "A calendar event",
    description: "One planned workout, race or note by its id: its details as JSON",
    mimeType: "application/json"
  }
] as const

/** What a resource URI reads: a static resource, or a tool call for a template. */
export const resolve = (
  uri: string
): StaticResource["content"] | undefined => {
  const fixed = staticResources.find((resource) => resource.uri === uri)
  if (fixed !== undefined) return fixed.content
  const activity = /^intervals:\/\/activity\/(i?\d{1,20})$/.exec(uri)
  if (activity !== null) return { tool: "get_activity_details", args: { activity_id: activity[1] } }
  const event = /^intervals:\/\/event\/(\d{1,20})$/.exec(uri)
  if (event !== null) return { tool: "get_event_by_id", args: { event_id: event[1] } }
  return undefined
}

/** How many links one answer carries at most: a list of 200 activities links to its first ones. */
const MAX_LINKS = 20

interface Link {
  readonly type: "resource_link"
  readonly uri: string
  readonly name: string
  readonly mimeType: "application/json"
}

const idOf = (value: unknown): string | undefined => {
  if (typeof value !== "object" || value === null) return undefined
  const id = (value as { id?: unknown }).id
  return typeof id === "string" || typeof id === "number" ? String(id) : undefined
}

const nameOf = (value: unknown, fallback: string) => {
  const name = (value as { name?: unknown }).name
  return typeof name === "string" && name !== "" ? name.slice(0, 100) : fallback
}

/**
 * Links to the activities and events an answer mentions (`activity`, `event`, `activities`, `events` in its
 * structured result), so that a client can attach or open them.
 */
export const linksOf = (structured: unknown): ReadonlyArray<Link> => {
  if (typeof structured !== "object" || structured === null) return []
  const record = structured as Record<string, unknown>
  const links: Array<Link> = []
  const add = (kind: "activity" | "event", item: unknown) => {
    const id = idOf(item)
    if (id === undefined || links.length >= MAX_LINKS) return
    const uri = `intervals://${kind}/${id}`
    if (kind === "activity" ? !/^i?\d{1,20}$/.test(id) : !/^\d{1,20}$/.test(id)) return
    if (links.some((link) => link.uri === uri)) return
    links.push({ type: "resource_link", uri, name: nameOf(item, `${kind} ${id}`), mimeType: "application/json" })
  }
  // An answer about one record has it at the top: an event by its category, an activity by its id.
  if ("category" in record) add("event", record)
  else if (typeof record["id"] === "string" && /^i\d+$/.test(record["id"])) add("activity", record)
  add("activity", record["activity"])
  add("event", record["event"])
  for (const item of Array.isArray(record["activities"]) ? record["activities"] : []) add("activity", item)
  for (const item of Array.isArray(record["events"]) ? record["events"] : []) add("event", item)
  return links
}
