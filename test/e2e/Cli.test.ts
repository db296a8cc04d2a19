/**
 * The command line as a user meets it: `--help` and `--version` answer and exit, `check` asks Intervals.icu once,
 * `tools` lists the write mode's tools, `call` runs one tool through the same path as `tools/call`; the environment
 * wins over a stale `.env`.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest"
import { DEMO_NOTICE } from "../../src/demo/DemoIdentity.js"
import { allTools, toolsFor, writes } from "../../src/tools/Registry.js"
import { TOOLSETS } from "../../src/tools/Toolsets.js"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { API_KEY, ATHLETE_ID, TIMEZONE } from "../fake/Fixtures.js"
import { runCli } from "../support/Cli.js"

const VERSION = (JSON.parse(readFileSync(resolve(import.meta.dirname, "../../package.json"), "utf8")) as { version: string })
  .version

let fake: FakeIntervals
let env: Record<string, string>

beforeAll(async () => {
  fake = await startFakeIntervals()
  env = { API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: fake.baseUrl }
})
afterAll(async () => {
  await fake?.close()
})
beforeEach(() => {
  fake.requests.length = 0
  fake.faults.length = 0
})

describe("intervals-mcp --help and --version", () => {
  it("--help shows every subcommand and variable, serves nothing and exits 0", async () => {
    const run = await runCli(["--help"])
    expect(run.code).toBe(0)
    for (const word of ["check", "tools", "call", "--demo", "--json", "API_KEY", "ATHLETE_ID", "INTERVALS_DEMO", "MCP_TRANSPORT", "INTERVALS_WRITE_MODE"]) {
      expect(run.stdout).toContain(word)
    }
    expect(run.stderr).not.toMatch(/serving MCP/)
  })

  it("--version prints the package version and exits 0", async () => {
    const run = await runCli(["--version"])
    expect(run.code).toBe(0)
    expect(run.stdout.trim()).toBe(VERSION)
  })
})

describe("intervals-mcp check", () => {
  it("says whose key it is, with timezone, write mode and base URL, after one request", async () => {
    const run = await runCli(["check"], env)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`athlete Alex Rider (${ATHLETE_ID})`)
    expect(run.stdout).toContain(`timezone    ${TIMEZONE}`)
    expect(run.stdout).toMatch(/write mode {2}safe/)
    expect(run.stdout).toContain(`base URL    ${fake.baseUrl}`)
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`GET /api/v1/athlete/${ATHLETE_ID}`])
    expect(run.stdout + run.stderr).not.toContain(API_KEY)
  })

  it("fails with the tool's own message and exit 1 when the key is wrong", async () => {
    const run = await runCli(["check"], { ...env, API_KEY: "wrong-key" })
    expect(run.code).toBe(1)
    expect(run.stdout).toBe("")
    expect(run.stderr.trim().split("\n")).toHaveLength(1)
    expect(run.stderr).toMatch(/^intervals-mcp check failed: 403 Forbidden: .*check API_KEY and ATHLETE_ID/)
  })

  it("fails with one line and exit 1 without a key, or when Intervals.icu cannot be reached", async () => {
    const missing = await runCli(["check"])
    expect(missing.code).toBe(1)
    expect(missing.stderr).toMatch(/^intervals-mcp: API_KEY is not set.*--demo/)
    const unreachable = await runCli(["check"], { ...env, INTERVALS_API_BASE_URL: "http://127.0.0.1:9/api/v1" })
    expect(unreachable.code).toBe(1)
    expect(unreachable.stderr.trim().split("\n")).toHaveLength(1)
    expect(unreachable.stderr).toMatch(/Could not reach Intervals.icu/)
  })

  it("takes the environment's key over a stale .env file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "intervals-mcp-cli-"))
    writeFileSync(join(dir, ".env"), `API_KEY=stale-key\nATHLETE_ID=i999\nLOG_LEVEL=debug\n`)
    const run = await runCli(["check"], env, { cwd: dir })
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`(${ATHLETE_ID})`)
    // What the environment does not set still comes from the file (a lower-case level is fine).
    const fromFile = await runCli(["check"], { INTERVALS_API_BASE_URL: fake.baseUrl }, { cwd: dir })
    expect(fromFile.code).toBe(1)
    expect(fromFile.stderr).toMatch(/403 Forbidden/)
  })
})

describe("intervals-mcp tools", () => {
  it("lists one line per tool, marking writes, with no key needed", async () => {
    const run = await runCli(["tools"])
    expect(run.code).toBe(0)
    const lines = run.stdout.trimEnd().split("\n")
    expect(lines).toHaveLength(toolsFor("safe", TOOLSETS).length)
    for (const tool of toolsFor("safe", TOOLSETS)) {
      const line = lines.find((l) => l.slice(2).startsWith(`${tool.name} `))!
      expect(line).toContain(tool.title)
      expect(line.startsWith("✎")).toBe(writes(tool))
    }
  })

  it("lists only reads in read-only mode, where a write is refused by name", async () => {
    const run = await runCli(["tools"], { INTERVALS_WRITE_MODE: "read-only" })
    expect(run.code).toBe(0)
    expect(run.stdout).not.toContain("✎")
    expect(run.stdout.trim().split("\n")).toHaveLength(allTools.filter((t) => !writes(t)).length)
    const write = await runCli(["call", "add_or_update_note", "{\"name\": \"x\", \"description\": \"y\"}"], {
      ...env,
      INTERVALS_WRITE_MODE: "read-only"
    })
    expect(write.code).toBe(1)
    expect(write.stderr).toMatch(/^add_or_update_note changes data, and this server runs with INTERVALS_WRITE_MODE=read-only/)
    expect(fake.requests).toHaveLength(0)
  })
})

describe("intervals-mcp call", () => {
  it("prints a tool's text, or with --json its structured result", async () => {
    const text = await runCli(["call", "get_activities", "{\"limit\": 2}"], env)
    expect(text.code).toBe(0)
    expect(text.stdout.split("\n")[0]).toMatch(/^\d+ activities from .* \(showing the 2 most recent/)
    const json = await runCli(["call", "get_activities", "{\"limit\": 2}", "--json"], env)
    expect(json.code).toBe(0)
    expect((JSON.parse(json.stdout) as { activities: Array<unknown> }).activities).toHaveLength(2)
  })

  it("sends an error answer to stderr with exit 1, and refuses arguments that are not a JSON object", async () => {
    const refused = await runCli(["call", "get_activity_details", "{\"activity_id\": \"../x\"}"], env)
    expect(refused.code).toBe(1)
    expect(refused.stdout).toBe("")
    expect(refused.stderr).toMatch(/activity_id: expected an activity id/)
    const unknown = await runCli(["call", "get_everything"], env)
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/Unknown tool "get_everything"/)
    for (const bad of ["{limit: 2}", "[1, 2]", "42"]) {
      const run = await runCli(["call", "get_activities", bad], env)
      expect(run.code).toBe(1)
      expect(run.stderr).toMatch(/JSON-ARGS/)
    }
    expect(fake.requests).toHaveLength(0)
  })

  it("answers from the demo athlete with --demo, needing no key and ignoring ATHLETE_ID", async () => {
    for (const args of [["call", "get_activities", "--demo"], ["--demo", "call", "get_activities"]]) {
      const run = await runCli(args, { ATHLETE_ID: "i999" })
      expect(run.code).toBe(0)
      const [first, second] = run.stdout.split("\n")
      expect(first).toBe(DEMO_NOTICE)
      expect(second).toMatch(/^\d+ activities from /)
    }
    const viaEnv = await runCli(["check"], { INTERVALS_DEMO: "true" })
    expect(viaEnv.code).toBe(0)
    expect(viaEnv.stdout).toContain("athlete Demo Athlete (i424242)")
  })
})
