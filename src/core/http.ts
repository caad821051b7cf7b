/**
 * The one HTTP client of kolega. Every request — Responses, OAuth token, revoke, models — goes
 * through `httpRequest`, so proxies and timeouts apply everywhere. Network failures become
 * KolegaError(network).
 *
 * Two transports behind one API, chosen per request from the environment:
 * - no proxy variable set: `node:http`/`node:https` (./http-node.ts). Importing undici costs
 *   ~130 ms and ~20 MB at start-up (it also pulls in Node's bundled copy), which is most of a
 *   `kolega run` on a short answer (issue 7, README "Performance");
 * - HTTPS_PROXY/HTTP_PROXY set (upper or lower case): undici's `EnvHttpProxyAgent`
 *   (./http-undici.ts), which also honours NO_PROXY.
 * Both map timeouts, aborts and transport errors identically (`mapNetworkError`), keep
 * connections alive between the requests of a turn, and trust NODE_EXTRA_CA_CERTS (Node's default
 * TLS context reads it for both).
 */
import { KolegaError } from './errors.js';

/** A received response whose body has not been read yet. */
export interface HttpResponse {
  status: number;
  /** Lower-cased header names; repeated headers joined with `, `. */
  headers: Record<string, string>;
  /** The body as raw chunks; iterate once. */
  body: AsyncIterable<Uint8Array>;
  /** Reads the whole body as UTF-8 text (bounded to 1 MiB). */
  text(): Promise<string>;
  /** Discards the body and frees the socket. */
  dump(): Promise<void>;
}

/** Options of one request. */
export interface HttpRequestOptions {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Longest wait for response headers and between body chunks, in ms. */
  idleTimeoutMs: number;
  /** Called with one-line diagnostics (already free of secrets). */
  debug?: (line: string) => void;
}

/** The proxy variables in effect (EnvHttpProxyAgent options). */
export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

/** Longest wait for a TCP/TLS connection, in ms (undici's default `connectTimeout`). */
export const CONNECT_TIMEOUT_MS = 10_000;

/** Largest body `text()` reads, in bytes. */
export const TEXT_LIMIT_BYTES = 1 << 20;

/**
 * The proxy settings of `env`. An empty lower-case variable must not mask a set upper-case one
 * (peer-failures B33), so values are picked explicitly; HTTPS_PROXY falls back to HTTP_PROXY.
 * @returns undefined when no proxy is configured (NO_PROXY alone changes nothing)
 */
export function proxySettings(env: NodeJS.ProcessEnv = process.env): ProxySettings | undefined {
  const pick = (upper: string): string | undefined => {
    const lower = env[upper.toLowerCase()];
    if (lower !== undefined && lower !== '') return lower;
    const up = env[upper];
    return up !== undefined && up !== '' ? up : undefined;
  };
  const httpProxy = pick('HTTP_PROXY');
  const httpsProxy = pick('HTTPS_PROXY') ?? httpProxy;
  if (httpProxy === undefined && httpsProxy === undefined) return undefined;
  return { httpProxy, httpsProxy, noProxy: pick('NO_PROXY') };
}

/**
 * Sends one HTTP request.
 * @returns the response once headers have arrived (any status; callers map statuses).
 * @throws KolegaError(network, `connect_failed` | `idle_timeout` | `network_error`, retryable) on
 *   transport failures; KolegaError(interrupted, `interrupted`) when `signal` aborted.
 */
export async function httpRequest(url: string, opts: HttpRequestOptions): Promise<HttpResponse> {
  const proxy = proxySettings();
  opts.debug?.(`${opts.method} ${url}`);
  try {
    const res = proxy
      ? await (await import('./http-undici.js')).undiciRequest(url, opts, proxy)
      : await (await import('./http-node.js')).nodeRequest(url, opts);
    opts.debug?.(`-> ${res.status} ${res.headers['x-request-id'] ?? ''}`.trimEnd());
    return res;
  } catch (err) {
    throw mapNetworkError(err, url, opts.signal, 'headers');
  }
}

/** Wraps a raw body so transport errors while streaming become KolegaError(network). */
export async function* wrapBody(body: AsyncIterable<Uint8Array>, url: string, signal: AbortSignal | undefined): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (err) {
    throw mapNetworkError(err, url, signal, 'body');
  }
}

/** Reads a body as UTF-8 text, at most TEXT_LIMIT_BYTES. */
export async function readText(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > TEXT_LIMIT_BYTES) break;
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Turns a transport error into a KolegaError naming the phase that failed. Both transports report
 * timeouts with undici's codes (`UND_ERR_HEADERS_TIMEOUT`, `UND_ERR_BODY_TIMEOUT`,
 * `UND_ERR_CONNECT_TIMEOUT`).
 * @param phase `headers` while waiting for the response, `body` while streaming it
 */
export function mapNetworkError(err: unknown, url: string, signal: AbortSignal | undefined, phase: 'headers' | 'body'): KolegaError {
  if (err instanceof KolegaError) return err;
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof KolegaError) return reason;
    return new KolegaError('interrupted', 'interrupted', 'interrupted', { cause: err });
  }
  const host = safeHost(url);
  const code = e.code ?? e.cause?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    const what = code === 'UND_ERR_HEADERS_TIMEOUT' ? 'waiting for response headers' : 'mid-stream (no data)';
    return new KolegaError('network', 'idle_timeout', `${host} stalled ${what}: idle timeout`, {
      hint: 'check the network, or raise --idle-timeout',
      retryable: true,
      cause: err,
    });
  }
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new KolegaError('network', 'connect_failed', `cannot connect to ${host} (${code})`, {
      hint: 'check the network, the proxy settings and the base URL',
      retryable: true,
      cause: err,
    });
  }
  const detail = e.cause?.message ?? e.message ?? String(err);
  return new KolegaError(
    'network',
    phase === 'body' ? 'stream_interrupted' : 'network_error',
    `${phase === 'body' ? 'connection to ' + host + ' broke mid-stream' : 'request to ' + host + ' failed'}: ${code || detail}`,
    { hint: 'check the network and try again', retryable: true, cause: err },
  );
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'server';
  }
}
