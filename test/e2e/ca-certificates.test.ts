/**
 * Custom CA certificates: KOLEGA_CA_CERTIFICATE (kolega's own; PEM, several certificates allowed),
 * SSL_CERT_FILE and NODE_EXTRA_CA_CERTS are honoured for every request — the Responses call
 * (direct and through a proxy), the token refresh and the device-code sign-in, all against fakes
 * that speak HTTPS with a throw-away test CA made by openssl. A variable that names a missing or
 * non-PEM file is a configuration error (exit 2) before any request, naming the variable and file.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend } from '../fakes/backend.js';
import { startFakeIssuer, type FakeIssuer } from '../fakes/issuer.js';
import { startProxy, type TestProxy } from '../fakes/proxy.js';
import { textAnswer } from '../fakes/sse-events.js';
import { makeTestPki, startTlsFront, type TestPki, type TlsFront } from '../fakes/tls.js';
import { runCli, tempDir } from '../helpers/cli.js';
import { parseEvents } from '../helpers/schema.js';

const hasOpenssl = spawnSync('sh', ['-c', 'command -v openssl']).status === 0;

let pkiDir: { dir: string; cleanup: () => void };
let pki: TestPki;
/** A PEM file with an unrelated CA first and the test CA second. */
let bundle: string;

beforeAll(() => {
  pkiDir = tempDir('kolega-ca-');
  if (!hasOpenssl) return;
  pki = makeTestPki(pkiDir.dir);
  const otherDir = path.join(pkiDir.dir, 'other');
  spawnSync('mkdir', [otherDir]);
  const other = makeTestPki(otherDir);
  bundle = path.join(pkiDir.dir, 'bundle.pem');
  writeFileSync(
    bundle,
    `# corporate bundle\n${readFileSync(other.caFile, 'utf8')}\n${readFileSync(pki.caFile, 'utf8')}`,
  );
});
afterAll(() => pkiDir.cleanup());

