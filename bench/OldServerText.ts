/**
 * The baseline the answer-size figures are measured against: the text the Python server this one replaces
 * (mvilanova/intervals-mcp-server, whose tool names and parameters ours keep) returns for the same Intervals.icu
 * records, re-expressed in TypeScript from its layout so that both sides of a ratio read the same fixture. It is a
 * measuring stick, not used by the product.
 *
 * It follows that server's formatting module as its tools call it: one labelled line per field, every label printed
 * whether or not the record has the value (a missing key shows the label's placeholder, "N/A", "Unknown" or 0, a key
 * holding null shows Python's "None"), section headers with blank lines between them, values printed as Python prints
 * them (True/False, floats unrounded, sleep hours to 2 decimals), and each tool's heading ("Activities:", "Wellness
 * Data:", "Events:") and separators. Checked against the formatted examples of that project's tests, it matches them
 * but for a whole float ("4.0"), which JSON cannot tell from an integer here and prints as "4". That, the default
 * wellness entry (include_all_fields off) and an activity's gear block left out (its lookup is a separate request)
 * only make the baseline shorter, so a ratio measured against it errs against us.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any

/** A float as Python's repr prints it: the shortest round trip, with an exponent below 1e-4 or from 1e16. */
const pyNumber = (n: number): string => {
  if (Number.isNaN(n)) return "nan"
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf"
  const magnitude = Math.abs(n)
  if (n !== 0 && (magnitude < 1e-4 || magnitude >= 1e16)) {
    return n.toExponential().replace(/e([+-])(\d)$/, (_, sign: string, digit: string) => `e${sign}0${digit}`)
  }
  return String(n)
}

const pyString = (s: string) => `'${s.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`

/** What Python's `str()` (and so an f-string) prints for a JSON value; lists and dicts as their repr. */
const py = (value: unknown): string => {
  if (value === null || value === undefined) return "None"
  if (typeof value === "boolean") return value ? "True" : "False"
  if (typeof value === "number") return pyNumber(value)
  if (typeof value === "string") return value
  return repr(value)
}

const repr = (value: unknown): string => {
  if (typeof value === "string") return pyString(value)
  if (Array.isArray(value)) return `[${value.map(repr).join(", ")}]`
  if (value !== null && typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${pyString(k)}: ${repr(v)}`).join(", ")}}`
  }
  return py(value)
}

/** `dict.get(key, fallback)`: the fallback only when the key is absent, so a null value stays None. */
const get = (record: Json, key: string, fallback: unknown): unknown =>
  record !== null && typeof record === "object" && key in record ? record[key] : fallback

/** `get` through a chain of keys, as the old formatter reads `avgPower`, then `icu_average_watts`, then …. */
const first = (record: Json, keys: ReadonlyArray<string>, fallback: unknown): unknown =>
  keys.reduceRight<unknown>((inner, key) => get(record, key, inner), fallback)

const has = (record: Json, key: string) => record[key] !== undefined && record[key] !== null

/** An ISO date-time longer than a date, printed `YYYY-MM-DD HH:MM:SS`, as the old summary does. */
const startTime = (value: unknown): string => {
  if (typeof value !== "string" || value.length <= 10) return py(value)
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)/.exec(value)
  if (match === null) return value
  return `${match[1]} ${match[2]!.length === 5 ? `${match[2]}:00` : match[2]}`
}

// ---------------------------------------------------------------------------------------------------------------
// Activities

