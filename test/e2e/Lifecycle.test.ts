/**
 * The process as Claude Desktop meets it: raw stdio, start-up failures, `.env`, and exit when the client goes away.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { API_KEY, ATHLETE_ID } from "../fake/Fixtures.js"
import { ENTRY } from "../support/StdioServer.js"

let fake: FakeIntervals

beforeAll(async () => {
  fake = await startFakeIntervals()
})
afterAll(async () => {
  await fake?.close()
})

const freshDir = () => mkdtempSync(join(tmpdir(), "intervals-mcp-"))

/** A clean environment: nothing of the developer's or CI's Intervals settings leaks in. */
const baseEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env["PATH"], HOME: process.env["HOME"] })

interface Run {
  readonly child: ChildProcess
  readonly stdout: () => string
  readonly stderr: () => string
  readonly exited: Promise<{ code: number | null; at: number }>
}

const run = (env: NodeJS.ProcessEnv, cwd = freshDir()): Run => {
  const child = spawn(process.execPath, [ENTRY], { cwd, env, stdio: ["pipe", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.on("exit", (code) => resolve({ code, at: Date.now() }))
  )
  return { child, stdout: () => stdout, stderr: () => stderr, exited }
}

const send = (child: ChildProcess, message: unknown) => child.stdin!.write(JSON.stringify(message) + "\n")

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } }
}

/** Waits until stdout holds `count` complete lines. */
const lines = async (r: Run, count: number): Promise<Array<string>> => {
  for (let i = 0; i < 200; i++) {
    const all = r.stdout().split("\n").filter((line) => line !== "")
    if (all.length >= count && r.stdout().endsWith("\n")) return all
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error(`expected ${count} lines on stdout, got: ${r.stdout()}\nstderr: ${r.stderr()}`)
}

describe("the server process", () => {
  it("writes nothing but JSON-RPC to stdout, and exits within a second of stdin closing", async () => {
    const r = run({
      ...baseEnv(),
      API_KEY,
      ATHLETE_ID,
      INTERVALS_API_BASE_URL: fake.baseUrl,
      LOG_LEVEL: "All"
    })
    send(r.child, initialize)
    send(r.child, { jsonrpc: "2.0", method: "notifications/initialized" })
    send(r.child, { jsonrpc: "2.0", id: 2, method: "tools/list" })
    send(r.child, {
      jsonrpc: "2.0",
      id: 3,
      method: "tools/call",
      params: { name: "get_events", arguments: { start_date: "2026-01-01", end_date: "2026-01-31" } }
    })
    const out = await lines(r, 3)
    const messages = out.map((line) => JSON.parse(line) as { jsonrpc: string; id: number })
    expect(messages.map((m) => m.jsonrpc)).toEqual(["2.0", "2.0", "2.0"])
    expect(messages.map((m) => m.id).sort()).toEqual([1, 2, 3])
    expect(r.stderr()).toMatch(/level=(DEBUG|INFO)/)
    expect(r.stderr()).not.toContain(API_KEY)

    const closedAt = Date.now()
    r.child.stdin!.end()
    const exit = await r.exited
    expect(exit.code).toBe(0)
    expect(exit.at - closedAt).toBeLessThan(1000)
  })

  it("stops with one clear line on stderr, exit code 1 and an empty stdout when API_KEY is missing", async () => {
    const r = run(baseEnv())
    const exit = await r.exited
    expect(exit.code).toBe(1)
    expect(r.stdout()).toBe("")
    expect(r.stderr().trim().split("\n")).toHaveLength(1)
    expect(r.stderr()).toMatch(/^intervals-mcp: API_KEY is not set/)
    expect(r.stderr()).not.toMatch(/\n\s+at /)
  })

  it("names a malformed ATHLETE_ID and what it expected", async () => {
    const r = run({ ...baseEnv(), API_KEY, ATHLETE_ID: "athlete/../0" })
    const exit = await r.exited
    expect(exit.code).toBe(1)
    expect(r.stdout()).toBe("")
    expect(r.stderr().trim()).toBe(
      "intervals-mcp: ATHLETE_ID must be an athlete id like i12345, 12345, or 0 for the key's own athlete, got " +
        "\"athlete/../0\""
    )
  })

  it("reads LOG_LEVEL in any letter case, and takes an empty variable as unset", async () => {
    const r = run({ ...baseEnv(), API_KEY, ATHLETE_ID: "", INTERVALS_WRITE_MODE: " ", INTERVALS_API_BASE_URL: fake.baseUrl, LOG_LEVEL: "debug", MCP_TOOLSETS: " Records " })
    send(r.child, initialize)
    send(r.child, { jsonrpc: "2.0", method: "notifications/initialized" })
    send(r.child, { jsonrpc: "2.0", id: 2, method: "tools/call", params: { name: "get_gear_list", arguments: {} } })
    const [, answer] = await lines(r, 2)
    expect(JSON.parse(answer!).result.isError).toBeUndefined()
    // The debug line of the request to Intervals.icu, for the default athlete ("0"), from a tool of the records
    // toolset (named in any letter case).
    expect(r.stderr()).toMatch(/level=DEBUG .*path=\/athlete\/0\/gear/)
    r.child.stdin!.end()
    expect((await r.exited).code).toBe(0)
    const bad = run({ ...baseEnv(), API_KEY, LOG_LEVEL: "loud" })
    expect((await bad.exited).code).toBe(1)
    expect(bad.stderr().trim()).toBe(
      "intervals-mcp: LOG_LEVEL must be one of All, Trace, Debug, Info, Warning, Error, Fatal, None, got \"loud\""
    )
  })

  it("refuses an unknown toolset in MCP_TOOLSETS, naming it and the toolsets there are", async () => {
    const r = run({ ...baseEnv(), API_KEY, MCP_TOOLSETS: "core,planing,library" })
    expect((await r.exited).code).toBe(1)
    expect(r.stderr().trim()).toBe(
      "intervals-mcp: MCP_TOOLSETS must be a comma-separated list of core, analysis, planning, library, records, " +
        "custom, or all; \"planing\" is not one of them"
    )
  })

  it("refuses an unknown MCP_TRANSPORT", async () => {
    const r = run({ ...baseEnv(), API_KEY, MCP_TRANSPORT: "carrier-pigeon" })
    expect((await r.exited).code).toBe(1)
    expect(r.stderr()).toMatch(/MCP_TRANSPORT must be one of stdio, http, sse, got "carrier-pigeon"/)
  })

  it("reads its configuration from a .env file in the working directory, with the old variable names", async () => {
    const dir = freshDir()
    writeFileSync(
      join(dir, ".env"),
      `INTERVALS_API_KEY=${API_KEY}\nINTERVALS_ATHLETE_ID=${ATHLETE_ID}\nINTERVALS_API_BASE_URL=${fake.baseUrl}\n`
    )
    const r = run(baseEnv(), dir)
    send(r.child, initialize)
    send(r.child, { jsonrpc: "2.0", method: "notifications/initialized" })
    send(r.child, {
      jsonrpc: "2.0",
      id: 2,
      method: "tools/call",
      params: { name: "get_event_by_id", arguments: { event_id: 50010 } }
    })
    const [, answer] = await lines(r, 2)
    const result = JSON.parse(answer!) as { result: { isError?: boolean; structuredContent: { name: string } } }
    expect(result.result.isError).toBeUndefined()
    expect(result.result.structuredContent.name).toBe("Spring Classic 120km")
    r.child.stdin!.end()
    expect((await r.exited).code).toBe(0)
  })
})
