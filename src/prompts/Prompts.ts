/**
 * The server's prompts (`prompts/list`, `prompts/get`): the conversations athletes and coaches start most, each a
 * user message that names the tools to use, in order, and the rules (confirm before writing, never ask for a key).
 * Arguments arrive as strings; each is decoded by its `Schema`, and a bad one is refused naming the argument and what
 * was expected. Prompts that write are not listed when the server is read-only, and a prompt names only tools the
 * server registers: where a toolset that is off would have helped, it says what to do with the core instead.
 */
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import type { WriteMode } from "../services/AppConfig.js"

interface PromptArgument {
  readonly name: string
  readonly description: string
  readonly required?: boolean
  /** Decodes the string the client sent. */
  readonly schema: Schema.Schema<unknown, string>
  /** Said in a refusal: what a good value looks like. */
  readonly expected: string
}

export interface Prompt {
  readonly name: string
  readonly title: string
  readonly description: string
  readonly arguments: ReadonlyArray<PromptArgument>
  /** Whether the prompt leads to writes (and so is left out in read-only mode). */
  readonly writes: boolean
  readonly text: (args: Readonly<Record<string, string | undefined>>, has: Registered) => string
}

/** Whether the server registers a tool, by name. */
export type Registered = (tool: string) => boolean

const RULES = "Rules: confirm with me before any change to my calendar or records, and show what will change first. " +
  "Never ask me for an API key or password in this chat. Say when data is missing rather than guessing."

const Date = Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/))
const Month = Schema.String.pipe(Schema.pattern(/^\d{4}-(0[1-9]|1[0-2])$/))
const ActivityId = Schema.String.pipe(Schema.pattern(/^(i?\d{1,20})$/))
const Days = Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 90))
const Hours = Schema.NumberFromString.pipe(Schema.between(1, 40))
const Text = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(300))
const Athlete = Schema.String.pipe(Schema.pattern(/^i?\d{1,12}$/))
const Sport = Schema.String.pipe(Schema.pattern(/^[A-Za-z]{2,40}$/))

/** For a coach: whose data the prompt is about. */
const athlete: PromptArgument = {
  name: "athlete_id",
  description: "For a coach: the athlete (i12345) this is about; yours when left out",
  schema: Athlete as Schema.Schema<unknown, string>,
  expected: "an athlete id such as i12345 (list_athletes gives them)"
}

/** "for athlete i12345 (athlete_id on every call)", or nothing for the configured athlete. */
const forAthlete = (id: string | undefined) =>
  when(id, (a) => ` for athlete ${a} (pass athlete_id ${a} to every tool)`)

const date = (name: string, description: string): PromptArgument => ({
  name,
  description: `${description} (YYYY-MM-DD)`,
  schema: Date as Schema.Schema<unknown, string>,
  expected: "a date, YYYY-MM-DD"
})
const activity = (name: string, description: string): PromptArgument => ({
  name,
  description,
  required: true,
  schema: ActivityId as Schema.Schema<unknown, string>,
  expected: "an Intervals.icu activity id such as i12345678"
})

const when = (value: string | undefined, text: (value: string) => string, otherwise = "") =>
  value === undefined || value === "" ? otherwise : text(value)

/** `text` where the server registers `tool`, else `otherwise`. */
const using = (has: Registered, tool: string, text: string, otherwise = "") => (has(tool) ? text : otherwise)

/** How a plan is shown and written: a block previewed with a token where the planning toolset is on, else by event. */
const planWrites = (has: Registered, what: string) =>
  using(
    has,
    "add_events_bulk",
    `Write each workout in Intervals.icu workout text and check it with validate_workout. Then call add_events_bulk ` +
      `with dry_run true and show me the preview: ${what}. Only when I say yes, call it again with dry_run false ` +
      "and the preview's token. ",
    "Write each workout in Intervals.icu workout text and show me the plan in the chat, day by day. Only when I say " +
      "yes, create each with add_or_update_event and tell me what its check found. "
  )

