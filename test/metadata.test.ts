/**
 * metadata.yaml, the connector as Airbyte's registry describes one (ConnectorMetadataDefinitionV0),
 * says only what is true: its image and tag are the Dockerfile's and package.json's, its
 * documentation URL the SPEC's, its protocol version the one the tests speak with Airbyte's own
 * models, and what it claims to support the code does.
 */
import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { specMessage } from "../src/config/spec.ts";
import { overwrites, parseCatalog } from "../src/protocol/catalog.ts";
import { dataChannelFrom } from "../src/protocol/data-channel.ts";
import { ROOT } from "./helpers/source-files.ts";

const read = (file: string) => readFileSync(join(ROOT, file), "utf8");
const metadata = Bun.YAML.parse(read("metadata.yaml")) as {
  metadataSpecVersion: string;
  data: Record<string, unknown>;
};
const { data } = metadata;
const spec = specMessage().spec;

/** A Dockerfile LABEL's value. */
const label = (name: string) =>
  new RegExp(`${name.replaceAll(".", "\\.")}="([^"]+)"`).exec(read("Dockerfile"))?.[1];

describe("metadata.yaml", () => {
  it("has every field the registry's schema requires, with values it allows", () => {
    expect(metadata.metadataSpecVersion).toBe("1.0");
    for (const field of [
      "name",
      "definitionId",
      "connectorType",
      "dockerRepository",
      "dockerImageTag",
      "license",
      "documentationUrl",
      "githubIssueLabel",
      "connectorSubtype",
      "releaseStage",
    ])
      expect({ field, type: typeof data[field] }).toEqual({ field, type: "string" });
    expect(data.definitionId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(data.connectorType).toBe("destination");
    expect(["api", "database", "file", "custom", "message_queue", "unknown"]).toContain(
      data.connectorSubtype as string,
    );
    expect(["alpha", "beta", "generally_available", "custom"]).toContain(data.releaseStage as string);
    expect(["community", "certified", "archived"]).toContain(data.supportLevel as string);
  });

  it("names the image the Dockerfile builds, at package.json's version", () => {
    const { version } = JSON.parse(read("package.json")) as { version: string };
    expect(data.dockerImageTag).toBe(version);
    expect(data.dockerImageTag).toBe(label("io.airbyte.version"));
    expect(data.dockerRepository).toBe(label("io.airbyte.name"));
  });

  it("links the documentation the SPEC links", () => {
    expect(data.documentationUrl).toBe(spec.documentationUrl);
  });

  it("supports refreshes exactly when overwrite is offered and truncate refreshes are honoured", () => {
    const [refreshed] = parseCatalog({
      streams: [
        {
          stream: { name: "s" },
          destination_sync_mode: "append",
          generation_id: 2,
          minimum_generation_id: 2,
        },
      ],
    });
    const honoured =
      spec.supported_destination_sync_modes.includes("overwrite") &&
      refreshed !== undefined &&
      overwrites(refreshed);
    expect(data.supportsRefreshes).toBe(honoured);
    expect(honoured).toBe(true);
  });

  it("speaks the protocol version of the Airbyte models the end-to-end tests use", () => {
    const pinned = /"airbyte-protocol-models-pdv2": "([^"]+)"/.exec(read("scripts/python-peers.ts"))?.[1];
    expect(pinned).toBeDefined();
    expect(data.protocolVersion).toBe(pinned);
  });

  it("declares socket mode in the data channel version and with the transports and formats write reads", () => {
    const ipc = data.connectorIPCOptions as {
      dataChannel: { version: string; supportedSerialization: string[]; supportedTransport: string[] };
    };
    // The Bulk CDK's data channel version; the platform uses sockets only when both sides match.
    expect(ipc.dataChannel.version).toBe("0.0.2");
    const paths = { DATA_CHANNEL_SOCKET_PATHS: "/tmp/a.sock" };
    for (const transport of ipc.dataChannel.supportedTransport) {
      for (const format of ipc.dataChannel.supportedSerialization) {
        if (transport === "STDIO" && format === "PROTOBUF") continue; // the platform never asks for it
        const channel = dataChannelFrom({
          DATA_CHANNEL_MEDIUM: transport,
          DATA_CHANNEL_FORMAT: format,
          ...paths,
        });
        expect(channel.medium).toBe(transport as "STDIO" | "SOCKET");
        if (channel.medium === "SOCKET") expect(channel.format).toBe(format as "JSONL" | "PROTOBUF");
      }
    }
    expect([...ipc.dataChannel.supportedSerialization].sort()).toEqual(["JSONL", "PROTOBUF"]);
    expect([...ipc.dataChannel.supportedTransport].sort()).toEqual(["SOCKET", "STDIO"]);
  });
});
