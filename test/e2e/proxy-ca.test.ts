/**
 * Proxies and CAs (README "Proxies and custom CAs"; case B33): the CLI reaches an HTTPS fake signed by a
 * test CA through a real proxy on 127.0.0.1, and we assert the proxy carried the traffic.
 *   (a) HTTPS_PROXY  (b) an empty https_proxy does not mask HTTPS_PROXY  (c) proxy auth with %40 in
 *   the password  (d) NO_PROXY bypass  (e) models and doctor under (a)  and a dead proxy -> exit 6
 *   naming it; the HTTPS fake is reachable only when NODE_EXTRA_CA_CERTS names the CA.
 * Loopback is not bypassed implicitly (undici's EnvHttpProxyAgent does not do that), which is what
 * lets these tests run on 127.0.0.1.
 */
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend } from '../fakes/backend.js';
import { startProxy, type TestProxy } from '../fakes/proxy.js';
import { textAnswer } from '../fakes/sse-events.js';
import { makeTestPki, type TestPki } from '../fakes/tls.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { parseDocument } from '../helpers/doc-schema.js';
import { writeChatGPTCredentials } from '../helpers/tokens.js';
import type { DoctorDocument } from '../../src/cli/doctor/run.js';
import type { ModelsDocument } from '../../src/cli/models/list.js';

const hasOpenssl = spawnSync('sh', ['-c', 'command -v openssl']).status === 0;

let pkiDir: { dir: string; cleanup: () => void };
let pki: TestPki;
let fake: FakeBackend;
let proxy: TestProxy;
let home: { dir: string; cleanup: () => void };

beforeAll(() => {
  pkiDir = tempDir('kolega-pki-');
  if (hasOpenssl) pki = makeTestPki(pkiDir.dir);
});
afterAll(() => pkiDir.cleanup());

