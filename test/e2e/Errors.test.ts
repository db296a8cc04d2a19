/**
 * Structured errors on the built server: beside its text, every error answer carries `structuredContent.error`
 * with a fixed code, whether a retry can help (and when), the parameter at fault and a hint. One case per code,
 * over stdio against the fake Intervals.icu and its faults.
 */
import type { CallToolResult } from "@modelcontextprotocol/client"
import { beforeEach, describe, expect, it } from "vitest"
import { addDays, POWER_RIDE_ID } from "../fake/Fixtures.js"
import { againstFake, textOf } from "../support/StdioServer.js"

const suite = againstFake({
  INTERVALS_CACHE: "off",
  INTERVALS_REQUEST_TIMEOUT_MS: "500",
  INTERVALS_DEADLINE_MS: "10000"
})

beforeEach(() => {
  suite.fake.faults.length = 0
})

interface ErrorShape {
  readonly code: string
  readonly http_status?: number
  readonly retryable: boolean
  readonly retry_after_s?: number
  readonly parameter?: string
  readonly hint: string
}

const errorOf = async (name: string, args: Record<string, unknown>) => {
  const result = (await suite.server.client.callTool({ name, arguments: args })) as CallToolResult
  expect(result.isError, textOf(result)).toBe(true)
  const error = (result.structuredContent as { error: ErrorShape }).error
  expect(error.hint.length).toBeGreaterThan(10)
  return error
}

const activity = { activity_id: POWER_RIDE_ID }
const details = (r: { path: string }) => r.path.endsWith(`/activity/${POWER_RIDE_ID}`)

describe("structuredContent.error", () => {
  it("invalid_argument names the parameter, and is not worth a retry", async () => {
    expect(await errorOf("get_activities", { start_date: "2026-02-30" })).toMatchObject({
      code: "invalid_argument",
      parameter: "start_date",
      retryable: false
    })
    expect(await errorOf("no_such_tool", {})).toMatchObject({ code: "invalid_argument", parameter: "name" })
  })

  it("not_found, forbidden and unauthorized carry Intervals.icu's status", async () => {
    for (const [status, code] of [[404, "not_found"], [403, "forbidden"], [401, "unauthorized"]] as const) {
      suite.fake.faults.push({ match: details, times: 1, status })
      expect(await errorOf("get_activity_details", activity)).toMatchObject({ code, http_status: status, retryable: false })
    }
  })

  it("rate_limited says when to try again; upstream_unavailable and timeout are worth a retry", async () => {
    suite.fake.faults.push({ match: details, times: 1, status: 429, headers: { "retry-after": "120" } })
    expect(await errorOf("get_activity_details", activity)).toMatchObject({
      code: "rate_limited",
      http_status: 429,
      retryable: true,
      retry_after_s: 120
    })
    suite.fake.faults.push({ match: details, status: 500 })
    expect(await errorOf("get_activity_details", activity)).toMatchObject({
      code: "upstream_unavailable",
      http_status: 500,
      retryable: true
    })
    suite.fake.faults.length = 0
    suite.fake.faults.push({ match: details, delayMs: 2000 })
    expect(await errorOf("get_activity_details", activity)).toMatchObject({ code: "timeout", retryable: true })
  })

  it("write_unconfirmed for a write in doubt, refused_by_mode for what safe mode keeps", async () => {
    suite.fake.faults.push({ match: (r) => r.method === "POST", times: 1, status: 500 })
    const note = { name: "Doubt", description: "x", start_date: addDays(suite.fake.fixtures.today, 20) }
    expect(await errorOf("add_or_update_note", note)).toMatchObject({ code: "write_unconfirmed", retryable: false })
    const yesterday = addDays(suite.fake.fixtures.today, -1)
    suite.fake.fixtures.events.push({ id: 77001, start_date_local: `${yesterday}T00:00:00`, category: "NOTE", name: "Past" })
    expect(await errorOf("delete_event", { event_id: 77001 })).toMatchObject({ code: "refused_by_mode" })
    expect(await errorOf("delete_activity", activity)).toMatchObject({ code: "refused_by_mode" })
  })
})
