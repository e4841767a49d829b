/**
 * One bounded Kafka metadata request against a bootstrap list, used to decide
 * whether a broker is really up (not merely listening).
 */
import { Admin } from "@platformatic/kafka";
import { assertLoopback } from "./loopback.ts";

export interface ProbeResult {
  clusterId: string;
  brokerCount: number;
}

/** Resolves with cluster metadata, or `null` if nothing answered within `timeoutMs`. */
export async function probeMetadata(bootstrap: string, timeoutMs = 3000): Promise<ProbeResult | null> {
  assertLoopback(bootstrap);
  const admin = new Admin({
    clientId: "kafka-harness-probe",
    bootstrapBrokers: bootstrap.split(","),
    retries: 0,
    timeout: timeoutMs,
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs + 500);
  });
  try {
    const metadata = await Promise.race([admin.metadata({ topics: [] }), timeout]);
    if (!metadata || metadata.brokers.size === 0) return null;
    return { clusterId: metadata.id, brokerCount: metadata.brokers.size };
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
    await admin.close().catch(() => undefined);
  }
}
