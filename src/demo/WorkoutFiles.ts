/**
 * Device and app files for a workout, as the in-memory Intervals.icu answers its `download-workout` endpoints: Zwift
 * `.zwo` (XML), `.mrc` and `.erg` (text courses in % of FTP and in watts), and a small but valid `.fit` workout file
 * (header, file id, workout and one step message per step, each with its CRC). Made from the `workout_doc` steps.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

export interface WorkoutFile {
  readonly body: string | Uint8Array
  readonly contentType: string
}

/** Steps with repeats written out, each with its duration and its power as a fraction of FTP (start and end). */
const flatSteps = (steps: ReadonlyArray<Json>, ftp: number): Array<{ secs: number; from: number; to: number }> =>
  steps.flatMap((step) => {
    if (Array.isArray(step.steps) && step.steps.length > 0) {
      const inner = flatSteps(step.steps, ftp)
      return Array.from({ length: step.reps ?? 1 }, () => inner).flat()
    }
    const secs = step.duration ?? (step.distance ? Math.round(step.distance / 3) : 0)
    const power = step.power ?? {}
    const fraction = (value: number | undefined) =>
      value === undefined ? 0.5 : power.units === "w" ? value / ftp : power.units === "power_zone" ? 0.4 + value * 0.12 : value / 100
    const low = fraction(power.start ?? power.value)
    const high = fraction(power.end ?? power.value)
    // A range is held at its middle; only a ramp goes from one end to the other.
    const [from, to] = step.ramp ? [low, high] : [(low + high) / 2, (low + high) / 2]
    return secs > 0 ? [{ secs, from, to }] : []
  })

const escape = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

const zwo = (name: string, sport: string, steps: ReturnType<typeof flatSteps>) =>
  [
    "<workout_file>",
    "  <author>Intervals.icu</author>",
    `  <name>${escape(name)}</name>`,
    `  <sportType>${/run/i.test(sport) ? "run" : "bike"}</sportType>`,
    "  <workout>",
    ...steps.map((s) =>
      s.from === s.to
        ? `    <SteadyState Duration="${s.secs}" Power="${s.from.toFixed(3)}"/>`
        : `    <Ramp Duration="${s.secs}" PowerLow="${s.from.toFixed(3)}" PowerHigh="${s.to.toFixed(3)}"/>`
    ),
    "  </workout>",
    "</workout_file>",
    ""
  ].join("\n")

/** An `.mrc` (percent of FTP) or `.erg` (watts) course: minutes and the value at each point. */
const course = (name: string, steps: ReturnType<typeof flatSteps>, ftp: number, erg: boolean) => {
  const rows: Array<string> = []
  let minutes = 0
  const value = (fraction: number) => (erg ? Math.round(fraction * ftp) : Math.round(fraction * 100))
  for (const step of steps) {
    rows.push(`${minutes.toFixed(2)}\t${value(step.from)}`)
    minutes += step.secs / 60
    rows.push(`${minutes.toFixed(2)}\t${value(step.to)}`)
  }
  return [
    "[COURSE HEADER]",
    "VERSION = 2",
    "UNITS = ENGLISH",
    `DESCRIPTION = ${name.replace(/[\r\n]+/g, " ")}`,
    ...(erg ? [`FTP = ${Math.round(ftp)}`] : []),
    `MINUTES ${erg ? "WATTS" : "PERCENT"}`,
    "[END COURSE HEADER]",
    "[COURSE DATA]",
    ...rows,
    "[END COURSE DATA]",
    ""
  ].join("\r\n")
}

