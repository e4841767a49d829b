import { describe, expect, it } from "bun:test";
import { ConnectorError } from "../../src/errors.ts";
import { dataChannelFrom } from "../../src/protocol/data-channel.ts";

const refusal = (env: Record<string, string>) => {
  try {
    dataChannelFrom(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConnectorError);
    return { message: (error as ConnectorError).message, failureType: (error as ConnectorError).failureType };
  }
  throw new Error("accepted");
};

describe("dataChannelFrom", () => {
  it("is STDIO when the platform sets nothing, or STDIO with JSONL", () => {
    expect(dataChannelFrom({})).toEqual({ medium: "STDIO" });
    expect(dataChannelFrom({ DATA_CHANNEL_MEDIUM: "STDIO", DATA_CHANNEL_FORMAT: "JSONL" })).toEqual({
      medium: "STDIO",
    });
    // The platform passes STDIO along with socket paths it does not mean: they are ignored.
    expect(dataChannelFrom({ DATA_CHANNEL_MEDIUM: "STDIO", DATA_CHANNEL_SOCKET_PATHS: "/a.sock" })).toEqual({
      medium: "STDIO",
    });
  });

  it("reads SOCKET with its format, its comma-separated paths and the namespace mapping", () => {
    expect(
      dataChannelFrom({
        DATA_CHANNEL_MEDIUM: "SOCKET",
        DATA_CHANNEL_FORMAT: "PROTOBUF",
        DATA_CHANNEL_SOCKET_PATHS:
          "/var/run/sockets/airbyte_socket_1.sock, /var/run/sockets/airbyte_socket_2.sock",
        NAMESPACE_MAPPING_CONFIG_PATH: "/config/mapping.json",
      }),
    ).toEqual({
      medium: "SOCKET",
      format: "PROTOBUF",
      socketPaths: ["/var/run/sockets/airbyte_socket_1.sock", "/var/run/sockets/airbyte_socket_2.sock"],
      namespaceMappingPath: "/config/mapping.json",
    });
    expect(dataChannelFrom({ DATA_CHANNEL_MEDIUM: "socket", DATA_CHANNEL_SOCKET_PATHS: "/a.sock" })).toEqual({
      medium: "SOCKET",
      format: "JSONL",
      socketPaths: ["/a.sock"],
      namespaceMappingPath: undefined,
    });
  });

  it.each<[string, Record<string, string>, string]>([
    [
      "PROTOBUF over STDIO",
      { DATA_CHANNEL_FORMAT: "PROTOBUF" },
      "DATA_CHANNEL_FORMAT PROTOBUF needs DATA_CHANNEL_MEDIUM SOCKET: stdin carries JSONL only.",
    ],
    [
      "SOCKET without paths",
      { DATA_CHANNEL_MEDIUM: "SOCKET", DATA_CHANNEL_SOCKET_PATHS: " , " },
      "DATA_CHANNEL_MEDIUM is SOCKET but DATA_CHANNEL_SOCKET_PATHS names no socket.",
    ],
    [
      "a socket listed twice",
      { DATA_CHANNEL_MEDIUM: "SOCKET", DATA_CHANNEL_SOCKET_PATHS: "/a.sock,/a.sock" },
      "DATA_CHANNEL_SOCKET_PATHS names a socket more than once.",
    ],
    [
      "an unknown medium",
      { DATA_CHANNEL_MEDIUM: "PIPE" },
      'DATA_CHANNEL_MEDIUM is "PIPE"; it must be one of STDIO, SOCKET.',
    ],
    [
      "an unknown format",
      { DATA_CHANNEL_MEDIUM: "SOCKET", DATA_CHANNEL_FORMAT: "AVRO", DATA_CHANNEL_SOCKET_PATHS: "/a.sock" },
      'DATA_CHANNEL_FORMAT is "AVRO"; it must be one of JSONL, PROTOBUF.',
    ],
  ])("refuses %s with a config error", (_, env, message) => {
    expect(refusal(env)).toEqual({ message, failureType: "config_error" });
  });
});
