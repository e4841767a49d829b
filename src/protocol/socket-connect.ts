/**
 * The client side of one Airbyte data socket: the source creates and listens on each socket file,
 * the destination waits for the file to appear, connects, and reads until the source closes it
 * (end of stream). The wait is the Bulk CDK's ClientSocket: a poll every second, up to 15 minutes.
 * node:net's Unix-domain client works the same in Bun and Deno. Reading is pulled, so a socket
 * whose messages are not handled yet is not read further: each socket has its own backpressure.
 */
import { existsSync } from "node:fs";
import { createConnection, type Socket } from "node:net";
import { ConnectorError } from "../errors.ts";

export interface SocketWait {
  pollMs: number;
  timeoutMs: number;
}

export const CDK_SOCKET_WAIT: SocketWait = { pollMs: 1000, timeoutMs: 15 * 60 * 1000 };

/** The bytes of the socket at `path`, once it appeared and accepted the connection. */
export async function* socketChunks(
  path: string,
  wait: SocketWait = CDK_SOCKET_WAIT,
  signal?: AbortSignal,
): AsyncGenerator<Uint8Array> {
  await appeared(path, wait, signal);
  const socket = await connected(path);
  const abort = () => socket.destroy();
  signal?.addEventListener("abort", abort, { once: true });
  try {
    for await (const chunk of socket) yield chunk as Uint8Array;
  } catch (error) {
    throw new ConnectorError(
      `Reading the socket ${path} failed: ${error instanceof Error ? error.message : String(error)}.`,
      "transient_error",
    );
  } finally {
    signal?.removeEventListener("abort", abort);
    socket.destroy();
  }
}

// --- internal ---

async function appeared(path: string, wait: SocketWait, signal: AbortSignal | undefined): Promise<void> {
  for (let waited = 0; !existsSync(path); waited += wait.pollMs) {
    if (waited >= wait.timeoutMs) {
      throw new ConnectorError(
        `The socket ${path} did not appear within ${wait.timeoutMs / 1000} s: the source never opened it.`,
        "system_error",
      );
    }
    if (signal?.aborted)
      throw new ConnectorError(`Waiting for the socket ${path} was interrupted.`, "transient_error");
    await new Promise((resolve) => setTimeout(resolve, wait.pollMs));
  }
}

function connected(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ path });
    socket.once("connect", () => {
      socket.off("error", fail);
      resolve(socket);
    });
    const fail = (error: Error) =>
      reject(
        new ConnectorError(`Connecting to the socket ${path} failed: ${error.message}.`, "transient_error"),
      );
    socket.once("error", fail);
  });
}
