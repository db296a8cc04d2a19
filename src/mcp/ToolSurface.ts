/**
 * A tool's identity as clients see it, for `tool-surface.lock.json`: its name, title, annotations, and a hash of the
 * schemas it advertises, so that any change to what `tools/list` says is seen in review (see scripts/surface.ts).
 */
import { createHash } from "node:crypto"
import type { AnyTool } from "../tools/Tool.js"
import { listing } from "./ToolListing.js"

const hash = (value: unknown) => createHash("sha256").update(JSON.stringify(value ?? null)).digest("hex").slice(0, 16)

export const surface = (tools: ReadonlyArray<AnyTool>) =>
  tools.map((tool) => {
    const listed = listing(tool)
    return {
      name: listed.name,
      title: listed.title,
      annotations: listed.annotations,
      input: hash(listed.inputSchema),
      output: hash(listed.outputSchema),
      description: hash(listed.description)
    }
  })