describe.skipIf(!hasOpenssl)('CA variables are honoured for every request', () => {
  let home: { dir: string; cleanup: () => void };
  let fake: FakeBackend;
  let issuer: FakeIssuer | undefined;
  let front: TlsFront | undefined;
  let proxy: TestProxy | undefined;

  beforeEach(async () => {
    home = tempDir();
    fake = await startFakeBackend({ tls: pki, fallback: { kind: 'sse', events: textAnswer('trusted') } });
  });
  afterEach(async () => {
    await fake.close();
    await front?.close();
    await issuer?.close();
    await proxy?.close();
    front = issuer = proxy = undefined;
    home.cleanup();
  });

  const apiEnv = (extra: Record<string, string>) => ({
    KOLEGA_HOME: home.dir,
    OPENAI_API_KEY: 'test-key',
    OPENAI_BASE_URL: fake.openaiBaseUrl,
    ...extra,
  });

  it('without a CA variable the HTTPS fake is not trusted (control)', async () => {
    const r = await runCli(['run', '--no-stdin', 'hi'], { env: apiEnv({}) });
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('KOLEGA_CA_CERTIFICATE');
  });

  it.each(['KOLEGA_CA_CERTIFICATE', 'SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS'])(
    '%s with a bundle of several certificates: the Responses request succeeds',
    async (variable) => {
      const r = await runCli(['run', '--no-stdin', 'hi'], { env: apiEnv({ [variable]: bundle }) });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('trusted\n');
    },
  );

  it('KOLEGA_CA_CERTIFICATE also through an HTTPS_PROXY tunnel', async () => {
    proxy = await startProxy();
    const r = await runCli(['run', '--no-stdin', 'hi'], {
      env: apiEnv({ KOLEGA_CA_CERTIFICATE: bundle, HTTPS_PROXY: proxy.url }),
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(proxy.log.some((e) => e.method === 'CONNECT')).toBe(true);
  });

  it('the token refresh goes to an HTTPS issuer trusted through KOLEGA_CA_CERTIFICATE', async () => {
    issuer = await startFakeIssuer();
    front = await startTlsFront(issuer.url, pki);
    await fake.close();
    fake = await startFakeBackend({
      tls: pki,
      chatgptTokens: (t) => issuer!.isValidAccessToken(t),
      accountId: 'acct-fake-1',
      fallback: { kind: 'sse', events: textAnswer('refreshed') },
    });
    issuer.writeSession(home.dir, { expired: true });
    const env = { KOLEGA_HOME: home.dir, KOLEGA_AUTH_ISSUER: front.url, KOLEGA_CHATGPT_BASE_URL: fake.chatgptBaseUrl };
    const untrusted = await runCli(['run', '--no-stdin', 'hi'], { env });
    expect(untrusted.code).not.toBe(0);
    expect(issuer.refreshCount).toBe(0);
    const r = await runCli(['run', '--no-stdin', 'hi'], { env: { ...env, KOLEGA_CA_CERTIFICATE: bundle } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('refreshed\n');
    expect(issuer.refreshCount).toBe(1);
  });

  it('the device-code sign-in talks to an HTTPS issuer trusted through SSL_CERT_FILE', async () => {
    issuer = await startFakeIssuer({ device: { pendingPolls: 1, interval: '0' } });
    front = await startTlsFront(issuer.url, pki);
    issuer.setPublicUrl(front.url);
    const r = await runCli(['auth', 'login', 'chatgpt', '--device-auth'], {
      env: { KOLEGA_HOME: home.dir, KOLEGA_AUTH_ISSUER: front.url, SSL_CERT_FILE: bundle },
      killAfterMs: 30_000,
    });
    expect(r.stderr).not.toMatch(/certificate|CERT_|exchange failed/i);
    expect(r.code).toBe(0);
    expect(issuer.requests.some((q) => q.body.grant_type === 'authorization_code')).toBe(true);
    expect(JSON.parse(readFileSync(path.join(home.dir, 'credentials.json'), 'utf8')).chatgpt.access_token).toBeTruthy();
  });
});

describe('a CA variable naming a bad file is a configuration error before any request', () => {
  let home: { dir: string; cleanup: () => void };
  let fake: FakeBackend;
  let issuer: FakeIssuer;
  beforeEach(async () => {
    home = tempDir();
    fake = await startFakeBackend({ fallback: { kind: 'sse', events: textAnswer('should not happen') } });
    issuer = await startFakeIssuer({ device: { pendingPolls: 0, interval: '0' } });
  });
  afterEach(async () => {
    await fake.close();
    await issuer.close();
    home.cleanup();
  });

  const bad = () => {
    const notPem = path.join(home.dir, 'not-pem.crt');
    writeFileSync(notPem, 'this is not a certificate\n');
    const brokenPem = path.join(home.dir, 'broken.pem');
    writeFileSync(brokenPem, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    return [
      [path.join(home.dir, 'missing.pem'), 'does not exist'],
      [notPem, 'holds no PEM certificate'],
      [brokenPem, 'holds a certificate that does not parse'],
      [home.dir, 'is not a file'],
    ] as const;
  };

  it.each(['KOLEGA_CA_CERTIFICATE', 'SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS'])(
    '%s: run exits 2 naming the variable and the file; no request',
    async (variable) => {
      for (const [file, why] of bad()) {
        const r = await runCli(['run', '--json', '--no-stdin', 'hi'], {
          env: {
            KOLEGA_HOME: home.dir,
            OPENAI_API_KEY: 'test-key',
            OPENAI_BASE_URL: fake.openaiBaseUrl,
            [variable]: file,
          },
        });
        expect(r.code, file).toBe(2);
        expect(r.stderr).toContain(`${variable}=${file} ${why}`);
        expect(parseEvents(r.stdout).at(-1)).toMatchObject({ type: 'turn.failed', error: { code: 'bad_ca_file' } });
      }
      expect(fake.requests).toHaveLength(0);
    },
  );

  it('auth login fails with exit 2 before printing a URL or calling the issuer', async () => {
    const r = await runCli(['auth', 'login', 'chatgpt', '--device-auth'], {
      env: {
        KOLEGA_HOME: home.dir,
        KOLEGA_AUTH_ISSUER: issuer.url,
        KOLEGA_CA_CERTIFICATE: path.join(home.dir, 'nope.pem'),
      },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`KOLEGA_CA_CERTIFICATE=${path.join(home.dir, 'nope.pem')} does not exist`);
    expect(issuer.requests).toHaveLength(0);
    const browser = await runCli(['auth', 'login', 'chatgpt', '--timeout', '5'], {
      env: {
        KOLEGA_HOME: home.dir,
        KOLEGA_AUTH_ISSUER: issuer.url,
        BROWSER: '/bin/true',
        SSL_CERT_FILE: path.join(home.dir, 'nope.pem'),
      },
    });
    expect(browser.code).toBe(2);
    expect(browser.stderr).not.toMatch(/oauth\/authorize/);
  });

  it('doctor names the bad variable and file', async () => {
    const r = await runCli(['doctor', '--json'], {
      env: { KOLEGA_HOME: home.dir, SSL_CERT_FILE: path.join(home.dir, 'nope.pem') },
    });
    const doc = JSON.parse(r.stdout) as { checks: { id: string; status: string; message: string }[] };
    const ca = doc.checks.find((c) => c.id === 'tls.extra_ca')!;
    expect(ca.status).toBe('fail');
    expect(ca.message).toContain(`SSL_CERT_FILE=${path.join(home.dir, 'nope.pem')}`);
  });
});