describe.skipIf(!hasOpenssl)('HTTPS fake behind a proxy', () => {
  beforeEach(async () => {
    home = tempDir();
    writeChatGPTCredentials(home.dir);
    fake = await startFakeBackend({ tls: pki, fallback: { kind: 'sse', events: textAnswer('via proxy') } });
    proxy = await startProxy();
  });
  afterEach(async () => {
    await fake.close();
    await proxy.close();
    home.cleanup();
  });

  const target = () => fake.url.replace('https://', '');
  const env = (extra: Record<string, string> = {}) => ({
    KOLEGA_HOME: home.dir,
    KOLEGA_CHATGPT_BASE_URL: fake.chatgptBaseUrl,
    NODE_EXTRA_CA_CERTS: pki.caFile,
    ...extra,
  });
  const tunnels = () => proxy.log.filter((e) => e.method === 'CONNECT' && e.target === target());

  it('the HTTPS fake is reachable only when NODE_EXTRA_CA_CERTS names the test CA', async () => {
    const without = await runCli(['run', 'hi'], { env: { ...env(), NODE_EXTRA_CA_CERTS: '' } });
    expect(without.code).toBe(6);
    expect(without.stderr).toMatch(/127\.0\.0\.1:\d+.*(certificate|CERT|SELF_SIGNED)/i);
    expect(fake.requests).toHaveLength(0);
    const withCa = await runCli(['run', 'hi'], { env: env() });
    expect(withCa.stderr).toBe('');
    expect(withCa.code).toBe(0);
    expect(withCa.stdout).toBe('via proxy\n');
    expect(proxy.log).toHaveLength(0); // no proxy configured: direct
  });

  it('(a) HTTPS_PROXY carries the Responses request (CONNECT tunnel)', async () => {
    const r = await runCli(['run', 'hi'], { env: env({ HTTPS_PROXY: proxy.url }) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('via proxy\n');
    expect(tunnels().length).toBeGreaterThanOrEqual(1);
    expect(fake.requests).toHaveLength(1);
  });

  it('(b) an empty lower-case https_proxy does not mask HTTPS_PROXY', async () => {
    const r = await runCli(['run', 'hi'], {
      env: env({ https_proxy: '', HTTPS_PROXY: proxy.url, no_proxy: '', NO_PROXY: 'example.invalid' }),
    });
    expect(r.code).toBe(0);
    expect(tunnels().length).toBeGreaterThanOrEqual(1);
  });

  it('(c) proxy auth: credentials from the URL, %40 decoded to @; wrong ones fail with exit 6', async () => {
    await proxy.close();
    proxy = await startProxy({ credentials: 'u:p@ss' });
    const r = await runCli(['run', 'hi'], { env: env({ HTTPS_PROXY: `http://u:p%40ss@127.0.0.1:${proxy.port}` }) });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(tunnels().some((e) => e.credentials === 'u:p@ss')).toBe(true);

    const bad = await runCli(['run', 'hi'], { env: env({ HTTPS_PROXY: `http://u:wrong@127.0.0.1:${proxy.port}` }) });
    expect(bad.code).toBe(6);
    expect(bad.stderr).toContain(
      `proxy http://u:***@127.0.0.1:${proxy.port} refused the tunnel to ${target()} (HTTP 407)`,
    );
    expect(bad.stderr).not.toContain('wrong');
    expect(fake.requests).toHaveLength(1);
  });

  it('(d) NO_PROXY=127.0.0.1,localhost bypasses the proxy', async () => {
    const r = await runCli(['run', 'hi'], {
      env: env({ HTTPS_PROXY: 'http://127.0.0.1:1', NO_PROXY: '127.0.0.1,localhost' }),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('via proxy\n');
    expect(proxy.log).toHaveLength(0);
  });

  it('(d) an empty lower-case no_proxy does not mask NO_PROXY', async () => {
    const r = await runCli(['run', 'hi'], {
      env: env({ HTTPS_PROXY: 'http://127.0.0.1:1', no_proxy: '', NO_PROXY: '127.0.0.1' }),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('doctor names an untrusted certificate and suggests NODE_EXTRA_CA_CERTS', async () => {
    const r = await runCli(['doctor', '--json', '--timeout', '3'], { env: { ...env(), NODE_EXTRA_CA_CERTS: '' } });
    expect(r.code).toBe(6);
    const doc = parseDocument<DoctorDocument>('doctor', r.stdout);
    const c = doc.checks.find((x) => x.id === 'network.chatgpt')!;
    expect(c).toMatchObject({ status: 'fail', class: 'network' });
    expect(c.message).toMatch(/TLS failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
    expect(c.fix).toContain('NODE_EXTRA_CA_CERTS');
  });

  it('(e) kolega models fetches the live list through the proxy', async () => {
    const r = await runCli(['models', '--json', '--provider', 'openai_chatgpt'], {
      env: env({ HTTPS_PROXY: proxy.url }),
    });
    expect(r.stderr).toBe('');
    const doc = parseDocument<ModelsDocument>('models', r.stdout);
    expect(doc.providers[0]!.source).toBe('live');
    expect(fake.requests.map((q) => q.path)).toEqual(['/backend-api/codex/models']);
    expect(tunnels().length).toBeGreaterThanOrEqual(1);
  });

  it('(e) kolega doctor checks through the proxy and shows it with the password redacted', async () => {
    await proxy.close();
    proxy = await startProxy({ credentials: 'u:s3cret' });
    const r = await runCli(['doctor', '--json', '--timeout', '3'], {
      env: env({
        HTTPS_PROXY: `http://u:s3cret@127.0.0.1:${proxy.port}`,
        KOLEGA_AUTH_ISSUER: fake.url,
        OPENAI_BASE_URL: fake.openaiBaseUrl,
      }),
    });
    expect(r.stdout).not.toContain('s3cret');
    const doc = parseDocument<DoctorDocument>('doctor', r.stdout);
    const byId = (id: string) => doc.checks.find((c) => c.id === id)!;
    expect(byId('network.proxy').message).toContain(`HTTPS http://u:***@127.0.0.1:${proxy.port}`);
    for (const id of ['network.issuer', 'network.chatgpt', 'network.openai']) {
      expect(byId(id).status, byId(id).message).toBe('ok');
      expect(byId(id).message).toMatch(
        /via proxy http:\/\/u:\*\*\*@127\.0\.0\.1:\d+: proxy DNS skipped \(IP\), proxy TCP \d+ ms, HTTP 404/,
      );
    }
    expect(tunnels().length).toBeGreaterThanOrEqual(3);
    expect(r.code).toBe(0);
  });

  it('a proxy that refuses connections: exit 6 naming the proxy host', async () => {
    const dead = await startProxy();
    const deadUrl = dead.url;
    await dead.close();
    const r = await runCli(['run', 'hi'], { env: env({ HTTPS_PROXY: deadUrl }) });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain(`via proxy ${deadUrl}`);
    expect(r.stderr).toContain('ECONNREFUSED');
    expect(fake.requests).toHaveLength(0);
  });
});

describe('plain-http fake behind HTTP_PROXY', () => {
  it('HTTP_PROXY carries http:// requests too (loopback is not bypassed implicitly)', async () => {
    home = tempDir();
    const plain = await startFakeBackend({ fallback: { kind: 'sse', events: textAnswer('plain') } });
    const p = await startProxy();
    try {
      const r = await runCli(['run', 'hi'], {
        env: {
          KOLEGA_HOME: home.dir,
          OPENAI_API_KEY: 'test-key',
          OPENAI_BASE_URL: plain.openaiBaseUrl,
          HTTP_PROXY: p.url,
        },
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('plain\n');
      expect(p.log.length).toBeGreaterThanOrEqual(1);
      expect(p.log[0]!.target).toContain(plain.url.replace('http://', ''));
    } finally {
      await plain.close();
      await p.close();
      home.cleanup();
    }
  });
});
