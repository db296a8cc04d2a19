/**
 * Who the built-in demo athlete is, in a module of its own so that configuration can name the demo athlete without
 * loading the demo's data generator (which only demo mode needs).
 */
export const DEMO_ATHLETE_ID = "i424242"
export const DEMO_TIMEZONE = "Europe/Amsterdam"
/** The first line of every answer in demo mode. */
export const DEMO_NOTICE = "Demo data: the built-in sample athlete, not a real Intervals.icu account (changes last until " +
  "the server stops)."