// FIT: the CRC of the FIT SDK, over every byte of the header and of the records.
const CRC_TABLE = [
  0x0000, 0xCC01, 0xD801, 0x1400, 0xF001, 0x3C00, 0x2800, 0xE401,
  0xA001, 0x6C00, 0x7800, 0xB401, 0x5000, 0x9C01, 0x8801, 0x4400
]
const crc16 = (bytes: Uint8Array): number => {
  let crc = 0
  for (const byte of bytes) {
    let tmp = CRC_TABLE[crc & 0xF]!
    crc = (crc >> 4) & 0x0FFF
    crc = crc ^ tmp ^ CRC_TABLE[byte & 0xF]!
    tmp = CRC_TABLE[crc & 0xF]!
    crc = (crc >> 4) & 0x0FFF
    crc = crc ^ tmp ^ CRC_TABLE[(byte >> 4) & 0xF]!
  }
  return crc
}

const fit = (name: string, steps: ReturnType<typeof flatSteps>, ftp: number): Uint8Array => {
  const records: Array<number> = []
  const u16 = (n: number) => [n & 0xFF, (n >> 8) & 0xFF]
  const u32 = (n: number) => [n & 0xFF, (n >> 8) & 0xFF, (n >> 16) & 0xFF, (n >>> 24) & 0xFF]
  // A definition message: local type, global message number, then (field number, size, base type) per field.
  const define = (local: number, global: number, fields: ReadonlyArray<[number, number, number]>) =>
    records.push(0x40 | local, 0, 0, ...u16(global), fields.length, ...fields.flat())
  // file_id (0): type = workout (5), manufacturer = development (255), time_created.
  define(0, 0, [[0, 1, 0x00], [1, 2, 0x84], [4, 4, 0x86]])
  records.push(0, 5, ...u16(255), ...u32(1_100_000_000))
  // workout (26): sport = cycling (2), number of steps, name (16 bytes, NUL-padded).
  const title = Array.from(new TextEncoder().encode(name.slice(0, 15)))
  define(1, 26, [[4, 1, 0x00], [6, 2, 0x84], [8, 16, 0x07]])
  records.push(1, 2, ...u16(steps.length), ...title, ...Array.from({ length: 16 - title.length }, () => 0))
  // workout_step (27): index, duration type time (0) in ms, target type power (4), custom low and high in watts + 1000.
  define(2, 27, [[254, 2, 0x84], [1, 1, 0x00], [2, 4, 0x86], [3, 1, 0x00], [5, 4, 0x86], [6, 4, 0x86]])
  steps.forEach((step, index) => {
    const low = Math.round(Math.min(step.from, step.to) * ftp) + 1000
    const high = Math.round(Math.max(step.from, step.to) * ftp) + 1000
    records.push(2, ...u16(index), 0, ...u32(step.secs * 1000), 4, ...u32(low), ...u32(high))
  })
  const data = Uint8Array.from(records)
  const header = new Uint8Array(14)
  header.set([14, 0x20, ...u16(2132), ...u32(data.length), 0x2E, 0x46, 0x49, 0x54])
  header.set(u16(crc16(header.subarray(0, 12))), 12)
  const file = new Uint8Array(14 + data.length + 2)
  file.set(header)
  file.set(data, 14)
  file.set(u16(crc16(file.subarray(0, 14 + data.length))), 14 + data.length)
  return file
}

/** The file of a workout in one of the formats Intervals.icu downloads, or undefined for an unknown one. */
export const workoutFile = (
  ext: string,
  workout: { readonly name?: string | null; readonly type?: string | null; readonly workout_doc?: Json },
  ftp: number
): WorkoutFile | undefined => {
  const name = workout.name ?? "Workout"
  const steps = flatSteps(workout.workout_doc?.steps ?? [], ftp)
  switch (ext) {
    case ".zwo":
      return { body: zwo(name, workout.type ?? "Ride", steps), contentType: "application/xml" }
    case ".mrc":
      return { body: course(name, steps, ftp, false), contentType: "text/plain" }
    case ".erg":
      return { body: course(name, steps, ftp, true), contentType: "text/plain" }
    case ".fit":
      return { body: fit(name, steps, ftp), contentType: "application/vnd.ant.fit" }
    default:
      return undefined
  }
}
