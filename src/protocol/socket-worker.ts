/**
 * A socket's worker: connects to one protobuf socket, decodes its frames (socket-messages.ts) and
 * posts the messages packed (socket-batch.ts), at most two batches ahead of the main thread, which
 * grants one more for each batch it takes: the socket is read no faster than its records are
 * handled. A failure is posted as its message and failure type, then the worker stops.
 */
import { ConnectorError, type FailureType } from "../errors.ts";
import type { CatalogStream } from "./catalog.ts";
import { identityMapping, parseNamespaceMapping } from "./namespace-mapping.ts";
import type { PackedBatch } from "./socket-batch.ts";
import { packBatch } from "./socket-batch.ts";
import { type SocketWait, socketChunks } from "./socket-connect.ts";
import { protobufMessages, protoStreams } from "./socket-messages.ts";

export interface WorkerStart {
  kind: "start";
  socket: number;
  path: string;
  catalog: CatalogStream[];
  /** The namespace mapping file's content, when there is one. */
  mapping: unknown;
  wait: SocketWait;
  maxFrameBytes: number;
}

export type WorkerRequest = WorkerStart | { kind: "more" };

export type WorkerReply =
  | { kind: "batch"; batch: PackedBatch }
  | { kind: "done" }
  | { kind: "error"; message: string; failureType: FailureType };

/** Batches a worker posts before it waits for the main thread to take one. */
export const BATCHES_AHEAD = 2;

declare const self: {
  onmessage: ((event: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: WorkerReply, transfer?: ArrayBuffer[]): void;
};

let credits = BATCHES_AHEAD;
let granted: (() => void) | undefined;

self.onmessage = ({ data }) => {
  if (data.kind === "more") {
    credits++;
    granted?.();
    granted = undefined;
  } else void run(data);
};

async function run(start: WorkerStart): Promise<void> {
  try {
    const mapping = start.mapping === undefined ? identityMapping : parseNamespaceMapping(start.mapping);
    const streams = protoStreams(start.catalog, mapping);
    const chunks = socketChunks(start.path, start.wait);
    for await (const messages of protobufMessages(start.socket, chunks, streams, start.maxFrameBytes)) {
      const { batch, transfer } = packBatch(messages);
      self.postMessage({ kind: "batch", batch }, transfer);
      if (--credits <= 0) await new Promise<void>((resolve) => (granted = resolve));
    }
    self.postMessage({ kind: "done" });
  } catch (error) {
    const failure =
      error instanceof ConnectorError
        ? error
        : new ConnectorError(
            `Socket ${start.socket} failed: ${error instanceof Error ? error.message : String(error)}.`,
            "system_error",
          );
    self.postMessage({ kind: "error", message: failure.message, failureType: failure.failureType });
  }
}
