/**
 * The work of `kolega auth logout` (wiring in commands/auth.ts): revoke (best effort) and delete.
 * Exit 0 whether or not anything was stored (idempotent); 2 for a missing/unknown target or a
 * corrupt credentials file without --all.
 */
import { logout, type LogoutTarget } from '../../core/auth/logout.js';
import { kolegaHome } from '../../core/store/paths.js';
import type { LogoutOptions } from '../commands/auth.js';
import type { CliContext } from '../context.js';
import { IO } from '../io.js';
import { parseTarget } from './targets.js';

/**
 * Runs `kolega auth logout [target] [--all]`.
 * @throws KolegaError(usage) for a bad target; KolegaError(config) when the credentials file
 *   cannot be changed — reported and mapped to an exit status by the CLI's one reporter (../exit.ts)
 */
export async function executeLogout(target: string | undefined, opts: LogoutOptions, ctx: CliContext): Promise<void> {
  const io = ctx.io ?? new IO({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  const targets: LogoutTarget[] =
    opts.all && target === undefined ? ['chatgpt', 'openai'] : [parseTarget('logout', target)];
  const debug = io.debugEnabled ? (line: string) => io.debug(line) : undefined;
  const r = await logout({ home: kolegaHome(ctx.env), env: ctx.env, targets, all: opts.all === true, debug });
  if (r.removedCorruptFile) io.err('kolega: removed the corrupt credentials file');
  else if (r.removed.length === 0)
    io.err(`kolega: not signed in${targets.length === 1 ? ` to ${targets[0]}` : ''}; nothing to remove`);
  else {
    io.err(`kolega: signed out of ${r.removed.join(' and ')}`);
    if (r.revoked === false)
      io.warn(
        'kolega: note: the issuer did not confirm revoking the refresh token; the local credentials are deleted anyway',
      );
  }
  for (const f of r.removedCaches) io.err(`kolega: removed the cached account data in ${f}`);
  if (targets.includes('openai') && ctx.env.OPENAI_API_KEY?.trim())
    io.warn('kolega: note: OPENAI_API_KEY is still set in the environment');
}
