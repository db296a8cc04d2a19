// Bundles the server into dist/ with esbuild: one entry file that starts fast (Claude Desktop spawns the server at
// every launch), with code only some transports need split into chunks loaded on demand, and source maps.
import { build } from "esbuild"
import { bundleFlags } from "./bundleFlags.mjs"
import { copyFile, readFile, rm } from "node:fs/promises"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"

// node-sqlite3-wasm (the SQLite store's driver, loaded only when that store is chosen) is CommonJS that reads its
// WebAssembly from `__dirname + "/node-sqlite3-wasm.wasm"`, and a chunk of an ES module bundle has no __dirname. The
// plugin wraps the driver as an ES module whose __dirname is the directory of the chunk it lands in (from
// import.meta.url), with a `module` for it to fill and module.exports as its default export (a bare substitution of
// import.meta would make esbuild take the file for an ES module with no exports), and the .wasm is copied next to
// every output that holds the driver.
const SQLITE_DRIVER = /[\\/]node-sqlite3-wasm[\\/]dist[\\/]node-sqlite3-wasm\.js$/
const sqliteWasm = {
  name: "node-sqlite3-wasm",
  setup(build) {
    build.onLoad({ filter: SQLITE_DRIVER }, async ({ path }) => {
      const source = await readFile(path, "utf8")
      // A release that finds its .wasm some other way would otherwise build fine and fail at the first open.
      if (!source.includes("__dirname+\"/\"")) throw new Error(`${path} no longer locates its .wasm from __dirname`)
      return {
        contents: "import { dirname as __sqliteDirname } from \"node:path\";" +
          "import { fileURLToPath as __sqliteFileURLToPath } from \"node:url\";" +
          "const __dirname = __sqliteDirname(__sqliteFileURLToPath(import.meta.url));" +
          "const module = { exports: {} };\n" + source + "\nexport default module.exports;\n",
        loader: "js"
      }
    })
  }
}

// OUTDIR=… builds elsewhere (a build to compare with, beside the current one).
const outdir = process.env.OUTDIR ?? "dist"
await rm(outdir, { recursive: true, force: true })
const result = await build({
  ...bundleFlags,
  entryPoints: { main: "src/Main.ts" },
  outdir,
  metafile: true,
  plugins: [sqliteWasm]
})
const wasm = join(dirname(createRequire(import.meta.url).resolve("node-sqlite3-wasm")), "node-sqlite3-wasm.wasm")
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (Object.keys(output.inputs).some((input) => SQLITE_DRIVER.test(input))) {
    await copyFile(wasm, join(dirname(file), "node-sqlite3-wasm.wasm"))
  }
}
const bytes = Object.entries(result.metafile.outputs)
  .filter(([file]) => file.endsWith(".js"))
  .map(([file, output]) => `${file} ${(output.bytes / 1024).toFixed(0)} KiB`)
console.error(`built ${bytes.join(", ")}`)
