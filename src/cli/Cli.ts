/**
 * The command line, on `@effect/cli`, over the same layers and tool registry as the server: `check` asks
 * Intervals.icu who the key belongs to, `tools` lists what the current write mode registers, `call` runs one tool
 * through the bridge's own `tools/call` path. With no subcommand it serves MCP, so `intervals-mcp --demo` is the server
 * on the demo athlete. `--demo` is accepted before or after a subcommand.
 */
import { Args, Command, HelpDoc, Options } from "@effect/cli"
import * as Span from "@effect/cli/HelpDoc/Span"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { textOf } from "../mcp/ToolCall.js"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { AppLive, type Overrides, provideConfig, Reported, serve } from "../Layers.js"
import { McpServer } from "../McpServer.js"
import { makeJournal, WriteJournal } from "../services/WriteJournal.js"
import { AppConfig, ToolsetsConfig, WriteModeConfig } from "../services/AppConfig.js"
import { AthleteCalendar } from "../services/AthleteCalendar.js"
import { IntervalsClient } from "../services/IntervalsClient.js"
import { toolsFor, writes } from "../tools/Registry.js"
import { TOOLSETS } from "../tools/Toolsets.js"
import { Version } from "../Version.js"

const VARIABLES = [
  ["API_KEY", "your Intervals.icu API key (Settings > Developer Settings); alias INTERVALS_API_KEY"],
  ["ATHLETE_ID", "athlete id (i12345); 0, the default, is the key's own athlete; alias INTERVALS_ATHLETE_ID"],
  ["INTERVALS_DEMO", "true serves the built-in demo athlete, like --demo"],
  ["INTERVALS_WRITE_MODE", "read-only, safe (default) or full"],
  ["MCP_TOOLSETS", `toolsets beside core, comma-separated, or all: ${TOOLSETS.filter((s) => s !== "core").join(", ")} (commands: all)`],
  ["INTERVALS_API_BASE_URL", "default https://intervals.icu/api/v1"],
  ["MCP_TRANSPORT", "stdio (default), http (Streamable HTTP at /mcp) or sse"],
  ["MCP_HOST, MCP_PORT", "where the HTTP transports listen (127.0.0.1:8000)"],
  ["MCP_SERVER_API_KEY", "bearer key the HTTP transports require"],
  ["LOG_LEVEL", "Debug, Info (default), Warning, Error, None; logs go to stderr"],
  ["INTERVALS_CACHE, INTERVALS_RATE_LIMIT", "read cache on/off; requests per second to Intervals.icu"],
  ["INTERVALS_RATE_BURST", "requests that may go at once before the pace applies (default 15)"],
  ["INTERVALS_REQUEST_TIMEOUT_MS, INTERVALS_DEADLINE_MS", "timeout of one request; deadline of a call"]
] as const

const DESCRIPTION = HelpDoc.blocks([
  HelpDoc.p(
    "MCP server for Intervals.icu. With no command it serves MCP (stdio unless MCP_TRANSPORT says otherwise), as " +
      "Claude Desktop starts it. Configuration comes from the environment, then a .env file in the working directory."
  ),
  HelpDoc.h2("Environment variables"),
  HelpDoc.descriptionList(
    VARIABLES.map(([name, meaning]) => [Span.code(name), HelpDoc.p(meaning)] as [Span.Span, HelpDoc.HelpDoc]) as [
      [Span.Span, HelpDoc.HelpDoc],
      ...Array<[Span.Span, HelpDoc.HelpDoc]>
    ]
  )
])

const demo = Options.boolean("demo").pipe(
  Options.withDescription("Serve the built-in demo athlete (no account needed); also INTERVALS_DEMO=true")
)

const overrides = (...demos: ReadonlyArray<boolean>): Overrides => (demos.some(Boolean) ? { INTERVALS_DEMO: "true" } : {})

const print = (text: string) => Effect.sync(() => void process.stdout.write(text.endsWith("\n") ? text : `${text}\n`))
const complain = (text: string) =>
  Effect.zipRight(
    Effect.sync(() => void process.stderr.write(text.endsWith("\n") ? text : `${text}\n`)),
    Effect.fail(new Reported())
  )

/**
 * A command prints its own answer: the server's logs below errors would only repeat it on stderr. And a command
 * line has every toolset unless MCP_TOOLSETS says otherwise: the small default spares a model's context, which a
 * terminal does not have.
 */
const QUIET: Overrides = { LOG_LEVEL: "Error", MCP_TOOLSETS: "all" }

/** Runs a command's program with the configuration and the application's layers. */
const withApp = (demos: ReadonlyArray<boolean>) => <A, E, R>(program: Effect.Effect<A, E, R>) =>
  program.pipe(Effect.provide(AppLive), provideConfig(overrides(...demos), QUIET))

const root = Command.make("intervals-mcp", { demo }, ({ demo }) => provideConfig(overrides(demo))(serve)).pipe(
  Command.withDescription(DESCRIPTION)
)

