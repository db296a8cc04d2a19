/**
 * Spawns the built server in a networked mode on a free loopback port (MCP_PORT=0) and reads the URL it serves from
 * its start-up log.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { request as httpRequest } from "node:http"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { ENTRY } from "./StdioServer.js"

export interface HttpServerProcess {
  readonly child: ChildProcess
  /** `http://127.0.0.1:PORT` */
  readonly origin: string
  readonly port: number
  readonly stderr: () => string
  readonly stdout: () => string
  readonly exited: Promise<number | null>
  readonly stop: (signal?: NodeJS.Signals) => Promise<number | null>
}

export const startHttpServer = async (env: Record<string, string>): Promise<HttpServerProcess> => {
  const child = spawn(process.execPath, [ENTRY], {
    cwd: mkdtempSync(join(tmpdir(), "intervals-mcp-")),
    env: { PATH: process.env["PATH"], MCP_PORT: "0", MCP_TOOLSETS: "all", ...env },
    stdio: ["ignore", "pipe", "pipe"]
  })
  let stderr = ""
  let stdout = ""
  child.stdout!.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")))
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${stderr}`)), 15_000)
    const look = () => {
      const match = /at http:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr)
      if (match) {
        clearTimeout(timer)
        resolve(Number(match[1]))
      }
    }
    child.stderr!.on("data", look)
    void exited.then((code) => {
      clearTimeout(timer)
      reject(new Error(`server exited with ${code}:\n${stderr}`))
    })
  })
  return {
    child,
    origin: `http://127.0.0.1:${port}`,
    port,
    stderr: () => stderr,
    stdout: () => stdout,
    exited,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal)
      return exited
    }
  }
}

export interface RawResponse {
  readonly status: number
  readonly headers: Record<string, string | Array<string> | undefined>
  readonly body: string
}

/** A request with full control of its headers (fetch refuses to set Host). */
export const rawRequest = (
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}
): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? "GET", headers: options.headers ?? {} }, (res) => {
      let body = ""
      res.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")))
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }))
    })
    req.on("error", reject)
    if (options.body !== undefined) req.end(options.body)
    else req.end()
  })

export const initializeBody = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } }
})

export const MCP_HEADERS = { "content-type": "application/json", "accept": "application/json, text/event-stream" }
