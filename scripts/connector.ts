/**
 * What a connector does, against a running server (`npm run connector -- <MCP URL> [<other replica's MCP URL>]`, with
 * the owner secret in `MCP_OWNER_SECRET` or `MCP_SERVER_API_KEY`): the 401 and its discovery, registration, the
 * sign-in page posted as the owner would, PKCE and the code exchange (all by the SDK's own OAuth client), a tool call,
 * a refresh, and a revocation after which the token is refused. With a second URL (another replica behind the same
 * store), the token from the first is used, refreshed and revoked there. Prints each step; exits 1 at the first that
 * goes wrong.
 */
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from "@modelcontextprotocol/client"
import { MemoryOAuthProvider, openSignIn, postSignIn, redirectParams, tokenRequest } from "../test/support/OAuthFlow.js"

const [first, second] = process.argv.slice(2).filter((arg) => arg !== "--")
const secret = process.env["MCP_OWNER_SECRET"] ?? process.env["MCP_SERVER_API_KEY"]
if (first === undefined || secret === undefined) {
  console.error("usage: MCP_SERVER_API_KEY=<owner secret> npm run connector -- <MCP URL> [<second replica's MCP URL>]")
  process.exit(2)
}
const at = new URL(first)
const other = new URL(second ?? first)
const step = (text: string) => console.log(`• ${text}`)
const fail = (text: string): never => {
  console.error(`✗ ${text}`)
  process.exit(1)
}

const challenge = await fetch(at, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" })
step(`POST ${at.pathname} without a token → ${challenge.status}, WWW-Authenticate: ${challenge.headers.get("www-authenticate")}`)
if (challenge.status !== 401) fail("expected 401")

const provider = new MemoryOAuthProvider("intervals-mcp connector check")
const transport = new StreamableHTTPClientTransport(at, { authProvider: provider })
const client = new Client({ name: "connector-check", version: "1" })
const refused = await client.connect(transport).then(() => undefined, (error: unknown) => error)
if (!(refused instanceof UnauthorizedError)) fail(`expected the SDK to ask for sign-in, got ${String(refused)}`)
step(`discovered and registered: client_id ${provider.client?.client_id}`)
step(`sign-in page: ${provider.authorizationUrl!.origin}${provider.authorizationUrl!.pathname}?…`)
const page = await openSignIn(provider.authorizationUrl!)
const name = /<h1>([^<]*)<\/h1>/.exec(page.html)?.[1]
const choices = [...page.html.matchAll(/name="access" value="(\w+)"/g)].map((m) => m[1])
step(`page ${page.status}: "${name}", choices ${choices.join(", ")}`)
const posted = await postSignIn(provider.authorizationUrl!.origin, page, { access: "write", secret, action: "allow" })
const params = redirectParams(posted.location)
step(`allowed "write" → ${posted.status} to ${new URL(posted.location!).origin} with code, state and iss=${params.get("iss")}`)
await transport.finishAuth(params)
step(`token: ${provider.saved?.token_type}, expires in ${provider.saved?.expires_in} s, scope "${provider.saved?.scope}"`)

const connected = new Client({ name: "connector-check", version: "1" })
await connected.connect(new StreamableHTTPClientTransport(other, { authProvider: provider }))
const tools = (await connected.listTools()).tools.map((t) => t.name)
step(`at ${other.host}: ${tools.length} tools (${tools.includes("add_or_update_event") ? "writes" : "no writes"}, ${tools.includes("delete_event") ? "deletes" : "no deletes"})`)
const profile = await connected.callTool({ name: "get_athlete_profile", arguments: {} })
const text = (profile.content as Array<{ type: string; text?: string }>)[0]?.text ?? ""
step(`get_athlete_profile: ${profile.isError === true ? "ERROR " : ""}${text.split("\n").slice(0, 2).join(" / ").slice(0, 120)}`)
await connected.close()

const refreshed = await tokenRequest(other.origin, {
  grant_type: "refresh_token",
  refresh_token: provider.saved!.refresh_token!,
  client_id: provider.client!.client_id
})
step(`refresh at ${other.host} → ${refreshed.status}, new refresh token: ${refreshed.body["refresh_token"] !== provider.saved!.refresh_token}`)
const again = await tokenRequest(at.origin, {
  grant_type: "refresh_token",
  refresh_token: provider.saved!.refresh_token!,
  client_id: provider.client!.client_id
})
step(`the old refresh token again at ${at.host} → ${again.status} ${again.body["error"]} (and the grant is revoked)`)
const token = String(refreshed.body["access_token"])
const probe = (url: URL) =>
  fetch(url, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", accept: "application/json, text/event-stream" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "ping" })
  }).then((r) => r.status)
step(`the newest access token after that: ${at.host} → ${await probe(at)}, ${other.host} → ${await probe(other)}`)
