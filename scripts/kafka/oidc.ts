/**
 * The OIDC test broker: a single-node KRaft broker ("oidc") whose SASL_PLAINTEXT listener takes
 * only OAUTHBEARER tokens that are RS256 JWTs signed by a key of the given JWKS, from the expected
 * issuer, for the expected audience (KIP-768's OAuthBearerValidatorCallbackHandler), as a broker
 * behind an enterprise identity provider is set up. Kafka 4 fetches only URLs listed in the
 * system property `org.apache.kafka.sasl.oauthbearer.allowed.urls`, so the JVM gets the JWKS URL
 * there. Re-authentication (KIP-368) is on: a session lasts at most until its token expires, so a
 * client must log in again with a fresh token before then. The JWKS comes from a token server the
 * test runs (token-server.ts), on a new port each time, so the broker is started afresh each time.
 * Everything listens on 127.0.0.1.
 */
import { startListenerBroker } from "./broker.ts";
import { assertLoopback, freeLoopbackPorts } from "./loopback.ts";
import type { JwtValidation } from "./properties.ts";

export interface OidcBroker {
  name: string;
  logFile: string;
  /** PLAINTEXT: inter-broker traffic, the harness, reading back. */
  plaintext: string;
  /** SASL_PLAINTEXT with OAUTHBEARER, tokens validated against the JWKS. */
  oauth: string;
}

export const OIDC_BROKER_NAME = "oidc";

export async function startOidcBroker(jwt: JwtValidation, name = OIDC_BROKER_NAME): Promise<OidcBroker> {
  assertLoopback(new URL(jwt.jwksUrl).host);
  const [plaintext = 0, oauth = 0, controller = 0] = await freeLoopbackPorts(3);
  const handle = await startListenerBroker({
    name,
    listeners: [
      { name: "PLAINTEXT", protocol: "PLAINTEXT", port: plaintext },
      {
        name: "SASL_OIDC",
        protocol: "SASL_PLAINTEXT",
        port: oauth,
        sasl: { mechanisms: ["OAUTHBEARER"], jwtValidation: jwt },
      },
    ],
    controllerPort: controller,
    autoCreateTopics: true,
    partitions: 1,
    // A session ends when its token expires (or after an hour): the client must re-authenticate.
    extraProperties: { "connections.max.reauth.ms": "3600000" },
    fingerprint: `oidc ${JSON.stringify(jwt)}`,
    jvmFlags: [`-Dorg.apache.kafka.sasl.oauthbearer.allowed.urls=${jwt.jwksUrl}`],
  });
  const address = (listener: string) => {
    const found = handle.listeners[listener];
    if (!found) throw new Error(`broker "${name}" has no ${listener} listener`);
    assertLoopback(found);
    return found;
  };
  return { name, logFile: handle.logFile, plaintext: address("PLAINTEXT"), oauth: address("SASL_OIDC") };
}
