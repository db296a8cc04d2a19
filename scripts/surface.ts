/**
 * Writes `tool-surface.lock.json`: each tool's name, title, annotations and a hash of its input and output schemas as
 * `tools/list` advertises them. Clients key "always allow" grants on a tool's identity, so a change to the surface
 * is a deliberate edit: a test fails until this is run (`npm run surface`) and the new lock file is reviewed.
 */
import { writeFileSync } from "node:fs"
import { surface } from "../src/mcp/ToolSurface.js"
import { allTools } from "../src/tools/Registry.js"

const path = new URL("../tool-surface.lock.json", import.meta.url)
writeFileSync(path, JSON.stringify(surface(allTools), null, 2) + "\n")
console.log(`tool-surface.lock.json: ${allTools.length} tools`)
