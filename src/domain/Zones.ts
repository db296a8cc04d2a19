/**
 * Training zones as bounds an athlete can use: Intervals.icu stores each zone's upper bound (power as % of FTP, heart
 * rate in bpm, pace as % of threshold speed; 999 marks the open top zone), and these turn them into watts, bpm and
 * pace ranges. A zone runs from the bound below it (exclusive) to its own (inclusive).
 */

export interface PowerZone {
  readonly zone: string
  readonly name?: string
  readonly from_percent: number
  readonly to_percent?: number
  readonly from_watts: number
  readonly to_watts?: number
}

export interface HrZone {
  readonly zone: string
  readonly name?: string
  readonly from_bpm: number
  readonly to_bpm?: number
}

export interface PaceZone {
  readonly zone: string
  readonly name?: string
  readonly from_percent: number
  readonly to_percent?: number
  /** The slower end, as pace text ("5:23 /km"); absent for the first zone, which has no slower end. */
  readonly slowest?: string
  /** The faster end; absent for the open top zone. */
  readonly fastest?: string
}

const open = (bound: number) => bound >= 900

const named = (names: ReadonlyArray<string | null> | undefined, i: number) => {
  const name = names?.[i]
  return name ? { name } : {}
}

/** Each bound with the bound before it (0 for the first), as Intervals.icu lists zones: by their upper ends. */
const bands = (bounds: ReadonlyArray<number | null>) =>
  bounds.flatMap((bound, i) => (bound === null ? [] : [{ i, from: i === 0 ? 0 : bounds[i - 1] ?? 0, bound }]))

export const powerZones = (
  ftp: number,
  bounds: ReadonlyArray<number | null>,
  names?: ReadonlyArray<string | null>
): Array<PowerZone> =>
  bands(bounds).map(({ bound, from, i }) => ({
    zone: `Z${i + 1}`,
    ...named(names, i),
    from_percent: from,
    from_watts: Math.round((from * ftp) / 100),
    ...(open(bound) ? {} : { to_percent: bound, to_watts: Math.round((bound * ftp) / 100) })
  }))

export const hrZones = (bounds: ReadonlyArray<number | null>, names?: ReadonlyArray<string | null>): Array<HrZone> =>
  bounds.flatMap((bound, i) => {
    if (bound === null) return []
    const from = i === 0 ? 0 : (bounds[i - 1] ?? 0) + 1
    const last = i === bounds.length - 1
    return [{ zone: `Z${i + 1}`, ...named(names, i), from_bpm: from, ...(last && open(bound) ? {} : { to_bpm: bound }) }]
  })

/** Metres a pace unit counts: per km, per mile, per 100 m… */
export const PACE_UNIT_METRES: Record<string, { readonly metres: number; readonly label: string }> = {
  MINS_KM: { metres: 1000, label: "/km" },
  MINS_MILE: { metres: 1609.344, label: "/mi" },
  SECS_100M: { metres: 100, label: "/100m" },
  SECS_100Y: { metres: 91.44, label: "/100y" },
  SECS_500M: { metres: 500, label: "/500m" },
  SECS_400M: { metres: 400, label: "/400m" },
  SECS_250M: { metres: 250, label: "/250m" }
}

/** A speed as pace in the given unit: `4:10 /km`. */
export const paceText = (metresPerSecond: number, units: string | undefined): string => {
  const unit = PACE_UNIT_METRES[units ?? "MINS_KM"] ?? PACE_UNIT_METRES["MINS_KM"]!
  const total = Math.round(unit.metres / metresPerSecond)
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, "0")} ${unit.label}`
}

export const paceZones = (
  thresholdSpeed: number,
  units: string | undefined,
  bounds: ReadonlyArray<number | null>,
  names?: ReadonlyArray<string | null>
): Array<PaceZone> =>
  bands(bounds).map(({ bound, from, i }) => ({
    zone: `Z${i + 1}`,
    ...named(names, i),
    from_percent: from,
    ...(open(bound) ? {} : { to_percent: bound }),
    ...(from > 0 ? { slowest: paceText((thresholdSpeed * from) / 100, units) } : {}),
    ...(open(bound) ? {} : { fastest: paceText((thresholdSpeed * bound) / 100, units) })
  }))
