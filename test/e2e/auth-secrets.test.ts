/**
 * No token or key in any output: every stdout, stderr and `--debug` line of a full session (login,
 * status, run with a refresh, 401 recovery, device login, API-key login, logout) is searched for
 * every secret the fake issuer handed out and for the API key.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { startFakeBackend, type FakeBackend } from '../fakes/backend.js';
import { startFakeIssuer, type FakeIssuer } from '../fakes/issuer.js';
import { textAnswer } from '../fakes/sse-events.js';
import { exited, freePort, live, playBrowser, waitForAuthorizeUrl } from '../helpers/auth.js';
import { runCli, spawnCli, tempDir, type CliResult } from '../helpers/cli.js';

let home: { dir: string; cleanup: () => void };
let issuer: FakeIssuer;
let backend: FakeBackend;
const API_KEY = 'sk-proj-SECRETSECRETSECRET0123456789';

beforeEach(async () => {
  home = tempDir();
});
afterEach(async () => {
  await backend.close();
  await issuer.close();
  home.cleanup();
});

it('never prints a token, code, verifier or key, with or without --debug', async () => {
  const port = await freePort();
  issuer = await startFakeIssuer({ allowedPorts: [port], accessTtlSeconds: 200, device: { pendingPolls: 1 } });
  backend = await startFakeBackend({
    chatgptTokens: (t) => issuer.isValidAccessToken(t),
    apiKeys: [API_KEY],
    steps: [{ kind: 'http', status: 401, body: JSON.stringify({ detail: 'revoked' }) }],
    fallback: { kind: 'sse', events: textAnswer('hello') },
  });
  const env = {
    KOLEGA_HOME: home.dir,
    KOLEGA_AUTH_ISSUER: issuer.url,
    KOLEGA_CHATGPT_BASE_URL: backend.chatgptBaseUrl,
    OPENAI_BASE_URL: backend.openaiBaseUrl,
  };
  const outputs: string[] = [];
  const keep = (r: CliResult | { stdout: string; stderr: string }) => outputs.push(r.stdout, r.stderr);

  for (const debug of [['--debug'], []]) {
    const child = spawnCli([...debug, 'auth', 'login', 'chatgpt', '--port', String(port), '--timeout', '20'], { env });
    const out = live(child);
    await playBrowser(await waitForAuthorizeUrl(out));
    expect((await exited(child)).code).toBe(0);
    keep(out);
    keep(await runCli([...debug, 'auth', 'status'], { env }));
    keep(await runCli([...debug, 'auth', 'status', '--json'], { env }));
    // access tokens live 200 s: inside the 5-minute window, so this run refreshes; the first
    // backend answer is a 401, so it also recovers once
    const r = await runCli([...debug, 'run', 'hi'], { env });
    expect(r.code).toBe(0);
    keep(r);
    keep(await runCli([...debug, 'run', '--json', 'hi'], { env }));
    keep(await runCli([...debug, 'auth', 'login', 'openai', '--with-api-key'], { env, stdin: API_KEY }));
    keep(await runCli([...debug, 'auth', 'status'], { env }));
    keep(await runCli([...debug, 'run', '-m', 'openai/gpt-5.5', 'hi'], { env }));
    keep(await runCli([...debug, 'auth', 'status'], { env: { ...env, OPENAI_API_KEY: API_KEY } }));
    keep(await runCli([...debug, 'auth', 'logout', '--all'], { env }));
    const dev = await runCli([...debug, 'auth', 'login', 'chatgpt', '--device-auth'], { env });
    expect(dev.code).toBe(0);
    keep(dev);
    keep(await runCli([...debug, 'auth', 'logout', 'chatgpt'], { env }));
  }
  expect(issuer.refreshCount).toBeGreaterThanOrEqual(2);
  const all = outputs.join('\n');
  expect(all).toContain('[debug]');
  const secrets = [...issuer.secrets(), API_KEY];
  expect(secrets.length).toBeGreaterThan(10);
  for (const s of secrets) expect(all.includes(s), `leaked ${s.slice(0, 12)}...`).toBe(false);
  // no JWT-looking string at all
  expect(all).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
}, 120_000);
