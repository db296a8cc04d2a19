/**
 * The subjective scales of Intervals.icu, as its wellness and activity forms label them: 1 is always the good end
 * (low soreness, great mood, no injury, a strong feel). Said in schema descriptions and answers, so that a model
 * never writes 4 meaning "great".
 */

export interface Scale {
  readonly max: number
  /** Label of each value, 1 first. */
  readonly labels: ReadonlyArray<string>
}

const scale = (...labels: ReadonlyArray<string>): Scale => ({ max: labels.length, labels })

export const SCALES = {
  soreness: scale("low", "average", "high", "extreme"),
  fatigue: scale("low", "average", "high", "extreme"),
  stress: scale("low", "average", "high", "extreme"),
  mood: scale("great", "good", "OK", "grumpy"),
  motivation: scale("extreme", "high", "average", "low"),
  injury: scale("none", "niggle", "poor", "injured"),
  sleepQuality: scale("great", "good", "average", "poor"),
  /** An activity's feel. */
  feel: scale("strong", "good", "normal", "poor", "weak")
} as const

export type ScaleName = keyof typeof SCALES

/** "1 low, 2 average, 3 high, 4 extreme (1 is best)". */
export const scaleText = (name: ScaleName): string =>
  `${SCALES[name].labels.map((label, i) => `${i + 1} ${label}`).join(", ")} (1 is best)`

/** "3 (high)", or the number alone when it is off the scale. */
export const scaleValue = (name: ScaleName, value: number): string => {
  const label = SCALES[name].labels[value - 1]
  return label === undefined ? String(value) : `${value} (${label})`
}
