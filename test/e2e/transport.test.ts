/**
 * `kolega run` end to end on both HTTP transports: direct (no proxy variable) and through a proxy
 * (HTTPS_PROXY/HTTP_PROXY -> undici's EnvHttpProxyAgent), plain http and https with a private CA
 * from NODE_EXTRA_CA_CERTS. The output must not depend on the transport.
 */
import https from 'node:https';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend } from '../fakes/backend.js';
import { startProxy, type TestProxy } from '../fakes/proxy.js';
import { textAnswer, toSse } from '../fakes/sse-events.js';
import { runCli, tempDir } from '../helpers/cli.js';

const CERT = fileURLToPath(new URL('../fixtures/tls/localhost.cert.pem', import.meta.url));
const KEY = fileURLToPath(new URL('../fixtures/tls/localhost.key.pem', import.meta.url));

let fake: FakeBackend;
let proxy: TestProxy;
let tls: https.Server;
let tlsBase: string;
const home = tempDir();

beforeAll(async () => {
  fake = await startFakeBackend({ fallback: { kind: 'sse', events: textAnswer('via any transport', 4) } });
  proxy = await startProxy();
  tls = https.createServer({ cert: readFileSync(CERT), key: readFileSync(KEY) }, (req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.headers.authorization !== 'Bearer test-key') return res.writeHead(401).end('{}');
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end(toSse(textAnswer('over tls', 2)));
    });
  });
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  tlsBase = `https://127.0.0.1:${(tls.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  await fake.close();
  await proxy.close();
  await new Promise<void>((r) => tls.close(() => r()));
  home.cleanup();
});

const env = (baseUrl: string, extra: Record<string, string> = {}) => ({
  KOLEGA_HOME: home.dir,
  OPENAI_API_KEY: 'test-key',
  OPENAI_BASE_URL: baseUrl,
  ...extra,
});

describe('kolega run transports', () => {
  it('gives the same output direct and through HTTP_PROXY (with an empty lower-case http_proxy)', async () => {
    const direct = await runCli(['run', '--json', 'hi'], { env: env(fake.openaiBaseUrl) });
    const before = proxy.log.length;
    const proxied = await runCli(['run', '--json', 'hi'], {
      env: env(fake.openaiBaseUrl, { http_proxy: '', HTTP_PROXY: proxy.url }),
    });
    expect(direct.code).toBe(0);
    expect(proxied.code).toBe(0);
    expect(proxied.stderr).toBe('');
    const strip = (s: string) =>
      s
        .split('\n')
        .filter((l) => !l.includes('turn.started'))
        .map((l) => l.replace(/"duration_ms":\d+/, ''))
        .join('\n');
    expect(strip(proxied.stdout)).toBe(strip(direct.stdout));
    expect(proxy.log.length).toBeGreaterThan(before);
  });

  it('bypasses the proxy for NO_PROXY hosts', async () => {
    const before = proxy.log.length;
    const r = await runCli(['run', 'hi'], {
      env: env(fake.openaiBaseUrl, { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' }),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('via any transport\n');
    expect(proxy.log.length).toBe(before);
  });

  it('names the network class when the proxy refuses connections', async () => {
    const r = await runCli(['run', 'hi'], {
      env: env(fake.openaiBaseUrl, { HTTP_PROXY: 'http://127.0.0.1:1' }),
      killAfterMs: 60_000,
    });
    expect(r.code).toBe(6);
  }, 60_000);

  for (const transport of ['direct', 'proxy'] as const) {
    const viaProxy = (): Record<string, string> => (transport === 'proxy' ? { HTTPS_PROXY: proxy.url } : {});

    it(`trusts NODE_EXTRA_CA_CERTS over https (${transport})`, async () => {
      const r = await runCli(['run', 'hi'], { env: env(tlsBase, { NODE_EXTRA_CA_CERTS: CERT, ...viaProxy() }) });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('over tls\n');
      expect(r.code).toBe(0);
    });

    it(`rejects an untrusted certificate with exit 6 (${transport})`, async () => {
      const r = await runCli(['run', 'hi'], { env: env(tlsBase, viaProxy()), killAfterMs: 60_000 });
      expect(r.code).toBe(6);
      expect(r.stdout).toBe('');
    }, 60_000);
  }
});
