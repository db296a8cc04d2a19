/**
 * Brings `manifest.json` (the MCP Bundle's) in line with the tool registry and the package version: run it after
 * adding, renaming or retitling a tool (`npm run manifest`). A test fails while the two disagree.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { allTools } from "../src/tools/Registry.js"

const path = new URL("../manifest.json", import.meta.url)
const manifest = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
manifest["version"] = pkg.version
manifest["tools"] = allTools.map((tool) => ({ name: tool.name, description: tool.title }))
writeFileSync(path, JSON.stringify(manifest, null, 2) + "\n")
console.log(`manifest.json: ${allTools.length} tools, version ${pkg.version}`)