export const prompts: ReadonlyArray<Prompt> = [
  {
    name: "weekly_review",
    title: "Weekly review",
    description: "Review a week of training: volume and load by sport, key sessions, plan compliance, fitness and recovery.",
    arguments: [date("week_start", "The Monday of the week; the last full week when left out"), athlete],
    writes: false,
    text: (a) =>
      `Review my training week ${when(a["week_start"], (d) => `starting ${d}`, "(the last full week)")}` +
      `${forAthlete(a["athlete_id"])}. ` +
      "Use get_training_summary for the week (per sport: sessions, time, distance, load, time in zones, planned vs " +
      "completed), get_fitness for fitness, fatigue and form over the week, and get_wellness_data for sleep, HRV and " +
      "resting HR. Open the two or three key sessions with get_activity_details. Tell me what went well, what was " +
      `missed, and one thing to change next week. ${RULES}`
  },
  {
    name: "plan_next_week",
    title: "Plan next week",
    description: "Plan next week's workouts from current fitness and goals: previewed first, written only after you agree.",
    arguments: [
      {
        name: "goal",
        description: "What the week is for (e.g. 'build threshold', 'recovery', 'race on Sunday')",
        schema: Text as Schema.Schema<unknown, string>,
        expected: "a short text, up to 300 characters"
      },
      {
        name: "hours",
        description: "Training time available in the week, in hours",
        schema: Hours as Schema.Schema<unknown, string>,
        expected: "a number of hours from 1 to 40"
      },
      {
        name: "library_folder",
        description: "A folder of your workout library to take workouts from (needs the library toolset)",
        schema: Text as Schema.Schema<unknown, string>,
        expected: "a folder name, up to 300 characters"
      }
    ],
    writes: true,
    text: (a, has) =>
      `Plan my next training week${when(a["goal"], (g) => ` with this goal: ${g}`)}` +
      `${when(a["hours"], (h) => `, in about ${h} hours`)}.` +
      when(a["library_folder"], (f) =>
        using(
          has,
          "get_workout_library",
          ` Use the workouts of my library folder "${f}" where they fit (get_workout_library with folder), ` +
            "scheduling each by its library_workout_id.",
          ` I asked for my library folder "${f}", but this server does not list the library tools: plan without ` +
            "it and tell me so."
        )) +
      " First read get_athlete_profile (zones and thresholds), " +
      "get_fitness (current form and its projection) and get_events for next week (races, notes, workouts already " +
      "planned: keep them). " + planWrites(has, "each day, its load, and the projected form") + RULES
  },
  {
    name: "activity_deep_dive",
    title: "Activity deep dive",
    description: "Analyse one activity: intervals, power and heart rate, pacing, decoupling, and how it compares.",
    arguments: [activity("activity_id", "The activity to analyse")],
    writes: false,
    text: (a, has) =>
      `Analyse my activity ${a["activity_id"]}. Use get_activity_details, then get_activity_intervals for the work ` +
      "intervals" +
      using(has, "get_activity_analysis", ", and get_activity_analysis for time in zones, decoupling and the best efforts") +
      using(has, "get_activity_messages", "; read get_activity_messages for comments") +
      ". Compare it with similar sessions from search_activities. Explain what the numbers say about my fitness, " +
      `with units. ${RULES}`
  },
  {
    name: "recovery_check",
    title: "Recovery check",
    description: "Am I recovered? Wellness (HRV, resting HR, sleep, soreness) against training load and form.",
    arguments: [{
      name: "days",
      description: "How many days to look back (1–90; 14 when left out)",
      schema: Days as Schema.Schema<unknown, string>,
      expected: "a whole number of days from 1 to 90"
    }, athlete],
    writes: false,
    text: (a) =>
      `Check my recovery over the last ${a["days"] ?? "14"} days${forAthlete(a["athlete_id"])}. Use get_wellness_data (HRV, resting HR, sleep, ` +
      "soreness, fatigue, stress; say each scale) and get_fitness (fatigue and form, and what Intervals.icu calls " +
      "that form). Tell me whether to train hard, easy, or rest today, and why. " + RULES
  },
  {
    name: "race_week_taper",
    title: "Race-week taper",
    description: "Shape the days before a race: form on race day, a taper plan previewed before anything is written.",
    arguments: [date("race_date", "The race day; the next A race in the calendar when left out")],
    writes: true,
    text: (a, has) =>
      `Help me taper for my race${when(a["race_date"], (d) => ` on ${d}`, " (the next A race in my calendar)")}. ` +
      "Find it with get_events, read get_fitness with its projection to race day, and propose the days before it " +
      "(volume down, some intensity kept). " + planWrites(has, "each day, its load, and the projected form on race day") +
      RULES
  },
  {
    name: "compare_sessions",
    title: "Compare two sessions",
    description: "Compare two activities side by side: intervals, power, heart rate, and what changed between them.",
    arguments: [
      activity("first_activity_id", "The earlier session"),
      activity("second_activity_id", "The later session")
    ],
    writes: false,
    text: (a, has) =>
      `Compare my sessions ${a["first_activity_id"]} and ${a["second_activity_id"]}. For each, use ` +
      using(has, "get_activity_analysis", "get_activity_details, get_activity_intervals and get_activity_analysis", "get_activity_details and get_activity_intervals") +
      ". Put the matching intervals side by " +
      "side (power, heart rate, cadence, duration), and tell me what improved, what did not, and how much of it is " +
      `conditions (weather, fatigue before the session). ${RULES}`
  },
  {
    name: "monthly_progress",
    title: "Monthly progress report",
    description: "A month in review: volume, load and fitness trend, best efforts and curves, against the month before.",
    arguments: [{
      name: "month",
      description: "The month, YYYY-MM; the last full month when left out",
      schema: Month as Schema.Schema<unknown, string>,
      expected: "a month, YYYY-MM"
    }, {
      name: "sport",
      description: "Only this sport type (Ride, Run, Swim, …); all sports when left out",
      schema: Sport as Schema.Schema<unknown, string>,
      expected: "a sport type such as Ride or Run"
    }, athlete],
    writes: false,
    text: (a, has) =>
      `Write my progress report for ${a["month"] ?? "the last full month"}` +
      `${when(a["sport"], (s) => `, for ${s} only`)}${forAthlete(a["athlete_id"])}. Use get_training_summary by month ` +
      "(this month and the one before), get_fitness weekly, " +
      using(has, "get_athlete_power_curves", "get_athlete_power_curves and get_athlete_curves for best efforts, ") +
      "and search_activities for the key sessions. Give totals with units, the trend, and what to focus " +
      `on next month. ${RULES}`
  },
  {
    name: "setup_check",
    title: "Set-up check",
    description: "Check that the server works for you: whose account it reads, timezone, sports and zones, write mode.",
    arguments: [],
    writes: false,
    text: () =>
      "Check that this Intervals.icu server is set up for me. Call get_athlete_profile (whose account, timezone, " +
      "today's date, sports with FTP, LTHR and threshold pace, zones), list_athletes (athletes who share with me), " +
      "and get_events for the next 7 days. Report what works, what is missing (for example a sport without zones), " +
      "and whether the server can write (it lists tools that change data only when its owner allows writes). " + RULES
  }
]

