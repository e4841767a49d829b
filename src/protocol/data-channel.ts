/**
 * Which data channel Airbyte chose for this sync, from the environment the platform sets (the Bulk
 * CDK's EnvVarConstants: DATA_CHANNEL_MEDIUM, DATA_CHANNEL_FORMAT, DATA_CHANNEL_SOCKET_PATHS,
 * NAMESPACE_MAPPING_CONFIG_PATH). Without them the sync is the classic one: JSONL on stdin. With
 * SOCKET, records (and STATEs) come over the listed Unix sockets, the source being the server;
 * PROTOBUF exists only over sockets (the CDK's DataChannelBeanFactory refuses it on STDIO).
 */
import { configError } from "../errors.ts";

export type DataChannelFormat = "JSONL" | "PROTOBUF";

export type DataChannel =
  | { medium: "STDIO" }
  | {
      medium: "SOCKET";
      format: DataChannelFormat;
      socketPaths: string[];
      /** The connection's namespace mapping, which a socket-mode destination applies itself. */
      namespaceMappingPath: string | undefined;
    };

export function dataChannelFrom(env: Record<string, string | undefined>): DataChannel {
  const medium = oneOf(env, "DATA_CHANNEL_MEDIUM", ["STDIO", "SOCKET"], "STDIO");
  const format = oneOf(env, "DATA_CHANNEL_FORMAT", ["JSONL", "PROTOBUF"], "JSONL");
  if (medium === "STDIO") {
    if (format === "PROTOBUF")
      throw configError(
        "DATA_CHANNEL_FORMAT PROTOBUF needs DATA_CHANNEL_MEDIUM SOCKET: stdin carries JSONL only.",
      );
    return { medium };
  }
  const socketPaths = (env.DATA_CHANNEL_SOCKET_PATHS ?? "")
    .split(",")
    .map((path) => path.trim())
    .filter((path) => path !== "");
  if (socketPaths.length === 0)
    throw configError("DATA_CHANNEL_MEDIUM is SOCKET but DATA_CHANNEL_SOCKET_PATHS names no socket.");
  if (new Set(socketPaths).size !== socketPaths.length)
    throw configError("DATA_CHANNEL_SOCKET_PATHS names a socket more than once.");
  const mapping = env.NAMESPACE_MAPPING_CONFIG_PATH?.trim();
  return { medium, format, socketPaths, namespaceMappingPath: mapping === "" ? undefined : mapping };
}

// --- internal ---

function oneOf<T extends string>(
  env: Record<string, string | undefined>,
  name: string,
  values: readonly T[],
  fallback: T,
): T {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const value = values.find((candidate) => candidate === raw.toUpperCase());
  if (value === undefined)
    throw configError(`${name} is ${JSON.stringify(raw)}; it must be one of ${values.join(", ")}.`);
  return value;
}
