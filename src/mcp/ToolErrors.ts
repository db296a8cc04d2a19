/**
 * What an error answer says to a program, beside its text: `structuredContent.error`, one of a few fixed codes,
 * whether trying again can help (and when), the parameter at fault, and what to do. A model reads the text; a client
 * or an agent loop can branch on the code without parsing words.
 */
import type { CallToolResult } from "@modelcontextprotocol/server"
import type { IntervalsError } from "../domain/IntervalsError.js"

export type ErrorCode =
  | "invalid_argument"
  | "not_found"
  | "forbidden"
  | "unauthorized"
  | "rate_limited"
  | "upstream_unavailable"
  | "timeout"
  | "write_unconfirmed"
  | "refused_by_mode"
  | "too_large"
  /** The person was asked to confirm the change (elicitation) and did not: nothing was done. */
  | "declined"
  /** A fault inside this server (logged): not the caller's, not Intervals.icu's. */
  | "internal"

export interface ToolError {
  readonly code: ErrorCode
  readonly http_status?: number
  readonly retryable: boolean
  readonly retry_after_s?: number
  readonly parameter?: string
  readonly hint: string
}

const HINTS: Record<ErrorCode, string> = {
  invalid_argument: "Fix the arguments as the text says and call again; nothing was sent.",
  not_found: "Check the id: list first (activities, events, library) to get a valid one.",
  forbidden: "This athlete does not share that data with the server's account; use an athlete the account can see.",
  unauthorized: "The server's Intervals.icu key is wrong or revoked: its owner must fix the configuration. Never " +
    "ask the user for a key in the chat.",
  rate_limited: "Intervals.icu asked to slow down: wait, then try again.",
  upstream_unavailable: "Intervals.icu is failing or unreachable: try again in a minute.",
  timeout: "Intervals.icu did not answer in time: try again, or ask for less.",
  write_unconfirmed: "The change may or may not have been made: read the data back before writing again.",
  refused_by_mode: "The server's write mode does not allow this; its owner sets INTERVALS_WRITE_MODE.",
  too_large: "Ask for less: a shorter date range, a smaller limit or fewer stream types.",
  declined: "The user said no when asked to confirm: do not try again unless they ask for it.",
  internal: "Try again; if it persists, report it (the server logged the details)."
}

const RETRYABLE: ReadonlySet<ErrorCode> = new Set(["rate_limited", "upstream_unavailable", "timeout", "internal"])

export const toolError = (
  code: ErrorCode,
  extra: Partial<Omit<ToolError, "code" | "retryable">> = {}
): ToolError => ({ code, retryable: RETRYABLE.has(code), hint: HINTS[code], ...extra })

/** An error answer: the text for the model, `structuredContent.error` for a program. */
export const errorResult = (text: string, error: ToolError): CallToolResult => ({
  isError: true,
  content: [{ type: "text", text }],
  structuredContent: { error: { ...error } }
})

/** An upstream failure as a code. */
export const fromIntervals = (error: IntervalsError): ToolError => {
  switch (error._tag) {
    case "IntervalsUnauthorized":
      return toolError("unauthorized", { http_status: 401 })
    case "IntervalsForbidden":
      return toolError("forbidden", { http_status: 403 })
    case "IntervalsNotFound":
      return toolError("not_found", { http_status: 404 })
    case "IntervalsRejected":
      return toolError(error.status === 404 ? "not_found" : "invalid_argument", { http_status: error.status })
    case "IntervalsRateLimited":
      return toolError("rate_limited", {
        http_status: 429,
        ...(error.retryAfterSeconds !== undefined ? { retry_after_s: error.retryAfterSeconds } : {})
      })
    case "IntervalsUnavailable":
      return toolError("upstream_unavailable", { http_status: error.status })
    case "IntervalsNetworkError":
    case "IntervalsMalformedResponse":
      return toolError("upstream_unavailable")
    case "IntervalsTimeout":
      return toolError("timeout")
    case "IntervalsWriteUnconfirmed":
      return toolError("write_unconfirmed")
    case "IntervalsTooLarge":
      return toolError("too_large")
  }
}