export const promptsFor = (mode: WriteMode): ReadonlyArray<Prompt> =>
  mode === "read-only" ? prompts.filter((p) => !p.writes) : prompts

/** A prompt's arguments checked: the messages, or what is wrong, naming the argument. */
export const renderPrompt = (
  prompt: Prompt,
  args: Readonly<Record<string, string>>,
  has: Registered
): Either.Either<string, string> => {
  const unknown = Object.keys(args).filter((key) => !prompt.arguments.some((a) => a.name === key))
  if (unknown.length > 0) {
    return Either.left(
      `${prompt.name} has no argument ${unknown.slice(0, 5).map((k) => JSON.stringify(k.slice(0, 40))).join(", ")}` +
        `${unknown.length > 5 ? ` (and ${unknown.length - 5} more)` : ""}; it takes ` +
        (prompt.arguments.length === 0 ? "none" : prompt.arguments.map((a) => a.name).join(", "))
    )
  }
  for (const argument of prompt.arguments) {
    const value = args[argument.name]
    if (value === undefined || value === "") {
      if (argument.required === true) return Either.left(`${prompt.name} needs ${argument.name}: ${argument.expected}`)
      continue
    }
    const decoded = Schema.decodeUnknownEither(argument.schema)(value)
    if (Either.isLeft(decoded)) {
      const shown = value.length > 40 ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} characters)` : JSON.stringify(value)
      return Either.left(`${prompt.name}: ${argument.name} must be ${argument.expected}, got ${shown}`)
    }
  }
  return Either.right(prompt.text(args, has))
}
