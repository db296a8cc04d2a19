/**
 * Readers for configuration values, shared by the server's and the networked transports' configuration: each one
 * refuses a malformed value with a message that names the variable, the value and what was expected.
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

/**
 * A variable's text; set but empty counts as unset, so that its default applies (`ATHLETE_ID=${UNSET}` in a Compose
 * file, or an optional field left blank in a desktop client's settings, passes an empty string).
 */
const text = (name: string) =>
  Config.string(name).pipe(
    Config.mapOrFail((raw) =>
      raw.trim() === "" ? Either.left(ConfigError.MissingData([], `${name} is empty`)) : Either.right(raw)
    )
  )

/** A value that must decode with a schema. */
export const fromSchema = <A, I>(name: string, schema: Schema.Schema<A, I>, expected: string) =>
  text(name).pipe(
    Config.mapOrFail((raw) =>
      Either.mapLeft(
        Schema.decodeUnknownEither(schema)(raw.trim()),
        () => ConfigError.InvalidData([], `${name} must be ${expected}, got ${JSON.stringify(raw)}`)
      )
    )
  )

/** One of a set of words, in any letter case (`info`, `INFO` and `Info` alike). */
export const oneOf = <const Words extends ReadonlyArray<string>>(name: string, words: Words) =>
  text(name).pipe(
    Config.mapOrFail((raw) => {
      const found = words.find((word) => word.toLowerCase() === raw.trim().toLowerCase())
      return found === undefined
        ? Either.left(ConfigError.InvalidData([], `${name} must be one of ${words.join(", ")}, got ${JSON.stringify(raw)}`))
        : Either.right(found as Words[number])
    })
  )

/** true/false (also 1/0, yes/no, on/off), false when unset. */
export const flag = (name: string) =>
  Config.string(name).pipe(
    Config.withDefault("false"),
    Config.mapOrFail((raw) => {
      const value = raw.trim().toLowerCase()
      if (["true", "1", "yes", "on"].includes(value)) return Either.right(true)
      if (["false", "0", "no", "off", ""].includes(value)) return Either.right(false)
      return Either.left(ConfigError.InvalidData([], `${name} must be true or false, got ${JSON.stringify(raw)}`))
    })
  )

/** A whole number in a range, `fallback` when unset. */
export const whole = (name: string, fallback: number, min: number, max: number, what: string) =>
  text(name).pipe(
    Config.withDefault(String(fallback)),
    Config.mapOrFail((raw) => {
      const value = Number(raw.trim())
      return Number.isInteger(value) && value >= min && value <= max
        ? Either.right(value)
        : Either.left(
          ConfigError.InvalidData([], `${name} must be ${what} from ${min} to ${max}, got ${JSON.stringify(raw)}`)
        )
    })
  )

/** A comma-separated list, empty when unset. */
export const list = (name: string) =>
  Config.string(name).pipe(
    Config.withDefault(""),
    Config.map((raw) => raw.split(",").map((entry) => entry.trim()).filter((entry) => entry !== ""))
  )

/**
 * A comma-separated set of words out of `words` (any letter case), or `all` for every one; `fallback` when unset.
 * An unknown word is refused, naming it and the words there are.
 */
export const setOf = <const Words extends ReadonlyArray<string>>(
  name: string,
  words: Words,
  fallback: ReadonlyArray<Words[number]>
) =>
  text(name).pipe(
    Config.mapOrFail((raw): Either.Either<ReadonlyArray<Words[number]>, ConfigError.ConfigError> => {
      const given = raw.split(",").map((entry) => entry.trim().toLowerCase()).filter((entry) => entry !== "")
      if (given.includes("all")) return Either.right(words)
      const unknown = given.filter((entry) => !words.some((word) => word.toLowerCase() === entry))
      return unknown.length > 0
        ? Either.left(
          ConfigError.InvalidData(
            [],
            `${name} must be a comma-separated list of ${words.join(", ")}, or all; ${
              unknown.map((entry) => JSON.stringify(entry)).join(", ")
            } ${unknown.length === 1 ? "is" : "are"} not one of them`
          )
        )
        : Either.right(words.filter((word) => given.includes(word.toLowerCase())))
    }),
    Config.withDefault(fallback)
  )
