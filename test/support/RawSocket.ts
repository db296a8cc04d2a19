/**
 * A TCP client that writes exactly what it is told, for attacks no HTTP client would make: trickled headers, a
 * malformed request line, an absolute-form target, a body sent after the server has refused the request.
 */
import { connect, type Socket } from "node:net"

export interface RawSocket {
  readonly socket: Socket
  /** Everything the server has sent so far. */
  readonly received: () => string
  /** Resolves when the server closed the connection (or it was reset). */
  readonly closed: Promise<void>
  readonly isClosed: () => boolean
  readonly write: (data: string | Buffer) => boolean
}

export const rawSocket = (port: number): Promise<RawSocket> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1")
    let received = ""
    let done = false
    const closed = new Promise<void>((settle) => {
      socket.on("close", () => {
        done = true
        settle()
      })
    })
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("utf8")))
    socket.on("error", () => undefined)
    socket.once("connect", () =>
      resolve({
        socket,
        received: () => received,
        closed,
        isClosed: () => done,
        write: (data) => (done ? false : socket.write(data))
      })
    )
    socket.once("error", reject)
  })

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Waits until `condition` holds, checking every 20 ms, for at most `ms`; false if it never did. */
export const eventually = async (condition: () => boolean, ms: number): Promise<boolean> => {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (condition()) return true
    await sleep(20)
  }
  return condition()
}
