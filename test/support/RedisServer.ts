/**
 * A real `redis-server` for the tests, on a free loopback port, keeping nothing on disk. As vitest's globalSetup it
 * starts once per run and hands its URL to every test file through `inject("redis")`; a test file may also start its
 * own with `startRedis` (with a password, say).
 *
 * A machine without redis-server does not skip the Redis tests: the setup hands the reason instead of a URL, and the
 * tests that need Redis fail with it (the rest of the run is unaffected).
 */
import { type ChildProcess, spawn } from "node:child_process"
import { accessSync, constants, mkdtempSync, rmSync } from "node:fs"
import { createConnection, createServer } from "node:net"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    readonly redis: { readonly url: string } | { readonly error: string }
  }
}

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string
  readonly port: number
  readonly stop: () => Promise<void>
}

export const MISSING = "redis-server is not on PATH: the Redis store tests need it (apt-get install redis-server)"

const findRedisServer = (): string | undefined => {
  for (const dir of (process.env["PATH"] ?? "").split(delimiter)) {
    if (dir === "") continue
    const candidate = join(dir, "redis-server")
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // Not in this directory.
    }
  }
  return undefined
}

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

/** Whether Redis answers PING on the port (with AUTH first, when it has a password). */
const pong = (port: number, password?: string): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port })
    let answer = ""
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(500, () => done(false))
    socket.once("error", () => done(false))
    socket.once("connect", () => socket.write(`${password === undefined ? "" : `AUTH ${password}\r\n`}PING\r\n`))
    socket.on("data", (chunk) => {
      answer += chunk.toString()
      if (answer.includes("+PONG")) done(true)
      else if (answer.includes("-")) done(false)
    })
  })

const stopChild = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    const killer = setTimeout(() => child.kill("SIGKILL"), 3_000)
    child.once("exit", () => {
      clearTimeout(killer)
      resolve()
    })
    child.kill("SIGTERM")
  })

/** Starts redis-server (retrying on another port if one was taken meanwhile) and waits until it answers PING. */
export const startRedis = async (options: { readonly password?: string } = {}): Promise<RedisServer> => {
  const binary = findRedisServer()
  if (binary === undefined) throw new Error(MISSING)
  let lastFailure = ""
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort()
    const dir = mkdtempSync(join(tmpdir(), "intervals-mcp-redis-"))
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir]
    if (options.password !== undefined) args.push("--requirepass", options.password)
    const child = spawn(binary, args, { stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout.on("data", (chunk) => (output += chunk.toString()))
    child.stderr.on("data", (chunk) => (output += chunk.toString()))
    // A test run that dies must not leave a server behind.
    const onExit = () => child.kill("SIGKILL")
    process.once("exit", onExit)
    const stop = async () => {
      process.off("exit", onExit)
      await stopChild(child)
      rmSync(dir, { recursive: true, force: true })
    }
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline && child.exitCode === null) {
      if (await pong(port, options.password)) return { url: `redis://127.0.0.1:${port}`, port, stop }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    lastFailure = child.exitCode === null ? "it did not answer PING within 10 s" : `it exited: ${output.trim()}`
    await stop()
  }
  throw new Error(`redis-server did not start: ${lastFailure}`)
}

/** vitest's globalSetup: one server for the run, stopped at its end. */
export default async function setup(project: TestProject) {
  try {
    const server = await startRedis()
    project.provide("redis", { url: server.url })
    return () => server.stop()
  } catch (cause) {
    project.provide("redis", { error: cause instanceof Error ? cause.message : String(cause) })
    return undefined
  }
}
