/**
 * kcat (Debian's package, librdkafka) as an independent consumer: what it reads is what a
 * downstream client sees, whichever client wrote it. Installed with apt-get when missing (as root;
 * idempotent), so a fresh machine needs nothing by hand. Loopback brokers only.
 */
import { runBounded } from "../run-bounded.ts";
import { assertLoopback } from "./loopback.ts";

/** One message as `kcat -C -J` prints it (key and payload as text; null when absent). */
export interface KcatMessage {
  partition: number;
  offset: number;
  key: string | null;
  payload: string | null;
}

const INSTALL_TIMEOUT_MS = 600_000;

/**
 * Every message of `topic` from the beginning to its end at the time of the call (`-e`), with
 * `isolation.level` as given: with read_committed the end is the last stable offset, so an open
 * transaction's records are not read and aborted ones never are.
 */
export async function consumeWithKcat(
  bootstrap: string,
  topic: string,
  isolation: "read_committed" | "read_uncommitted",
  timeoutMs = 20_000,
): Promise<KcatMessage[]> {
  assertLoopback(bootstrap);
  await ensureKcat(() => {});
  const argv = [
    "kcat",
    "-C",
    "-b",
    bootstrap,
    "-t",
    topic,
    "-e",
    "-q",
    "-J",
    "-X",
    `isolation.level=${isolation}`,
  ];
  const { exitCode, stdout, stderr } = await runBounded(argv, { timeoutMs });
  if (exitCode !== 0) throw new Error(`kcat exited ${exitCode}: ${stderr.slice(-500)}`);
  return stdout
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      const { partition, offset, key, payload } = JSON.parse(line) as KcatMessage;
      return { partition, offset, key, payload };
    });
}

/**
 * Hands every message value of `topic` (from the beginning to its end at the time of the call) to
 * `onPayload`, one at a time as kcat prints them, holding none: for topics too large to read whole.
 * Values must not contain a newline. Resolves with the number read.
 */
export async function eachPayloadWithKcat(
  bootstrap: string,
  topic: string,
  isolation: "read_committed" | "read_uncommitted",
  onPayload: (payload: string) => void,
  timeoutMs: number,
): Promise<number> {
  assertLoopback(bootstrap);
  await ensureKcat(() => {});
  const argv = ["kcat", "-C", "-b", bootstrap, "-t", topic, "-e", "-q", "-f", "%s\\n"];
  const child = Bun.spawn([...argv, "-X", `isolation.level=${isolation}`], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const stderr = new Response(child.stderr).text();
  let count = 0;
  let rest = "";
  const decoder = new TextDecoder();
  for await (const chunk of child.stdout) {
    const lines = (rest + decoder.decode(chunk, { stream: true })).split("\n");
    rest = lines.pop() ?? "";
    for (const line of lines) {
      count++;
      onPayload(line);
    }
  }
  const exitCode = await child.exited;
  clearTimeout(timer);
  if (exitCode !== 0 || rest !== "")
    throw new Error(`kcat exited ${exitCode}: ${(await stderr).slice(-500)}`);
  return count;
}

/** The versions of kcat and of the librdkafka it links ("unknown" when `kcat -V` does not say). */
export async function kcatVersions(): Promise<{ kcat: string; librdkafka: string }> {
  const text = (await Bun.$`kcat -V`.quiet().nothrow()).stdout.toString();
  return {
    kcat: /Version ([^\s]+)/.exec(text)?.[1] ?? "unknown",
    librdkafka: /librdkafka ([^\s]+)/.exec(text)?.[1] ?? "unknown",
  };
}

/** Installs Debian's kcat package unless `kcat` is on the PATH. */
export async function ensureKcat(log: (text: string) => void): Promise<void> {
  if (Bun.which("kcat")) return;
  if (!Bun.which("apt-get") || process.getuid?.() !== 0) {
    throw new Error("kcat is not installed; install it (Debian/Ubuntu: apt-get install -y kcat) and rerun");
  }
  log("installing kcat (apt-get update && apt-get install -y kcat) ...");
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  for (const command of [
    ["apt-get", "update"],
    ["apt-get", "install", "-y", "--no-install-recommends", "kcat"],
  ]) {
    const { exitCode, stderr } = await runBounded(command, { env, timeoutMs: INSTALL_TIMEOUT_MS });
    if (exitCode !== 0)
      throw new Error(`${command.join(" ")} failed (exit ${exitCode}): ${stderr.slice(-2000)}`);
  }
  if (!Bun.which("kcat")) throw new Error("apt-get installed kcat, but it is not on the PATH");
}