const activitySummary = (a: Json): string => {
  const perceived = get(a, "perceived_exertion", null)
  const rpe = perceived === null || perceived === undefined ? get(a, "icu_rpe", "N/A") : perceived
  const feel = get(a, "feel", "N/A")
  const v = (key: string, fallback: unknown = "N/A") => py(get(a, key, fallback))
  return `
Activity: ${v("name", "Unnamed")}
ID: ${v("id")}
Type: ${v("type", "Unknown")}
Date: ${startTime(first(a, ["startTime", "start_date"], "Unknown"))}
Description: ${v("description")}
Distance: ${v("distance", 0)} meters
Duration: ${py(first(a, ["duration", "elapsed_time"], 0))} seconds
Moving Time: ${v("moving_time")} seconds
Elevation Gain: ${py(first(a, ["elevationGain", "total_elevation_gain"], 0))} meters
Elevation Loss: ${v("total_elevation_loss")} meters

Power Data:
Average Power: ${py(first(a, ["avgPower", "icu_average_watts", "average_watts"], "N/A"))} watts
Weighted Avg Power: ${v("icu_weighted_avg_watts")} watts
Training Load: ${py(first(a, ["trainingLoad", "icu_training_load"], "N/A"))}
FTP: ${v("icu_ftp")} watts
Kilojoules: ${v("icu_joules")}
Intensity: ${v("icu_intensity")}
Power:HR Ratio: ${v("icu_power_hr")}
Variability Index: ${v("icu_variability_index")}

Heart Rate Data:
Average Heart Rate: ${py(first(a, ["avgHr", "average_heartrate"], "N/A"))} bpm
Max Heart Rate: ${v("max_heartrate")} bpm
LTHR: ${v("lthr")} bpm
Resting HR: ${v("icu_resting_hr")} bpm
Decoupling: ${v("decoupling")}

Other Metrics:
Cadence: ${v("average_cadence")} rpm
Calories: ${v("calories")}
Average Speed: ${v("average_speed")} m/s
Max Speed: ${v("max_speed")} m/s
Average Stride: ${v("average_stride")}
L/R Balance: ${v("avg_lr_balance")}
Weight: ${v("icu_weight")} kg
RPE: ${typeof rpe === "number" ? `${py(rpe)}/10` : py(rpe)}
Session RPE: ${v("session_rpe")}
Feel: ${Number.isInteger(feel) ? `${py(feel)}/5` : py(feel)}

Environment:
Trainer: ${v("trainer")}
Average Temp: ${v("average_temp")}°C
Min Temp: ${v("min_temp")}°C
Max Temp: ${v("max_temp")}°C
Avg Wind Speed: ${v("average_wind_speed")} km/h
Headwind %: ${v("headwind_percent")}%
Tailwind %: ${v("tailwind_percent")}%

Training Metrics:
Fitness (CTL): ${v("icu_ctl")}
Fatigue (ATL): ${v("icu_atl")}
TRIMP: ${v("trimp")}
Polarization Index: ${v("polarization_index")}
Power Load: ${v("power_load")}
HR Load: ${v("hr_load")}
Pace Load: ${v("pace_load")}
Efficiency Factor: ${v("icu_efficiency_factor")}

Device Info:
Device: ${v("device_name")}
Power Meter: ${v("power_meter")}
File Type: ${v("file_type")}
`
}

const getActivities = (activities: ReadonlyArray<Json>): string =>
  "Activities:\n\n" + activities.map((a) => activitySummary(a) + "\n").join("")

const getActivityDetails = (activity: Json): string => {
  let text = activitySummary(activity)
  if (activity !== null && typeof activity === "object" && "zones" in activity) {
    const zones = (kind: string): string =>
      ((activity.zones?.[kind] ?? []) as Array<Json>)
        .map((z) => `Zone ${py(get(z, "number", null))}: ${py(get(z, "secondsInZone", null))} seconds\n`).join("")
    text += `\nPower Zones:\n${zones("power")}\nHeart Rate Zones:\n${zones("hr")}`
  }
  return text
}

// ---------------------------------------------------------------------------------------------------------------
// Intervals

const interval = (x: Json, i: number): string => {
  const v = (key: string, fallback: unknown = 0) => py(get(x, key, fallback))
  return `[${i}] ${v("label", `Interval ${i}`)} (${v("type", "Unknown")})
Duration: ${v("elapsed_time")} seconds (moving: ${v("moving_time")} seconds)
Distance: ${v("distance")} meters
Start-End Indices: ${v("start_index")}-${v("end_index")}

Power Metrics:
  Average Power: ${v("average_watts")} watts (${v("average_watts_kg")} W/kg)
  Max Power: ${v("max_watts")} watts (${v("max_watts_kg")} W/kg)
  Weighted Avg Power: ${v("weighted_average_watts")} watts
  Intensity: ${v("intensity")}
  Training Load: ${v("training_load")}
  Joules: ${v("joules")}
  Joules > FTP: ${v("joules_above_ftp")}
  Power Zone: ${v("zone", "N/A")} (${v("zone_min_watts")}-${v("zone_max_watts")} watts)
  W' Balance: Start ${v("wbal_start")}, End ${v("wbal_end")}
  L/R Balance: ${v("avg_lr_balance")}
  Variability: ${v("w5s_variability")}
  Torque: Avg ${v("average_torque")}, Min ${v("min_torque")}, Max ${v("max_torque")}

Heart Rate & Metabolic:
  Heart Rate: Avg ${v("average_heartrate")}, Min ${v("min_heartrate")}, Max ${v("max_heartrate")} bpm
  Decoupling: ${v("decoupling")}
  DFA α1: ${v("average_dfa_a1")}
  Respiration: ${v("average_respiration")} breaths/min
  EPOC: ${v("average_epoc")}
  SmO2: ${v("average_smo2")}% / ${v("average_smo2_2")}%
  THb: ${v("average_thb")} / ${v("average_thb_2")}

Speed & Cadence:
  Speed: Avg ${v("average_speed")}, Min ${v("min_speed")}, Max ${v("max_speed")} m/s
  GAP: ${v("gap")} m/s
  Cadence: Avg ${v("average_cadence")}, Min ${v("min_cadence")}, Max ${v("max_cadence")} rpm
  Stride: ${v("average_stride")}

Elevation & Environment:
  Elevation Gain: ${v("total_elevation_gain")} meters
  Altitude: Min ${v("min_altitude")}, Max ${v("max_altitude")} meters
  Gradient: ${v("average_gradient")}%
  Temperature: ${v("average_temp")}°C (Weather: ${v("average_weather_temp")}°C, Feels like: ${
    v("average_feels_like")
  }°C)
  Wind: Speed ${v("average_wind_speed")} km/h, Gust ${v("average_wind_gust")} km/h, Direction ${
    v("prevailing_wind_deg")
  }°
  Headwind: ${v("headwind_percent")}%, Tailwind: ${v("tailwind_percent")}%

`
}

