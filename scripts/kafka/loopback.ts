/**
 * Loopback-only networking helpers: a guard that refuses any bootstrap list
 * pointing off this machine, and a free-port picker bound to 127.0.0.1. The
 * one address off 127.0.0.0/8 it lets through is the own address of a network
 * namespace that netns.ts made on this machine (and that still exists).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { NETNS_DIR } from "./paths.ts";

function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === "localhost" || h === "[::1]" || h === "::1") return true;
  const octets = h.split(".");
  if (octets.length !== 4 || octets[0] !== "127") return false;
  return octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255);
}

/** True if `host` is the address of a namespace netns.ts made, per its description, and the namespace exists. */
function isNamespaceHost(host: string): boolean {
  if (!existsSync(NETNS_DIR)) return false;
  return readdirSync(NETNS_DIR)
    .filter((file) => file.endsWith(".json"))
    .some((file) => {
      try {
        const described = JSON.parse(readFileSync(join(NETNS_DIR, file), "utf8")) as {
          name?: unknown;
          address?: unknown;
        };
        return described.address === host && existsSync(`/run/netns/${String(described.name)}`);
      } catch {
        return false;
      }
    });
}

function splitHostPort(entry: string): string {
  // "[::1]:9092" | "[::1]" | "127.0.0.1:9092" | "localhost"
  if (entry.startsWith("[")) {
    const end = entry.indexOf("]");
    return end === -1 ? entry : entry.slice(0, end + 1);
  }
  const colon = entry.lastIndexOf(":");
  return colon === -1 ? entry : entry.slice(0, colon);
}

/**
 * Throws unless every host in the comma-separated `bootstrap` list is on
 * 127.0.0.0/8, `localhost` or `[::1]`, or is a namespace address of netns.ts.
 */
export function assertLoopback(bootstrap: string): void {
  const entries = bootstrap
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  if (entries.length === 0) {
    throw new Error("bootstrap list is empty");
  }
  for (const entry of entries) {
    const host = splitHostPort(entry);
    if (!isLoopbackHost(host) && !isNamespaceHost(host)) {
      throw new Error(
        `refusing non-loopback Kafka host ${JSON.stringify(host)} in bootstrap ${JSON.stringify(bootstrap)}`,
      );
    }
  }
}

/** Asks the OS for a currently free TCP port on 127.0.0.1. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port > 0 ? resolvePort(port) : reject(new Error("no port assigned"))));
    });
  });
}

/**
 * `count` distinct free TCP ports on 127.0.0.1: every port stays bound until all
 * are picked, so the OS cannot hand out the same one twice.
 */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      server.unref();
      servers.push(server);
      await new Promise<void>((resolveListen, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => resolveListen());
      });
    }
    return servers.map((server) => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      if (port <= 0) throw new Error("no port assigned");
      return port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((done) => server.close(() => done()))));
  }
}
