// The baseline for the cold-start figure: a bare MCP SDK server (v2, both eras over stdio, as ours) with one trivial
// tool, no Effect, no bundling. Answers `initialize`, `tools/list` and `tools/call echo`.
import { Server } from "@modelcontextprotocol/server"
import { serveStdio } from "@modelcontextprotocol/server/stdio"

const handle = serveStdio(() => {
  const server = new Server({ name: "baseline", version: "1.0.0" }, { capabilities: { tools: {} } })
  server.setRequestHandler("tools/list", () => ({
    tools: [{ name: "echo", description: "Echoes its text", inputSchema: { type: "object", properties: { text: { type: "string" } } } }]
  }))
  server.setRequestHandler("tools/call", (request) => ({
    content: [{ type: "text", text: String(request.params.arguments?.text ?? "") }]
  }))
  return server
})
process.stdin.on("end", () => void handle.close().then(() => process.exit(0)))
