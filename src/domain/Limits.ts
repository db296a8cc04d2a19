/**
 * Schemas with stated limits: a value over a limit is refused with a message that names the limit and the size
 * that came, never the value itself (a 900 KB argument must not come back as a 900 KB refusal).
 */
import * as Schema from "effect/Schema"

const count = (n: number) => n.toLocaleString("en")

const kindOf = (value: unknown) =>
  value === null ? "null" : typeof value === "object" ? "an object" : typeof value === "string" ? "a string" : String(value)

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

/**
 * One line of text (a name, a sport, a tag) of at most `max` characters and at least one that is not a space: no
 * line break or other control character, which would forge lines in the listings a model reads.
 */
export const lineText = (max: number) =>
  boundedText(max).pipe(
    Schema.filter((text) => !/[\u0000-\u001f\u007f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(text), {
      message: () => "expected one line of text, without line breaks or control characters"
    }),
    Schema.filter((text) => text.trim() !== "", { message: () => "expected some text (not empty, not only spaces)" })
  )

/** A list of at most `max` items (and at least `min`), named `noun` in messages ("steps"). */
export const boundedList = <A, I, R>(item: Schema.Schema<A, I, R>, max: number, noun: string, min = 0) => {
  const most = Schema.Array(item).pipe(
    Schema.maxItems(max, {
      // The message also stands for a value that is not a list at all (the refinement's own message wins).
      message: (issue) =>
        Array.isArray(issue.actual)
          ? `expected at most ${count(max)} ${noun}, got ${count(issue.actual.length)}`
          : `expected a list of ${noun} (at most ${count(max)}), got ${kindOf(issue.actual)}`
    })
  )
  return min === 0
    ? most
    : most.pipe(Schema.minItems(min, { message: () => `expected at least ${count(min)} ${noun}, got none` }))
}
