/**
 * A transcript of what a model sees, from the built server on the demo athlete over stdio, driven by the SDK's own
 * `Client` declaring elicitation (`npm run transcript`, after `npm run build`): every prompt, every resource, a
 * completion, a confirmation accepted and one declined, a progress sequence, and three structured errors. The MCP
 * Inspector's CLI shows prompts, resources and errors too, but cannot answer an elicitation, ask for progress or
 * complete an argument; this does all of them in one run.
 */
import { type CallToolResult, Client, type ElicitResult } from "@modelcontextprotocol/client"
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/client/stdio"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const era = process.argv.includes("--2026") ? "2026-07-28" : "2025"
const client = new Client(
  { name: "intervals-mcp-transcript", version: "1" },
  {
    capabilities: { elicitation: { form: {} } },
    ...(era === "2025" ? {} : { versionNegotiation: { mode: { pin: "2026-07-28" } } })
  }
)
let answer: ElicitResult = { action: "accept", content: { confirm: true } }
client.setRequestHandler("elicitation/create", (request) => {
  const params = request.params as { message: string }
  console.log(`  ⇠ elicitation/create: ${params.message.replaceAll("\n", "\n      ")}`)
  console.log(`  ⇢ ${JSON.stringify(answer)}`)
  return answer
})
await client.connect(
  new StdioClientTransport({
    command: process.execPath,
    args: [new URL("../dist/main.js", import.meta.url).pathname, "--demo"],
    cwd: mkdtempSync(join(tmpdir(), "intervals-mcp-transcript-")),
    env: { ...getDefaultEnvironment(), MCP_TOOLSETS: "all" },
    stderr: "ignore"
  })
)

const show = (title: string, value: unknown) =>
  console.log(`\n## ${title}\n${typeof value === "string" ? value : JSON.stringify(value, null, 1)}`)
const text = (result: CallToolResult) => result.content.map((c) => (c.type === "text" ? c.text : `[${c.type}]`)).join("\n")
const call = async (name: string, args: Record<string, unknown>, onprogress?: (p: unknown) => void) =>
  (await client.callTool({ name, arguments: args }, onprogress === undefined ? {} : { onprogress })) as CallToolResult

console.log(`# intervals-mcp transcript (${era} client, demo athlete)`)
const { prompts } = await client.listPrompts()
show("prompts/list", prompts.map((p) => `${p.name}(${(p.arguments ?? []).map((a) => a.name).join(", ")}): ${p.description}`).join("\n"))
const recent = (await call("get_activities", { limit: 2 })).structuredContent as { activities: Array<{ id: string }> }
const [first, second] = recent.activities.map((a) => a.id)
const args: Record<string, Record<string, string>> = {
  activity_deep_dive: { activity_id: first! },
  compare_sessions: { first_activity_id: second!, second_activity_id: first! },
  plan_next_week: { goal: "build threshold", hours: "8" }
}
for (const prompt of prompts) {
  const got = await client.getPrompt({ name: prompt.name, arguments: args[prompt.name] ?? {} })
  show(`prompts/get ${prompt.name} ${JSON.stringify(args[prompt.name] ?? {})}`, (got.messages[0]!.content as { text: string }).text)
}
const { resources } = await client.listResources()
const { resourceTemplates } = await client.listResourceTemplates()
show("resources/list", resources.map((r) => `${r.uri} (${r.mimeType}): ${r.name}`).join("\n"))
show("resources/templates/list", resourceTemplates.map((r) => `${r.uriTemplate}: ${r.name}`).join("\n"))
for (const uri of [...resources.map((r) => r.uri), `intervals://activity/${first}`]) {
  const read = await client.readResource({ uri })
  const content = read.contents[0] as { text?: string }
  show(`resources/read ${uri}`, `${(content.text ?? "").slice(0, 600)}${(content.text ?? "").length > 600 ? " …" : ""}`)
}
const completion = await client.complete({
  ref: { type: "ref/prompt", name: "activity_deep_dive" },
  argument: { name: "activity_id", value: "" }
})
show("completion/complete activity_deep_dive.activity_id \"\"", completion.completion)
const sports = await client.complete({ ref: { type: "ref/prompt", name: "monthly_progress" }, argument: { name: "sport", value: "R" } })
show("completion/complete monthly_progress.sport \"R\"", sports.completion)

const today = ((await call("get_athlete_profile", {})).structuredContent as { athlete: { today: string } }).athlete.today
const day = (n: number) => new Date(Date.parse(`${today}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)
const planned = await call("add_events_bulk", {
  events: [1, 2, 3].map((n) => ({ date: day(10 + n), name: `Endurance ${n}`, workout_type: "Ride", text: "- 1h 65%" })),
  dry_run: false
})
show("tools/call add_events_bulk dry_run: false, no token (confirmed by the user)", text(planned))
answer = { action: "decline" }
const declined = await call("delete_events_by_date_range", { start_date: day(11), end_date: day(13), category: ["WORKOUT"] })
show("tools/call delete_events_by_date_range (declined by the user)", { text: text(declined), structuredContent: declined.structuredContent })
answer = { action: "accept", content: { confirm: true } }
const seen: Array<unknown> = []
const moved = await call("move_events", { start_date: day(11), end_date: day(13), days: 7, dry_run: false }, (p) => seen.push(p))
show("tools/call move_events with a progressToken (confirmed): notifications/progress", seen)
show("its answer", text(moved))
for (const [name, bad] of [
  ["get_activities", { start_date: "2026-02-30" }],
  ["get_activity_details", { activity_id: "i0" }],
  ["delete_library_workout", { workout_id: 77001 }]
] as const) {
  const result = await call(name, bad)
  show(`tools/call ${name} ${JSON.stringify(bad)} (error)`, { text: text(result), structuredContent: result.structuredContent })
}
await client.close()
