/**
 * The work of `kolega auth login` (wiring in commands/auth.ts): the browser or device-code ChatGPT
 * sign-in, or storing an API key from stdin. URLs, codes and progress go to stderr; stdout stays
 * empty.
 */
import readline from 'node:readline';
import { loginWithBrowser } from '../../core/auth/browser-login.js';
import { LOOPBACK_PORTS } from '../../core/auth/constants.js';
import { loginWithDeviceCode } from '../../core/auth/device-login.js';
import { parseApiKey, storeApiKey } from '../../core/auth/api-key.js';
import { checkApiKeyOnline } from '../../core/auth/verify-key.js';
import type { LoginProgress } from '../../core/auth/login-progress.js';
import type { LoginSummary } from '../../core/auth/save-login.js';
import { KolegaError } from '../../core/errors.js';
import { credentialsPath, kolegaHome } from '../../core/store/paths.js';
import { readCredentials } from '../../core/store/credentials.js';
import type { LoginOptions } from '../commands/auth.js';
import type { CliContext } from '../context.js';
import { IO } from '../io.js';
import { installSignalHandlers } from '../signals.js';
import { browserSkipReason, openBrowser } from './browser.js';
import { loginProgressLines } from './login-messages.js';
import { parseTarget } from './targets.js';

/**
 * Runs `kolega auth login [target]`.
 * Failures are thrown for the CLI's one reporter (../exit.ts), which maps them to: 2 usage
 * (missing/unknown target, bad flags, TTY or empty stdin for --with-api-key); 3 sign-in failed
 * (denied, free plan, timeout, ports busy) or the API key was refused (401/403); 5/6 the key could
 * not be checked with --verify; 6 network; 130 interrupted.
 * @throws KolegaError as listed above
 */
