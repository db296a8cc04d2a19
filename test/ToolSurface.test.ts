/**
 * The tool surface as clients see it in `tools/list`: every input and output schema is valid, portable JSON Schema
 * (draft-07 compiled by Ajv in strict mode, which refuses unknown keywords, ambiguous types and unknown formats), and
 * every description fits clients' limits.
 */
import { Ajv } from "ajv"
import { describe, expect, it } from "vitest"
import { readFileSync } from "node:fs"
import { listing } from "../src/McpServer.js"
import { instructionsFor } from "../src/mcp/Instructions.js"
import { surface } from "../src/mcp/ToolSurface.js"
import { allTools, toolsetOf, toolsFor } from "../src/tools/Registry.js"
import { DEFAULT_TOOLSETS, TOOLSETS } from "../src/tools/Toolsets.js"

const ajv = new Ajv({ strict: true, allErrors: true, formats: { date: /^\d{4}-\d{2}-\d{2}$/ } })

describe("tools/list", () => {
  for (const tool of allTools) {
    it(`${tool.name}: schemas compile under Ajv strict mode`, () => {
      const listed = listing(tool)
      expect(listed.inputSchema.type).toBe("object")
      expect(() => ajv.compile(listed.inputSchema as object)).not.toThrow()
      expect(listed.outputSchema?.type).toBe("object")
      expect(() => ajv.compile(listed.outputSchema as object)).not.toThrow()
      expect((listed.description ?? "").length).toBeLessThanOrEqual(1800)
      // An error answer's structuredContent passes the output schema too: clients that check it on errors as well
      // (the SDK's 1.x client, the Inspector) would refuse the answer otherwise.
      const error = { error: { code: "not_found", retryable: false, hint: "Check the id.", http_status: 404 } }
      expect(ajv.validate(listed.outputSchema as object, error), JSON.stringify(ajv.errors)).toBe(true)
    })
  }

  it("names in each tool's description and parameters only tools of its own toolset or the core", () => {
    const names = new Set(allTools.map((tool) => tool.name))
    const wrong = allTools.flatMap((tool) => {
      const listed = listing(tool)
      const said = [...`${listed.description} ${JSON.stringify(listed.inputSchema)}`.matchAll(/\b[a-z]+(?:_[a-z]+)+\b/g)]
        .map((m) => m[0]).filter((word) => names.has(word))
      const own = toolsetOf(tool.name)
      return said.filter((name) => ![own, "core"].includes(toolsetOf(name))).map((name) => `${tool.name} names ${name}`)
    })
    expect(wrong).toEqual([])
  })

  it("has unique names made of lower-case words", () => {
    const names = allTools.map((tool) => tool.name)
    expect(new Set(names).size).toBe(names.length)
    for (const name of names) expect(name).toMatch(/^[a-z][a-z0-9_]{2,63}$/)
  })
})

describe("a stable surface", () => {
  it("matches tool-surface.lock.json: a change to a tool's identity is a reviewed edit (npm run surface)", () => {
    const locked = JSON.parse(readFileSync(new URL("../tool-surface.lock.json", import.meta.url), "utf8"))
    expect(surface(allTools)).toEqual(locked)
  })

  it("keeps the default tool set's tools/list within 32,000 characters, and every toolset reachable", () => {
    for (const mode of ["read-only", "safe", "full"] as const) {
      const listed = toolsFor(mode, DEFAULT_TOOLSETS).map(listing)
      expect(JSON.stringify({ tools: listed }).length, mode).toBeLessThanOrEqual(32_000)
      expect(listed.map((tool) => tool.name)).toContain("get_athlete_profile")
    }
    // The core is always there, whatever is asked; all toolsets together are every tool.
    expect(toolsFor("full", [])).toEqual(toolsFor("full", ["core"]))
    expect(toolsFor("full", TOOLSETS)).toEqual(allTools)
    expect(toolsFor("safe", ["core"]).some((tool) => tool.name === "add_events_bulk")).toBe(false)
    expect(toolsFor("safe", ["planning"]).some((tool) => tool.name === "add_events_bulk")).toBe(true)
  })

  it("is what the README's toolsets table says", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8")
    for (const set of TOOLSETS) {
      const row = readme.split("\n").find((line) => line.startsWith(`| \`${set}\``))
      expect(row, set).toBeDefined()
      const named = [...row!.split("|")[2]!.matchAll(/`([a-z_]+)`/g)].map((m) => m[1])
      expect(named, set).toEqual(toolsFor("full", [set]).filter((tool) => set === "core" || toolsetOf(tool.name) === set).map((t) => t.name))
    }
  })

  for (const mode of ["read-only", "safe", "full"] as const) {
    for (const [demo, sets] of [[false, DEFAULT_TOOLSETS], [true, DEFAULT_TOOLSETS], [false, TOOLSETS]] as const) {
      const label = `${mode}${demo ? ", demo" : ""}, ${sets === TOOLSETS ? "all toolsets" : "core"}`
      it(`keeps the instructions (${label}) short, naming only tools that are registered`, () => {
        const registered = new Set(toolsFor(mode, sets).map((tool) => tool.name))
        const text = instructionsFor(mode, demo, sets, (name) => registered.has(name))
        expect(text.length).toBeLessThanOrEqual(1800)
        const named = [...text.matchAll(/\b[a-z]+(?:_[a-z]+)+\b/g)].map((m) => m[0])
          .filter((word) => !["athlete_id", "dry_run"].includes(word))
        expect(named.length).toBeGreaterThan(4)
        expect(named.filter((name) => !registered.has(name))).toEqual([])
        expect(text).toMatch(/get_athlete_profile/)
        expect(text).toMatch(/Never ask the user for an API key/)
        if (sets === TOOLSETS) expect(text).not.toMatch(/Toolsets off/)
        else expect(text).toMatch(/Toolsets off \(the server's owner can add them with MCP_TOOLSETS\): analysis, planning/)
      })
    }
  }
})
