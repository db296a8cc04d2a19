/**
 * Spawns the built server (dist/main.js) over stdio and connects the MCP SDK's own Client to it, as Claude Desktop
 * would. stderr is captured so that tests can read the logs (and check that secrets never appear in them).
 */
import { Client } from "@modelcontextprotocol/sdk/client/index.js"
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js"
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

export const ENTRY = resolve(import.meta.dirname, "../../dist/main.js")

export interface Connected {
  readonly client: Client
  readonly stderr: () => string
  readonly close: () => Promise<void>
}

export const connectStdio = async (env: Record<string, string>, args: ReadonlyArray<string> = []): Promise<Connected> => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [ENTRY, ...args],
    // A fresh directory, so that no .env of the developer's is read.
    cwd: mkdtempSync(join(tmpdir(), "intervals-mcp-")),
    env: { ...getDefaultEnvironment(), ...env },
    stderr: "pipe"
  })
  let stderr = ""
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString("utf8")
  })
  const client = new Client({ name: "intervals-mcp-tests", version: "1.0.0" })
  await client.connect(transport)
  return { client, stderr: () => stderr, close: () => client.close() }
}

/** The text of a tool result. */
export const textOf = (result: CallToolResult): string =>
  result.content.map((c) => (c.type === "text" ? c.text : "")).join("\n")
