/**
 * Schemas with stated limits: a value over a limit is refused with a message that names the limit and the size
 * that came, never the value itself (a 900 KB argument must not come back as a 900 KB refusal).
 */
import { Schema } from "effect"

const count = (n: number) => n.toLocaleString("en")

/** Text of at most `max` characters (and at least `min`). */
export const boundedText = (max: number, min = 0) => {
  const most = Schema.String.pipe(
    Schema.maxLength(max, {
      message: (issue) => `expected at most ${count(max)} characters, got ${count(String(issue.actual).length)}`
    })
  )
  return min === 0 ? most : most.pipe(
    Schema.minLength(min, {
      message: () => (min === 1 ? "expected some text, got an empty string" : `expected at least ${count(min)} characters`)
    })
  )
}

/** A list of at most `max` items (and at least `min`), named `noun` in messages ("steps"). */
export const boundedList = <A, I, R>(item: Schema.Schema<A, I, R>, max: number, noun: string, min = 0) => {
  const most = Schema.Array(item).pipe(
    Schema.maxItems(max, {
      message: (issue) => `expected at most ${count(max)} ${noun}, got ${count((issue.actual as ReadonlyArray<unknown>).length)}`
    })
  )
  return min === 0 ? most : most.pipe(Schema.minItems(min, { message: () => `expected at least ${count(min)} ${noun}, got none` }))
}
