/**
 * The direct transport of `httpRequest` (./http.ts): `node:http`/`node:https` with keep-alive
 * agents. Used when no proxy variable is set; it behaves like the undici transport:
 * - connect: at most CONNECT_TIMEOUT_MS (undici's `connectTimeout`), else `UND_ERR_CONNECT_TIMEOUT`;
 * - headers and body: `idleTimeoutMs` without a byte fails with `UND_ERR_HEADERS_TIMEOUT` /
 *   `UND_ERR_BODY_TIMEOUT` (one socket timer, re-armed by the socket on every read: no per-chunk
 *   timer work);
 * - `signal` aborts the request and the body;
 * - repeated response headers are joined with `, ` (`headersDistinct`).
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import { isChunks, mapNetworkError, wrapBody, type HttpRequestOptions, type HttpResponse } from './http.js';
import { CA_VARIABLES, tlsCa } from './net/ca-env.js';

/** Longest wait for a TCP/TLS connection, in ms (undici's default `connectTimeout`). */
const CONNECT_TIMEOUT_MS = 10_000;
/** Largest body `text()` reads, in bytes (as the undici transport). */
const TEXT_LIMIT_BYTES = 1 << 20;
/** Bytes `dump()` drains before closing the connection instead (undici's default limit). */
const DUMP_LIMIT_BYTES = 128 * 1024;

let httpAgent: http.Agent | undefined;
/** HTTPS agents by the CA variables they were built from (one per distinct environment; usually one). */
const httpsAgents = new Map<string, http.Agent>();

async function agentFor(
  protocol: string,
  env: NodeJS.ProcessEnv,
): Promise<{ agent: http.Agent; request: typeof http.request }> {
  if (protocol === 'https:') {
    const https = await import('node:https');
    const key = JSON.stringify(CA_VARIABLES.map((v) => env[v]));
    let agent = httpsAgents.get(key);
    if (!agent) {
      const ca = await tlsCa(env);
      agent = new https.Agent(ca ? { keepAlive: true, ca } : { keepAlive: true });
      httpsAgents.set(key, agent);
    }
    return { agent, request: https.request };
  }
  if (protocol !== 'http:')
    throw Object.assign(new Error(`unsupported protocol ${protocol}`), { code: 'ERR_INVALID_PROTOCOL' });
  httpAgent ??= new http.Agent({ keepAlive: true });
  return { agent: httpAgent, request: http.request };
}

function timeoutError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

/**
 * Sends one request directly.
 * @returns the response once headers arrived (any status)
 * @throws KolegaError as `httpRequest` (transport errors mapped by `mapNetworkError`)
 */
export async function nodeRequest(url: string, opts: HttpRequestOptions): Promise<HttpResponse> {
  opts.debug?.(`${opts.method} ${url}`);
  try {
    const res = await send(url, opts);
    opts.debug?.(`-> ${res.status} ${res.headers['x-request-id'] ?? ''}`.trimEnd());
    return res;
  } catch (err) {
    throw mapNetworkError(err, url, opts.signal, 'headers', undefined, opts.idleTimeoutMs);
  }
}

async function send(url: string, opts: HttpRequestOptions): Promise<HttpResponse> {
  const target = new URL(url);
  const { agent, request } = await agentFor(target.protocol, opts.env);
  const headers: Record<string, string | number> = { ...opts.headers };
  if (opts.body !== undefined) headers['content-length'] = bodyLength(opts.body);
  return new Promise<HttpResponse>((resolve, reject) => {
    let response: http.IncomingMessage | undefined;
    const req = request(target, { method: opts.method, headers, agent, signal: opts.signal });
    req.on('socket', (socket: Socket) => {
      if (!socket.connecting) return;
      const connectTimer = setTimeout(
        () => req.destroy(timeoutError('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error')),
        CONNECT_TIMEOUT_MS,
      );
      socket.once('connect', () => clearTimeout(connectTimer));
      socket.once('close', () => clearTimeout(connectTimer));
    });
    // The socket's own idle timer: re-armed by every read or write, so it measures silence.
    req.setTimeout(opts.idleTimeoutMs, () => {
      if (response) response.destroy(timeoutError('UND_ERR_BODY_TIMEOUT', 'Body Timeout Error'));
      else if (req.socket?.connecting) req.destroy(timeoutError('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'));
      else req.destroy(timeoutError('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error'));
    });
    req.once('error', reject);
    req.once('response', (res) => {
      response = res;
      // After headers, errors surface through the body; keep a listener so none is unhandled.
      req.removeListener('error', reject);
      req.on('error', () => undefined);
      resolve(toResponse(res, url, opts.signal, opts.idleTimeoutMs));
    });
    if (isChunks(opts.body)) {
      for (const chunk of opts.body) req.write(chunk);
      req.end();
    } else req.end(opts.body);
  });
}

function bodyLength(body: string | Buffer | readonly Buffer[]): number {
  if (typeof body === 'string') return Buffer.byteLength(body);
  if (isChunks(body)) return body.reduce((n, b) => n + b.length, 0);
  return body.length;
}

async function readText(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > TEXT_LIMIT_BYTES) break;
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
}

function toResponse(
  res: http.IncomingMessage,
  url: string,
  signal: AbortSignal | undefined,
  idleMs: number,
): HttpResponse {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headersDistinct)) {
    if (v !== undefined) headers[k] = v.join(', ');
  }
  return {
    status: res.statusCode ?? 0,
    headers,
    body: wrapBody(res, url, signal, undefined, idleMs),
    text: () => readText(wrapBody(res, url, signal, undefined, idleMs)),
    dump: () => dump(res),
  };
}

/** Drains a small rest of the body (so the connection can be reused) or closes it. */
function dump(res: http.IncomingMessage): Promise<void> {
  if (res.destroyed || res.readableEnded) return Promise.resolve();
  return new Promise<void>((resolve) => {
    let read = 0;
    res.once('close', () => resolve());
    res.on('error', () => undefined);
    res.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read > DUMP_LIMIT_BYTES) res.destroy();
    });
    res.resume();
  });
}
