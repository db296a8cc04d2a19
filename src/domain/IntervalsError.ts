/**
 * What can go wrong when talking to Intervals.icu. Each error's `message` is written for the model reading the tool
 * answer: what failed, why, and what to do next.
 */
import * as Schema from "effect/Schema"

const Request = {
  method: Schema.String,
  path: Schema.String
}

/** How many attempts a failure took, for the message ("after 4 attempts"): reads are retried, writes are not. */
const Attempts = { attempts: Schema.optional(Schema.Number) }

const afterAttempts = (attempts: number | undefined) => (attempts !== undefined && attempts > 1 ? ` after ${attempts} attempts` : "")

/** Paths whose last segment is the id of one thing (an activity, an event, a custom item…). */
const ONE_THING = /^\/(activity\/[^/]+(\/[a-z-]+)?|athlete\/[^/]+\/(events|custom-item|workouts|folders|gear|wellness)\/[^/]+)$/

export class IntervalsUnauthorized extends Schema.TaggedError<IntervalsUnauthorized>()("IntervalsUnauthorized", {
  ...Request
}) {
  override get message() {
    return "401 Unauthorized: Intervals.icu refused the request as unauthenticated; check that API_KEY is set to the key " +
      "from Intervals.icu Settings > Developer Settings."
  }
}

export class IntervalsForbidden extends Schema.TaggedError<IntervalsForbidden>()("IntervalsForbidden", {
  ...Request,
  detail: Schema.optional(Schema.String)
}) {
  override get message() {
    const athlete = /^\/athlete\/([^/]+)/.exec(this.path)?.[1]
    const activity = /^\/activity\/([^/]+)/.exec(this.path)?.[1]
    const what = athlete !== undefined && athlete !== "0"
      ? ` to athlete ${decodeURIComponent(athlete)}`
      : activity !== undefined
      ? ` to activity ${decodeURIComponent(activity)}`
      : ""
    return `403 Forbidden: Intervals.icu denied access${what}` + (this.detail ? ` (${this.detail})` : "") + ". " +
      (what === ""
        ? "Check that API_KEY is the key from Intervals.icu Settings > Developer Settings."
        : `${activity !== undefined ? "It belongs to an athlete who" : "That athlete"} does not share their data ` +
          "with the key's owner, or the id is wrong: list_athletes shows whom this key may read. If it is the key's " +
          "own athlete, check API_KEY and ATHLETE_ID.")
  }
}

export class IntervalsNotFound extends Schema.TaggedError<IntervalsNotFound>()("IntervalsNotFound", {
  ...Request
}) {
  override get message() {
    if (ONE_THING.test(this.path)) {
      return `404 Not Found: Intervals.icu has nothing at ${this.path}. Check the id (list activities or events ` +
        "first to get a valid one)."
    }
    if (/^\/athlete\/[^/]+$/.test(this.path)) {
      return `404 Not Found: Intervals.icu knows no athlete at ${this.path}; check ATHLETE_ID and any athlete_id given.`
    }
    return `404 Not Found: Intervals.icu has nothing at ${this.path}; check INTERVALS_API_BASE_URL (it should end ` +
      "in /api/v1)."
  }
}

export class IntervalsRejected extends Schema.TaggedError<IntervalsRejected>()("IntervalsRejected", {
  ...Request,
  status: Schema.Number,
  detail: Schema.String,
  /** Where a 3xx answer pointed. */
  location: Schema.optional(Schema.String)
}) {
  override get message() {
    if (this.status >= 300 && this.status < 400) {
      return `${this.status}: Intervals.icu redirected ${this.method} ${this.path} to ` +
        `${this.location ?? "an address it did not give"}; this server does not follow redirects. Check ` +
        "INTERVALS_API_BASE_URL (it should be https://intervals.icu/api/v1)."
    }
    return `${this.status}: Intervals.icu rejected the request: ${this.detail}` +
      (/strava/i.test(this.detail)
        ? ". This activity was synced from Strava, and Intervals.icu cannot share Strava data through its API; " +
          "only activities recorded by a device or uploaded to Intervals.icu can be read."
        : "")
  }
}

