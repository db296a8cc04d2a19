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
  it("lists every tool", async () => {
    const { stdout } = await inspect("--method", "tools/list")
    expect((JSON.parse(stdout) as { tools: Array<unknown> }).tools).toHaveLength(toolsFor("safe").length)
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
