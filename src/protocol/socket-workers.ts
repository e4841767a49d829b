/**
 * Protobuf sockets decoded off the main thread: one worker per socket (socket-worker.ts) connects,
 * reads and decodes it, and the main thread takes its batches as an ordinary flow of messages, so
 * `write` handles them as if it had decoded them itself. Taking a batch grants the worker one more
 * (each socket keeps its own backpressure); closing the flow ends the worker.
 */
import { ConnectorError } from "../errors.ts";
import { unpackBatch } from "./socket-batch.ts";
import type { SocketMessage } from "./socket-messages.ts";
import type { WorkerReply, WorkerStart } from "./socket-worker.ts";

export async function* workerMessages(start: Omit<WorkerStart, "kind">): AsyncGenerator<SocketMessage[]> {
  const worker = new Worker(WORKER_URL, { type: "module" });
  const replies: WorkerReply[] = [];
  let arrived: (() => void) | undefined;
  const push = (reply: WorkerReply) => {
    replies.push(reply);
    arrived?.();
    arrived = undefined;
  };
  worker.onmessage = ({ data }: MessageEvent<WorkerReply>) => push(data);
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    push({
      kind: "error",
      message: `Socket ${start.socket}'s worker failed: ${event.message}.`,
      failureType: "system_error",
    });
  };
  worker.postMessage({ kind: "start", ...start });
  try {
    for (;;) {
      while (replies.length === 0) await new Promise<void>((resolve) => (arrived = resolve));
      const reply = replies.shift() as WorkerReply;
      if (reply.kind === "done") return;
      if (reply.kind === "error") throw new ConnectorError(reply.message, reply.failureType);
      worker.postMessage({ kind: "more" });
      yield unpackBatch(reply.batch);
    }
  } finally {
    worker.terminate();
  }
}

// --- internal ---

/**
 * The worker's module: in the compiled executable at its path under src/ from the root of the
 * executable's file system (build.ts makes it an entrypoint), from source beside this file.
 */
const WORKER_URL = import.meta.url.startsWith("file:///$bunfs/")
  ? new URL("./protocol/socket-worker.ts", import.meta.url).href
  : new URL("./socket-worker.ts", import.meta.url).href;
