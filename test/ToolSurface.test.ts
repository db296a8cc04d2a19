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
import { allTools, toolsFor } from "../src/tools/Registry.js"

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
    })
  }

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

  for (const mode of ["read-only", "safe", "full"] as const) {
    for (const demo of [false, true]) {
      it(`keeps the instructions (${mode}${demo ? ", demo" : ""}) short, naming only tools that mode registers`, () => {
        const text = instructionsFor(mode, demo)
        expect(text.length).toBeLessThanOrEqual(1800)
        const named = [...text.matchAll(/\b[a-z]+(?:_[a-z]+)+\b/g)].map((m) => m[0])
          .filter((word) => !["athlete_id", "dry_run"].includes(word))
        expect(named.length).toBeGreaterThan(4)
        const registered = new Set(toolsFor(mode).map((tool) => tool.name))
        expect(named.filter((name) => !registered.has(name))).toEqual([])
        expect(text).toMatch(/get_athlete_profile/)
        expect(text).toMatch(/Never ask the user for an API key/)
      })
    }
  }
})
