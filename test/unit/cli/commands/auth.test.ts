/**
 * `kolega auth login|status|logout` flag parsing in-process (src/cli/commands/auth.ts through its
 * `runF`): the typed options each command line becomes, and what commander refuses.
 */
import { describe, expect, it } from 'vitest';
import { registerAuth, type AuthCommand } from '../../../../src/cli/commands/auth.js';
import { LOGIN_TIMEOUT_SECONDS } from '../../../../src/core/auth/constants.js';
import { parseCommand } from '../../../helpers/parse-command.js';

const parse = (...argv: string[]) => parseCommand<AuthCommand>(registerAuth, ['auth', ...argv]);
const parsed = async (...argv: string[]) => (await parse(...argv)).parsed;

describe('kolega auth login', () => {
  it('defaults: browser on, the default timeout not marked as given, no verify choice', async () => {
    expect(await parsed('login', 'chatgpt')).toEqual({
      command: 'login',
      target: 'chatgpt',
      options: { browser: true, timeout: LOGIN_TIMEOUT_SECONDS, timeoutGiven: false },
    });
  });

  it('marks --timeout as given (the device flow then waits that long, not its own 15 minutes)', async () => {
    const p = await parsed('login', 'chatgpt', '--device-auth', '--timeout', '90');
    expect(p).toMatchObject({ options: { deviceAuth: true, timeout: 90, timeoutGiven: true } });
    const same = await parsed('login', 'chatgpt', '--timeout', String(LOGIN_TIMEOUT_SECONDS));
    expect(same).toMatchObject({ options: { timeoutGiven: true } });
  });

  it('parses --no-browser, --port, --with-api-key, --verify and --no-verify', async () => {
    expect(await parsed('login', 'chatgpt', '--no-browser', '--port', '1457')).toMatchObject({
      options: { browser: false, port: 1457 },
    });
    expect(await parsed('login', 'openai', '--with-api-key', '--verify')).toMatchObject({
      target: 'openai',
      options: { withApiKey: true, verify: true },
    });
    expect(await parsed('login', 'openai', '--with-api-key', '--no-verify')).toMatchObject({
      options: { verify: false },
    });
  });

  it('passes the target through as typed or absent (the behaviour checks it, case-insensitively)', async () => {
    expect(await parsed('login', 'ChatGPT')).toMatchObject({ target: 'ChatGPT' });
    expect(await parsed('login')).toMatchObject({ command: 'login', target: undefined });
  });

  it.each([
    [['--port', '0'], /port number \(1-65535\)/],
    [['--port', '65536'], /port number \(1-65535\)/],
    [['--timeout', '-5'], /positive number of seconds/],
    [['--browser'], /unknown option '--browser'/],
  ])('refuses %j', async (flags, message) => {
    const r = await parse('login', 'chatgpt', ...flags);
    expect(r.calls).toEqual([]);
    expect(r.stderr).toMatch(message);
  });
});

describe('kolega auth status and logout', () => {
  it('parses status with and without --json', async () => {
    expect(await parsed('status')).toEqual({ command: 'status', options: {} });
    expect(await parsed('status', '--json')).toEqual({ command: 'status', options: { json: true } });
  });

  it('parses logout with a target or --all', async () => {
    expect(await parsed('logout', 'openai')).toEqual({ command: 'logout', target: 'openai', options: {} });
    expect(await parsed('logout', '--all')).toEqual({ command: 'logout', target: undefined, options: { all: true } });
  });

  it('refuses a second target', async () => {
    const r = await parse('logout', 'openai', 'chatgpt');
    expect(r.calls).toEqual([]);
    expect(r.stderr).toMatch(/too many arguments/);
  });
});
