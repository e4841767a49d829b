import { describe, expect, it } from "bun:test";
import { asConnectorError, ConnectorError, configError, UNKNOWN_TOPIC } from "../src/errors.ts";

describe("ConnectorError", () => {
  it("carries the failure type and internal detail, and names an unknown topic by its internal code", () => {
    const error = new ConnectorError("Topic t does not exist.", "transient_error", UNKNOWN_TOPIC);
    expect([error.name, error.message, error.failureType, error.internal]).toEqual([
      "ConnectorError",
      "Topic t does not exist.",
      "transient_error",
      UNKNOWN_TOPIC,
    ]);
    expect(error.unknownTopic).toBe(true);
    expect(new ConnectorError("x", "system_error").unknownTopic).toBe(false);
  });

  it("configError is a config_error without internal detail", () => {
    const error = configError("bad field");
    expect([error.failureType, error.internal]).toEqual(["config_error", undefined]);
  });
});

describe("asConnectorError", () => {
  it("keeps a ConnectorError as it is", () => {
    const error = configError("bad field");
    expect(asConnectorError(error, "Delivery failed")).toBe(error);
  });

  it.each([
    ["an Error", new Error("socket hang up"), "Delivery failed: socket hang up"],
    ["a thrown string", "a thrown string", "Delivery failed: a thrown string"],
  ])("makes anything else a system_error saying what failed: %s", (_, thrown, message) => {
    const error = asConnectorError(thrown, "Delivery failed");
    expect([error.message, error.failureType]).toEqual([message, "system_error"]);
  });
});
