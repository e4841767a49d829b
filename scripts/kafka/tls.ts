/**
 * Throwaway TLS material for the secured test broker, made once with `openssl`
 * into `.cache/secure/tls/` (git-ignored, never committed):
 *   - a CA, and a server certificate it signs for `DNS:localhost, IP:127.0.0.1`;
 *   - a second server certificate from the same CA for `DNS:wrong.example` only
 *     (hostname-mismatch tests);
 *   - a client certificate (mTLS) with its key in clear and encrypted (PKCS#8,
 *     AES-256-CBC) under a generated passphrase;
 *   - an unrelated second CA ("untrusted CA" tests).
 * The broker reads PEM directly (`ssl.keystore.type=PEM`, Kafka ≥ 2.7): each
 * `*-keystore.pem` holds the unencrypted PKCS#8 key followed by the chain.
 * Material is regenerated when a certificate is within a day of expiring.
 */
import { execFile } from "node:child_process";
import { randomBytes, X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { chmod, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { CACHE_DIR } from "./paths.ts";

/** Paths of the PEM files, plus the passphrase of `clientKeyEncrypted`. */
export interface TlsMaterial {
  dir: string;
  /** CA certificate that signs the server and client certificates. */
  ca: string;
  /** An unrelated CA that signed nothing the broker serves. */
  otherCa: string;
  /** Key + certificate chain for 127.0.0.1 / localhost (broker keystore). */
  serverKeystore: string;
  /** Key + certificate chain for `wrong.example` only (broker keystore). */
  wrongHostKeystore: string;
  clientCert: string;
  /** Unencrypted PKCS#8 key of `clientCert`. */
  clientKey: string;
  /** The same key, PKCS#8 encrypted with `clientKeyPassword`. */
  clientKeyEncrypted: string;
  clientKeyPassword: string;
}

/** Default home of the material. */
export const TLS_DIR: string = join(CACHE_DIR, "secure", "tls");

/** Host names the wrong-host certificate is valid for (and nothing else). */
export const WRONG_HOST_NAME = "wrong.example";

/** Bump when the layout or contents change, so old caches are regenerated. */
const LAYOUT_VERSION = 1;
const VALID_DAYS = 825;
const MIN_REMAINING_MS = 24 * 60 * 60 * 1000;

const run = promisify(execFile);

/** Ensures the material exists and is valid for at least another day; returns its paths. */
export async function ensureTlsMaterial(dir: string = TLS_DIR): Promise<TlsMaterial> {
  const existing = readMaterial(dir);
  if (existing) return existing;

  // Build in a private folder, then rename: concurrent callers never see half-made files.
  const staging = `${dir}.tmp-${process.pid}-${randomBytes(4).toString("hex")}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true, mode: 0o700 });
  try {
    await generate(staging);
    const again = readMaterial(dir);
    if (again) return again; // another process finished first; keep its copy
    await rm(dir, { recursive: true, force: true });
    await mkdir(join(dir, ".."), { recursive: true });
    await rename(staging, dir);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  const made = readMaterial(dir);
  if (!made) throw new Error(`TLS material in ${dir} is incomplete right after generation`);
  return made;
}

// --- internal ---

const FILES = {
  ca: "ca.pem",
  caKey: "ca.key",
  otherCa: "other-ca.pem",
  otherCaKey: "other-ca.key",
  serverKeystore: "server-keystore.pem",
  wrongHostKeystore: "wrong-host-keystore.pem",
  clientCert: "client.pem",
  clientKey: "client.key",
  clientKeyEncrypted: "client.encrypted.key",
  clientKeyPassword: "client.key.password",
  marker: ".complete",
} as const;

function readMaterial(dir: string): TlsMaterial | null {
  const file = (name: string): string => join(dir, name);
  try {
    if (readFileSync(file(FILES.marker), "utf8").trim() !== String(LAYOUT_VERSION)) return null;
    for (const name of Object.values(FILES)) if (!existsSync(file(name))) return null;
    for (const name of [
      FILES.ca,
      FILES.otherCa,
      FILES.clientCert,
      FILES.serverKeystore,
      FILES.wrongHostKeystore,
    ]) {
      const cert = new X509Certificate(readFileSync(file(name)));
      if (Date.parse(cert.validTo) - Date.now() < MIN_REMAINING_MS) return null;
    }
    return {
      dir,
      ca: file(FILES.ca),
      otherCa: file(FILES.otherCa),
      serverKeystore: file(FILES.serverKeystore),
      wrongHostKeystore: file(FILES.wrongHostKeystore),
      clientCert: file(FILES.clientCert),
      clientKey: file(FILES.clientKey),
      clientKeyEncrypted: file(FILES.clientKeyEncrypted),
      clientKeyPassword: readFileSync(file(FILES.clientKeyPassword), "utf8").trim(),
    };
  } catch {
    return null;
  }
}

async function openssl(cwd: string, args: string[], env: Record<string, string> = {}): Promise<void> {
  try {
    await run("openssl", args, { cwd, env: { ...process.env, ...env }, maxBuffer: 4 * 1024 * 1024 });
  } catch (error) {
    const stderr =
      typeof error === "object" && error !== null && "stderr" in error ? String(error.stderr) : String(error);
    throw new Error(`openssl ${args[0]} failed in ${cwd}:\n${stderr.slice(-2000)}`);
  }
}

/** An openssl config with a fixed subject and one `[ext]` section. */
function opensslConfig(commonName: string, extensions: string[]): string {
  return [
    "[req]",
    "distinguished_name = dn",
    "prompt = no",
    "x509_extensions = ext",
    "[dn]",
    `CN = ${commonName}`,
    "[ext]",
    ...extensions,
    "",
  ].join("\n");
}

const serial = (): string => `0x${randomBytes(16).toString("hex").replace(/^./, "1")}`;

async function newKey(dir: string, name: string): Promise<void> {
  await openssl(dir, ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", name]);
  await chmod(join(dir, name), 0o600);
}

async function newCa(dir: string, base: string, commonName: string): Promise<void> {
  await newKey(dir, `${base}.key`);
  const config = `${base}.cnf`;
  await writeFile(
    join(dir, config),
    opensslConfig(commonName, [
      "basicConstraints = critical, CA:TRUE",
      "keyUsage = critical, keyCertSign, cRLSign",
      "subjectKeyIdentifier = hash",
    ]),
  );
  await openssl(dir, [
    "req",
    "-new",
    "-x509",
    "-config",
    config,
    "-key",
    `${base}.key`,
    "-days",
    String(VALID_DAYS + 30),
    "-set_serial",
    serial(),
    "-out",
    `${base}.pem`,
  ]);
}

async function newLeaf(
  dir: string,
  base: string,
  commonName: string,
  extensions: string[],
  ca: { cert: string; key: string },
): Promise<void> {
  await newKey(dir, `${base}.key`);
  const config = `${base}.cnf`;
  await writeFile(
    join(dir, config),
    opensslConfig(commonName, [
      "basicConstraints = critical, CA:FALSE",
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid",
      ...extensions,
    ]),
  );
  await openssl(dir, ["req", "-new", "-config", config, "-key", `${base}.key`, "-out", `${base}.csr`]);
  await openssl(dir, [
    "x509",
    "-req",
    "-in",
    `${base}.csr`,
    "-CA",
    ca.cert,
    "-CAkey",
    ca.key,
    "-set_serial",
    serial(),
    "-days",
    String(VALID_DAYS),
    "-extfile",
    config,
    "-extensions",
    "ext",
    "-out",
    `${base}.pem`,
  ]);
}

const read = (dir: string, name: string): string => readFileSync(join(dir, name), "utf8").trim();

async function generate(dir: string): Promise<void> {
  await newCa(dir, "ca", "destination-kafka harness CA");
  await newCa(dir, "other-ca", "destination-kafka harness untrusted CA");
  const ca = { cert: FILES.ca, key: FILES.caKey };
  const serverUsage = [
    "keyUsage = critical, digitalSignature, keyEncipherment",
    "extendedKeyUsage = serverAuth",
  ];
  await newLeaf(
    dir,
    "server",
    "localhost",
    [...serverUsage, "subjectAltName = DNS:localhost, IP:127.0.0.1"],
    ca,
  );
  await newLeaf(
    dir,
    "wrong-host",
    WRONG_HOST_NAME,
    [...serverUsage, `subjectAltName = DNS:${WRONG_HOST_NAME}`],
    ca,
  );
  await newLeaf(
    dir,
    "client",
    "destination-kafka harness client",
    ["keyUsage = critical, digitalSignature, keyEncipherment", "extendedKeyUsage = clientAuth"],
    ca,
  );

  // Broker keystores: key first, then leaf and CA certificates (Kafka's PemStore reads both kinds).
  for (const [keystore, base] of [
    [FILES.serverKeystore, "server"],
    [FILES.wrongHostKeystore, "wrong-host"],
  ] as const) {
    const pem = [read(dir, `${base}.key`), read(dir, `${base}.pem`), read(dir, FILES.ca)].join("\n");
    await writeFile(join(dir, keystore), `${pem}\n`, { mode: 0o600 });
  }

  const passphrase = randomBytes(18).toString("hex");
  await writeFile(join(dir, FILES.clientKeyPassword), `${passphrase}\n`, { mode: 0o600 });
  await openssl(
    dir,
    [
      "pkcs8",
      "-topk8",
      "-v2",
      "aes-256-cbc",
      "-in",
      FILES.clientKey,
      "-out",
      FILES.clientKeyEncrypted,
      "-passout",
      "env:HARNESS_CLIENT_KEY_PASSWORD",
    ],
    { HARNESS_CLIENT_KEY_PASSWORD: passphrase },
  );
  await chmod(join(dir, FILES.clientKeyEncrypted), 0o600);
  await writeFile(join(dir, FILES.marker), `${LAYOUT_VERSION}\n`);
}
