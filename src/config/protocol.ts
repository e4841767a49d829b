/**
 * The `protocol` setting: how the connector authenticates and whether it uses TLS. The Java
 * connector's three variants (PLAINTEXT, SASL_PLAINTEXT, SASL_SSL) keep their field names so existing
 * configs paste unchanged; SSL, the TLS fields and the `oauth_*` fields (a token, or an OIDC token
 * endpoint with client credentials) are ours.
 */
import * as v from "valibot";

const SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER", "GSSAPI"] as const;

const text = (meta: Record<string, unknown>) =>
  v.pipe(v.nullish(v.pipe(v.string("must be a string"), v.trim())), v.metadata(meta));

const saslFields = {
  sasl_mechanism: v.pipe(
    v.nullish(v.picklist(SASL_MECHANISMS, `must be one of ${SASL_MECHANISMS.join(", ")}`), "PLAIN"),
    v.metadata({
      title: "SASL Mechanism",
      description:
        "SASL mechanism used for client connections: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER (GSSAPI/Kerberos is not supported).",
      order: 1,
    }),
  ),
  sasl_jaas_config: v.pipe(
    v.nullish(v.string("must be a string"), ""),
    v.metadata({
      title: "SASL JAAS Config",
      description:
        'JAAS login context parameters for SASL connections in the format used by JAAS configuration files, e.g. org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="...";',
      airbyte_secret: true,
      order: 2,
    }),
  ),
  oauth_token: text({
    title: "OAuth Token",
    description: "For OAUTHBEARER: a bearer token to present as is, instead of a JAAS config.",
    airbyte_secret: true,
    order: 3,
  }),
  oauth_token_endpoint_url: text({
    title: "OAuth Token Endpoint URL",
    description:
      "For OAUTHBEARER with an OIDC identity provider: its token endpoint (Kafka's sasl.oauthbearer.token.endpoint.url), e.g. https://idp.example.com/oauth2/token. Tokens are fetched with the client credentials grant and refreshed before they expire.",
    order: 4,
  }),
  oauth_client_id: text({
    title: "OAuth Client ID",
    description: "The client id the token endpoint knows this connector by.",
    order: 5,
  }),
  oauth_client_secret: text({
    title: "OAuth Client Secret",
    description: "The client secret for oauth_client_id.",
    airbyte_secret: true,
    order: 6,
  }),
  oauth_scope: text({
    title: "OAuth Scope",
    description: "Scope(s) to ask the token endpoint for, space-separated. Empty: none is asked for.",
    order: 7,
  }),
  oauth_ca_certificate: text({
    title: "OAuth CA Certificate",
    description:
      "PEM certificate(s) of the authority that signed the token endpoint's https certificate. Empty: the runtime's built-in trust store.",
    multiline: true,
    order: 8,
  }),
};

const tlsFields = {
  ssl_ca_certificate: text({
    title: "CA Certificate",
    description:
      "PEM certificate(s) of the certificate authority that signed the brokers' certificates. Empty: the runtime's built-in trust store is used.",
    multiline: true,
    order: 10,
  }),
  ssl_client_certificate: text({
    title: "Client Certificate",
    description:
      "PEM certificate the connector presents to brokers that require client authentication (mTLS).",
    multiline: true,
    order: 11,
  }),
  ssl_client_key: text({
    title: "Client Key",
    description: "PEM private key of the client certificate (mTLS).",
    airbyte_secret: true,
    multiline: true,
    order: 12,
  }),
  ssl_client_key_password: text({
    title: "Client Key Password",
    description: "Password of the client key, if it is encrypted.",
    airbyte_secret: true,
    order: 13,
  }),
  ssl_endpoint_identification: v.pipe(
    v.nullish(v.boolean("must be true or false"), true),
    v.metadata({
      title: "Verify Broker Host Names",
      description:
        "Check that each broker's certificate names the host connected to (Kafka's ssl.endpoint.identification.algorithm=https). Turn off only for testing.",
      order: 14,
    }),
  ),
};

const securityProtocol = <T extends string>(name: T) =>
  v.pipe(v.literal(name), v.metadata({ title: "Security Protocol", order: 0 }));

export const ProtocolSchema = v.pipe(
  v.nullish(
    v.variant(
      "security_protocol",
      [
        v.pipe(
          v.object({ security_protocol: securityProtocol("PLAINTEXT") }),
          v.metadata({ title: "PLAINTEXT" }),
        ),
        v.pipe(
          v.object({ security_protocol: securityProtocol("SASL_PLAINTEXT"), ...saslFields }),
          v.metadata({ title: "SASL PLAINTEXT" }),
        ),
        v.pipe(
          v.object({ security_protocol: securityProtocol("SASL_SSL"), ...saslFields, ...tlsFields }),
          v.metadata({ title: "SASL SSL" }),
        ),
        v.pipe(
          v.object({ security_protocol: securityProtocol("SSL"), ...tlsFields }),
          v.metadata({ title: "SSL" }),
        ),
      ],
      "must be an object whose security_protocol is PLAINTEXT, SASL_PLAINTEXT, SASL_SSL or SSL",
    ),
    { security_protocol: "PLAINTEXT" as const },
  ),
  v.metadata({
    title: "Protocol",
    description: "Protocol used to communicate with brokers.",
    order: 4,
  }),
);
