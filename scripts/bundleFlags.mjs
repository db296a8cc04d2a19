// The esbuild flags of the server's bundle, shared with the bench, whose baseline server is bundled the same way so
// that a ratio of start-up times compares like with like.
export const bundleFlags = {
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
  chunkNames: "chunks/[name]-[hash]",
  banner: {
    // Some bundled CommonJS dependencies call require() for Node built-ins.
    js: "#!/usr/bin/env node\nimport { createRequire as __createRequire } from \"node:module\";" +
      "const require = __createRequire(import.meta.url);"
  },
  logLevel: "warning"
}
