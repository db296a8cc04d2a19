/**
 * Completions on the built server over stdio against the fake: activity ids for the prompts and the activity
 * template (by the id's start or a word of the name), upcoming event ids, race dates, recent Mondays and months,
 * athlete ids for a coach, sport types and library folders;
 * refusals for an argument or a prompt that does not exist.
 */
import { describe, expect, it } from "vitest"
import { addDays, ATHLETE_ID, COACHED_ID, POWER_RIDE_ID } from "../fake/Fixtures.js"
import { againstFake } from "../support/StdioServer.js"

const suite = againstFake()

const prompt = (name: string) => ({ type: "ref/prompt" as const, name })
const values = async (ref: { type: "ref/prompt"; name: string } | { type: "ref/resource"; uri: string }, name: string, value: string) =>
  (await suite.server.client.complete({ ref, argument: { name, value } })).completion.values

describe("completion/complete", () => {
  it("offers recent activity ids, narrowed by the id's start or a word of the name", async () => {
    const all = await values(prompt("activity_deep_dive"), "activity_id", "")
    expect(all).toContain(POWER_RIDE_ID)
    expect(all.length).toBeGreaterThan(3)
    expect(await values(prompt("activity_deep_dive"), "activity_id", POWER_RIDE_ID.slice(0, 6))).toContain(POWER_RIDE_ID)
    expect(await values(prompt("compare_sessions"), "second_activity_id", "i0")).toEqual([])
    const ride = suite.fake.fixtures.activities.find((a) => a.id === POWER_RIDE_ID)!
    const word = String(ride.name).split(/\s+/)[0]!.toLowerCase()
    expect(await values(prompt("compare_sessions"), "first_activity_id", word)).toContain(POWER_RIDE_ID)
    expect(await values({ type: "ref/resource", uri: "intervals://activity/{id}" }, "id", "")).toEqual(all)
  })

  it("offers upcoming event ids for the event template, and race dates for the taper", async () => {
    const today = suite.fake.fixtures.today
    const upcoming = suite.fake.fixtures.events.filter((e) => {
      const day = String(e.start_date_local).slice(0, 10)
      return day >= today && day <= addDays(today, 42)
    })
    const ids = await values({ type: "ref/resource", uri: "intervals://event/{id}" }, "id", "")
    expect(ids.sort()).toEqual(upcoming.map((e) => String(e.id)).sort())
    suite.fake.fixtures.events.push(
      { id: 88001, start_date_local: `${addDays(today, 60)}T09:00:00`, category: "RACE_A", name: "Goal race" },
      { id: 88002, start_date_local: `${addDays(today, -20)}T09:00:00`, category: "RACE_B", name: "Past race" }
    )
    const races = suite.fake.fixtures.events
      .filter((e) => String(e.category).startsWith("RACE_") && String(e.start_date_local).slice(0, 10) >= today)
      .map((e) => String(e.start_date_local).slice(0, 10))
    expect(races).toContain(addDays(today, 60))
    expect(races).not.toContain(addDays(today, -20))
    expect(await values(prompt("race_week_taper"), "race_date", "")).toEqual(races.sort())
  })

  it("offers the last eight Mondays and the last twelve months, newest first", async () => {
    const mondays = await values(prompt("weekly_review"), "week_start", "")
    expect(mondays).toHaveLength(8)
    for (const day of mondays) expect(new Date(`${day}T00:00:00Z`).getUTCDay()).toBe(1)
    expect(mondays[0]! <= suite.fake.fixtures.today && addDays(mondays[0]!, 7) > suite.fake.fixtures.today).toBe(true)
    const months = await values(prompt("monthly_progress"), "month", "")
    expect(months).toHaveLength(12)
    expect(months[0]).toBe(suite.fake.fixtures.today.slice(0, 7))
  })

  it("offers the athletes a coach may read, the athlete's sport types and the library's folders", async () => {
    expect(await values(prompt("weekly_review"), "athlete_id", "")).toEqual([ATHLETE_ID, COACHED_ID])
    expect(await values(prompt("recovery_check"), "athlete_id", "coached")).toEqual([COACHED_ID])
    const sports = await values(prompt("monthly_progress"), "sport", "")
    expect(sports).toContain("Ride")
    expect(sports).toContain("Run")
    expect(await values(prompt("monthly_progress"), "sport", "ru")).toEqual(sports.filter((s) => s.toLowerCase().startsWith("ru")))
    expect(await values(prompt("plan_next_week"), "library_folder", "")).toEqual(["Key sessions", "Base 6 weeks"])
    expect(await values(prompt("plan_next_week"), "library_folder", "base")).toEqual(["Base 6 weeks"])
  })

  it("refuses an argument or a prompt that does not exist, and completes nothing for free text", async () => {
    const refused = (name: string, argument: string) =>
      suite.server.client.complete({ ref: prompt(name), argument: { name: argument, value: "" } }).then(
        () => undefined,
        (e: Error & { code?: number }) => e
      )
    expect((await refused("setup_check", "athlete"))?.message).toMatch(/setup_check has no argument "athlete"/)
    expect((await refused("nope", "x"))?.code).toBe(-32602)
    expect(await values(prompt("plan_next_week"), "goal", "bu")).toEqual([])
  })
})
