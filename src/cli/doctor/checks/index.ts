/**
 * `kolega doctor`'s checks, in report order. Each check returns ok/warn/fail with a one-line fix;
 * nothing here throws for a broken setup — finding it is the point. Only `--fix` changes anything
 * (file modes under KOLEGA_HOME).
 */
import { existsSync } from 'node:fs';
import { DEFAULT_ISSUER } from '../../../core/auth/constants.js';
import { isKolegaError } from '../../../core/errors.js';
import { knownModels } from '../../../core/models/known.js';
import { baseUrlFromEnv, DEFAULT_CHATGPT_BASE_URL, DEFAULT_OPENAI_BASE_URL } from '../../../core/net/base-url.js';
import { readCredentials, type Credentials } from '../../../core/store/credentials.js';
import { readSettings, type Settings } from '../../../core/store/settings.js';
import { probeSandbox } from '../../../core/tools/sandbox-probe.js';
import { MASKED_PATHS_SETTING, maskedPaths, parseMaskedSetting } from '../../../core/tools/masked-paths.js';
import {
  checkCredentialsFile,
  checkCredentialsMode,
  checkExtraCa,
  checkHome,
  checkNode,
  checkSettingsFile,
} from './files.js';
import { checkClock, checkProxy, probeTarget, type NetTarget } from './network.js';
import { checkAnyCredentials, checkApiKey, checkChatGPT, checkSelection } from './signin.js';
import { checkCodexIdentity } from './identity.js';
import { checkOnline } from './online.js';
import { check, type CheckResult, type DoctorInput, type TerminalFacts } from './types.js';

/** Re-exported shapes of the doctor report. */
export type { CheckResult, DoctorInput, TerminalFacts } from './types.js';

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

/** The terminal as the CLI measured it (informational: never fails). */
export function checkTerminal(t: TerminalFacts): CheckResult {
  const msg = `stdout ${t.stdoutTTY ? 'is a terminal' : 'is not a terminal'}, stderr ${t.stderrTTY ? 'is a terminal' : 'is not a terminal'}, colour ${t.color ? 'on' : 'off'}${t.term ? `, TERM=${t.term}` : ''}`;
  return check('terminal', 'terminal', 'config', 'ok', msg, undefined, {
    stdout_tty: t.stdoutTTY,
    stderr_tty: t.stderrTTY,
    color: t.color,
    term: t.term ?? null,
  });
}

/**
 * Bubblewrap for the sandboxed shell tool, probed exactly as `shell` uses it (tools/sandbox-probe.ts);
 * a warning when unusable: the shell is then offered only under full-access.
 */
export async function checkSandbox(env: NodeJS.ProcessEnv): Promise<CheckResult> {
  const p = await probeSandbox({ env, fresh: true });
  const details = { bwrap: p.bwrap, available: p.available, reason: p.reason ?? null };
  if (p.available)
    return check(
      'sandbox',
      'bubblewrap sandbox',
      'config',
      'ok',
      `${p.bwrap} can create the shell tool's sandbox`,
      undefined,
      details,
    );
  return check(
    'sandbox',
    'bubblewrap sandbox',
    'config',
    'warn',
    `${p.reason}: the shell tool is offered only with --sandbox full-access`,
    p.hint,
    details,
  );
}

/**
 * What the sandbox hides from tools (masked-paths.ts): the secret paths present on this machine,
 * plus any `sandbox_masked_paths` entry that is neither absolute nor `~/...` (a warning).
 */
