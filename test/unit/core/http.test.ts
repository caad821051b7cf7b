/**
 * `httpRequest` behaves the same on both transports: direct (`node:http`, no proxy variable) and
 * proxied (undici's EnvHttpProxyAgent through a local CONNECT proxy): bodies, headers, idle
 * timeouts in both phases, connection failures, resets, aborts, keep-alive. The proxy comes from
 * the environment given in the options, never from `process.env`.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { KolegaError } from '../../../src/core/errors.js';
import { httpRequest, proxyConfigured, type HttpRequestOptions } from '../../../src/core/http.js';
import { startProxy, type TestProxy } from '../../fakes/proxy.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let server: http.Server;
let base: string;
let handler: Handler = (_req, res) => res.end('ok');
let connections = 0;
const sockets = new Set<Socket>();
let proxy: TestProxy;
/** The environment the requests of a test are given (never `process.env`). */
let env: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  server = http.createServer((req, res) => handler(req, res));
  server.on('connection', (s: Socket) => {
    connections++;
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy = await startProxy();
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  await proxy.close();
});

afterEach(() => {
  env = {};
  handler = (_req, res) => res.end('ok');
});

const opts = (extra: Partial<HttpRequestOptions> = {}): HttpRequestOptions => ({
  method: 'GET',
  headers: {},
  idleTimeoutMs: 5_000,
  env,
  ...extra,
});

async function failure(p: Promise<unknown>): Promise<KolegaError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(KolegaError);
    return err as KolegaError;
  }
  throw new Error('expected a failure');
}

async function drain(body: AsyncIterable<Uint8Array>): Promise<string> {
  let s = '';
  for await (const c of body) s += Buffer.from(c).toString('utf8');
  return s;
}

describe('proxyConfigured', () => {
  it('is false without proxy variables (NO_PROXY alone or empty values), true with any set', () => {
    expect(proxyConfigured({ NO_PROXY: 'x', https_proxy: '', HTTP_PROXY: ' ' })).toBe(false);
    expect(proxyConfigured({ https_proxy: '', HTTPS_PROXY: 'http://p:1' })).toBe(true);
    expect(proxyConfigured({ http_proxy: 'http://p:2' })).toBe(true);
  });
});

