/**
 * What happens to input that is not written. A line that cannot be written (not JSON, not an
 * AirbyteMessage, a stream not in the catalog, a record that does not fit) fails the sync, named by
 * its line number and the reason, never its content, or is skipped with a WARN under
 * `on_invalid_input: skip`. Messages of other types (TRACE, LOG, CONTROL, unknown) are counted and
 * ignored. The first failure is kept: from then on `write` reads no further.
 */
import type { Config } from "../config/schema.ts";
import { asConnectorError, ConnectorError } from "../errors.ts";
import type { Emitter } from "../protocol/emit.ts";

export interface InputPolicy {
  /** Line `lineNumber` cannot be written because of `reason` (a clause); a promise means: wait for the WARN. */
  refuse(lineNumber: number, reason: string): Promise<void> | undefined;
  /** The sync cannot go on for a reason that is not one line's (the first one counts); nothing to wait for. */
  fail(error: unknown): undefined;
  /** A message of `type` that is neither RECORD nor STATE was read; nothing to wait for. */
  ignore(type: string): undefined;
  readonly failure: ConnectorError | undefined;
  readonly skippedLines: number;
  /** Messages ignored, by type. */
  readonly ignoredMessages: Map<string, number>;
}

export function createInputPolicy(onInvalidInput: Config["on_invalid_input"], emit: Emitter): InputPolicy {
  let failure: ConnectorError | undefined;
  let skippedLines = 0;
  const ignoredMessages = new Map<string, number>();
  return {
    refuse(lineNumber, reason) {
      if (onInvalidInput === "skip") {
        skippedLines++;
        return emit.log("WARN", `Skipped input line ${lineNumber}: ${reason}.`);
      }
      failure ??= new ConnectorError(
        `Input line ${lineNumber} cannot be written: ${reason}. No later STATE is echoed. Set on_invalid_input to "skip" to drop such lines instead.`,
        "system_error",
      );
      return undefined;
    },
    fail(error) {
      failure ??= asConnectorError(error, "Unexpected error");
      return undefined;
    },
    ignore(type) {
      ignoredMessages.set(type, (ignoredMessages.get(type) ?? 0) + 1);
      return undefined;
    },
    get failure() {
      return failure;
    },
    get skippedLines() {
      return skippedLines;
    },
    ignoredMessages,
  };
}