const check = Command.make("check", { demo }, (own) =>
  Effect.flatMap(root, (parent) =>
    Effect.gen(function*() {
      const config = yield* AppConfig
      const client = yield* IntervalsClient
      const athlete = yield* client.athlete(config.athleteId).pipe(
        Effect.catchAll((error) => complain(`intervals-mcp check failed: ${error.message}`))
      )
      const today = yield* Effect.flatMap(AthleteCalendar, (calendar) => calendar.today(config.athleteId)).pipe(
        Effect.orElseSucceed(() => undefined)
      )
      yield* print([
        `OK: Intervals.icu accepted the ${config.demo ? "demo" : "API"} key; athlete ${athlete.name ?? "(no name)"} ` +
        `(${athlete.id})`,
        `  timezone    ${athlete.timezone ?? "not set (UTC is used)"}${today ? ` (today ${today})` : ""}`,
        `  write mode  ${config.writeMode}`,
        `  base URL    ${config.baseUrl}${config.demo ? " (not contacted: the demo athlete is built in)" : ""}`,
        `  transport   ${config.transport}`
      ].join("\n"))
    }).pipe(withApp([parent.demo, own.demo]))
  )).pipe(Command.withDescription("Check the configuration: ask Intervals.icu once who the key belongs to"))

// Listing needs only the write mode, not a key: it works before anything else is set up.
const tools = Command.make("tools", { demo }, (own) =>
  Effect.flatMap(root, (parent) =>
    Effect.gen(function*() {
      const mode = yield* WriteModeConfig
      const listed = toolsFor(mode, yield* ToolsetsConfig)
      const width = Math.max(...listed.map((tool) => tool.name.length))
      yield* print(listed.map((tool) => `${writes(tool) ? "✎" : " "} ${tool.name.padEnd(width)}  ${tool.title}`).join("\n"))
    }).pipe(provideConfig(overrides(parent.demo, own.demo), QUIET))
  )).pipe(Command.withDescription("List the tools the write mode and toolsets register (✎ marks a write)"))


const call = Command.make("call", {
  demo,
  json: Options.boolean("json").pipe(Options.withDescription("Print the structured result as JSON instead of the text")),
  tool: Args.text({ name: "TOOL" }).pipe(Args.withDescription("A tool name, as `tools` lists them")),
  args: Args.text({ name: "JSON-ARGS" }).pipe(
    Args.withDescription("The tool's arguments as a JSON object, e.g. '{\"limit\": 5}'"),
    Args.optional
  )
}, (own) =>
  Effect.flatMap(root, (parent) =>
    Effect.gen(function*() {
      const text = Option.getOrElse(own.args, () => "{}")
      let args: unknown
      try {
        args = JSON.parse(text)
      } catch (error) {
        return yield* complain(
          `intervals-mcp call: JSON-ARGS is not valid JSON (${error instanceof Error ? error.message : "unreadable"}); ` +
            `give an object such as '{"limit": 5}'`
        )
      }
      if (typeof args !== "object" || args === null || Array.isArray(args)) {
        return yield* complain(`intervals-mcp call: JSON-ARGS must be a JSON object such as '{"limit": 5}', got ${text}`)
      }
      const mcp = yield* McpServer
      // One call, one journal: a command line has nothing of its own to undo.
      const result = yield* mcp.call(own.tool, args).pipe(Effect.provideService(WriteJournal, makeJournal()))
      if (result.isError) return yield* complain(textOf(result, true))
      yield* print(own.json ? JSON.stringify(result.structuredContent ?? {}, null, 2) : textOf(result, true))
    }).pipe(withApp([parent.demo, own.demo]))
  )).pipe(Command.withDescription("Run one tool, as an MCP client's tools/call would, and print its answer"))

// Works on the token store the server would use (MCP_STORE_URL, or the SQLite file under MCP_DATA_DIR).
const revokeAll = Command.make("revoke-all", {}, () =>
  Effect.gen(function*() {
    const [{ StoreLive }, { revokeEverything }] = yield* Effect.promise(() =>
      Promise.all([import("../store/Store.js"), import("../auth/Revocation.js")])
    )
    const grants = yield* revokeEverything.pipe(Effect.provide(StoreLive))
    yield* print(`revoked ${grants} OAuth grant(s): every connector must sign in again`)
  }).pipe(provideConfig({}, QUIET))).pipe(
    Command.withDescription(
      "End every OAuth connection (MCP_AUTH=oauth): with Redis at any time; with SQLite while the server is stopped " +
        "(a running one: DELETE /oauth/grants)"
    )
  )

const command = root.pipe(Command.withSubcommands([check, tools, call, revokeAll]))

export const cli = (argv: ReadonlyArray<string>) =>
  Command.run(command, { name: "intervals-mcp", version: Version })(argv).pipe(
    Effect.provide(NodeContext.layer)
  ) as Effect.Effect<void, unknown>
