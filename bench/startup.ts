/**
 * What the compiled binary costs before any throughput matters: `spec` and a one-record `write`
 * (start-up to exit, against the bench broker), each run a few times; wall time, CPU and peak RSS
 * (the kernel's maxrss of the process, so a run too short for a sampler is still measured).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Spread, spread } from "./stats.ts";

/**
 * Runs the command with the caller's stdin, its stdout discarded, then prints "exit wall_s cpu_s
 * maxrss_kb": the only child of a fresh python, so RUSAGE_CHILDREN is that command's own figures.
 */
const MAXRSS_OF_CHILD = [
  "import resource, subprocess, sys, time",
  "t = time.monotonic()",
  "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode",
  "wall = time.monotonic() - t",
  "u = resource.getrusage(resource.RUSAGE_CHILDREN)",
  "print(code, wall, u.ru_utime + u.ru_stime, u.ru_maxrss)",
].join("\n");

export interface StartupFigures {
  runs: number;
  spec: CommandFigures;
  oneRecordWrite: CommandFigures;
}

export interface CommandFigures {
  wallMs: Spread | null;
  cpuMs: Spread | null;
  peakRssMB: Spread | null;
  failures: number;
}

export async function measureStartup(
  binary: string,
  env: Record<string, string | undefined>,
  bootstrap: string,
  dir: string,
  runs = 5,
): Promise<StartupFigures> {
  const config = join(dir, "startup-config.json");
  const catalog = join(dir, "startup-catalog.json");
  const input = join(dir, "startup-input.jsonl");
  writeFileSync(
    config,
    JSON.stringify({ bootstrap_servers: bootstrap, topic_pattern: "bench_startup_{stream}" }),
  );
  writeFileSync(
    catalog,
    JSON.stringify({
      streams: [
        {
          stream: { name: "one", json_schema: {} },
          sync_mode: "full_refresh",
          destination_sync_mode: "append",
        },
      ],
    }),
  );
  writeFileSync(
    input,
    '{"type":"RECORD","record":{"stream":"one","data":{"id":1},"emitted_at":1}}\n{"type":"STATE","state":{"data":{"done":true}}}\n',
  );
  return {
    runs,
    spec: await figures(runs, () => [[binary, "spec"], undefined]),
    oneRecordWrite: await figures(runs, () => [
      [binary, "write", "--config", config, "--catalog", catalog],
      input,
    ]),
  };

  async function figures(
    count: number,
    command: () => [string[], string | undefined],
  ): Promise<CommandFigures> {
    const wall: number[] = [];
    const cpu: number[] = [];
    const rss: number[] = [];
    let failures = 0;
    for (let i = 0; i < count; i++) {
      const [argv, stdin] = command();
      const child = Bun.spawn(["python3", "-c", MAXRSS_OF_CHILD, ...argv], {
        stdin: stdin ? Bun.file(stdin) : "ignore",
        stdout: "pipe",
        stderr: "ignore",
        env,
      });
      const [code, report] = await Promise.all([child.exited, new Response(child.stdout).text()]);
      const figures = report.trim().split("\n").at(-1)?.split(" ").map(Number) ?? [];
      const [exit, wallS, cpuS, maxRssKB] = figures;
      if (code !== 0 || exit !== 0 || figures.length !== 4) {
        failures++;
        continue;
      }
      wall.push((wallS as number) * 1000);
      cpu.push((cpuS as number) * 1000);
      rss.push(((maxRssKB as number) * 1024) / 1e6);
    }
    return { wallMs: spread(wall), cpuMs: spread(cpu), peakRssMB: spread(rss), failures };
  }
}
