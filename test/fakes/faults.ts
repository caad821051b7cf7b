/**
 * Fault injection for the fake backend (retries and timeouts, docs/protocol.md §f.4): step builders for HTTP error sequences
 * with headers, and a TCP shim that keeps the client's side of a connection open after the server
 * closed it (a half-open socket, as behind a proxy that ignores FIN — case B25c).
 */
import net from 'node:net';
import type { Step } from './backend.js';

/** A plain HTTP error answer; `body` objects are sent as JSON. */
export function httpError(
  status: number,
  body: unknown = { detail: `fake: ${status}` },
  headers: Record<string, string> = {},
): Step {
  return { kind: 'http', status, headers, body: typeof body === 'string' ? body : JSON.stringify(body) };
}

/** The 429 `usage_limit_reached` answer of the ChatGPT backend (fixture 10 shape). */
export function usageLimitStep(
  opts: { plan?: string; resetsAt?: number; resetsInSeconds?: number; headers?: Record<string, string> } = {},
): Step {
  const error: Record<string, unknown> = {
    type: 'usage_limit_reached',
    message: '(fixture) quota used up',
    plan_type: opts.plan ?? 'plus',
  };
  if (opts.resetsAt !== undefined) error.resets_at = opts.resetsAt;
  if (opts.resetsInSeconds !== undefined) error.resets_in_seconds = opts.resetsInSeconds;
  return httpError(429, { error }, opts.headers ?? {});
}

/** A public-API style 429 `rate_limit_exceeded` with `retry-after` seconds (or `retry-after-ms`). */
export function rateLimitStep(retryAfter: { seconds?: number; ms?: number } = {}): Step {
  const headers: Record<string, string> = {};
  if (retryAfter.seconds !== undefined) headers['retry-after'] = String(retryAfter.seconds);
  if (retryAfter.ms !== undefined) headers['retry-after-ms'] = String(retryAfter.ms);
  return httpError(
    429,
    { error: { code: 'rate_limit_exceeded', type: 'requests', message: '(fixture) slow down' } },
    headers,
  );
}

/** `n` copies of a step (e.g. a 5xx sequence). */
export function repeat(step: Step, n: number): Step[] {
  return Array.from({ length: n }, () => step);
}

/** A running half-open shim. */
export interface HalfOpenProxy {
  /** `http://127.0.0.1:PORT` forwarding to the target. */
  url: string;
  /** Connections the server side closed while the client side was kept open. */
  serverClosed: number;
  /** Connections the client closed itself. */
  clientClosed: number;
  close(): Promise<void>;
}

/**
 * Starts a TCP shim in front of `targetUrl` (http://127.0.0.1:PORT). Bytes flow both ways, but when
 * the server ends or drops its side, the client's side stays open and silent.
 */
export async function startHalfOpenProxy(targetUrl: string): Promise<HalfOpenProxy> {
  const target = new URL(targetUrl);
  const sockets = new Set<net.Socket>();
  const state = { serverClosed: 0, clientClosed: 0 };
  const server = net.createServer((client) => {
    sockets.add(client);
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(upstream);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d) => {
      if (!client.destroyed) client.write(d);
    });
    const serverGone = () => {
      state.serverClosed++;
      sockets.delete(upstream);
    };
    upstream.once('close', serverGone);
    upstream.on('error', () => undefined);
    client.on('error', () => undefined);
    client.on('close', () => {
      state.clientClosed++;
      sockets.delete(client);
      upstream.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get serverClosed() {
      return state.serverClosed;
    },
    get clientClosed() {
      return state.clientClosed;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
