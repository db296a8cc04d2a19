/**
 * The bad-input corpus (`test/corpus/bad-inputs.json`): each case refused with a message naming its parameter, and
 * not one request reaching Intervals.icu for the whole corpus. Runs in `full` write mode, where the fewest checks
 * stand between a call and the API.
 */
import type { CallToolResult } from "@modelcontextprotocol/client"
import { readFileSync } from "node:fs"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { API_KEY, ATHLETE_ID } from "../fake/Fixtures.js"
import { type Connected, connectStdio } from "../support/StdioServer.js"

interface Case {
  readonly tool: string
  readonly args: Record<string, unknown>
  readonly param: string
  readonly why: string
}

const corpus = JSON.parse(readFileSync(new URL("../corpus/bad-inputs.json", import.meta.url), "utf8")) as {
  readonly cases: Array<Case>
}

const leaf = { duration: 30, power: { units: "w", value: 200 } }
/** Expands the corpus's generator markers into the big inputs they stand for. */
const expand = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(expand)
  if (typeof value !== "object" || value === null) return value
  const record = value as Record<string, unknown>
  if ("$repeat" in record) return String(record["$repeat"]).repeat(Number(record["times"]))
  if ("$steps" in record) return { steps: Array.from({ length: Number(record["$steps"]) }, () => leaf) }
  if ("$nest" in record) {
    let step: Record<string, unknown> = leaf
    for (let i = 0; i < Number(record["$nest"]); i++) step = { reps: 2, steps: [step] }
    return { steps: [step] }
  }
  return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, expand(inner)]))
}

let fake: FakeIntervals
let server: Connected

beforeAll(async () => {
  fake = await startFakeIntervals()
  server = await connectStdio({
    API_KEY,
    ATHLETE_ID,
    INTERVALS_API_BASE_URL: fake.baseUrl,
    INTERVALS_WRITE_MODE: "full"
  })
})

afterAll(async () => {
  expect(server.stderr()).not.toContain(API_KEY)
  await server?.close()
  await fake?.close()
})

describe("the bad-input corpus", () => {
  it("holds at least 40 cases", () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(40)
  })

  for (const c of corpus.cases) {
    it(`${c.tool}: ${c.why}`, async () => {
      const result = (await server.client.callTool({ name: c.tool, arguments: expand(c.args) as never })) as CallToolResult
      const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n")
      if (process.env["SHOW"]) console.log(`## ${c.why}\n${text}`)
      expect(result.isError, text).toBe(true)
      expect(text).toMatch(new RegExp(`(^|\\s|- )${c.param}(\\.|:|\\[| )`))
      expect(text).toMatch(/nothing was (sent to Intervals\.icu|deleted)/)
      expect(text).not.toMatch(/\n\s+at /)
      // And for a program: the code, and the parameter at fault where there is one.
      const error = (result.structuredContent as { error?: { code: string; parameter?: string; retryable: boolean } })
        .error
      expect(error?.code, text).toMatch(/^(invalid_argument|refused_by_mode)$/)
      expect(error?.retryable).toBe(false)
      if (error?.parameter !== undefined) expect(c.param.startsWith(error.parameter), text).toBe(true)
    })
  }

  it("sent not one request to Intervals.icu for the whole corpus", () => {
    expect(fake.requests).toEqual([])
  })
})
