/**
 * The bridge's checks of a `tools/call` request before the SDK reads it: a request whose `params`, `name` or
 * `arguments` are of the wrong kind is refused with one line and JSON-RPC's invalid-params code (the SDK would answer
 * a raw validation dump as an internal error), and arguments nested absurdly deep never reach a recursive reader.
 */
import { ErrorCode, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js"
import { tooDeep } from "./ToolCall.js"

export type Verdict =
  | { readonly _tag: "Pass" }
  | { readonly _tag: "Refuse"; readonly code: number; readonly message: string }
  /** Arguments nested too deep: answered as an argument error of the tool, like any other bad argument. */
  | { readonly _tag: "TooDeep"; readonly tool: string; readonly argument: string }

const kind = (value: unknown) => (value === null ? "null" : Array.isArray(value) ? "a list" : typeof value)

export const checkRequest = (message: JSONRPCMessage): Verdict => {
  if (!("method" in message) || message.method !== "tools/call" || !("id" in message)) return { _tag: "Pass" }
  const params = (message as { params?: unknown }).params
  const refuse = (text: string): Verdict => ({ _tag: "Refuse", code: ErrorCode.InvalidParams, message: text })
  if (params === null || typeof params !== "object" || Array.isArray(params)) {
    return refuse(`tools/call needs params as an object with a tool name, got ${kind(params)}`)
  }
  const { name, arguments: args } = params as { name?: unknown; arguments?: unknown }
  if (typeof name !== "string" || name === "") {
    return refuse(`tools/call needs params.name, the tool's name as a string, got ${name === "" ? "an empty string" : kind(name)}`)
  }
  if (args !== undefined && (args === null || typeof args !== "object" || Array.isArray(args))) {
    return refuse(`tools/call params.arguments must be an object of named arguments, got ${kind(args)}`)
  }
  const deep = tooDeep(args)
  return deep === undefined ? { _tag: "Pass" } : { _tag: "TooDeep", tool: name, argument: deep }
}
