/**
 * stdin read as the stdio transport's lines, with a bound. The SDK's own reader drops a line it cannot parse without
 * a word (the client waits for ever) and closes the whole transport when one line passes its buffer limit; here a
 * line is handed on whole, and a line past `maxBytes` is skipped to its end and reported, while the next one is read
 * as usual.
 */
import type { Readable } from "node:stream"

export interface LineSink {
  readonly line: (text: string) => void
  /** A line longer than the limit was skipped (it is never held in memory whole). */
  readonly oversize: (bytes: number) => void
}

/** Reads `input` line by line until it ends; returns a function that stops reading. */
export const readLines = (input: Readable, maxBytes: number, sink: LineSink): () => void => {
  let pending: Array<Buffer> = []
  let pendingBytes = 0
  /** Bytes of a line past the limit, skipped so far (0 when not skipping). */
  let skipped = 0

  const onData = (chunk: Buffer) => {
    let start = 0
    while (start < chunk.length) {
      const end = chunk.indexOf(0x0a, start)
      const piece = chunk.subarray(start, end === -1 ? chunk.length : end)
      if (skipped > 0 || pendingBytes + piece.length > maxBytes) {
        skipped += pendingBytes + piece.length
        pending = []
        pendingBytes = 0
      } else {
        pending.push(piece)
        pendingBytes += piece.length
      }
      if (end === -1) return
      start = end + 1
      if (skipped > 0) {
        sink.oversize(skipped)
        skipped = 0
        continue
      }
      const text = Buffer.concat(pending, pendingBytes).toString("utf8").replace(/\r$/, "")
      pending = []
      pendingBytes = 0
      if (text.trim() !== "") sink.line(text)
    }
  }
  input.on("data", onData)
  return () => input.off("data", onData)
}
