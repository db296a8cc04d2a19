/**
 * The MCP Inspector's CLI as a second, independent client: it lists the tools and calls one. (Its v1 line is pinned
 * because later ones require Node 22; the schema portability its v2 `--strict` checked is `ToolSurface.test.ts`.)
 */
import { execFile } from "node:child_process"
import { resolve } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { API_KEY, ATHLETE_ID } from "../fake/Fixtures.js"
import { toolsFor } from "../../src/tools/Registry.js"
import { DEFAULT_TOOLSETS, TOOLSETS } from "../../src/tools/Toolsets.js"
import { ENTRY } from "../support/StdioServer.js"

const INSPECTOR = resolve(import.meta.dirname, "../../node_modules/.bin/mcp-inspector-cli")

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
    "-e",
    `API_KEY=${API_KEY}`,
    "-e",
    `ATHLETE_ID=${ATHLETE_ID}`,
    "-e",
    `INTERVALS_API_BASE_URL=${fake.baseUrl}`,
    process.execPath,
    ENTRY,
    // After the server's command: `--tool-arg` takes every value that follows it.
    ...args
    // The inspector reads its own package.json through a path it checks relative to the working directory: one level
    // below a folder with a package.json makes both agree.
  ], { timeout: 60_000, cwd: resolve(import.meta.dirname, "..") })

describe("MCP Inspector CLI", () => {
  it("lists the default tool set, within 32,000 characters, and all of them with MCP_TOOLSETS=all", async () => {
    const { stdout } = await inspect("--method", "tools/list")
    const listed = (JSON.parse(stdout) as { tools: Array<{ name: string }> }).tools
    expect(listed.map((tool) => tool.name)).toEqual(toolsFor("safe", DEFAULT_TOOLSETS).map((tool) => tool.name))
    expect(JSON.stringify({ tools: listed }).length).toBeLessThanOrEqual(32_000)
    const all = await inspect("-e", "MCP_TOOLSETS=all", "--method", "tools/list")
    expect((JSON.parse(all.stdout) as { tools: Array<unknown> }).tools).toHaveLength(toolsFor("safe", TOOLSETS).length)
  })

  it("gets an error answer of a registered tool with its structured error, which its output schema admits", async () => {
    const { stdout } = await inspect("--method", "tools/call", "--tool-name", "get_activities", "--tool-arg", "start_date=2026-02-30")
    const result = JSON.parse(stdout) as { isError?: boolean; content: Array<{ text: string }>; structuredContent: unknown }
    expect(result.isError).toBe(true)
    expect(result.content[0]!.text).toMatch(/start_date: expected a real calendar date/)
    expect(result.structuredContent).toMatchObject({ error: { code: "invalid_argument", parameter: "start_date" } })
  })

  it("refuses a tool of a toolset that is off, saying how to turn it on", async () => {
    const { stdout } = await inspect("--method", "tools/call", "--tool-name", "get_activity_analysis", "--tool-arg", "activity_id=i1")
    const result = JSON.parse(stdout) as { isError?: boolean; content: Array<{ text: string }>; structuredContent: unknown }
    expect(result.isError).toBe(true)
    expect(result.content[0]!.text).toMatch(/get_activity_analysis is in the analysis toolset.*MCP_TOOLSETS=core,analysis/)
    expect(result.structuredContent).toMatchObject({ error: { code: "refused_by_mode", retryable: false } })
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
