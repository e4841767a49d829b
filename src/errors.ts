/**
 * The one error type the connector raises on purpose. Its message is written for the user and never
 * carries a secret or a line of input; `failureType` is the Airbyte TRACE failure type.
 */
export type FailureType = "config_error" | "system_error" | "transient_error";

export class ConnectorError extends Error {
  readonly failureType: FailureType;
  /** Extra detail for Airbyte's `internal_message`: also free of secrets and input content. */
  readonly internal: string | undefined;

  constructor(message: string, failureType: FailureType, internal?: string) {
    super(message);
    this.name = "ConnectorError";
    this.failureType = failureType;
    this.internal = internal;
  }

  /** True when the cause is a topic the cluster does not know (yet: auto-creation takes a moment). */
  get unknownTopic(): boolean {
    return this.internal === UNKNOWN_TOPIC;
  }
}

/** The `internal` code of an unknown-topic error. */
export const UNKNOWN_TOPIC = "UNKNOWN_TOPIC_OR_PARTITION";

export const configError = (message: string): ConnectorError => new ConnectorError(message, "config_error");

/** `error` itself when it is a ConnectorError, else a system_error: "<what>: <its message>". */
export function asConnectorError(error: unknown, what: string): ConnectorError {
  if (error instanceof ConnectorError) return error;
  return new ConnectorError(
    `${what}: ${error instanceof Error ? error.message : String(error)}`,
    "system_error",
  );
}