const group = (g: Json, i: number): string => {
  const v = (key: string, fallback: unknown = 0) => py(get(g, key, fallback))
  return `Group: ${v("id", `Group ${i}`)} (Contains ${v("count")} intervals)
Duration: ${v("elapsed_time")} seconds (moving: ${v("moving_time")} seconds)
Distance: ${v("distance")} meters
Start-End Indices: ${v("start_index")}-N/A

Power: Avg ${v("average_watts")} watts (${v("average_watts_kg")} W/kg), Max ${v("max_watts")} watts
W. Avg Power: ${v("weighted_average_watts")} watts, Intensity: ${v("intensity")}
Heart Rate: Avg ${v("average_heartrate")}, Max ${v("max_heartrate")} bpm
Speed: Avg ${v("average_speed")}, Max ${v("max_speed")} m/s
Cadence: Avg ${v("average_cadence")}, Max ${v("max_cadence")} rpm

`
}

const getActivityIntervals = (data: Json): string => {
  const id = py(get(data, "id", "N/A"))
  let text = `Intervals Analysis:\n\nID: ${id}\nAnalyzed: ${py(get(data, "analyzed", "N/A"))}\n\n`
  const intervals: Array<Json> = data.icu_intervals ?? []
  if (intervals.length > 0) text += "Individual Intervals:\n\n" + intervals.map((x, i) => interval(x, i + 1)).join("")
  const groups: Array<Json> = data.icu_groups ?? []
  if (groups.length > 0) text += "Interval Groups:\n\n" + groups.map((g, i) => group(g, i + 1)).join("")
  return text
}

// ---------------------------------------------------------------------------------------------------------------
// Wellness

const labelled = (w: Json, fields: ReadonlyArray<readonly [string, string, string?]>, prefix = "- ") =>
  fields.filter(([key]) => has(w, key)).map(([key, label, unit]) => `${prefix}${label}: ${py(w[key])}${unit ?? ""}`)

const QUALITY: Record<number, string> = { 1: "Great", 2: "Good", 3: "Average", 4: "Poor" }

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1).toLowerCase()

