/**
 * The source side of Airbyte's socket mode, for tests: binds each socket in a temp dir (the source
 * is the server), and on the destination's connection writes that socket's bytes (protobuf frames
 * or JSONL lines) and closes it, which is the end of stream. `delayMs` binds late, to test the
 * destination's wait for the socket file.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Feeder {
  paths: string[];
  /** Resolves once every socket was connected to and written to its end. */
  fed: Promise<void>;
  close(): void;
}

export function feedSockets(perSocket: Uint8Array[], options: { delayMs?: number } = {}): Feeder {
  const dir = mkdtempSync(join(tmpdir(), "airbyte-sockets-"));
  const paths = perSocket.map((_, i) => join(dir, `airbyte_socket_${i + 1}.sock`));
  const servers: Server[] = [];
  const fed = Promise.all(
    perSocket.map(
      (bytes, i) =>
        new Promise<void>((resolve, reject) => {
          const bind = () => {
            const server = createServer((client) => {
              client.on("error", reject);
              client.end(bytes, () => resolve());
            });
            servers.push(server);
            server.on("error", reject);
            server.listen(paths[i]);
          };
          if (options.delayMs) setTimeout(bind, options.delayMs);
          else bind();
        }),
    ),
  ).then(() => undefined);
  return {
    paths,
    fed,
    close() {
      for (const server of servers) server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The environment the platform sets for socket mode. */
export function socketEnv(paths: string[], format: "JSONL" | "PROTOBUF", extra: Record<string, string> = {}) {
  return {
    DATA_CHANNEL_MEDIUM: "SOCKET",
    DATA_CHANNEL_FORMAT: format,
    DATA_CHANNEL_SOCKET_PATHS: paths.join(","),
    ...extra,
  };
}
