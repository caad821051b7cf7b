/** Pure doctor checks: Node version, clock skew, sign-in states, selection, bubblewrap probe, exit mapping. */
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { doctorFailure } from '../../../../src/cli/doctor/run.js';
import { exitCodeFor } from '../../../../src/cli/exit.js';
import { checkSandbox } from '../../../../src/cli/doctor/checks/index.js';
import { checkNode } from '../../../../src/cli/doctor/checks/files.js';
import { checkClock, checkProxy } from '../../../../src/cli/doctor/checks/network.js';
import { checkChatGPT, checkSelection } from '../../../../src/cli/doctor/checks/signin.js';
import { maskKey } from '../../../../src/core/redact.js';
import { check } from '../../../../src/cli/doctor/checks/types.js';
import { tempDir } from '../../../helpers/cli.js';
import { chatgptClaims, makeJwt } from '../../../helpers/tokens.js';

describe('checkNode', () => {
  it('compares against engines (>=20.18.1)', () => {
    expect(checkNode('v20.18.1').status).toBe('ok');
    expect(checkNode('22.0.0').status).toBe('ok');
    const old = checkNode('v20.18.0');
    expect(old).toMatchObject({ status: 'fail', class: 'config' });
    expect(old.fix).toBe('install Node 20.18.1 or newer');
    expect(checkNode('18.20.4').status).toBe('fail');
  });
});

describe('checkClock', () => {
  it('warns beyond two minutes either way', () => {
    expect(checkClock([]).status).toBe('ok');
    expect(checkClock([1500, -800]).status).toBe('ok');
    expect(checkClock([0, 600_000])).toMatchObject({
      status: 'warn',
      message: 'the local clock is 600 s behind the server',
    });
    expect(checkClock([-300_000]).message).toContain('ahead of');
  });
});

describe('checkChatGPT', () => {
  const creds = (access: string, refresh = 'rt') => ({
    version: 1 as const,
    chatgpt: {
      id_token: makeJwt(chatgptClaims({ plan: 'pro', accountId: 'acct-9' })),
      access_token: access,
      refresh_token: refresh,
      account_id: null,
      last_refresh: '',
    },
  });
  const now = Date.UTC(2026, 10, 30);
  it('reports plan, account and expiry without tokens', () => {
    const access = makeJwt(chatgptClaims({ exp: now / 1000 + 3600 }));
    const r = checkChatGPT(creds(access), now);
    expect(r.status).toBe('ok');
    expect(r.message).toContain('plan pro, account acct-9');
    expect(JSON.stringify(r)).not.toContain(access);
  });
  it('access token without exp: ok; not signed in: ok (other checks decide)', () => {
    expect(checkChatGPT(creds('opaque-token'), now).status).toBe('ok');
    expect(checkChatGPT({ version: 1 }, now)).toMatchObject({ status: 'ok', details: { signed_in: false } });
  });
  it('missing refresh token but still valid: warn', () => {
    expect(checkChatGPT(creds(makeJwt(chatgptClaims({ exp: now / 1000 + 3600 })), ''), now).status).toBe('warn');
  });
});

describe('checkSelection', () => {
  it('valid, stale (warn) and bad env (fail)', () => {
    expect(checkSelection({ model: 'openai/gpt-5.4' }, {}).status).toBe('ok');
    expect(checkSelection({ provider: 'bedrock', effort: 'none' }, {})).toMatchObject({
      status: 'warn',
      fix: 'kolega config unset provider; kolega config unset effort',
    });
    expect(checkSelection({}, { KOLEGA_MODEL: 'nope' }).status).toBe('fail');
  });
});

describe('checkProxy', () => {
  it('shows the proxy redacted, fails on a non-http proxy URL', () => {
    expect(checkProxy({ HTTPS_PROXY: 'http://u:pw@proxy:3128', NO_PROXY: 'localhost' }).message).toBe(
      'HTTPS http://u:***@proxy:3128; NO_PROXY localhost',
    );
    expect(checkProxy({ HTTPS_PROXY: 'socks5://proxy:1080' }).status).toBe('fail');
    expect(checkProxy({}).message).toContain('no proxy');
  });
});

describe('checkSandbox', () => {
  it('warns when bwrap is not installed', async () => {
    const r = await checkSandbox({ PATH: '/nonexistent' });
    expect(r.status).toBe('warn');
    expect(r.message).toContain('not installed');
  });
  it('warns when bwrap cannot create a namespace, with the reason', async () => {
    const d = tempDir();
    const fake = path.join(d.dir, 'bwrap');
    writeFileSync(fake, '#!/bin/sh\necho "bwrap: No permissions to create new namespace" >&2; exit 1\n');
    chmodSync(fake, 0o755);
    const r = await checkSandbox({ PATH: d.dir });
    expect(r.status).toBe('warn');
    expect(r.message).toContain('No permissions to create new namespace');
    d.cleanup();
  });
});

describe('doctor exit status', () => {
  it('0 without failures; else the first failed class', () => {
    const ok = check('a', 'a', 'network', 'warn', 'x');
    expect(doctorFailure([ok])).toBeUndefined();
    const first = doctorFailure([ok, check('b', 'b', 'auth', 'fail', 'x'), check('c', 'c', 'config', 'fail', 'x')]);
    expect(first?.alreadyShown).toBe(true);
    expect(exitCodeFor(first)).toBe(3);
    expect(exitCodeFor(doctorFailure([check('n', 'n', 'network', 'fail', 'x')]))).toBe(6);
  });
  it('masks keys', () => {
    expect(maskKey('sk-proj-abcdefghijklmnop')).toBe('sk-proj-***lmnop');
    expect(maskKey('short')).toBe('***');
  });
});

describe('checkCodexIdentity', () => {
  it('ok at the default version; warns naming each model a lower claimed version hides, with the fix; fails on a malformed version', async () => {
    const { checkCodexIdentity } = await import('../../../../src/cli/doctor/checks/identity.js');
    const home = tempDir();
    try {
      const ok = checkCodexIdentity(home.dir, {});
      expect(ok).toMatchObject({
        id: 'codex.identity',
        status: 'ok',
        message: 'claims Codex 0.171.0 to the ChatGPT backend',
      });
      const low = checkCodexIdentity(home.dir, { KOLEGA_CODEX_VERSION: '0.150.0' });
      expect(low.status).toBe('warn');
      expect(low.message).toMatch(/from KOLEGA_CODEX_VERSION/);
      expect(low.message).toMatch(/gpt-6\.2-sol \(needs 0\.166\.0\)/);
      expect(low.message).not.toMatch(/gpt-5\.6-sol/); // needs 0.144.0: still listed at 0.150.0
      expect(low.fix).toBe('unset KOLEGA_CODEX_VERSION');
      // a model of the cached live list the bundled catalogue does not know counts too
      writeFileSync(
        path.join(home.dir, 'models-cache.json'),
        JSON.stringify({
          version: 2,
          fetched_at: new Date().toISOString(),
          base_url: 'x',
          account_id: null,
          client_version: '0.171.0',
          models: [{ slug: 'gpt-7-sol', efforts: ['low'], minimal_client_version: '0.180.0' }],
        }),
      );
      const future = checkCodexIdentity(home.dir, {});
      expect(future.status).toBe('warn');
      expect(future.message).toMatch(/hides 1 model\(s\) at this version: gpt-7-sol \(needs 0\.180\.0\)/);
      expect(future.fix).toBe('update kolega');
      expect(checkCodexIdentity(home.dir, { KOLEGA_CODEX_VERSION: 'latest' }).status).toBe('fail');
    } finally {
      home.cleanup();
    }
  });
});