for (const transport of ['direct', 'proxy'] as const) {
  describe(`httpRequest (${transport})`, () => {
    const useTransport = () => {
      env = transport === 'proxy' ? { HTTP_PROXY: proxy.url, HTTPS_PROXY: proxy.url } : {};
    };

    it('sends the method, headers and body and returns status, lower-cased headers and the body', async () => {
      useTransport();
      const before = proxy.log.length;
      let seen: { method?: string; ct?: string; len?: string; body: string } = { body: '' };
      handler = (req, res) => {
        let b = '';
        req.on('data', (c: Buffer) => (b += c.toString('utf8')));
        req.on('end', () => {
          seen = { method: req.method, ct: req.headers['content-type'], len: req.headers['content-length'], body: b };
          res.setHeader('X-Request-Id', 'req_1');
          res.setHeader('X-Multi', ['a', 'b']);
          res.writeHead(201).end('héllo');
        });
      };
      const res = await httpRequest(
        `${base}/p`,
        opts({ method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"ä":1}' }),
      );
      expect(res.status).toBe(201);
      expect(res.headers['x-request-id']).toBe('req_1');
      expect(res.headers['x-multi']).toBe('a, b');
      expect(await res.text()).toBe('héllo');
      expect(seen).toEqual({
        method: 'POST',
        ct: 'application/json',
        len: String(Buffer.byteLength('{"ä":1}')),
        body: '{"ä":1}',
      });
      expect(proxy.log.length > before).toBe(transport === 'proxy');
    });

    it('streams body chunks as they arrive', async () => {
      useTransport();
      let release: () => void = () => undefined;
      handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('first;');
        release = () => res.end('second');
      };
      const res = await httpRequest(`${base}/s`, opts());
      const it = res.body[Symbol.asyncIterator]();
      const first = await it.next();
      expect(Buffer.from(first.value as Uint8Array).toString()).toBe('first;');
      release();
      let rest = '';
      for (let r = await it.next(); !r.done; r = await it.next()) rest += Buffer.from(r.value).toString();
      expect(rest).toBe('second');
    });

    it('fails with idle_timeout while waiting for headers', async () => {
      useTransport();
      handler = () => undefined; // never answers
      const t0 = Date.now();
      const err = await failure(httpRequest(`${base}/stall`, opts({ idleTimeoutMs: 300 })));
      expect(err.code).toBe('idle_timeout');
      expect(err.message).toContain('waiting for response headers');
      expect(Date.now() - t0).toBeLessThan(3_000);
    });

    it('fails with idle_timeout mid-stream when the body goes silent', async () => {
      useTransport();
      handler = (_req, res) => {
        res.writeHead(200);
        res.write('one');
      };
      const res = await httpRequest(`${base}/stall-body`, opts({ idleTimeoutMs: 300 }));
      const err = await failure(drain(res.body));
      expect(err.code).toBe('idle_timeout');
      expect(err.message).toContain('mid-stream');
    });

    it('maps a reset before headers to network_error and mid-body to stream_interrupted', async () => {
      useTransport();
      handler = (req) => req.socket.destroy();
      const e1 = await failure(httpRequest(`${base}/reset`, opts()));
      expect(e1.code).toBe('network_error');
      expect(e1.exitClass).toBe('network');
      handler = (req, res) => {
        res.writeHead(200);
        res.write('part');
        setTimeout(() => req.socket.destroy(), 20);
      };
      const res = await httpRequest(`${base}/reset-body`, opts());
      const e2 = await failure(drain(res.body));
      expect(e2.code).toBe('stream_interrupted');
    });

    it('aborts before headers and mid-body with the signal reason', async () => {
      useTransport();
      handler = () => undefined;
      const c1 = new AbortController();
      const reason = new KolegaError('interrupted', 'interrupted', 'interrupted');
      setTimeout(() => c1.abort(reason), 50);
      expect(await failure(httpRequest(`${base}/abort`, opts({ signal: c1.signal })))).toBe(reason);
      handler = (_req, res) => {
        res.writeHead(200);
        res.write('x');
      };
      const c2 = new AbortController();
      const res = await httpRequest(`${base}/abort-body`, opts({ signal: c2.signal }));
      setTimeout(() => c2.abort(reason), 50);
      expect(await failure(drain(res.body))).toBe(reason);
    });

    // The proxied path's pooling is undici's own (unchanged); the direct path must match it.
    it.runIf(transport === 'direct')('reuses the connection for sequential requests (keep-alive)', async () => {
      useTransport();
      handler = (_req, res) => res.end('k');
      await (await httpRequest(`${base}/k1`, opts())).text();
      const before = connections;
      for (let i = 0; i < 3; i++) expect(await (await httpRequest(`${base}/k${i}`, opts())).text()).toBe('k');
      expect(connections - before).toBe(0);
    });

    it('dump() frees a response whose body was not read', async () => {
      useTransport();
      handler = (_req, res) => res.end('unread body');
      const res = await httpRequest(`${base}/dump`, opts());
      await res.dump();
      expect(await (await httpRequest(`${base}/after`, opts())).text()).toBe('unread body');
    });
  });
}

describe('httpRequest connection failures', () => {
  it('maps a refused connection to connect_failed (direct)', async () => {
    const s = http.createServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    const err = await failure(httpRequest(`http://127.0.0.1:${port}/`, opts()));
    expect(err.code).toBe('connect_failed');
    expect(err.message).toContain('ECONNREFUSED');
  });
});

describe('httpRequest proxy selection', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  });

  it('takes the proxy from the environment it is given, not from process.env', async () => {
    for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete process.env[k];
    // A proxy of its own: no pooled tunnel from the tests above can carry the request unseen.
    const own = await startProxy();
    try {
      const res = await httpRequest(`${base}/given`, opts({ env: { HTTP_PROXY: own.url } }));
      expect(await res.text()).toBe('ok');
      expect(own.log).toHaveLength(1);
    } finally {
      await own.close();
    }
  });

  it('ignores a proxy set only in process.env', async () => {
    process.env.HTTP_PROXY = 'http://127.0.0.1:1';
    process.env.http_proxy = 'http://127.0.0.1:1';
    const before = proxy.log.length;
    const res = await httpRequest(`${base}/direct`, opts({ env: {} }));
    expect(await res.text()).toBe('ok');
    expect(proxy.log.length).toBe(before);
  });
});