export function checkMaskedPaths(home: string, env: NodeJS.ProcessEnv, settings: Settings): CheckResult {
  const setting =
    typeof settings[MASKED_PATHS_SETTING] === 'string' ? (settings[MASKED_PATHS_SETTING] as string) : undefined;
  const all = maskedPaths({ env, setting });
  const present = all.filter((p) => existsSync(p));
  const bad = setting ? parseMaskedSetting(setting, env.HOME || home).bad : [];
  const details = { masked: present, configured: all, bad_entries: bad };
  const msg =
    present.length > 0
      ? `hidden from tools below full-access: ${present.join(', ')}`
      : `none of the ${all.length} masked paths exists here`;
  if (bad.length > 0) {
    return check(
      'sandbox.masked',
      'masked secret paths',
      'config',
      'warn',
      `${msg}; ${MASKED_PATHS_SETTING} entries ignored: ${bad.join(', ')}`,
      `use absolute paths or ~/...: kolega config set ${MASKED_PATHS_SETTING} '~/.secret:/opt/creds'`,
      details,
    );
  }
  return check('sandbox.masked', 'masked secret paths', 'config', 'ok', msg, undefined, details);
}

function targets(env: NodeJS.ProcessEnv, creds: Credentials): { list: NetTarget[]; bad: CheckResult[] } {
  const chatgpt = Boolean(creds.chatgpt?.access_token);
  const apiKey = Boolean(env.OPENAI_API_KEY?.trim() || creds.openai?.api_key);
  const none = !chatgpt && !apiKey;
  const defs = [
    { id: 'issuer', title: 'OAuth issuer', name: 'KOLEGA_AUTH_ISSUER', def: DEFAULT_ISSUER, needed: chatgpt || none },
    {
      id: 'chatgpt',
      title: 'ChatGPT backend',
      name: 'KOLEGA_CHATGPT_BASE_URL',
      def: DEFAULT_CHATGPT_BASE_URL,
      needed: chatgpt || none,
    },
    {
      id: 'openai',
      title: 'OpenAI API',
      name: 'OPENAI_BASE_URL',
      def: DEFAULT_OPENAI_BASE_URL,
      needed: apiKey || none,
    },
  ];
  const list: NetTarget[] = [];
  const bad: CheckResult[] = [];
  for (const d of defs) {
    try {
      list.push({ id: d.id, title: d.title, url: baseUrlFromEnv(env, d.name, d.def), needed: d.needed });
    } catch (err) {
      bad.push(
        check(
          `network.${d.id}`,
          d.title,
          'config',
          'fail',
          isKolegaError(err) ? err.message : String(err),
          isKolegaError(err) ? err.hint : undefined,
          { variable: d.name },
        ),
      );
    }
  }
  return { list, bad };
}

/** Runs every check. Never throws for a broken setup. */
export async function runDoctorChecks(input: DoctorInput): Promise<CheckResult[]> {
  const { home, env } = input;
  const results: CheckResult[] = [
    checkNode(input.nodeVersion ?? process.versions.node),
    checkHome(home, Boolean(env.KOLEGA_HOME), input.fix),
    checkCredentialsMode(home, input.fix),
    checkSettingsFile(home),
    checkCredentialsFile(home),
    checkExtraCa(env),
  ];
  const settings = safe<Settings>(() => readSettings(home), {});
  const creds = safe<Credentials>(() => readCredentials(home), { version: 1 });
  results.push(
    checkSelection(settings, env, knownModels(home, env)),
    checkChatGPT(creds),
    safe(
      () => checkApiKey(home, env),
      check(
        'auth.api_key',
        'OpenAI API key',
        'auth',
        'warn',
        'not checked: the credentials file is unreadable',
        'see credentials file above',
      ),
    ),
    checkAnyCredentials(creds, env),
  );
  results.push(checkCodexIdentity(home, env));
  const proxy = checkProxy(env);
  results.push(proxy);
  const { list, bad } = targets(env, creds);
  results.push(...bad);
  if (proxy.status !== 'fail') {
    const outcomes = await Promise.all(list.map((t) => probeTarget(t, env, input.timeoutMs)));
    results.push(...outcomes.map((o) => o.result));
    results.push(checkClock(outcomes.flatMap((o) => (o.skewMs === undefined ? [] : [o.skewMs]))));
  }
  // After the reachability checks, so an unreachable network is reported (and exits 6) first.
  if (input.online) results.push(await checkOnline(home, env, input.timeoutMs, input.debug));
  results.push(checkTerminal(input.terminal), await checkSandbox(env), checkMaskedPaths(home, env, settings));
  return results;
}
