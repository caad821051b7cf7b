/**
 * The one HTTP client of kolega (undici). Every request — Responses, OAuth token, revoke, models —
 * goes through `httpRequest`, so proxies (`EnvHttpProxyAgent`: HTTPS_PROXY/HTTP_PROXY/NO_PROXY, upper
 * and lower case) and timeouts apply everywhere. Network failures become KolegaError(network).
 *
 * With no proxy variable set, requests go through `node:http`/`node:https` instead (./http-node.ts,
 * same timeouts, aborts, error mapping, keep-alive and NODE_EXTRA_CA_CERTS): importing undici costs
 * ~130 ms and ~20 MB per process (it also loads Node's bundled copy), most of a short `kolega run`
 * (issue 7; README "Performance").
 */
import type { Dispatcher } from 'undici';
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

let dispatcher: Dispatcher | undefined;
let undiciModule: typeof import('undici') | undefined;

async function loadUndici(): Promise<typeof import('undici')> {
  undiciModule ??= await import('undici');
  return undiciModule;
}

/** True when a proxy variable is set (an empty value counts as unset), i.e. undici is needed. */
export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy'].some((name) => (env[name] ?? '').trim() !== '');
}

/**
 * The shared proxy-aware dispatcher. An empty lower-case proxy variable must not mask a set
 * upper-case one (peer-failures B33), so values are picked explicitly.
 */
async function getDispatcher(env: NodeJS.ProcessEnv = process.env): Promise<Dispatcher> {
  if (dispatcher) return dispatcher;
  const { EnvHttpProxyAgent } = await loadUndici();
  const pick = (upper: string): string | undefined => {
    const lower = env[upper.toLowerCase()];
    if (lower !== undefined && lower !== '') return lower;
    const up = env[upper];
    return up !== undefined && up !== '' ? up : undefined;
  };
  dispatcher = new EnvHttpProxyAgent({
    httpProxy: pick('HTTP_PROXY'),
    httpsProxy: pick('HTTPS_PROXY') ?? pick('HTTP_PROXY'),
    noProxy: pick('NO_PROXY'),
  });
  return dispatcher;
}

/**
 * Sends one HTTP request.
 * @returns the response once headers have arrived (any status; callers map statuses).
 * @throws KolegaError(network, `connect_failed` | `idle_timeout` | `network_error`, retryable) on
 *   transport failures; KolegaError(interrupted, `interrupted`) when `signal` aborted.
 */
export async function httpRequest(url: string, opts: HttpRequestOptions): Promise<HttpResponse> {
  if (!proxyConfigured()) return (await import('./http-node.js')).nodeRequest(url, opts);
  const { request } = await loadUndici();
  const d = await getDispatcher();
  opts.debug?.(`${opts.method} ${url}`);
  try {
    const res = await request(url, {
      method: opts.method,
      headers: opts.headers,
      body: opts.body,
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
      body: wrapBody(body, url, opts.signal),
      async text() {
        const chunks: Buffer[] = [];
        let size = 0;
        for await (const chunk of wrapBody(body, url, opts.signal)) {
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
    throw mapNetworkError(err, url, opts.signal, 'headers');
  }
}

/** Wraps a raw body so transport errors while streaming become KolegaError(network). */
export async function* wrapBody(
  body: AsyncIterable<Uint8Array>,
  url: string,
  signal: AbortSignal | undefined,
): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (err) {
    throw mapNetworkError(err, url, signal, 'body');
  }
}

/**
 * Turns a transport error into a KolegaError naming the phase that failed.
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
