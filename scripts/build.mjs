// Bundles the server into dist/ with esbuild: one entry file that starts fast (Claude Desktop spawns the server at
// every launch), with code only some transports need split into chunks loaded on demand, and source maps.
import { build } from "esbuild"
import { rm } from "node:fs/promises"

await rm("dist", { recursive: true, force: true })
const result = await build({
  entryPoints: { main: "src/Main.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  // PROFILE=1 keeps names and lines readable for a CPU profile.
  minifySyntax: !process.env.PROFILE,
  minifyWhitespace: !process.env.PROFILE,
  legalComments: "linked",
  metafile: true,
  chunkNames: "chunks/[name]-[hash]",
  banner: {
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from \"node:module\";" +
      "const require = __createRequire(import.meta.url);"
  },
  logLevel: "warning"
})
const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith(".js"))
  .map(([file, output]) => `${file} ${(output.bytes / 1024).toFixed(0)} KiB`)
console.error(`built ${bytes.join(", ")}`)
