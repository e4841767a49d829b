/**
 * The secured test broker: one single-node KRaft broker ("secure") serving
 * every listener kind the connector's security options talk to, all on
 * 127.0.0.1 with free ports:
 *   plaintext       PLAINTEXT       inter-broker traffic, admin, the harness's probe
 *   saslPlaintext   SASL_PLAINTEXT  PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER (unsecured JWTs)
 *   saslScramOnly   SASL_PLAINTEXT  SCRAM-SHA-256 and SCRAM-SHA-512 only ("mechanism not enabled" tests)
 *   ssl             SSL             server certificate for 127.0.0.1/localhost from the harness CA
 *   mtls            SSL             the same, with ssl.client.auth=required (client cert from the same CA)
 *   saslSsl         SASL_SSL        the SASL_PLAINTEXT mechanisms over the `ssl` listener's TLS
 *   sslWrongHost    SSL             a certificate for `wrong.example` only (hostname-mismatch tests)
 * Certificates come from tls.ts; users and passwords are generated once into
 * `.cache/secure/secrets.json`. Nothing secret is ever written outside `.cache/`.
 *
 * With `authorizer: true` (under another name, e.g. "authorizer") the same broker
 * authorizes every request with KRaft's StandardAuthorizer: the SASL and TLS
 * users get only what ACLs grant them (topics.ts `allowOnTopic`), while
 * User:ANONYMOUS — the principal of the PLAINTEXT and controller listeners, so
 * the broker's own traffic and the harness's admin — is the super user.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runningListenerBroker, startListenerBroker, stopBroker } from "./broker.ts";
import { KAFKA_VERSION } from "./jars.ts";
import { assertLoopback, freeLoopbackPorts } from "./loopback.ts";
import { CACHE_DIR } from "./paths.ts";
import type { ListenerSpec, SaslMechanism, ScramCredential } from "./properties.ts";
import { ensureTlsMaterial, type TlsMaterial } from "./tls.ts";

/** Listener keys of the secure broker, each "127.0.0.1:PORT". */
export interface SecureListeners {
  plaintext: string;
  saslPlaintext: string;
  saslScramOnly: string;
  ssl: string;
  mtls: string;
  saslSsl: string;
  sslWrongHost: string;
}

export interface Credentials {
  username: string;
  password: string;
}

export interface SecureBroker {
  name: string;
  logFile: string;
  listeners: SecureListeners;
  /** PEM texts, ready for `tls: { ca, cert, key, passphrase }`. */
  pem: {
    ca: string;
    otherCa: string;
    clientCert: string;
    clientKey: string;
    clientKeyEncrypted: string;
    clientKeyPassword: string;
  };
  /** The same material as files (for tools that want paths). */
  files: TlsMaterial;
  users: {
    /** A PLAIN user (broker JAAS `user_<name>` entry). */
    plain: Credentials;
    /** A SCRAM user, valid for both SCRAM-SHA-256 and SCRAM-SHA-512. */
    scram: Credentials;
  };
  /** Mechanisms of `saslPlaintext` and `saslSsl`. */
  saslMechanisms: SaslMechanism[];
  /** Mechanisms of `saslScramOnly`. */
  scramOnlyMechanisms: SaslMechanism[];
}

export interface SecureBrokerOptions {
  /** Default "secure". */
  name?: string;
  /** Default 90 s (as for plain brokers). */
  startTimeoutMs?: number;
  /** Authorize requests with ACLs (see the header); default false. */
  authorizer?: boolean;
}

export const SECURE_BROKER_NAME = "secure";

/** Home of the secrets and certificates (git-ignored). */
export const SECURE_DIR: string = join(CACHE_DIR, "secure");

/** Generated users and passwords (mode 0600). */
export const SECRETS_FILE: string = join(SECURE_DIR, "secrets.json");

/** KRaft's ACL authorizer; ANONYMOUS (the PLAINTEXT and controller listeners) may do anything. */
const AUTHORIZER_PROPERTIES: Record<string, string> = {
  "authorizer.class.name": "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
  "super.users": "User:ANONYMOUS",
};

const ALL_MECHANISMS: SaslMechanism[] = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"];
const SCRAM_ONLY: SaslMechanism[] = ["SCRAM-SHA-256", "SCRAM-SHA-512"];