export async function executeLogin(target: string | undefined, opts: LoginOptions, ctx: CliContext): Promise<void> {
  const io = ctx.io ?? new IO({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  const controller = new AbortController();
  const removeSignals = installSignalHandlers(controller);
  try {
    const t = parseTarget('login', target);
    const home = kolegaHome(ctx.env);
    // A corrupt store would only be found after the browser round trip: fail first, so the
    // user does not sign in only to learn the result cannot be stored.
    readCredentials(home);
    if (t === 'openai') {
      if (opts.deviceAuth || opts.port !== undefined)
        throw new KolegaError('usage', 'conflicting_flags', '--device-auth and --port apply to chatgpt only');
      if (!opts.withApiKey) {
        throw new KolegaError('usage', 'api_key_from_stdin', 'the API key is read from stdin: add --with-api-key', {
          hint: 'printenv OPENAI_API_KEY | kolega auth login openai --with-api-key',
        });
      }
      const stdin = ctx.stdin as NodeJS.ReadStream;
      if (stdin.isTTY) {
        throw new KolegaError('usage', 'api_key_tty', '--with-api-key reads the key from stdin, which is a terminal', {
          hint: 'printenv OPENAI_API_KEY | kolega auth login openai --with-api-key',
        });
      }
      io.warn('kolega: reading the API key from stdin...');
      const key = parseApiKey(await readAll(stdin));
      if (opts.verify !== false) await verifyBeforeStoring(key, opts.verify === true, ctx, io, controller.signal);
      await storeApiKey(home, key, controller.signal);
      io.warn(`kolega: API key stored in ${credentialsPath(home)}`);
      if (ctx.env.OPENAI_API_KEY?.trim())
        io.warn('kolega: note: OPENAI_API_KEY is set in the environment and wins over the stored key');
      return;
    }
    if (opts.withApiKey || opts.verify !== undefined) {
      throw new KolegaError(
        'usage',
        'conflicting_flags',
        `${opts.withApiKey ? '--with-api-key' : opts.verify ? '--verify' : '--no-verify'} applies to openai only`,
        { hint: 'kolega auth login openai --with-api-key' },
      );
    }
    const debug = io.debugEnabled ? (line: string) => io.debug(line) : undefined;
    const onProgress = (event: LoginProgress) => {
      for (const line of loginProgressLines(event)) io.err(line);
    };
    let summary: LoginSummary;
    if (opts.deviceAuth) {
      summary = await loginWithDeviceCode({
        home,
        env: ctx.env,
        signal: controller.signal,
        onProgress,
        debug,
        maxWaitMs: opts.timeoutGiven ? opts.timeout * 1000 : undefined,
      });
    } else {
      const skip = browserSkipReason(ctx.env, opts.browser);
      const pasted = pastedLines(ctx.stdin as NodeJS.ReadStream, io);
      try {
        summary = await loginWithBrowser({
          home,
          env: ctx.env,
          ports: opts.port !== undefined ? [opts.port] : LOOPBACK_PORTS,
          timeoutMs: opts.timeout * 1000,
          signal: controller.signal,
          onProgress,
          debug,
          pasted: pasted.lines,
          onUrl: (url) => {
            if (skip) io.debug(`not opening a browser: ${skip}`);
            else openBrowser(url, ctx.env, (l) => io.warn(l));
            if (pasted.tty)
              io.err(
                'kolega: if the browser cannot reach this machine, paste the URL it ends up on here and press Enter:',
              );
          },
        });
      } finally {
        pasted.close();
      }
    }
    const who = [summary.email, summary.plan ? `plan ${summary.plan}` : undefined].filter(Boolean).join(', ');
    io.err(`kolega: signed in with ChatGPT${who ? ` (${who})` : ''}; credentials stored in ${credentialsPath(home)}`);
    if (summary.plan && !summary.planKnown)
      io.warn(`kolega: note: plan "${summary.plan}" is not one kolega knows; the server decides what it allows`);
  } finally {
    removeSignals();
  }
}

/**
 * Checks `key` with one request before it is stored. A refused key (401/403) throws
 * KolegaError(auth): exit 3, nothing stored. When the check gives no verdict (network failure,
 * timeout, another status) the key is stored with a warning, unless `strict` (`--verify`), which
 * throws the failure's own class (6 network, 5 upstream) and stores nothing: an offline machine
 * can still be set up, and a script that must not store an unchecked key says so.
 */
async function verifyBeforeStoring(
  key: string,
  strict: boolean,
  ctx: CliContext,
  io: IO,
  signal: AbortSignal,
): Promise<void> {
  const debug = io.debugEnabled ? (line: string) => io.debug(line) : undefined;
  const c = await checkApiKeyOnline(key, { env: ctx.env, signal, debug });
  if (c.result === 'valid') {
    io.warn(`kolega: the OpenAI API accepted the key (${c.baseUrl}/models)`);
    return;
  }
  if (c.result === 'rejected') throw withSuffix(c.error, '; nothing stored');
  if (strict) {
    throw new KolegaError(
      c.error.exitClass,
      c.error.code,
      `could not check the key: ${c.error.message}; nothing stored (--verify)`,
      {
        httpStatus: c.error.httpStatus,
        hint: 'check the network (kolega doctor), or rerun without --verify to store the key unchecked',
      },
    );
  }
  io.warn(
    `kolega: warning: could not check the key (${c.error.message}); storing it unchecked (--verify refuses instead)`,
  );
}

/** A copy of `err` whose message ends with `suffix`. */
function withSuffix(err: KolegaError, suffix: string): KolegaError {
  return new KolegaError(err.exitClass, err.code, `${err.message}${suffix}`, {
    hint: err.hint,
    httpStatus: err.httpStatus,
    requestId: err.requestId,
  });
}

/** Reads a stream to its end as UTF-8. */
async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** Lines from stdin for the paste-the-URL path; `close` stops reading so the process can exit. */
function pastedLines(
  stdin: NodeJS.ReadStream,
  io: IO,
): { lines: AsyncIterable<string>; tty: boolean; close: () => void } {
  const rl = readline.createInterface({ input: stdin, terminal: false, crlfDelay: Infinity });
  rl.on('error', (e) => io.debug(`stdin: ${e.message}`));
  return {
    lines: rl,
    tty: stdin.isTTY === true,
    close: () => {
      rl.close();
      if (typeof stdin.pause === 'function') stdin.pause();
      if (!stdin.isTTY && typeof (stdin as { destroy?: () => void }).destroy === 'function')
        (stdin as { destroy: () => void }).destroy();
    },
  };
}
