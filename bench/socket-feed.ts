/**
 * The source side of a socket-mode run: binds one Unix socket per file in a fresh temp dir and
 * streams the file to the connector when it connects, then closes the socket (end of stream).
 * Streamed, not loaded: a socket file holds hundreds of megabytes.
 */
import { createReadStream, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface SocketFeed {
  paths: string[];
  close(): void;
}

export async function serveSocketFiles(files: string[]): Promise<SocketFeed> {
  const dir = mkdtempSync(join(tmpdir(), "bench-sockets-"));
  const paths = files.map((_, i) => join(dir, `airbyte_socket_${i + 1}.sock`));
  const servers: Server[] = await Promise.all(
    files.map(
      (file, i) =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer((client) => {
            client.on("error", () => client.destroy());
            createReadStream(file, { highWaterMark: 1 << 20 }).pipe(client);
          });
          server.once("error", reject);
          server.listen(paths[i], () => resolve(server));
        }),
    ),
  );
  return {
    paths,
    close() {
      for (const server of servers) server.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
