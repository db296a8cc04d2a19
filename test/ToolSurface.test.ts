/**
 * The tool surface as clients see it in `tools/list`: every input and output schema is valid, portable JSON Schema
 * (draft-07 compiled by Ajv in strict mode, which refuses unknown keywords, ambiguous types and unknown formats), and
 * every description fits clients' limits.
 */
import { Ajv } from "ajv"
import { describe, expect, it } from "vitest"
import { listing } from "../src/McpServer.js"
import { allTools } from "../src/tools/Registry.js"

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
