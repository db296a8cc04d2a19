// The bench's baseline: a bare MCP SDK server (v2, both eras over stdio, as ours), bundled with the same esbuild flags
// as ours, with no Effect. Two tools: `echo` (the floor of a round trip through the SDK) and `get`, which makes the same
// keep-alive node:http GET to the fake Intervals.icu as our server's read does and returns the body as its text (the
// like-for-like floor of an uncached read). Over HTTP (BASELINE_HTTP=1) it serves Streamable HTTP, stateless, on
// node:http with the SDK's handler, for the throughput baseline's CPU cost.
import { Server } from "@modelcontextprotocol/server"
import { serveStdio } from "@modelcontextprotocol/server/stdio"
import { Agent, request } from "node:http"

const agent = new Agent({ keepAlive: true, maxSockets: 16 })
const authorization = `Basic ${Buffer.from(`API_KEY:${process.env.API_KEY ?? ""}`).toString("base64")}`

const get = (url) =>
  new Promise((resolve, reject) => {
    request(url, { agent, headers: { authorization, accept: "application/json" } }, (response) => {
      const chunks = []
      response.on("data", (chunk) => chunks.push(chunk))
      response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
      response.on("error", reject)
    }).on("error", reject).end()
  })

const makeServer = () => {
  const server = new Server({ name: "baseline", version: "1.0.0" }, { capabilities: { tools: {} } })
  server.setRequestHandler("tools/list", () => ({
    tools: [
      { name: "echo", description: "Echoes its text", inputSchema: { type: "object", properties: { text: { type: "string" } } } },
      { name: "get", description: "GETs a URL", inputSchema: { type: "object", properties: { url: { type: "string" } } } }
    ]
  }))
  server.setRequestHandler("tools/call", async (request) => {
    const args = request.params.arguments ?? {}
    const text = request.params.name === "get"
      ? await get(String(args.url))
      : process.env.BASELINE_TEXT ?? String(args.text ?? "")
    return { content: [{ type: "text", text }] }
  })
  return server
}

if (process.env.BASELINE_HTTP === "1") {
  const { NodeStreamableHTTPServerTransport } = await import("@modelcontextprotocol/node")
  const { createServer } = await import("node:http")
  createServer((req, res) => {
    const chunks = []
    req.on("data", (chunk) => chunks.push(chunk))
    req.on("end", async () => {
      const server = makeServer()
      const transport = new NodeStreamableHTTPServerTransport({ enableJsonResponse: true })
      res.once("close", () => void server.close())
      await server.connect(transport)
      await transport.handleRequest(req, res, JSON.parse(Buffer.concat(chunks).toString("utf8")))
    })
  }).listen(0, "127.0.0.1", function() {
    console.log(this.address().port)
  })
} else {
  const handle = serveStdio(makeServer)
  process.stdin.on("end", () => void handle.close().then(() => process.exit(0)))
}
