/** Hand-driven fakes for the pure core: sends the test settles, timers the test fires, captured output. */

import type { EncodedRecord } from "../../src/contract/send.ts";
import type { Timers } from "../../src/pipeline/timers.ts";
import { createEmitter, type Emitter } from "../../src/protocol/emit.ts";

export interface PendingSend {
  records: EncodedRecord[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

export function handSender() {
  const sends: PendingSend[] = [];
  return {
    sends,
    send: (records: EncodedRecord[]) =>
      new Promise<void>((resolve, reject) => {
        sends.push({ records, resolve, reject });
      }),
  };
}

/** A sender that acknowledges everything on the next tick, keeping what it got. */
export function autoSender() {
  const sent: EncodedRecord[][] = [];
  return {
    sent,
    send: async (records: EncodedRecord[]) => {
      sent.push(records);
      await Promise.resolve();
    },
  };
}

export function handTimers() {
  let next = 0;
  const active = new Map<number, { callback: () => void; ms: number }>();
  const timers: Timers = {
    set: (callback, ms) => {
      active.set(++next, { callback, ms });
      return next;
    },
    clear: (handle) => {
      active.delete(handle as number);
    },
  };
  return {
    timers,
    /** Fires every timer set for `ms` milliseconds. */
    fire(ms: number) {
      for (const [id, timer] of [...active]) {
        if (timer.ms === ms) {
          active.delete(id);
          timer.callback();
        }
      }
    },
    get count() {
      return active.size;
    },
  };
}

export function capturedEmitter(): {
  emit: Emitter;
  lines: string[];
  messages: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  const emit = createEmitter({
    write: (text) => {
      lines.push(text.trimEnd());
      return undefined;
    },
    onClosed: () => {},
  });
  return { emit, lines, messages: () => lines.map((line) => JSON.parse(line)) };
}

export async function* chunksOf(...texts: string[]): AsyncGenerator<Uint8Array> {
  for (const text of texts) yield new TextEncoder().encode(text);
}

/** Lets every queued promise callback run. */
export const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