/** Listener key → Kafka listener name (upper case; properties use it lower-cased). */
const LISTENER_NAMES: Record<keyof SecureListeners, string> = {
  plaintext: "PLAINTEXT",
  saslPlaintext: "SASL_PLAINTEXT",
  saslScramOnly: "SASL_SCRAM_ONLY",
  ssl: "SSL",
  mtls: "MTLS",
  saslSsl: "SASL_SSL",
  sslWrongHost: "SSL_WRONG_HOST",
};
const LISTENER_KEYS = Object.keys(LISTENER_NAMES) as (keyof SecureListeners)[];

/**
 * The secure broker, reused when it is running, answering and was started
 * from the same certificates, users and listener layout; otherwise (re)started.
 * Start-up failures throw with the broker log's first errors and last lines.
 */
export async function ensureSecureBroker(opts: SecureBrokerOptions = {}): Promise<SecureBroker> {
  const name = opts.name ?? SECURE_BROKER_NAME;
  const tls = await ensureTlsMaterial();
  const secrets = await ensureSecrets();
  const model = (ports: Record<keyof SecureListeners, number>) => secureListeners(ports, tls, secrets);
  const extraProperties = opts.authorizer ? AUTHORIZER_PROPERTIES : {};
  const fingerprint = fingerprintOf(model(portsOf(() => 0)), scramCredentials(secrets), tls, extraProperties);

  let handle = await runningListenerBroker(name, fingerprint);
  if (!handle) {
    await stopBroker(name);
    const free = await freeLoopbackPorts(LISTENER_KEYS.length + 1);
    const ports = portsOf((i) => free[i] ?? 0);
    handle = await startListenerBroker({
      name,
      listeners: model(ports),
      controllerPort: free[LISTENER_KEYS.length],
      scramCredentials: scramCredentials(secrets),
      autoCreateTopics: true,
      partitions: 1,
      extraProperties,
      fingerprint,
      ...(opts.startTimeoutMs === undefined ? {} : { startTimeoutMs: opts.startTimeoutMs }),
    });
  }

  const listeners = {} as SecureListeners;
  for (const key of LISTENER_KEYS) {
    const address = handle.listeners[LISTENER_NAMES[key]];
    if (!address) throw new Error(`broker "${name}" has no ${LISTENER_NAMES[key]} listener`);
    assertLoopback(address);
    listeners[key] = address;
  }
  const text = (file: string): string => readFileSync(file, "utf8");
  return {
    name,
    logFile: handle.logFile,
    listeners,
    pem: {
      ca: text(tls.ca),
      otherCa: text(tls.otherCa),
      clientCert: text(tls.clientCert),
      clientKey: text(tls.clientKey),
      clientKeyEncrypted: text(tls.clientKeyEncrypted),
      clientKeyPassword: tls.clientKeyPassword,
    },
    files: tls,
    users: { plain: { ...secrets.plain }, scram: { ...secrets.scram } },
    saslMechanisms: [...ALL_MECHANISMS],
    scramOnlyMechanisms: [...SCRAM_ONLY],
  };
}

/**
 * An unsecured JWT (`{"alg":"none"}`, empty signature) that Kafka's default
 * OAUTHBEARER validator accepts: a string `sub`, numeric `iat`/`exp` in seconds.
 *
 * Kafka 4.1.1's `OAuthBearerUnsecuredJws` decodes the segments with Java's
 * *basic* Base64 decoder, not the URL-safe one, so a segment containing `-` or
 * `_` is refused ("malformed Base64 URL encoded value"). A `jti` claim is varied
 * until both segments use only characters both alphabets share.
 */
export function unsecuredJwt(
  claims: { sub: string; scope?: string; lifetimeSeconds?: number },
  nowMs: number = Date.now(),
): string {
  const iat = Math.floor(nowMs / 1000);
  const header = Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url");
  for (let attempt = 0; attempt < 100_000; attempt++) {
    const payload = Buffer.from(
      JSON.stringify({
        sub: claims.sub,
        iat,
        exp: iat + (claims.lifetimeSeconds ?? 3600),
        ...(claims.scope === undefined ? {} : { scope: claims.scope }),
        jti: attempt.toString(36),
      }),
    ).toString("base64url");
    const token = `${header}.${payload}.`;
    if (!/[-_]/.test(token.replaceAll(".", ""))) return token;
  }
  throw new Error("could not build an unsecured JWT without '-' or '_'");
}

