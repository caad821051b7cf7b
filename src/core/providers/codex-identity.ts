/**
 * The Codex client identity kolega presents to the ChatGPT backend (README "Models"): the claimed
 * Codex version (constant, `KOLEGA_CODEX_VERSION`, or the `codex_version` setting), the user agent
 * in Codex's shape, and the per-request headers that name the session, window, model and turn
 * (docs/protocol.md "Client identity"). Values live in `../auth/constants.ts`.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import {
  BACKEND_ORIGINATOR,
  CODEX_CLIENT_VERSION,
  CODEX_VERSION_ENV,
  CODEX_VERSION_SETTING,
  RESPONSES_LITE_HEADER,
  ROUTING_HINT_HEADER,
  SESSION_ID_HEADERS,
  TURN_STATE_HEADER,
  VERSION_HEADER,
  WINDOW_ID_HEADER,
} from '../auth/constants.js';
import { KolegaError } from '../errors.js';
import { readSettings } from '../store/settings.js';

/** The claimed version and where it came from. */
export interface ClaimedVersion {
  /** `x.y.z` */
  version: string;
  source: 'default' | 'env' | 'setting';
}

/** True for a version kolega may claim: three dot-separated numbers. */
export function isCodexVersion(v: string): boolean {
  return /^\d{1,6}\.\d{1,6}\.\d{1,6}$/.test(v);
}

/**
 * The Codex version kolega claims: `KOLEGA_CODEX_VERSION`, else the `codex_version` setting, else
 * the constant.
 * @throws KolegaError(usage, `bad_codex_version`) when the env var is not `x.y.z`;
 *   KolegaError(config, `bad_codex_version`) when the setting is not; KolegaError(config) for a
 *   corrupt settings file.
 */
export function claimedCodexVersion(home: string, env: NodeJS.ProcessEnv): ClaimedVersion {
  const fromEnv = env[CODEX_VERSION_ENV]?.trim();
  if (fromEnv) {
    if (!isCodexVersion(fromEnv)) {
      throw new KolegaError(
        'usage',
        'bad_codex_version',
        `${CODEX_VERSION_ENV} must be a version like ${CODEX_CLIENT_VERSION}`,
        { hint: `unset ${CODEX_VERSION_ENV} or fix it` },
      );
    }
    return { version: fromEnv, source: 'env' };
  }
  const saved = readSettings(home)[CODEX_VERSION_SETTING];
  if (typeof saved === 'string' && saved !== '') {
    if (!isCodexVersion(saved)) {
      throw new KolegaError(
        'config',
        'bad_codex_version',
        `the setting ${CODEX_VERSION_SETTING} must be a version like ${CODEX_CLIENT_VERSION}`,
        {
          hint: `run: kolega config unset ${CODEX_VERSION_SETTING}`,
        },
      );
    }
    return { version: saved, source: 'setting' };
  }
  return { version: CODEX_CLIENT_VERSION, source: 'default' };
}

let osLabel: string | undefined;

/** `<OS name> <version>` as Codex's user agent shows it (e.g. `Debian 12`); never throws. */
function operatingSystem(): string {
  if (osLabel !== undefined) return osLabel;
  osLabel = `${os.type()} ${os.release()}`;
  if (process.platform === 'linux') {
    try {
      const rel = readFileSync('/etc/os-release', 'utf8');
      const field = (k: string) => new RegExp(`^${k}="?([^"\\n]*)"?$`, 'm').exec(rel)?.[1];
      const name = field('NAME')?.split(' ')[0];
      if (name) osLabel = `${name} ${field('VERSION_ID') ?? os.release()}`;
    } catch {
      // keep the kernel's name and release
    }
  } else if (process.platform === 'darwin') {
    osLabel = `Mac OS ${os.release()}`;
  }
  return osLabel;
}

const ARCH: Record<string, string> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'x86' };

/**
 * The user agent of backend requests, in the shape of `codex exec`:
 * `codex_exec/<version> (<OS> <version>; <arch>) <terminal> (codex_exec; <version>)`.
 * Non-printable characters become `_`.
 */
export function codexUserAgent(version: string, env: NodeJS.ProcessEnv): string {
  const terminal =
    (env.TERM_PROGRAM || env.TERM || 'unknown').replace(/[^A-Za-z0-9._/-]/g, '_').slice(0, 40) || 'unknown';
  const ua = `${BACKEND_ORIGINATOR}/${version} (${operatingSystem()}; ${ARCH[os.arch()] ?? os.arch()}) ${terminal} (${BACKEND_ORIGINATOR}; ${version})`;
  return ua.replace(/[^\x20-\x7e]/g, '_');
}

/** Headers every ChatGPT-backend request carries (`/responses` and `/models`). */
export function identityHeaders(version: string, env: NodeJS.ProcessEnv): Record<string, string> {
  return { [VERSION_HEADER]: version, originator: BACKEND_ORIGINATOR, 'user-agent': codexUserAgent(version, env) };
}

/** What the per-request headers of one `/responses` request depend on. */
export interface TurnHeaderSpec {
  /** The session (thread) id, a UUIDv7. */
  sessionId: string;
  model: string;
  /** The model takes the Responses Lite shape. */
  lite: boolean;
  /** The `x-codex-turn-state` value of an earlier response of the same turn, if any. */
  turnState?: string;
}

/**
 * The session headers of a ChatGPT `/responses` request (docs/protocol.md "Client identity"):
 * `session-id` = `thread-id` = `x-client-request-id` = the session id, `x-codex-window-id`
 * `<session>:0`, `x-codex-routing-hint` `model=<slug>`, the lite header for lite models, and the
 * turn state within a turn.
 */
export function turnHeaders(spec: TurnHeaderSpec): Record<string, string> {
  const h: Record<string, string> = {};
  for (const name of SESSION_ID_HEADERS) h[name] = spec.sessionId;
  h[WINDOW_ID_HEADER] = `${spec.sessionId}:0`;
  h[ROUTING_HINT_HEADER] = `model=${spec.model}`;
  if (spec.lite) h[RESPONSES_LITE_HEADER] = 'true';
  if (spec.turnState !== undefined) h[TURN_STATE_HEADER] = spec.turnState;
  return h;
}
