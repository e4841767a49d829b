/**
 * The Wire over @platformatic/kafka's public ConnectionPool and Connection: TCP, TLS, SASL
 * (including the SaslAuthenticate version the broker accepts), framing, correlation ids and
 * request timeouts stay the client's; which request, at which version, is ours.
 */
import { type ConnectionOptions, ConnectionPool } from "@platformatic/kafka";
import { APIS, isFlexible } from "./apis.ts";
import type { Wire } from "./request.ts";

export function poolWire(clientId: string, options: ConnectionOptions): Wire {
  const pool = new ConnectionPool(clientId, options);
  return {
    async call(broker, request) {
      const connection = await pool.get(broker);
      const flexible = isFlexible(request.api, request.version);
      return new Promise((resolve, reject) => {
        connection.send(
          request.api.key,
          request.version,
          () => {
            const writer = request.encode();
            if (request.unanswered !== undefined) writer.context.noResponse = true;
            return writer;
          },
          (_correlationId, _apiKey, _apiVersion, reader) => request.decode(reader),
          flexible,
          // ApiVersions answers with a v0 header whatever its version, so that any client can read it.
          flexible && request.api.key !== APIS.apiVersions.key,
          (error, response) => {
            if (error) reject(error);
            else resolve(request.unanswered ?? (response as typeof request.unanswered & {}));
          },
        );
      });
    },
    close: () => pool.close(),
  };
}
