/**
 * One Kafka request as data: which API at which version, the arguments, how to write them and how
 * to read the answer. Codecs build these with pure functions; a `Wire` carries them; a fake wire in
 * the tests answers them from `args` without any bytes.
 */
import type { Reader, Writer } from "@platformatic/kafka";
import { type ApiSpec, isFlexible } from "./apis.ts";

export interface WireRequest<Args, Response> {
  api: ApiSpec;
  version: number;
  args: Args;
  /** The request body (the header is the wire's). */
  encode: () => Writer;
  /** Reads the response body. */
  decode: (reader: Reader) => Response;
  /** Set when the broker sends no answer (acks 0): the answer to assume once the request is written. */
  unanswered: Response | undefined;
}

/** A broker's address as Metadata names it. */
export interface BrokerAddress {
  host: string;
  port: number;
}

/** Carries requests to brokers: the only IO of the produce path. */
export interface Wire {
  call<Args, Response>(broker: BrokerAddress, request: WireRequest<Args, Response>): Promise<Response>;
  close(): Promise<void>;
}

export function request<Args, Response>(
  api: ApiSpec,
  version: number,
  args: Args,
  codec: {
    encode: (args: Args, version: number, flexible: boolean) => Writer;
    decode: (reader: Reader, version: number, flexible: boolean) => Response;
  },
  unanswered?: Response,
): WireRequest<Args, Response> {
  const flexible = isFlexible(api, version);
  return {
    api,
    version,
    args,
    encode: () => codec.encode(args, version, flexible),
    decode: (reader) => codec.decode(reader, version, flexible),
    unanswered,
  };
}
