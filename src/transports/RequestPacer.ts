/**
 * How many requests one stdio client may have open at once. A request counts from when it is handed to the server
 * until its answer has been written out (the SDK's `send` resolves only once stdout has taken it) or it is
 * cancelled; past the limit, requests wait in a queue, and past the queue's size stdin is no longer read. A client
 * that stops reading stdout therefore stalls itself instead of filling the server's memory with answers.
 */
import type { JSONRPCMessage, RequestId } from "@modelcontextprotocol/server"

export interface PacerOptions {
  /** Requests open at once. */
  readonly limit: number
  /** Requests waiting before reading stops. */
  readonly queue: number
  /** Hands a message to the server. */
  readonly dispatch: (message: JSONRPCMessage) => void
  readonly pause: () => void
  readonly resume: () => void
}

export interface RequestPacer {
  /** A message read from the client. */
  readonly offer: (message: JSONRPCMessage) => void
  /** The answer to a request has been written out, or the request was cancelled: it no longer counts. */
  readonly settle: (id: RequestId) => void
  readonly open: () => number
  readonly waiting: () => number
  /** Takes the requests still waiting (none of them started), so that a server stopping can answer them. */
  readonly drain: () => Array<JSONRPCMessage & { id: RequestId }>
}

const keyOf = (id: RequestId) => JSON.stringify(id)

export const makeRequestPacer = (options: PacerOptions): RequestPacer => {
  const open = new Map<string, number>()
  let count = 0
  const waiting: Array<JSONRPCMessage> = []
  let paused = false

  const isRequest = (message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId; method: string } =>
    "method" in message && "id" in message

  const pump = () => {
    while (waiting.length > 0 && count < options.limit) {
      const message = waiting.shift()!
      const key = keyOf((message as { id: RequestId }).id)
      open.set(key, (open.get(key) ?? 0) + 1)
      count++
      options.dispatch(message)
    }
    if (paused && waiting.length <= options.queue / 2) {
      paused = false
      options.resume()
    }
  }

  return {
    offer: (message) => {
      // Notifications (cancellations among them) and responses are never held back.
      if (!isRequest(message)) return options.dispatch(message)
      waiting.push(message)
      pump()
      if (!paused && waiting.length > options.queue) {
        paused = true
        options.pause()
      }
    },
    settle: (id) => {
      const key = keyOf(id)
      const held = open.get(key)
      if (held === undefined) return
      if (held <= 1) open.delete(key)
      else open.set(key, held - 1)
      count--
      pump()
    },
    open: () => count,
    waiting: () => waiting.length,
    drain: () => waiting.splice(0, waiting.length) as Array<JSONRPCMessage & { id: RequestId }>
  }
}
