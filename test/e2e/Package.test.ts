/**
 * The packages as users install them: the npm tarball run with `npx` from an empty folder, the Claude Desktop
 * bundle (`.mcpb`) unpacked and started the way its manifest says, and the MCP Registry's `server.json`.
 */
import { Client } from "@modelcontextprotocol/client"
import { StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import { execFile } from "node:child_process"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { allTools, toolsFor } from "../../src/tools/Registry.js"
import { type FakeIntervals, startFakeIntervals } from "../fake/FakeIntervals.js"
import { API_KEY, ATHLETE_ID } from "../fake/Fixtures.js"
import { startupChunks } from "../support/StartupChunks.js"

const ROOT = resolve(import.meta.dirname, "../..")
const run = promisify(execFile)
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = (path: string): any => JSON.parse(readFileSync(path, "utf8"))
const pkg = json(join(ROOT, "package.json"))

const work = mkdtempSync(join(tmpdir(), "intervals-mcp-package-"))
/** npm with a cache of its own, so that nothing of the developer's is read or changed. */
const npmEnv = {
  PATH: process.env["PATH"] ?? "",
  HOME: work,
  npm_config_cache: join(work, "npm-cache"),
  npm_config_update_notifier: "false",
  npm_config_audit: "false",
  npm_config_fund: "false"
}

let fake: FakeIntervals
beforeAll(async () => {
  fake = await startFakeIntervals()
})
afterAll(async () => {
  await fake?.close()
})

describe("the npm package", () => {
  it("runs with npx from an empty folder, with nothing installed beside it", async () => {
    // `npm test` built dist/ already; packing must not rebuild it under the other suites' feet.
    const { stdout } = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], {
      cwd: ROOT,
      env: npmEnv
    })
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>
    const paths = packed!.files.map((f) => f.path)
    expect(paths).toContain("dist/main.js")
    expect(paths.every((path) => /^(dist\/|README\.md$|LICENSE$|package\.json$)/.test(path))).toBe(true)

    const empty = join(work, "empty")
    mkdirSync(empty)
    const tarball = join(work, packed!.filename)
    const version = await run("npx", ["-y", `--package=${tarball}`, "intervals-mcp", "--version"], {
      cwd: empty,
      env: npmEnv
    })
    expect(version.stdout.trim()).toBe(pkg.version)
    const demo = await run("npx", ["-y", `--package=${tarball}`, "intervals-mcp", "call", "get_gear_list", "--demo"], {
      cwd: empty,
      env: npmEnv
    })
    expect(demo.stdout).toMatch(/^Demo data: .*\n.*Canyon Endurace/s)
  }, 120_000)

  it("says where it comes from and which Node versions it supports", () => {
    expect(pkg.repository.url).toMatch(/^git\+https:\/\/github\.com\//)
    expect(pkg.mcpName).toBe(json(join(ROOT, "server.json")).name)
    expect(pkg.engines.node).toBe(">=20")
    expect(pkg.bin["intervals-mcp"]).toBe("dist/main.js")
    expect(readFileSync(join(ROOT, "dist/main.js"), "utf8").startsWith("#!/usr/bin/env node")).toBe(true)
  })

  it("ships no test tooling, and loads at start only what stdio needs", () => {
    // What each output file was made of, from its source map.
    const sourcesOf = (file: string): Array<string> => json(join(ROOT, "dist", `${file}.map`)).sources
    const outputs = readdirSync(join(ROOT, "dist"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".js"))
    const everything = outputs.flatMap(sourcesOf)
    expect(everything.some((source) => source.includes("node_modules/effect/"))).toBe(true)
    expect(everything.filter((source) => /node_modules\/(fast-check|pure-rand|vitest|@vitest|@effect\/vitest)\//.test(source)))
      .toEqual([])
    expect(everything.filter((source) => /(^|\/)test\//.test(source.replace(/.*node_modules\//, "")))).toEqual([])
    // What is compiled before `initialize` is answered.
    const atStart = startupChunks(join(ROOT, "dist"), "main.js").flatMap(sourcesOf)
    expect(atStart.some((source) => source.endsWith("src/transports/StdioTransport.ts"))).toBe(true)
    expect(atStart.filter((source) =>
      /src\/(transports\/(HttpHost|StreamableHttpTransport|SseTransport)|cli\/|auth\/(AuthorizationServer|OAuthRoutes|OAuthGate|SignInPage|ClientMetadataDocument)|store\/(Sqlite|Redis)|demo\/DemoAthlete)|node_modules\/(@effect\/cli|ioredis|node-sqlite3-wasm|@modelcontextprotocol\/server-legacy)\//
        .test(source)
    )).toEqual([])
  })
})

describe("the Claude Desktop bundle", () => {
  it("validates, unpacks, and starts as its manifest says with the user's settings", async () => {
    const bundle = join(work, "intervals-mcp.mcpb")
    await run(process.execPath, [join(ROOT, "scripts/mcpb.mjs"), "--out", bundle], { cwd: ROOT })
    const unpacked = join(work, "unpacked")
    const mcpb = join(ROOT, "node_modules/.bin/mcpb")
    await run(mcpb, ["unpack", bundle, unpacked])
    const validated = await run(mcpb, ["validate", join(unpacked, "manifest.json")])
    expect(validated.stdout).toMatch(/validation passes/)

    const manifest = json(join(unpacked, "manifest.json"))
    expect(manifest.version).toBe(pkg.version)
    expect(manifest.user_config.api_key).toMatchObject({ sensitive: true, required: true })
    expect(manifest.tools.map((t: { name: string }) => t.name)).toEqual(allTools.map((t) => t.name))

    // What Claude Desktop does: substitute the bundle's folder and the user's answers, then spawn the command.
    const settings: Record<string, string> = {
      api_key: API_KEY,
      athlete_id: ATHLETE_ID,
      write_mode: "read-only",
      toolsets: "analysis"
    }
    const substitute = (value: string) =>
      value.replaceAll("${__dirname}", unpacked).replace(/\$\{user_config\.(\w+)\}/g, (_, key: string) => settings[key]!)
    const config = manifest.server.mcp_config
    const env = Object.fromEntries(Object.entries(config.env as Record<string, string>).map(([k, v]) => [k, substitute(v)]))
    expect(env).toEqual({ API_KEY, ATHLETE_ID, INTERVALS_WRITE_MODE: "read-only", MCP_TOOLSETS: "analysis" })

    const client = new Client({ name: "claude-desktop-stand-in", version: "1" })
    await client.connect(
      new StdioClientTransport({
        command: config.command === "node" ? process.execPath : config.command,
        args: config.args.map(substitute),
        cwd: work,
        // Only the test points the server at the fake Intervals.icu.
        env: { PATH: process.env["PATH"] ?? "", ...env, INTERVALS_API_BASE_URL: fake.baseUrl },
        stderr: "pipe"
      })
    )
    try {
      const { tools } = await client.listTools()
      expect(tools.map((t) => t.name)).toEqual(toolsFor("read-only", ["analysis"]).map((t) => t.name))
      const result = await client.callTool({ name: "get_activities", arguments: { limit: 1 } })
      expect(result.isError).toBeFalsy()
    } finally {
      await client.close()
    }
  }, 120_000)
})

describe("the MCP Registry entry", () => {
  const server = json(join(ROOT, "server.json"))

  it("follows the current server.json schema's rules", () => {
    expect(server.$schema).toBe("https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json")
    expect(server.name).toMatch(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/)
    expect(server.description.length).toBeLessThanOrEqual(100)
    expect(server.version).toBe(pkg.version)
    for (const entry of server.packages) {
      expect(entry.transport).toEqual({ type: "stdio" })
      expect(entry.version).toBe(pkg.version)
    }
  })

  it("names the npm package and the bundle, with the key as a secret", () => {
    const npm = server.packages.find((p: { registryType: string }) => p.registryType === "npm")
    expect(npm.identifier).toBe(pkg.name)
    const mcpb = server.packages.find((p: { registryType: string }) => p.registryType === "mcpb")
    expect(mcpb.identifier).toMatch(new RegExp(`/download/v${pkg.version}/intervals-mcp\\.mcpb$`))
    expect(mcpb.fileSha256).toMatch(/^[a-f0-9]{64}$/)
    for (const entry of [npm, mcpb]) {
      expect(entry.environmentVariables.find((v: { name: string }) => v.name === "API_KEY")).toMatchObject({
        isRequired: true,
        isSecret: true
      })
    }
  })
})
