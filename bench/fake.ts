/**
 * The bench's local Responses server on 127.0.0.1: the same SSE bytes as the test fake
 * (`test/fakes/sse-events.ts` builders), served either in one write (throughput runs) or one delta
 * every `intervalMs` with the write time of each delta recorded (latency runs). Requests from kolega
 * are checked with the strict fake's `validateBody`; a request from codex (a different client) is
 * only required to POST `.../responses` with the bench key.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { validateBody } from '../test/fakes/backend.js';
import { ev, toSse, type SseEvent } from '../test/fakes/sse-events.js';

/** The API key the bench server accepts. */
export const BENCH_KEY = 'bench-key';

/** What the next request gets. */
export type BenchStream =
  /** `deltas` text deltas, the whole body written at once. */
  | { kind: 'burst'; deltas: number }
  /** `deltas` text deltas, one every `intervalMs`; send times are recorded. */
  | { kind: 'paced'; deltas: number; intervalMs: number };

/** A running bench server. */
export interface BenchServer {
  /** `http://127.0.0.1:PORT/v1` */
  baseUrl: string;
  /** Sets what the following requests get. */
  setStream(stream: BenchStream): void;
  /** `performance.now()` when each delta of the last paced stream was written, by delta index. */
  sentAt: number[];
  /** Requests rejected as invalid (a broken bench, not a slow client). */
  rejected: string[];
  close(): Promise<void>;
}

/** The text of delta `i`: unique, so a reader can find it in stdout. */
export function deltaText(i: number): string {
  return `w${i} `;
}

function events(deltas: number): { head: SseEvent[]; deltas: SseEvent[]; tail: SseEvent[] } {
  const ds: SseEvent[] = [];
  const parts: string[] = [];
  for (let i = 0; i < deltas; i++) {
    parts.push(deltaText(i));
    ds.push(ev.textDelta(deltaText(i)));
  }
  return { head: [ev.created()], deltas: ds, tail: [ev.messageDone(parts.join('')), ev.completed()] };
}

const bodyCache = new Map<number, Buffer>();

function burstBody(deltas: number): Buffer {
  let body = bodyCache.get(deltas);
  if (!body) {
    const e = events(deltas);
    body = Buffer.from(toSse([...e.head, ...e.deltas, ...e.tail]), 'utf8');
    bodyCache.set(deltas, body);
  }
  return body;
}

/** Starts the server on 127.0.0.1 with an ephemeral port. */
export async function startBenchServer(): Promise<BenchServer> {
  let stream: BenchStream = { kind: 'burst', deltas: 10 };
  const sentAt: number[] = [];
  const rejected: string[] = [];
  const sockets = new Set<Socket>();

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    // `kolega models` asks the API key's model list (cached for 5 minutes after the first answer).
    if (
      req.method === 'GET' &&
      (req.url ?? '').split('?')[0] === '/v1/models' &&
      req.headers.authorization === `Bearer ${BENCH_KEY}`
    ) {
      res
        .writeHead(200, { 'content-type': 'application/json', etag: '"bench-1"' })
        .end('{"object":"list","data":[{"id":"gpt-6.2-sol","object":"model"},{"id":"gpt-5.5","object":"model"}]}');
      return;
    }
    if (
      req.method !== 'POST' ||
      !(req.url ?? '').split('?')[0]!.endsWith('/responses') ||
      req.headers.authorization !== `Bearer ${BENCH_KEY}`
    ) {
      rejected.push(`${req.method} ${req.url}`);
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found"}}');
      return;
    }
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    } catch {
      body = {};
    }
    const fromKolega = String(req.headers['user-agent'] ?? '').startsWith('kolega');
    const invalid = fromKolega ? validateBody(body, false) : undefined;
    if (invalid) {
      rejected.push(invalid);
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: invalid } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const s = stream;
    if (s.kind === 'burst') {
      res.end(burstBody(s.deltas));
      return;
    }
    const e = events(s.deltas);
    sentAt.length = 0;
    res.write(toSse(e.head));
    for (let i = 0; i < e.deltas.length; i++) {
      await new Promise((r) => setTimeout(r, i === 0 ? 0 : s.intervalMs));
      if (res.destroyed) return;
      sentAt[i] = performance.now();
      res.write(toSse([e.deltas[i]!]));
    }
    res.end(toSse(e.tail));
  });
  server.on('connection', (sock) => {
    sock.setNoDelay(true);
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    setStream: (st) => {
      stream = st;
    },
    sentAt,
    rejected,
    close: () =>
      new Promise<void>((resolve) => {
        for (const sock of sockets) sock.destroy();
        server.close(() => resolve());
      }),
  };
}