/** The listener model (pure): which protocol, SASL and TLS settings each port gets. */
export function secureListeners(
  ports: Record<keyof SecureListeners, number>,
  tls: Pick<TlsMaterial, "serverKeystore" | "wrongHostKeystore" | "ca">,
  secrets: Pick<SecureSecrets, "plain">,
): ListenerSpec[] {
  const plainUsers = { [secrets.plain.username]: secrets.plain.password };
  const server = { keystoreFile: tls.serverKeystore, clientAuth: "none" } as const;
  return [
    { name: LISTENER_NAMES.plaintext, protocol: "PLAINTEXT", port: ports.plaintext },
    {
      name: LISTENER_NAMES.saslPlaintext,
      protocol: "SASL_PLAINTEXT",
      port: ports.saslPlaintext,
      sasl: { mechanisms: ALL_MECHANISMS, plainUsers },
    },
    {
      name: LISTENER_NAMES.saslScramOnly,
      protocol: "SASL_PLAINTEXT",
      port: ports.saslScramOnly,
      sasl: { mechanisms: SCRAM_ONLY },
    },
    { name: LISTENER_NAMES.ssl, protocol: "SSL", port: ports.ssl, tls: server },
    {
      name: LISTENER_NAMES.mtls,
      protocol: "SSL",
      port: ports.mtls,
      tls: { keystoreFile: tls.serverKeystore, truststoreFile: tls.ca, clientAuth: "required" },
    },
    {
      name: LISTENER_NAMES.saslSsl,
      protocol: "SASL_SSL",
      port: ports.saslSsl,
      sasl: { mechanisms: ALL_MECHANISMS, plainUsers },
      tls: server,
    },
    {
      name: LISTENER_NAMES.sslWrongHost,
      protocol: "SSL",
      port: ports.sslWrongHost,
      tls: { keystoreFile: tls.wrongHostKeystore, clientAuth: "none" },
    },
  ];
}

// --- internal ---

interface SecureSecrets {
  version: 1;
  plain: Credentials;
  scram: Credentials;
}

const password = (): string => randomBytes(18).toString("hex");

function isCredentials(value: unknown): value is Credentials {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.username === "string" && typeof v.password === "string";
}

async function ensureSecrets(): Promise<SecureSecrets> {
  if (existsSync(SECRETS_FILE)) {
    try {
      const parsed = JSON.parse(readFileSync(SECRETS_FILE, "utf8")) as Record<string, unknown>;
      if (parsed.version === 1 && isCredentials(parsed.plain) && isCredentials(parsed.scram)) {
        return { version: 1, plain: parsed.plain, scram: parsed.scram };
      }
    } catch {
      // unreadable: make new ones below
    }
  }
  const secrets: SecureSecrets = {
    version: 1,
    plain: { username: "alice", password: password() },
    scram: { username: "bob", password: password() },
  };
  await mkdir(SECURE_DIR, { recursive: true, mode: 0o700 });
  await writeFile(SECRETS_FILE, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  return secrets;
}

function scramCredentials(secrets: SecureSecrets): ScramCredential[] {
  return (["SCRAM-SHA-256", "SCRAM-SHA-512"] as const).map((mechanism) => ({ mechanism, ...secrets.scram }));
}

function portsOf(pick: (index: number) => number): Record<keyof SecureListeners, number> {
  return Object.fromEntries(LISTENER_KEYS.map((key, i) => [key, pick(i)])) as Record<
    keyof SecureListeners,
    number
  >;
}

/** Hash of everything a running broker must match to be reused (ports excluded). */
function fingerprintOf(
  listeners: ListenerSpec[],
  scram: ScramCredential[],
  tls: TlsMaterial,
  extraProperties: Record<string, string>,
): string {
  const hash = createHash("sha256");
  hash.update(JSON.stringify({ kafka: KAFKA_VERSION, listeners, scram, extraProperties }));
  for (const file of [tls.serverKeystore, tls.wrongHostKeystore, tls.ca]) hash.update(readFileSync(file));
  return hash.digest("hex");
}
