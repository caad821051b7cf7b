/** Doctor checks of the runtime and the files under KOLEGA_HOME. */
import { CA_VARIABLES, caSources, type CaSource } from '../../../core/net/ca-env.js';
import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { isKolegaError, type KolegaError } from '../../../core/errors.js';
import { readCredentials } from '../../../core/store/credentials.js';
import { credentialsPath, settingsPath } from '../../../core/store/paths.js';
import { readSettings } from '../../../core/store/settings.js';
import { SETTING_KEYS } from '../../../core/store/setting-keys.js';
import { check, type CheckResult } from './types.js';

/** Parses `>=X.Y.Z` (the only form kolega's engines field uses). */
function minVersion(range: string): number[] | undefined {
  const m = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/** Node version against package.json `engines.node`. */
export function checkNode(version: string): CheckResult {
  const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as {
    engines?: { node?: string };
  };
  const range = pkg.engines?.node ?? '';
  const min = minVersion(range);
  const have = version.replace(/^v/, '').split('.').map(Number);
  const details = { version: version.replace(/^v/, ''), engines: range };
  if (!min)
    return check(
      'node',
      'Node.js',
      'config',
      'ok',
      `Node ${details.version} (engines: ${range || 'any'})`,
      undefined,
      details,
    );
  for (let i = 0; i < 3; i++) {
    if ((have[i] ?? 0) > min[i]!) break;
    if ((have[i] ?? 0) < min[i]!) {
      return check(
        'node',
        'Node.js',
        'config',
        'fail',
        `Node ${details.version} is older than required (${range})`,
        `install Node ${min.join('.')} or newer`,
        details,
      );
    }
  }
  return check('node', 'Node.js', 'config', 'ok', `Node ${details.version} (engines ${range})`, undefined, details);
}

const octal = (mode: number): string => (mode & 0o777).toString(8).padStart(4, '0');

/**
 * `--fix` for a too-open file or directory: chmod `target` to `mode`; the result is ok and marked
 * fixed, or `failStatus` with `failMessage` plus the chmod error and the manual command.
 */
function tighten(
  [id, title]: [string, string],
  target: string,
  mode: number,
  oldMode: number,
  details: Record<string, unknown>,
  failStatus: 'warn' | 'fail',
  failMessage: string,
): CheckResult {
  const want = octal(mode);
  try {
    chmodSync(target, mode);
    const r = check(
      id,
      title,
      'config',
      'ok',
      `${target}: mode tightened from ${octal(oldMode)} to ${want}`,
      undefined,
      { ...details, mode: want },
    );
    r.fixed = true;
    return r;
  } catch (err) {
    return check(
      id,
      title,
      'config',
      failStatus,
      `${failMessage}: ${(err as Error).message}`,
      `chmod ${want.slice(1)} '${target}'`,
      details,
    );
  }
}

/** KOLEGA_HOME: exists, is a directory, not open to others (0700). */
export function checkHome(home: string, fromEnv: boolean, fix: boolean): CheckResult {
  const where = fromEnv ? 'KOLEGA_HOME' : 'default location';
  let st;
  try {
    st = statSync(home);
  } catch {
    return check(
      'home',
      'KOLEGA_HOME',
      'config',
      'ok',
      `${home} (${where}) does not exist yet; it is created with mode 0700 on first sign-in`,
      undefined,
      { path: home, exists: false },
    );
  }
  const details: Record<string, unknown> = { path: home, exists: true, mode: octal(st.mode) };
  if (!st.isDirectory())
    return check(
      'home',
      'KOLEGA_HOME',
      'config',
      'fail',
      `${home} is not a directory`,
      'point KOLEGA_HOME at a directory',
      details,
    );
  if ((st.mode & 0o077) !== 0) {
    if (fix) {
      return tighten(
        ['home', 'KOLEGA_HOME'],
        home,
        0o700,
        st.mode,
        details,
        'warn',
        `${home} is open to others (mode ${octal(st.mode)}); chmod failed`,
      );
    }
    return check(
      'home',
      'KOLEGA_HOME',
      'config',
      'warn',
      `${home} is open to others (mode ${octal(st.mode)})`,
      `kolega doctor --fix (or chmod 700 '${home}')`,
      details,
    );
  }
  return check('home', 'KOLEGA_HOME', 'config', 'ok', `${home} (${where}, mode ${octal(st.mode)})`, undefined, details);
}

/** credentials.json must not be readable by group or others (it holds tokens). */
export function checkCredentialsMode(home: string, fix: boolean): CheckResult {
  const file = credentialsPath(home);
  let st;
  try {
    st = statSync(file);
  } catch {
    return check('credentials.permissions', 'credentials file mode', 'config', 'ok', 'no credentials file', undefined, {
      path: file,
      exists: false,
    });
  }
  const details = { path: file, exists: true, mode: octal(st.mode) };
  if ((st.mode & 0o077) === 0)
    return check(
      'credentials.permissions',
      'credentials file mode',
      'config',
      'ok',
      `${file} (mode ${octal(st.mode)})`,
      undefined,
      details,
    );
  if (fix) {
    return tighten(
      ['credentials.permissions', 'credentials file mode'],
      file,
      0o600,
      st.mode,
      details,
      'fail',
      `${file} is readable by others and chmod failed`,
    );
  }
  return check(
    'credentials.permissions',
    'credentials file mode',
    'config',
    'fail',
    `${file} is readable by others (mode ${octal(st.mode)})`,
    `kolega doctor --fix (or chmod 600 '${file}')`,
    details,
  );
}

const KNOWN_SETTINGS = new Set<string>(SETTING_KEYS);

/** settings.json parses; unknown keys are a warning only (a newer kolega may
 * have written them). */
export function checkSettingsFile(home: string): CheckResult {
  const file = settingsPath(home);
  try {
    const s = readSettings(home);
    const unknown = Object.keys(s).filter((k) => !KNOWN_SETTINGS.has(k));
    if (unknown.length > 0) {
      return check(
        'settings.parse',
        'settings file',
        'config',
        'warn',
        `${file} has unknown keys: ${unknown.join(', ')} (ignored)`,
        `remove them, or ignore this`,
        { path: file, unknown_keys: unknown },
      );
    }
    return check(
      'settings.parse',
      'settings file',
      'config',
      'ok',
      `${file} ${existsSync(file) ? (Object.keys(s).length ? 'parses' : 'parses (no settings saved)') : 'does not exist yet (defaults apply)'}`,
      undefined,
      { path: file },
    );
  } catch (err) {
    return failFrom('settings.parse', 'settings file', file, err);
  }
}

/** credentials.json parses. */
export function checkCredentialsFile(home: string): CheckResult {
  const file = credentialsPath(home);
  try {
    readCredentials(home);
    return check(
      'credentials.parse',
      'credentials file',
      'config',
      'ok',
      `${file} ${existsSync(file) ? 'parses' : 'does not exist (not signed in)'}`,
      undefined,
      { path: file },
    );
  } catch (err) {
    return failFrom('credentials.parse', 'credentials file', file, err);
  }
}

function failFrom(id: string, title: string, file: string, err: unknown): CheckResult {
  const msg = isKolegaError(err) ? err.message : (err as Error).message;
  const hint = isKolegaError(err) && err.hint ? err.hint : `fix or move ${file} away`;
  return check(id, title, 'config', 'fail', msg, hint, { path: file });
}

/**
 * Every CA variable (KOLEGA_CA_CERTIFICATE, SSL_CERT_FILE, NODE_EXTRA_CA_CERTS) names a readable
 * PEM file of certificates (net/ca-env.ts; a bad one stops every other command with exit 2).
 */
export function checkExtraCa(env: NodeJS.ProcessEnv): CheckResult {
  const title = 'extra CA certificates';
  let sources: CaSource[];
  try {
    sources = caSources(env);
  } catch (err) {
    const e = err as KolegaError;
    const variable = CA_VARIABLES.find((v) => e.message.startsWith(`${v}=`));
    return check('tls.extra_ca', title, 'config', 'fail', e.message, e.hint, {
      path: variable ? (env[variable] ?? null) : null,
      variable: variable ?? null,
    });
  }
  if (sources.length === 0)
    return check(
      'tls.extra_ca',
      title,
      'config',
      'ok',
      `${CA_VARIABLES.join(', ')} not set (bundled CAs only)`,
      undefined,
      { path: null },
    );
  const n = sources.reduce((sum, s) => sum + s.certificates.length, 0);
  const list = sources
    .map(
      (s) => `${s.variable}=${s.file} (${s.certificates.length} certificate${s.certificates.length === 1 ? '' : 's'})`,
    )
    .join(', ');
  return check('tls.extra_ca', title, 'config', 'ok', list, undefined, {
    path: sources[0]!.file,
    certificates: n,
    variables: sources.map((s) => s.variable),
  });
}
