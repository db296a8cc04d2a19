/**
 * The bridge's checks of what a client sends, before the SDK reads it. A request whose params do not match the
 * protocol is refused in one line with JSON-RPC's invalid-params code (the SDK would answer a multi-line validation
 * dump as an internal error); arguments nested absurdly deep are left to the tool, which refuses them before any
 * recursive reader sees them, in an answer the SDK shapes for the connection's era. On stdio, a line that is not a
 * JSON-RPC message at all is answered too (the SDK's stdio transport drops it silently, so a client
 * would wait for an answer that never comes).
 */
import {
  type JSONRPCMessage,
  ProtocolErrorCode as ErrorCode,
  type RequestId,
  type SpecTypeName,
  specTypeSchemas,
  type StandardSchemaV1
} from "@modelcontextprotocol/server"

export type Verdict =
  | { readonly _tag: "Pass" }
  | { readonly _tag: "Refuse"; readonly code: number; readonly message: string }

const kind = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "a list" : typeof value)

const clip = (text: string, limit: number) => (text.length > limit ? `${text.slice(0, limit - 1)}…` : text)

type Issues = ReadonlyArray<StandardSchemaV1.Issue>

/**
 * The SDK's own check of one spec type: its issues, or undefined when the value is one. A check that does not
 * finish at once (zod retries asynchronously when a synchronous check overflowed the stack) is a refusal, never a
 * pass; messages deep enough for that are refused before (see `MAX_MESSAGE_DEPTH`).
 */
const issuesOf = (type: SpecTypeName, value: unknown): Issues | undefined => {
  const result = specTypeSchemas[type]["~standard"].validate(value) as unknown
  if (result instanceof Promise) {
    result.catch(() => undefined)
    return [{ message: "the message could not be checked", path: [] }]
  }
  const checked = result as { issues?: Issues }
  return checked.issues !== undefined ? checked.issues : undefined
}

/**
 * How deep a message may nest in all: far above any real request (tool arguments past 32 levels are refused by
 * the tool in its own words), and a tenth of where a recursive reader on the way (the SDK's schemas, at about 2,000
 * levels; a JSON encoder) runs out of stack.
 */
export const MAX_MESSAGE_DEPTH = 200

/** Where a value first nests past `limit` ("params.arguments.workout_doc"), found without recursion. */
export const tooDeepAt = (value: unknown, limit: number): string | undefined => {
  const stack: Array<[unknown, number, ReadonlyArray<string>]> = [[value, 0, []]]
  while (stack.length > 0) {
    const [current, depth, path] = stack.pop()!
    if (current === null || typeof current !== "object") continue
    if (depth >= limit) return path.slice(0, 4).join(".") + (path.length > 4 ? "…" : "")
    for (const [key, inner] of Object.entries(current)) {
      if (inner !== null && typeof inner === "object") stack.push([inner, depth + 1, [...path.slice(0, 5), key]])
    }
  }
  return undefined
}

const segment = (key: PropertyKey | StandardSchemaV1.PathSegment) =>
  String(typeof key === "object" ? key.key : key)

/** Validation issues in one line: `params.cursor: expected string, received number; …`, never a JSON dump. */
export const summarizeIssues = (issues: Issues): string =>
  clip(
    issues.slice(0, 5).map((issue) =>
      `${clip((issue.path ?? []).map(segment).join(".") || "the message", 60)}: ${
        issue.message.replace(/^Invalid input: /, "")
      }`
    ).join("; ") + (issues.length > 5 ? `; and ${issues.length - 5} more` : ""),
    400
  )

/** The requests this server answers, by the SDK's own spec types: what the SDK would check, checked first. */
const requestTypes: Record<string, SpecTypeName> = {
  "initialize": "InitializeRequest",
  "ping": "PingRequest",
  "tools/list": "ListToolsRequest",
  "tools/call": "CallToolRequest",
  "prompts/list": "ListPromptsRequest",
  "prompts/get": "GetPromptRequest",
  "resources/read": "ReadResourceRequest",
  "completion/complete": "CompleteRequest"
}

