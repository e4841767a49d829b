/**
 * The environment the image gives the binary. Bun's garbage collector paces itself against the
 * memory it sees: the cgroup limit in a container that has one, else the host's RAM. On a host of
 * 24 GiB a 1M-record sync floated to about 240 MB resident between collections, with a live set
 * near 130 MB; told it has 1 GiB, it stays near 135 MB at the same speed. Containers without a
 * limit get that setting; one with a lower limit is better served by its own figure, which Bun reads
 * when this variable is unset. The Dockerfile sets the same (a test holds them together), the
 * benchmark runs the binary with it, and the README says so for bare hosts.
 */
export const RUNTIME_ENV = { BUN_JSC_forceRAMSize: String(1024 ** 3) } as const;
