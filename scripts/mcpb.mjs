// `npm run mcpb`: the Claude Desktop bundle (MCP Bundle, `.mcpb`) from the built `dist/`, packed with the official
// `mcpb` tool. The bundle holds manifest.json (the one at the root, with the package's version), dist/, README and
// LICENSE: the server needs no node_modules. Its SHA-256 and version are written into server.json, for the MCP
// Registry. `node scripts/mcpb.mjs --out FILE` packs elsewhere and leaves server.json alone (tests do that).
import { execFileSync } from "node:child_process"
import { createHash } from "node:crypto"
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"

const root = resolve(import.meta.dirname, "..")
const outAt = process.argv.indexOf("--out")
const out = outAt > 0 ? resolve(process.argv[outAt + 1]) : join(root, "intervals-mcp.mcpb")
const release = outAt < 0

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"))
const manifest = JSON.parse(readFileSync(join(root, "manifest.json"), "utf8"))
if (manifest.version !== pkg.version) {
  throw new Error(`manifest.json has version ${manifest.version}, package.json ${pkg.version}: make them equal`)
}
if (!existsSync(join(root, "dist/main.js"))) throw new Error("dist/main.js is missing: run npm run build first")

const stage = mkdtempSync(join(tmpdir(), "intervals-mcp-mcpb-"))
try {
  for (const file of ["manifest.json", "README.md", "LICENSE"]) cpSync(join(root, file), join(stage, file))
  cpSync(join(root, "dist"), join(stage, "dist"), { recursive: true })
  const mcpb = join(root, "node_modules/.bin/mcpb")
  execFileSync(mcpb, ["validate", join(stage, "manifest.json")], { stdio: "inherit" })
  rmSync(out, { force: true })
  execFileSync(mcpb, ["pack", stage, out], { stdio: ["ignore", "ignore", "inherit"] })
} finally {
  rmSync(stage, { recursive: true, force: true })
}

const sha256 = createHash("sha256").update(readFileSync(out)).digest("hex")
console.error(`wrote ${out} (${Math.round(statSync(out).size / 1024)} KiB, sha256 ${sha256})`)

if (release) {
  const serverJson = join(root, "server.json")
  const server = JSON.parse(readFileSync(serverJson, "utf8"))
  server.version = pkg.version
  for (const entry of server.packages) {
    if (entry.registryType === "npm") entry.version = pkg.version
    if (entry.registryType === "mcpb") {
      entry.version = pkg.version
      entry.identifier = entry.identifier.replace(/\/download\/v[^/]+\//, `/download/v${pkg.version}/`)
      entry.fileSha256 = sha256
    }
  }
  writeFileSync(serverJson, JSON.stringify(server, null, 2) + "\n")
  console.error("updated server.json with the bundle's version and SHA-256")
}