const refuse = (text: string): Verdict => ({ _tag: "Refuse", code: ErrorCode.InvalidParams, message: text })

/** `tools/call` in words a model can fix: params, name and arguments of the right kinds. */
const checkCall = (params: unknown): Verdict => {
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    return refuse(`tools/call needs params as an object with a tool name, got ${kind(params)}`)
  }
  const { name, arguments: args } = params as { name?: unknown; arguments?: unknown }
  if (typeof name !== "string" || name === "") {
    return refuse(
      `tools/call needs params.name, the tool's name as a string, got ${name === "" ? "an empty string" : kind(name)}`
    )
  }
  if (args !== undefined && (args === null || typeof args !== "object" || Array.isArray(args))) {
    return refuse(`tools/call params.arguments must be an object of named arguments, got ${kind(args)}`)
  }
  // Arguments nested too deep are the tool's to refuse, as an argument error (see callTool).
  return { _tag: "Pass" }
}

export const checkRequest = (message: JSONRPCMessage): Verdict => {
  if (!("method" in message) || !("id" in message)) return { _tag: "Pass" }
  const type = requestTypes[message.method]
  if (type === undefined) return { _tag: "Pass" }
  if (message.method === "tools/call") {
    const verdict = checkCall((message as { params?: unknown }).params)
    if (verdict._tag !== "Pass") return verdict
  }
  const issues = issuesOf(type, message)
  return issues === undefined ? { _tag: "Pass" } : refuse(`Invalid params for ${message.method}: ${summarizeIssues(issues)}`)
}

/** What to do with one line read on stdin. */
export type LineVerdict =
  /** A message to pass on; `note` says what was made of it, for the log, when it is not what came. */
  | { readonly _tag: "Message"; readonly message: JSONRPCMessage; readonly note?: string }
  /** Not a message the SDK would accept: answered here, so the client is not left waiting. */
  | { readonly _tag: "Answer"; readonly answer: JSONRPCMessage }
  /** Not a message, and nothing to answer (a notification or a response): only logged. */
  | { readonly _tag: "Drop"; readonly reason: string }

export const errorAnswer = (id: RequestId | null, code: number, message: string): JSONRPCMessage =>
  // JSON-RPC answers a request whose id cannot be read with id null, which the SDK's types do not model.
  ({ jsonrpc: "2.0", id: id as RequestId, error: { code, message } })

const usableId = (value: unknown): value is RequestId =>
  (typeof value === "string" && value.length <= 200) || Number.isSafeInteger(value)

const invalid = (id: RequestId | null, why: string): LineVerdict => ({
  _tag: "Answer",
  answer: errorAnswer(id, ErrorCode.InvalidRequest, `Invalid Request: ${why}`)
})

export const readLine = (line: string): LineVerdict => {
  let raw: unknown
  try {
    raw = JSON.parse(line)
  } catch {
    return {
      _tag: "Answer",
      answer: errorAnswer(null, ErrorCode.ParseError, `Parse error: a line of ${line.length} characters is not JSON`)
    }
  }
  if (Array.isArray(raw)) return invalid(null, "batches are not part of MCP any more; send one message per line")
  return readMessage(raw)
}

/**
 * One parsed JSON value judged as a JSON-RPC message: passed on, answered with what is wrong with it (and its id
 * when it has a usable one), or dropped (an invalid notification or response, which JSON-RPC never answers).
 */
