/**
 * What the connector speaks to a broker: the broker's ApiVersions answer, asked through the
 * connector's own wire, and the version of each API the produce path would choose — for the
 * report, so a reader sees which Produce a release was written with.
 */

import { apiVersionsRequest } from "../../src/kafka/wire/api-versions.ts";
import { APIS, chooseVersion } from "../../src/kafka/wire/apis.ts";
import { poolWire } from "../../src/kafka/wire/pool-wire.ts";

/** e.g. "Produce v5 (broker v0–v5), Metadata v5 (v0–v5), …"; one API per entry. */
export async function negotiatedVersions(bootstrap: string): Promise<string> {
  const colon = bootstrap.lastIndexOf(":");
  const broker = { host: bootstrap.slice(0, colon), port: Number(bootstrap.slice(colon + 1)) };
  const wire = poolWire("compat", { connectTimeout: 5000, requestTimeout: 5000 });
  try {
    const offered = await wire.call(broker, apiVersionsRequest());
    return Object.values(APIS)
      .filter((api) => api !== APIS.apiVersions)
      .map((api) => {
        const range = offered.get(api.key);
        const chosen = chooseVersion(api, offered);
        const spoken = chosen === undefined ? "none" : `v${chosen}`;
        return `${api.name} ${spoken} (broker ${range ? `v${range.min}–v${range.max}` : "none"})`;
      })
      .join(", ");
  } finally {
    await wire.close();
  }
}
