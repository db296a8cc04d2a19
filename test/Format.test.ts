import { readFileSync } from "node:fs"
import { describe, expect, it } from "vitest"
import * as Format from "../src/tools/Format.js"
import { Version } from "../src/Version.js"

describe("Format", () => {
  it("writes durations compactly", () => {
    expect(Format.duration(3725)).toBe("1h02m05s")
    expect(Format.duration(3600)).toBe("1h00m")
    expect(Format.duration(2700)).toBe("45m")
    expect(Format.duration(40)).toBe("40s")
    expect(Format.duration(null)).toBeUndefined()
  })

  it("writes a table's hours as h:mm, rounded to the minute", () => {
    expect(Format.hoursMinutes(31_260)).toBe("8:41")
    expect(Format.hoursMinutes(27_000)).toBe("7:30")
    expect(Format.hoursMinutes(3_599)).toBe("1:00")
    expect(Format.hoursMinutes(0)).toBe("0:00")
    expect(Format.hoursMinutes(-1)).toBeUndefined()
    expect(Format.hoursMinutes(undefined)).toBeUndefined()
  })

  it("reads speed as pace for foot sports and swims, km/h otherwise", () => {
    expect(Format.speed(1000 / 275, "run")).toBe("4:35 /km")
    expect(Format.speed(100 / 108, "swim")).toBe("1:48 /100m")
    expect(Format.speed(8.787, "other")).toBe("31.6 km/h")
    expect(Format.speed(0, "run")).toBeUndefined()
    expect(Format.sportFamily("OpenWaterSwim")).toBe("swim")
    expect(Format.sportFamily("TrailRun")).toBe("run")
    expect(Format.sportFamily("VirtualRide")).toBe("other")
  })

  it("counts swim distances in metres and others in km", () => {
    expect(Format.distance(1500, "swim")).toBe("1500 m")
    expect(Format.distance(36210.5)).toBe("36.21 km")
    expect(Format.distance(120000)).toBe("120 km")
    expect(Format.distance(0)).toBeUndefined()
  })

  it("drops unknown parts of a line instead of printing placeholders", () => {
    expect(Format.join(["a", undefined, false, "", "b"])).toBe("a · b")
    expect(Format.unit(null, " W")).toBeUndefined()
    expect(Format.localDateTime("2026-11-24T06:23:10")).toBe("2026-11-24 06:23")
    expect(Format.localDateTime("2026-11-24T00:00:00")).toBe("2026-11-24")
  })
})

describe("Version", () => {
  it("matches package.json", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
    expect(Version).toBe(pkg.version)
  })
})
