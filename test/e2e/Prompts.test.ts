/**
 * Prompts on the built server (the demo athlete, over stdio): eight or more listed, each rendered with its
 * arguments checked, naming only tools the mode and the toolsets register and the rules; bad arguments refused naming
 * the argument.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { promptsFor } from "../../src/prompts/Prompts.js"
import { toolsFor } from "../../src/tools/Registry.js"
import { DEFAULT_TOOLSETS, type Toolset, TOOLSETS } from "../../src/tools/Toolsets.js"
import { type Connected, connectStdio } from "../support/StdioServer.js"

let safe: Connected
let readOnly: Connected
let core: Connected

beforeAll(async () => {
  safe = await connectStdio({}, ["--demo"])
  readOnly = await connectStdio({ INTERVALS_WRITE_MODE: "read-only" }, ["--demo"])
  // The default toolsets, as a user who sets nothing has them.
  core = await connectStdio({ MCP_TOOLSETS: "" }, ["--demo"])
})
afterAll(async () => {
  await safe?.close()
  await readOnly?.close()
  await core?.close()
})

const GOOD: Record<string, Record<string, string>> = {
  weekly_review: { week_start: "2026-11-23" },
  plan_next_week: { goal: "build threshold", hours: "8" },
  activity_deep_dive: { activity_id: "i90000001" },
  recovery_check: { days: "10" },
  race_week_taper: {},
  compare_sessions: { first_activity_id: "i90000001", second_activity_id: "i90000002" },
  monthly_progress: { month: "2026-11" },
  setup_check: {}
}

const toolNames = (text: string) => [...text.matchAll(/\b[a-z]+(?:_[a-z]+)+\b/g)].map((m) => m[0])

describe("prompts", () => {
  it("lists at least eight, each with a title, a description and its arguments", async () => {
    const { prompts } = await safe.client.listPrompts()
    expect(prompts.map((p) => p.name).sort()).toEqual(Object.keys(GOOD).sort())
    for (const prompt of prompts) {
      expect(prompt.title).toBeTruthy()
      expect(prompt.description!.length).toBeGreaterThan(20)
    }
    expect(prompts.find((p) => p.name === "compare_sessions")!.arguments).toEqual([
      expect.objectContaining({ name: "first_activity_id", required: true }),
      expect.objectContaining({ name: "second_activity_id", required: true })
    ])
  })

  it("renders each one naming only tools that exist, with the rules for writing and for keys", async () => {
    const cases: ReadonlyArray<readonly [Connected, "safe" | "read-only", ReadonlyArray<Toolset>]> = [
      [safe, "safe", TOOLSETS],
      [readOnly, "read-only", TOOLSETS],
      [core, "safe", DEFAULT_TOOLSETS]
    ]
    for (const [client, mode, sets] of cases) {
      const registered = new Set(toolsFor(mode, sets).map((tool) => tool.name))
      const { prompts } = await client.client.listPrompts()
      expect(prompts.map((p) => p.name)).toEqual(promptsFor(mode).map((p) => p.name))
      for (const prompt of prompts) {
        const got = await client.client.getPrompt({ name: prompt.name, arguments: GOOD[prompt.name]! })
        const message = got.messages[0]!
        expect(message.role).toBe("user")
        const text = (message.content as { text: string }).text
        const named = toolNames(text).filter((word) => !word.includes("dry_run"))
        expect(named.length, prompt.name).toBeGreaterThan(0)
        expect(named.filter((name) => !registered.has(name)), `${mode} ${prompt.name}`).toEqual([])
        expect(text).toMatch(/Never ask me for an API key/)
        expect(text).toMatch(/confirm with me before any change/)
        for (const value of Object.values(GOOD[prompt.name]!)) expect(text).toContain(value)
      }
    }
    // With the core only, a plan is shown in the chat and written event by event, after the user agreed.
    const plan = await core.client.getPrompt({ name: "plan_next_week", arguments: {} })
    expect((plan.messages[0]!.content as { text: string }).text).toMatch(/Only when I say yes, create each with add_or_update_event/)
    // A library folder is used where the library toolset is on, and said to be out of reach where it is not.
    const folder = { library_folder: "Key sessions" }
    const withLibrary = await safe.client.getPrompt({ name: "plan_next_week", arguments: folder })
    expect((withLibrary.messages[0]!.content as { text: string }).text).toMatch(/"Key sessions" where they fit \(get_workout_library/)
    const withoutLibrary = await core.client.getPrompt({ name: "plan_next_week", arguments: folder })
    expect((withoutLibrary.messages[0]!.content as { text: string }).text).toMatch(/does not list the library tools/)
    // A coach's prompt names the athlete for every call.
    const coached = await safe.client.getPrompt({ name: "weekly_review", arguments: { athlete_id: "i654321" } })
    expect((coached.messages[0]!.content as { text: string }).text).toMatch(/for athlete i654321 \(pass athlete_id i654321/)
    // Read-only mode leaves out the prompts that lead to writes.
    expect((await readOnly.client.listPrompts()).prompts.map((p) => p.name)).not.toContain("plan_next_week")
  })

  it("refuses a bad argument, a missing one, an unknown one and an unknown prompt, naming what is wrong", async () => {
    const refusal = async (name: string, args: Record<string, string>) => {
      const error = await safe.client.getPrompt({ name, arguments: args }).then(() => undefined, (e: Error) => e)
      expect(error, name).toBeDefined()
      expect((error as { code?: number }).code).toBe(-32602)
      return error!.message
    }
    expect(await refusal("activity_deep_dive", { activity_id: "../../etc" })).toMatch(
      /activity_id must be an Intervals.icu activity id such as i12345678, got "\.\.\/\.\.\/etc"/
    )
    expect(await refusal("compare_sessions", { first_activity_id: "i1" })).toMatch(/needs second_activity_id/)
    expect(await refusal("recovery_check", { days: "365" })).toMatch(/days must be a whole number of days from 1 to 90/)
    expect(await refusal("monthly_progress", { month: "2026-13" })).toMatch(/month must be a month, YYYY-MM/)
    expect(await refusal("setup_check", { api_key: "x" })).toMatch(/no argument "api_key"; it takes none/)
    expect(await refusal("no_such_prompt", {})).toMatch(/Unknown prompt "no_such_prompt"; available: weekly_review/)
  })
})
