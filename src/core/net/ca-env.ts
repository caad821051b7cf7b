/**
 * Extra trusted CA certificates from the environment, for every HTTPS request kolega makes
 * (Responses, model list, sign-in, token refresh, revoke, doctor):
 * - `KOLEGA_CA_CERTIFICATE`: kolega's own, a PEM file that may hold several certificates;
 * - `SSL_CERT_FILE`: the OpenSSL convention many corporate setups already export;
 * - `NODE_EXTRA_CA_CERTS`: Node's own (https://nodejs.org/api/cli.html#node_extra_ca_certsfile).
 * All three add to Node's bundled Mozilla roots (`tls.rootCertificates`); none replaces them.
 * A named file that is missing, unreadable or holds no PEM certificate is a configuration error
 * before any request: Node itself only warns about a bad NODE_EXTRA_CA_CERTS and goes on, and a
 * TLS failure later would point at the server instead of the setting.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { KolegaError } from '../errors.js';

/** The variables read, in the order they are reported. */
export const CA_VARIABLES = ['KOLEGA_CA_CERTIFICATE', 'SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS'] as const;

/** One variable that names a CA file. */
export interface CaSource {
  variable: (typeof CA_VARIABLES)[number];
  file: string;
  /** The PEM blocks of the file, each one parsed certificate. */
  certificates: string[];
}

/** Largest CA file read, in bytes (a full system bundle is about 250 KB). */
const MAX_CA_FILE_BYTES = 16 * 1024 * 1024;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g;

function caError(variable: string, file: string, problem: string): KolegaError {
  return new KolegaError('config', 'bad_ca_file', `${variable}=${file} ${problem}`, {
    hint: `point ${variable} at a PEM file of CA certificates ("-----BEGIN CERTIFICATE-----"), or unset it`,
  });
}

/**
 * Reads and checks one CA file.
 * @throws KolegaError(config, `bad_ca_file`) naming the variable and the file
 */
export function readCaFile(variable: CaSource['variable'], file: string): CaSource {
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw caError(variable, file, 'is not a file');
    if (st.size > MAX_CA_FILE_BYTES)
      throw caError(variable, file, `is ${st.size} bytes; a CA file is at most ${MAX_CA_FILE_BYTES}`);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof KolegaError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw caError(
      variable,
      file,
      code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (err as Error).message})`,
    );
  }
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw caError(variable, file, 'holds no PEM certificate');
  blocks.forEach((pem, i) => {
    try {
      new X509Certificate(pem);
    } catch {
      throw caError(variable, file, `holds a certificate that does not parse (PEM block ${i + 1} of ${blocks.length})`);
    }
  });
  return { variable, file, certificates: blocks };
}

/**
 * Every CA variable that is set (an empty value counts as unset), read and checked.
 * @throws KolegaError(config, `bad_ca_file`) for the first bad one
 */
export function caSources(env: NodeJS.ProcessEnv = process.env): CaSource[] {
  const out: CaSource[] = [];
  for (const variable of CA_VARIABLES) {
    const file = env[variable];
    if (file === undefined || file.trim() === '') continue;
    out.push(readCaFile(variable, file));
  }
  return out;
}

let cached: { env: NodeJS.ProcessEnv; ca: string[] | undefined } | undefined;

/**
 * The `ca` option for TLS connections, or undefined when Node's defaults already trust what is
 * asked (no variable set, or only NODE_EXTRA_CA_CERTS, which Node loads itself at startup).
 * When KOLEGA_CA_CERTIFICATE or SSL_CERT_FILE is set: the bundled roots plus every extra
 * certificate (NODE_EXTRA_CA_CERTS included, since an explicit `ca` replaces Node's defaults).
 * Computed once per process.
 * @throws KolegaError(config, `bad_ca_file`) as `caSources`
 */
export async function tlsCa(env: NodeJS.ProcessEnv = process.env): Promise<string[] | undefined> {
  if (cached && cached.env === env) return cached.ca;
  const sources = caSources(env);
  let ca: string[] | undefined;
  if (sources.some((s) => s.variable !== 'NODE_EXTRA_CA_CERTS')) {
    const { rootCertificates } = await import('node:tls');
    ca = [...rootCertificates, ...sources.flatMap((s) => s.certificates)];
  }
  cached = { env, ca };
  return ca;
}

/**
 * Checks the CA variables without building anything, for commands to fail before their first
 * request. @throws KolegaError(config, `bad_ca_file`)
 */
export function checkCaEnv(env: NodeJS.ProcessEnv = process.env): void {
  caSources(env);
}
