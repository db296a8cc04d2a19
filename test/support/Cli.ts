/**
 * Runs the built command line (`node dist/main.js ARGS…`) in a fresh directory with a clean environment, with stdin
 * left open (a command must finish on its own, never wait for input).
 */
import { spawn } from "node:child_process"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ENTRY } from "./StdioServer.js"

export interface CliRun {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

export const runCli = (
  args: ReadonlyArray<string>,
  env: Record<string, string> = {},
  options: { readonly cwd?: string; readonly timeoutMs?: number } = {}
): Promise<CliRun> =>
  new Promise((resolve, reject) => {
    const started = Date.now()
    const child = spawn(process.execPath, [ENTRY, ...args], {
      cwd: options.cwd ?? mkdtempSync(join(tmpdir(), "intervals-mcp-cli-")),
      env: { PATH: process.env["PATH"] ?? "", HOME: process.env["HOME"] ?? "", ...env },
      stdio: ["pipe", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`intervals-mcp ${args.join(" ")} did not finish:\n${stdout}\n${stderr}`))
    }, options.timeoutMs ?? 20_000)
    child.on("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, ms: Date.now() - started })
    })
  })
