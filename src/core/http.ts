/**
 * The one HTTP client of kolega (undici). Every request — Responses, OAuth token, revoke, models —
 * goes through `httpRequest`, so proxies (`EnvHttpProxyAgent`: HTTPS_PROXY/HTTP_PROXY/NO_PROXY, upper
 * and lower case), extra CA certificates (./net/ca-env.ts: KOLEGA_CA_CERTIFICATE, SSL_CERT_FILE,
 * NODE_EXTRA_CA_CERTS) and timeouts apply everywhere. Network failures become KolegaError(network).
 *
 * With no proxy variable set, requests go through `node:http`/`node:https` instead (./http-node.ts,
 * same timeouts, aborts, error mapping, keep-alive and CA certificates): importing undici costs
 * ~130 ms and ~20 MB per process (it also loads Node's bundled copy), most of a short `kolega run`
 * (README "Performance").
 */
import type { Dispatcher } from 'undici';
import { KolegaError } from './errors.js';
import { CA_VARIABLES, tlsCa } from './net/ca-env.js';
import { checkProxyEnv, proxyEnv, proxyFor, redactProxyUrl } from './net/proxy-env.js';

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
  /** The request body: text (sent as UTF-8), bytes, or bytes in pieces sent in order. */
  body?: string | Buffer | readonly Buffer[];
  signal?: AbortSignal;
  /** Longest wait for response headers and between body chunks, in ms. */
  idleTimeoutMs: number;
  /** Called with one-line diagnostics (already free of secrets). */
  debug?: (line: string) => void;
  /**
   * The environment whose proxy variables apply (the one the CLI was given, never read from
   * `process.env` here, so an injected environment decides the proxy).
   */
  env: NodeJS.ProcessEnv;
}

/** Proxy-aware dispatchers by their settings (one per distinct environment; usually exactly one). */
const dispatchers = new Map<string, Dispatcher>();
let undiciModule: typeof import('undici') | undefined;

async function loadUndici(): Promise<typeof import('undici')> {
  undiciModule ??= await import('undici');
  return undiciModule;
}

/** True when a proxy variable is set (an empty value counts as unset), i.e. undici is needed. */
export function proxyConfigured(env: NodeJS.ProcessEnv): boolean {
  return ['HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy'].some((name) => (env[name] ?? '').trim() !== '');
}

/**
 * The shared proxy-aware dispatcher. An empty lower-case proxy variable must not mask a set
 * upper-case one (a script's `https_proxy=` must not silently disable the proxy), so values are picked explicitly.
 */
async function getDispatcher(env: NodeJS.ProcessEnv): Promise<Dispatcher> {
  // All three are decided by proxyEnv (also used for messages and doctor) and always passed, so
  // undici never re-reads the environment itself (its `no_proxy ?? NO_PROXY` lets an empty
  // lower-case value hide the upper-case one).
  const p = proxyEnv(env);
  const key = JSON.stringify([p.httpProxy, p.httpsProxy, p.noProxy, ...CA_VARIABLES.map((v) => env[v])]);
  const known = dispatchers.get(key);
  if (known) return known;
  const { EnvHttpProxyAgent } = await loadUndici();
  const ca = await tlsCa(env);
  // The CAs apply to the server behind the proxy, to the proxy itself and to direct connections.
  const tls = ca ? { connect: { ca }, requestTls: { ca }, proxyTls: { ca } } : {};
  const d = new EnvHttpProxyAgent({ httpProxy: p.httpProxy, httpsProxy: p.httpsProxy, noProxy: p.noProxy, ...tls });
  dispatchers.set(key, d);
  return d;
}

/**
 * The proxy-aware undici dispatcher shared by every request (for clients other than `httpRequest`,
 * e.g. the Responses WebSocket), so HTTPS_PROXY/HTTP_PROXY/NO_PROXY apply to them the same way.
 */
export function proxyDispatcher(env: NodeJS.ProcessEnv): Promise<Dispatcher> {
  return getDispatcher(env);
}

/**
 * Sends one HTTP request.
 * @returns the response once headers have arrived (any status; callers map statuses).
 * @throws KolegaError(network, `connect_failed` | `network_error` (retryable), `dns_failed` |
 *   `idle_timeout` (not retryable)) on transport failures; KolegaError(interrupted, `interrupted`) when `signal` aborted;
 *   KolegaError(config, `bad_ca_file`) when a CA variable names a missing or non-PEM file.
 */
export async function httpRequest(url: string, opts: HttpRequestOptions): Promise<HttpResponse> {
  checkProxyEnv(opts.env);
  await tlsCa(opts.env); // a bad CA file is a configuration error before any request
  const proxy = proxyFor(url, opts.env);
  // No proxy for this URL (none set, or NO_PROXY lists it): the cheaper node:http transport.
  if (proxy === undefined) return (await import('./http-node.js')).nodeRequest(url, opts);
  const { request } = await loadUndici();
  const d = await getDispatcher(opts.env);
  opts.debug?.(`${opts.method} ${url}`);
  try {
    const res = await request(url, {
      method: opts.method,
      headers: opts.headers,
      body: isChunks(opts.body) ? Buffer.concat(opts.body) : opts.body,
      signal: opts.signal,
      dispatcher: d,
      headersTimeout: opts.idleTimeoutMs,
      bodyTimeout: opts.idleTimeoutMs,
    });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) {
      if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
    }
    opts.debug?.(`-> ${res.statusCode} ${headers['x-request-id'] ?? ''}`.trimEnd());
    const body = res.body;
    return {
      status: res.statusCode,
      headers,
      body: wrapBody(body, url, opts.signal, proxy, opts.idleTimeoutMs),
      async text() {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of wrapBody(body, url, opts.signal, proxy, opts.idleTimeoutMs)) {
          size += chunk.length;
          if (size > 1 << 20) break;
          chunks.push(Buffer.from(chunk));
        }
        return Buffer.concat(chunks).toString('utf8');
      },
      async dump() {
        await body.dump().catch(() => undefined);
      },
    };
  } catch (err) {
    throw mapNetworkError(err, url, opts.signal, 'headers', proxy, opts.idleTimeoutMs);
  }
}

