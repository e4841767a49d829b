import { describe, expect, it } from "bun:test";
import { ConnectorError } from "../../src/errors.ts";
import { createEmitter, type Sink, traceError } from "../../src/protocol/emit.ts";

/** A sink that keeps what it got; `hold` makes writes wait until `release`. */
function keptSink() {
  const written: string[] = [];
  let waiting: (() => void) | undefined;
  let hold = false;
  const closed: (() => void)[] = [];
  const sink: Sink = {
    write(text) {
      written.push(text);
      return hold ? new Promise<void>((resolve) => (waiting = resolve)) : undefined;
    },
    onClosed: (listener) => closed.push(listener),
  };
  return {
    sink,
    written,
    holdWrites: () => (hold = true),
    release: () => waiting?.(),
    close: () => {
      for (const listener of closed) listener();
    },
  };
}

describe("the emitter", () => {
  it("writes one message per line: LOG, any message, TRACE errors", async () => {
    const { sink, written } = keptSink();
    const emit = createEmitter(sink);
    await emit.log("WARN", "careful");
    await emit.message({ type: "SPEC", spec: {} });
    await emit.error(new ConnectorError("it broke", "transient_error", "CODE"));
    expect(written.map((line) => line.endsWith("\n") && !line.slice(0, -1).includes("\n"))).toEqual([
      true,
      true,
      true,
    ]);
    const [log, spec, trace] = written.map((line) => JSON.parse(line));
    expect(log).toEqual({ type: "LOG", log: { level: "WARN", message: "careful" } });
    expect(spec).toEqual({ type: "SPEC", spec: {} });
    expect(trace.trace.error).toEqual({
      message: "it broke",
      internal_message: "CODE",
      failure_type: "transient_error",
    });
  });

  it("blanks every secret, and its JSON-escaped form, out of everything written; the longest first", async () => {
    const { sink, written } = keptSink();
    const emit = createEmitter(sink);
    emit.redact(['pa"ss', "pa", "hunter2-and-more", "hunter2", ""]);
    await emit.log("INFO", 'pa"ss hunter2-and-more hunter2');
    expect(written[0]).not.toContain("hunter2");
    expect(written[0]).not.toContain('pa\\"ss');
    expect(JSON.parse(written[0] ?? "").log.message).toBe("********** ********** **********");
  });

  it("waits for the sink (backpressure), and passes on that the reader went away", async () => {
    const kept = keptSink();
    const emit = createEmitter(kept.sink);
    kept.holdWrites();
    let done = false;
    const writing = emit.line("{}").then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    kept.release();
    await writing;
    let closed = 0;
    emit.onClosed(() => closed++);
    kept.close();
    expect(closed).toBe(1);
  });
});

describe("traceError", () => {
  it("is Airbyte's TRACE ERROR message, without internal_message when there is none", () => {
    expect(traceError(new ConnectorError("bad", "config_error"), 1234)).toEqual({
      type: "TRACE",
      trace: { type: "ERROR", emitted_at: 1234, error: { message: "bad", failure_type: "config_error" } },
    });
  });
});