const wellnessEntry = (w: Json): string => {
  const lines = ["Wellness Data:", `Date: ${py(get(w, "id", "N/A"))}`, ""]
  const section = (title: string, body: ReadonlyArray<string>) => {
    if (body.length > 0) lines.push(title, ...body, "")
  }
  section(
    "Training Metrics:",
    labelled(w, [
      ["ctl", "Fitness (CTL)"],
      ["atl", "Fatigue (ATL)"],
      ["rampRate", "Ramp Rate"],
      ["ctlLoad", "CTL Load"],
      ["atlLoad", "ATL Load"]
    ])
  )
  section(
    "Sport-Specific Info:",
    Array.isArray(w.sportInfo)
      ? w.sportInfo.filter((s: Json) => has(s, "eftp")).map((s: Json) => `- ${py(s.type)}: eFTP = ${py(s.eftp)}`)
      : []
  )
  const vitals: Array<string> = []
  for (
    const [key, label, unit] of [
      ["weight", "Weight", "kg"],
      ["restingHR", "Resting HR", "bpm"],
      ["hrv", "HRV", ""],
      ["hrvSDNN", "HRV SDNN", ""],
      ["avgSleepingHR", "Average Sleeping HR", "bpm"],
      ["spO2", "SpO2", "%"],
      ["systolic", "Systolic BP", ""],
      ["diastolic", "Diastolic BP", ""],
      ["respiration", "Respiration", "breaths/min"],
      ["bloodGlucose", "Blood Glucose", "mmol/L"],
      ["lactate", "Lactate", "mmol/L"],
      ["vo2max", "VO2 Max", "ml/kg/min"],
      ["bodyFat", "Body Fat", "%"],
      ["abdomen", "Abdomen", "cm"],
      ["baevskySI", "Baevsky Stress Index", ""]
    ] as const
  ) {
    if (!has(w, key)) continue
    // The old formatter prints blood pressure as one line when both halves are known, and neither half alone.
    if (key === "systolic" && has(w, "diastolic")) {
      vitals.push(`- Blood Pressure: ${py(w.systolic)}/${py(w.diastolic)} mmHg`)
    } else if (key !== "systolic" && key !== "diastolic") {
      vitals.push(`- ${label}: ${py(w[key])}${unit ? ` ${unit}` : ""}`)
    }
  }
  section("Vital Signs:", vitals)
  const sleep: Array<string> = []
  if (has(w, "sleepSecs")) sleep.push(`  Sleep: ${(w.sleepSecs / 3600).toFixed(2)} hours`)
  else if (has(w, "sleepHours")) sleep.push(`  Sleep: ${py(w.sleepHours)} hours`)
  if (has(w, "sleepQuality")) {
    sleep.push(`  Sleep Quality: ${py(w.sleepQuality)} (${QUALITY[w.sleepQuality] ?? py(w.sleepQuality)})`)
  }
  if (has(w, "sleepScore")) sleep.push(`  Device Sleep Score: ${py(w.sleepScore)}/100`)
  if (has(w, "readiness")) sleep.push(`  Readiness: ${py(w.readiness)}/10`)
  section("Sleep & Recovery:", sleep)
  section(
    "Menstrual Tracking:",
    [
      has(w, "menstrualPhase") && `  Menstrual Phase: ${capitalize(py(w.menstrualPhase))}`,
      has(w, "menstrualPhasePredicted") && `  Predicted Phase: ${capitalize(py(w.menstrualPhasePredicted))}`
    ].filter((line): line is string => typeof line === "string")
  )
  section(
    "Subjective Feelings:",
    ([
      ["soreness", "Soreness"],
      ["fatigue", "Fatigue"],
      ["stress", "Stress"],
      ["mood", "Mood"],
      ["motivation", "Motivation"],
      ["injury", "Injury Level"]
    ] as const).filter(([key]) => has(w, key)).map(([key, label]) => `  ${label}: ${py(w[key])}/10`)
  )
  section("Nutrition & Hydration:", [
    ...labelled(w, [["kcalConsumed", "Calories Consumed"], ["hydrationVolume", "Hydration Volume"]]),
    ...(has(w, "hydration") ? [`  Hydration Score: ${py(w.hydration)}/10`] : [])
  ])
  if (has(w, "steps")) lines.push("Activity:", `- Steps: ${py(w.steps)}`, "")
  if (w.comments) lines.push(`Comments: ${py(w.comments)}`)
  if ("locked" in w) lines.push(`Status: ${w.locked ? "Locked" : "Unlocked"}`)
  return lines.join("\n")
}

const getWellnessData = (days: ReadonlyArray<Json>): string =>
  "Wellness Data:\n\n" + days.map((w) => wellnessEntry(w) + "\n\n").join("")

// ---------------------------------------------------------------------------------------------------------------
// Events

const eventSummary = (e: Json): string =>
  `Date: ${py(first(e, ["start_date_local", "date"], "Unknown"))}
ID: ${py(get(e, "id", "N/A"))}
Type: ${e.workout ? "Workout" : e.race ? "Race" : "Other"}
Name: ${py(get(e, "name", "Unnamed"))}
Description: ${py(get(e, "description", "No description"))}`

const getEvents = (events: ReadonlyArray<Json>): string =>
  "Events:\n\n" + events.map((e) => eventSummary(e) + "\n\n").join("")

const getEventById = (e: Json): string => {
  let text = `Event Details:

ID: ${py(get(e, "id", "N/A"))}
Date: ${py(get(e, "date", "Unknown"))}
Name: ${py(get(e, "name", "Unnamed"))}
Description: ${py(get(e, "description", "No description"))}`
  if (e.workout) {
    const w = e.workout
    text += `

Workout Information:
Workout ID: ${py(get(w, "id", "N/A"))}
Sport: ${py(get(w, "sport", "Unknown"))}
Duration: ${py(get(w, "duration", 0))} seconds
TSS: ${py(get(w, "tss", "N/A"))}`
    if (Array.isArray(w.intervals)) text += `\nIntervals: ${w.intervals.length}`
  }
  if (e.race) {
    text += `\n\nRace Information:\nPriority: ${py(get(e, "priority", "N/A"))}\nResult: ${py(get(e, "result", "N/A"))}`
  }
  if ("calendar" in e) text += `\n\nCalendar: ${py(get(e.calendar, "name", "N/A"))}`
  return text
}

/** The old server's answer text per read, from the Intervals.icu records its request would have returned. */
export const oldServerText = {
  get_activities: getActivities,
  get_activity_details: getActivityDetails,
  get_activity_intervals: getActivityIntervals,
  get_wellness_data: getWellnessData,
  get_events: getEvents,
  get_event_by_id: getEventById
}
