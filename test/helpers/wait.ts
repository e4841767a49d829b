/** Polling for a condition that a broker or a process reaches on its own time. */

/** Resolves once `condition` holds (asked every 100 ms); throws after `timeoutMs`. */
export async function waitUntil(condition: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await Bun.sleep(100);
  }
}
