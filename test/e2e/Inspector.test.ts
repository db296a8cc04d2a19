/**
 * The MCP Inspector's CLI as a second, independent client: its `--strict` schema check must find nothing to report,
 * and a tool call through it must answer.
 */
import { execFile } from "node:child_process"
import { resolve } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { API_KEY, ATHLETE_ID } from "../fake/Fixtures.js"
import { ENTRY } from "../support/StdioServer.js"

const INSPECTOR = resolve(import.meta.dirname, "../../node_modules/.bin/mcp-inspector")

let fake: FakeIntervals
beforeAll(async () => {
  fake = await startFakeIntervals()
})
afterAll(async () => {
  await fake?.close()
})

const inspect = (...args: Array<string>) =>
  promisify(execFile)(INSPECTOR, [
    "--cli",
    ...args,
    "-e",
    `API_KEY=${API_KEY}`,
    "-e",
    `ATHLETE_ID=${ATHLETE_ID}`,
    "-e",
    `INTERVALS_API_BASE_URL=${fake.baseUrl}`,
    process.execPath,
    ENTRY
  ], { timeout: 60_000 })

describe("MCP Inspector CLI", () => {
  it("finds no portability problem in the tool schemas (--strict)", async () => {
    // A problem makes the inspector print "Warning:"/"Error:" blocks, and exit 6 for an error.
    const { stderr, stdout } = await inspect("--method", "tools/list", "--strict")
    expect(stderr).not.toMatch(/Warning: tool|Error: tool|Issue:/)
    expect((JSON.parse(stdout) as { tools: Array<unknown> }).tools).toHaveLength(20)
  })

  it("calls a tool and gets text and structured content", async () => {
    const { stdout } = await inspect(
      "--method",
      "tools/call",
      "--tool-name",
      "get_activities",
      "--tool-arg",
      "limit=2"
    )
    const result = JSON.parse(stdout) as { structuredContent: { activities: Array<unknown> }; isError?: boolean }
    expect(result.isError).toBeFalsy()
    expect(result.structuredContent.activities).toHaveLength(2)
  })
})
