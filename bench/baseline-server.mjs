// The baseline for the cold-start figure: a bare MCP SDK server over stdio with one trivial tool, no Effect, no
// bundling. Answers `initialize`, `tools/list` and `tools/call echo`.
import { Server } from "@modelcontextprotocol/sdk/server/index.js"
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js"
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js"

const server = new Server({ name: "baseline", version: "1.0.0" }, { capabilities: { tools: {} } })
server.setRequestHandler(ListToolsRequestSchema, () => ({
  tools: [{ name: "echo", description: "Echoes its text", inputSchema: { type: "object", properties: { text: { type: "string" } } } }]
}))
server.setRequestHandler(CallToolRequestSchema, (request) => ({
  content: [{ type: "text", text: String(request.params.arguments?.text ?? "") }]
}))
await server.connect(new StdioServerTransport())
process.stdin.on("end", () => process.exit(0))
