/**
 * Spawns the built server (dist/main.js) over stdio and connects the MCP SDK's own Client to it, as Claude Desktop
 * would. stderr is captured so that tests can read the logs (and check that secrets never appear in them).
 */
import { type CallToolResult, Client } from "@modelcontextprotocol/client"
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import { afterAll, beforeAll } from "vitest"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { API_KEY, ATHLETE_ID } from "../fake/Fixtures.js"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

export const ENTRY = resolve(import.meta.dirname, "../../dist/main.js")

export interface Connected {
  readonly client: Client
  readonly stderr: () => string
  readonly close: () => Promise<void>
}

/** Which protocol era the client speaks: the 2025 handshake (the SDK's default), 2026-07-28 only, or negotiated. */
export type Era = "2025" | "2026-07-28" | "auto"

/**
 * The era of every suite's client unless a test names one: `MCP_TEST_ERA=2026-07-28 npx vitest run …` runs a suite
 * speaking the other era (`npm test` runs the stdio suites in both).
 */
export const DEFAULT_ERA: Era = process.env["MCP_TEST_ERA"] === "2026-07-28" ? "2026-07-28" : "2025"

/** What a test's client declares it can do (elicitation, say); nothing by default. */
export type Capabilities = NonNullable<ConstructorParameters<typeof Client>[1]>["capabilities"]

export const clientFor = (era: Era = DEFAULT_ERA, capabilities?: Capabilities) =>
  new Client(
    { name: "intervals-mcp-tests", version: "1.0.0" },
    {
      ...(capabilities === undefined ? {} : { capabilities }),
      ...(era === "2025" ? {} : { versionNegotiation: { mode: era === "auto" ? "auto" : { pin: "2026-07-28" } } })
    }
  )

export const connectStdio = async (
  env: Record<string, string>,
  args: ReadonlyArray<string> = [],
  era: Era = DEFAULT_ERA,
  capabilities?: Capabilities
): Promise<Connected> => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY, ...args],
    // A fresh directory, so that no .env of the developer's is read.
    cwd: mkdtempSync(join(tmpdir(), "intervals-mcp-")),
    env: { ...getDefaultEnvironment(), MCP_TOOLSETS: "all", ...env },
    stderr: "pipe"
  })
  let stderr = ""
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
  })
  const client = clientFor(era, capabilities)
  await client.connect(transport)
  return { client, stderr: () => stderr, close: () => client.close() }
}

/** The text of a tool result. */
export const textOf = (result: CallToolResult): string =>
  result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n")

/**
 * For a suite: the fake Intervals.icu, and the built server over stdio against it (with `env` added), started before
 * the suite's tests and stopped after. Read `fake` and `server` inside the tests.
 */
export const againstFake = (env: Record<string, string> = {}) => {
  const suite = {} as { fake: FakeIntervals; server: Connected }
  beforeAll(async () => {
    suite.fake = await startFakeIntervals()
    suite.server = await connectStdio({ API_KEY, ATHLETE_ID, INTERVALS_API_BASE_URL: suite.fake.baseUrl, ...env })
  })
  afterAll(async () => {
    await suite.server?.close()
    await suite.fake?.close()
  })
  return suite
}