export class IntervalsRateLimited extends Schema.TaggedError<IntervalsRateLimited>()("IntervalsRateLimited", {
  ...Request,
  /** Seconds the server asked us to wait, when it said. */
  retryAfterSeconds: Schema.optional(Schema.Number)
}) {
  override get message() {
    return "429 Too Many Requests: Intervals.icu is rate limiting this server" +
      (this.retryAfterSeconds !== undefined ? `; it asked to wait ${this.retryAfterSeconds} s` : "") +
      ". Wait before trying again, and ask for fewer or smaller requests."
  }
}

export class IntervalsUnavailable extends Schema.TaggedError<IntervalsUnavailable>()("IntervalsUnavailable", {
  ...Request,
  ...Attempts,
  status: Schema.Number,
  detail: Schema.optional(Schema.String)
}) {
  override get message() {
    return `${this.status}: Intervals.icu failed to answer` + (this.detail ? ` (${this.detail})` : "") +
      `${afterAttempts(this.attempts)}. The service may be down or overloaded; try again in a minute.`
  }
}

export class IntervalsTimeout extends Schema.TaggedError<IntervalsTimeout>()("IntervalsTimeout", {
  ...Request,
  ...Attempts,
  millis: Schema.Number
}) {
  override get message() {
    return `Intervals.icu did not answer within ${this.millis} ms (${this.method} ${this.path})` +
      `${afterAttempts(this.attempts)}. Try again later, or ask for a shorter date range.`
  }
}

export class IntervalsNetworkError extends Schema.TaggedError<IntervalsNetworkError>()("IntervalsNetworkError", {
  ...Request,
  ...Attempts,
  detail: Schema.String
}) {
  override get message() {
    return `Could not reach Intervals.icu (${this.detail})${afterAttempts(this.attempts)}. Check the network and ` +
      "INTERVALS_API_BASE_URL, then retry."
  }
}

/** An answer larger than this server reads (INTERVALS_MAX_RESPONSE_BYTES): reading stopped at the limit. */
export class IntervalsTooLarge extends Schema.TaggedError<IntervalsTooLarge>()("IntervalsTooLarge", {
  ...Request,
  limitBytes: Schema.Number
}) {
  override get message() {
    return `Intervals.icu's answer to ${this.method} ${this.path} is larger than the ${mebibytes(this.limitBytes)} ` +
      "this server reads (INTERVALS_MAX_RESPONSE_BYTES), so reading stopped there. Ask for less: a shorter date " +
      "range, fewer stream types or a smaller limit."
  }
}

const mebibytes = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB` : `${Math.round(bytes / 1024)} KiB`

export class IntervalsMalformedResponse
  extends Schema.TaggedError<IntervalsMalformedResponse>()("IntervalsMalformedResponse", {
    ...Request,
    detail: Schema.String
  })
{
  override get message() {
    return `Intervals.icu sent an answer this server could not read (${this.method} ${this.path}: ${this.detail}). ` +
      "This is likely an API change or a transient fault; try again, and report it if it persists."
  }
}

/** A write whose outcome is unknown: Intervals.icu failed or went silent after receiving it. Never retried. */
export class IntervalsWriteUnconfirmed
  extends Schema.TaggedError<IntervalsWriteUnconfirmed>()("IntervalsWriteUnconfirmed", {
    ...Request,
    reason: Schema.String
  })
{
  override get message() {
    return `Intervals.icu did not confirm the ${this.method} ${this.path} (${this.reason}). The change may or may not ` +
      "have been saved, so it was not retried: read the data back (get_events, get_event_by_id, …) before trying " +
      "again, or you may create a duplicate."
  }
}

export type IntervalsError =
  | IntervalsUnauthorized
  | IntervalsForbidden
  | IntervalsNotFound
  | IntervalsRejected
  | IntervalsRateLimited
  | IntervalsUnavailable
  | IntervalsTimeout
  | IntervalsNetworkError
  | IntervalsMalformedResponse
  | IntervalsWriteUnconfirmed
  | IntervalsTooLarge

/** Failures worth another attempt for a request that is safe to repeat. */
export const isTransient = (error: IntervalsError): boolean =>
  error._tag === "IntervalsRateLimited" || error._tag === "IntervalsUnavailable" ||
  error._tag === "IntervalsTimeout" || error._tag === "IntervalsNetworkError"