/**
 * Wraps a raw body so transport errors while streaming become KolegaError(network).
 * @param proxy the proxy URL the request went through (undefined: direct), named in messages
 */
export async function* wrapBody(
  body: AsyncIterable<Uint8Array>,
  url: string,
  signal: AbortSignal | undefined,
  proxy?: string,
  idleMs?: number,
): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (err) {
    throw mapNetworkError(err, url, signal, 'body', proxy, idleMs);
  }
}

/** Says how long an idle timeout waited, e.g. `no data for 10 ms` / `no data for 8 s`; `idle timeout` when unknown. */
export function idleTimeoutText(idleMs: number | undefined): string {
  if (idleMs === undefined) return 'idle timeout';
  const span = idleMs < 1000 ? `${Math.round(idleMs)} ms` : `${Math.round(idleMs / 100) / 10} s`;
  return `no data for ${span} (idle timeout)`;
}

/**
 * Turns a transport error into a KolegaError naming the phase that failed.
 * @param phase `headers` while waiting for the response, `body` while streaming it
 * @param proxy the proxy URL the request went through (undefined: direct), named in messages
 * @param idleMs the idle timeout in force, ms, named in an idle-timeout message
 */
export function mapNetworkError(
  err: unknown,
  url: string,
  signal: AbortSignal | undefined,
  phase: 'headers' | 'body',
  proxy?: string,
  idleMs?: number,
): KolegaError {
  if (err instanceof KolegaError) return err;
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (reason instanceof KolegaError) return reason;
    return new KolegaError('interrupted', 'interrupted', 'interrupted', { cause: err });
  }
  // Through a proxy, a connect failure is usually the proxy's: name it, or the user
  // looks for a fault at the server.
  const host = proxy ? `${safeHost(url)} via proxy ${redactProxyUrl(proxy)}` : safeHost(url);
  const code = e.code ?? e.cause?.code ?? '';
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    const what = code === 'UND_ERR_HEADERS_TIMEOUT' ? 'waiting for response headers' : 'mid-stream (no data)';
    // Not retried: the user already waited a whole idle period (see responses/retry.ts).
    return new KolegaError('network', 'idle_timeout', `${host} stalled ${what}: ${idleTimeoutText(idleMs)}`, {
      hint: 'check the network, or raise --idle-timeout',
      retryable: false,
      cause: err,
    });
  }
  const proxyStatus = proxy ? /Proxy response \((\d{3})\)/.exec(`${e.message ?? ''} ${e.cause?.message ?? ''}`) : null;
  if (proxy && proxyStatus) {
    const status = Number(proxyStatus[1]);
    return new KolegaError(
      'network',
      'proxy_refused',
      `proxy ${redactProxyUrl(proxy)} refused the tunnel to ${safeHost(url)} (HTTP ${status})`,
      {
        hint:
          status === 407
            ? 'the proxy wants credentials: HTTPS_PROXY=http://user:password@host:port (percent-encode @ and :)'
            : 'check the proxy, or list the host in NO_PROXY',
        retryable: status >= 500,
        httpStatus: status,
        cause: err,
      },
    );
  }
  if (code === 'ENOTFOUND') {
    // A name that does not resolve will not resolve 200 ms later either (EAI_AGAIN is the transient one).
    return new KolegaError('network', 'dns_failed', `cannot resolve ${host} (ENOTFOUND)`, {
      hint: 'check the host name in the base URL, the DNS settings and the proxy settings',
      retryable: false,
      cause: err,
    });
  }
  if (TLS_TRUST_CODES.has(code)) {
    // Not transient: retrying cannot make an untrusted certificate trusted.
    return new KolegaError('network', 'tls_untrusted', `TLS to ${host} failed: certificate not trusted (${code})`, {
      hint: 'behind a TLS-inspecting proxy or a private CA, set KOLEGA_CA_CERTIFICATE (or SSL_CERT_FILE, NODE_EXTRA_CA_CERTS) to its CA certificate (PEM)',
      retryable: false,
      cause: err,
    });
  }
  if (code === 'ECONNREFUSED' || code === 'EAI_AGAIN' || code === 'UND_ERR_CONNECT_TIMEOUT') {
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

/** Certificate verification failures (Node/OpenSSL codes). */
const TLS_TRUST_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'server';
  }
}

/** True for a body given as pieces. */
export function isChunks(body: HttpRequestOptions['body']): body is readonly Buffer[] {
  return Array.isArray(body);
}
