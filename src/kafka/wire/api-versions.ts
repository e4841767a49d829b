/**
 * ApiVersions: what a broker accepts, asked once per broker before anything else. Version 1 is
 * understood by every broker from Kafka 0.10.1 to 4.x and needs no flexible encoding.
 *
 *   ApiVersions Request (Version: 1) =>
 *   ApiVersions Response (Version: 1) => error_code [api_keys] throttle_time_ms
 *     api_keys => api_key min_version max_version   (INT16 each)
 */
import { ProtocolError, type Reader, Writer } from "@platformatic/kafka";
import { APIS, type BrokerApis } from "./apis.ts";
import { request, type WireRequest } from "./request.ts";

export function apiVersionsRequest(): WireRequest<null, BrokerApis> {
  return request(APIS.apiVersions, 1, null, { encode: () => Writer.create(), decode: decodeApiVersions });
}

export function decodeApiVersions(reader: Reader): BrokerApis {
  const errorCode = reader.readInt16();
  const apis = new Map<number, { min: number; max: number }>();
  reader.readArray(
    (r) => {
      const key = r.readInt16();
      apis.set(key, { min: r.readInt16(), max: r.readInt16() });
    },
    false,
    false,
  );
  if (errorCode !== 0) throw new ProtocolError(errorCode);
  return apis;
}