export const readMessage = (raw: unknown): LineVerdict => {
  const deep = tooDeepAt(raw, MAX_MESSAGE_DEPTH)
  if (deep !== undefined) {
    const id = raw !== null && typeof raw === "object" ? (raw as { id?: unknown }).id : undefined
    const method = raw !== null && typeof raw === "object" ? (raw as { method?: unknown }).method : undefined
    const why = `${deep || "the message"} is nested more than ${MAX_MESSAGE_DEPTH} levels deep`
    // A notification is never answered, whatever is wrong with it.
    if (typeof method === "string" && id === undefined) return { _tag: "Drop", reason: `a notification was ignored: ${why}` }
    return {
      _tag: "Answer",
      answer: errorAnswer(usableId(id) ? id : null, ErrorCode.InvalidParams, `Invalid params: ${why}`)
    }
  }
  const issues = issuesOf("JSONRPCMessage", raw)
  if (issues === undefined) return { _tag: "Message", message: raw as JSONRPCMessage }
  if (raw === null || typeof raw !== "object") return invalid(null, `a message is a JSON object, got ${kind(raw)}`)
  const object = raw as Record<string, unknown>
  const hasMethod = "method" in object
  if (!hasMethod && ("result" in object || "error" in object)) {
    // An answer to one of the server's own requests (an elicitation) that is not a valid one fails that request,
    // so the call waiting on it goes on at once (taking it as no answer) instead of waiting for it to time out.
    if (usableId(object["id"])) {
      const why = summarizeIssues(issues)
      return {
        _tag: "Message",
        message: errorAnswer(object["id"], ErrorCode.InvalidRequest, `the client's answer was not a valid result (${why})`),
        note: `an invalid response was taken as an error for request ${clip(JSON.stringify(object["id"]), 40)} (${why})`
      }
    }
    return { _tag: "Drop", reason: `an invalid response was ignored (${summarizeIssues(issues)})` }
  }
  if (!hasMethod) return invalid(usableId(object["id"]) ? object["id"] : null, "a request needs a method")
  if (!("id" in object)) return { _tag: "Drop", reason: `an invalid notification was ignored (${summarizeIssues(issues)})` }
  if (!usableId(object["id"])) return invalid(null, "id must be a string or a whole number")
  const id = object["id"]
  if (object["jsonrpc"] !== "2.0") return invalid(id, `jsonrpc must be "2.0"`)
  if (typeof object["method"] !== "string") return invalid(id, `method must be a string, got ${kind(object["method"])}`)
  // A union's failure says only "Invalid input"; judged as the request it claims to be, the problem has a name.
  const problem = summarizeIssues(issuesOf("JSONRPCRequest", raw) ?? issues)
  return {
    _tag: "Answer",
    answer: errorAnswer(id, ErrorCode.InvalidParams, `Invalid params for ${clip(object["method"], 60)}: ${problem}`)
  }
}

/**
 * A POSTed body (one message, or a batch where the protocol version still allows one) judged before the SDK's HTTP
 * transport reads it: the error to answer for the first thing wrong, or the body to pass on. Over
 * HTTP even an invalid notification is answered (400), since the POST needs a response anyway.
 */
export const judgeBody = (
  body: unknown
): { readonly answer: JSONRPCMessage } | { readonly body: unknown } => {
  const messages = Array.isArray(body) ? body : [body]
  if (messages.length === 0) {
    return { answer: errorAnswer(null, ErrorCode.InvalidRequest, "Invalid Request: an empty batch") }
  }
  const passed: Array<JSONRPCMessage> = []
  for (const raw of messages) {
    const verdict = readMessage(raw)
    if (verdict._tag === "Answer") return { answer: verdict.answer }
    if (verdict._tag === "Drop") {
      return { answer: errorAnswer(null, ErrorCode.InvalidRequest, `Invalid Request: ${verdict.reason}`) }
    }
    const checked = checkRequest(verdict.message)
    if (checked._tag === "Refuse") {
      return { answer: errorAnswer((verdict.message as { id: RequestId }).id, checked.code, checked.message) }
    }
    passed.push(verdict.message)
  }
  // What passes on is what was judged: an invalid answer to the server's request becomes that request's error.
  return { body: Array.isArray(body) ? passed : passed[0] }
}
