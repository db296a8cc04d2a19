/**
 * Writes `tool-surface.lock.json`: each tool's name, title, annotations and a hash of its input and output schemas as
 * `tools/list` advertises them. Clients key "always allow" grants on a tool's identity, so a change to the surface
 * is a deliberate edit: a test fails until this is run (`npm run surface`) and the new lock file is reviewed.
 * `npm run surface -- --sizes` writes nothing and prints what `tools/list` costs in each write mode, split into
 * descriptions, input and output schemas, with the default toolsets and with all.
 */
import { writeFileSync } from "node:fs"
import { listing } from "../src/mcp/ToolListing.js"
import { surface } from "../src/mcp/ToolSurface.js"
import { allTools, toolsFor } from "../src/tools/Registry.js"
import { DEFAULT_TOOLSETS, TOOLSETS } from "../src/tools/Toolsets.js"

if (process.argv.includes("--sizes")) {
  const size = (value: unknown) => JSON.stringify(value ?? "").length
  for (const [mode, sets] of [
    ["read-only", DEFAULT_TOOLSETS],
    ["safe", DEFAULT_TOOLSETS],
    ["full", DEFAULT_TOOLSETS],
    ["read-only", TOOLSETS],
    ["safe", TOOLSETS],
    ["full", TOOLSETS]
  ] as const) {
    const tools = toolsFor(mode, sets).map(listing)
    const sum = (part: (tool: (typeof tools)[number]) => unknown) => tools.reduce((n, tool) => n + size(part(tool)), 0)
    console.log(
      `${mode}, MCP_TOOLSETS=${sets === TOOLSETS ? "all" : sets.join(",")}: ${tools.length} tools, tools/list ${JSON.stringify({ tools }).length} characters: descriptions ` +
        `${sum((t) => t.description)}, input schemas ${sum((t) => t.inputSchema)}, output schemas ` +
        `${sum((t) => t.outputSchema)}; longest description ${Math.max(...tools.map((t) => t.description?.length ?? 0))}`
    )
  }
} else {
  const path = new URL("../tool-surface.lock.json", import.meta.url)
  writeFileSync(path, JSON.stringify(surface(allTools), null, 2) + "\n")
  console.log(`tool-surface.lock.json: ${allTools.length} tools`)
}
