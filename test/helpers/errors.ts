/** The ConnectorError a promise rejects with (the test fails if it resolves or rejects otherwise). */
import { expect } from "bun:test";
import { ConnectorError } from "../../src/errors.ts";

export async function connectorFailure(work: Promise<unknown>): Promise<ConnectorError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConnectorError);
  return error as ConnectorError;
}
