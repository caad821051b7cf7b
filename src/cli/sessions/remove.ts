/** The work of `kolega sessions rm` and `sessions prune`: remove session files no run is using. */
import { lstatSync, unlinkSync } from 'node:fs';
import { listSessions, resolveSessionId } from '../../core/sessions/catalog.js';
import { isSessionLocked, lockSession } from '../../core/sessions/lock.js';
import { sessionPath } from '../../core/sessions/store.js';
import { KolegaError } from '../../core/errors.js';
import { kolegaHome } from '../../core/store/paths.js';
import type { CliContext } from '../context.js';
import { IO } from '../io.js';

function unlink(file: string): void {
  try {
    if (lstatSync(file).isDirectory()) {
      // A directory in the sessions folder was made by someone else: never delete it recursively.
      throw new KolegaError('config', 'session_remove_failed', `${file} is a directory, not a session file`, {
        hint: `kolega does not delete directories; look inside and remove it yourself (rm -r '${file}')`,
      });
    }
    unlinkSync(file);
  } catch (err) {
    if (err instanceof KolegaError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new KolegaError('config', 'session_remove_failed', `cannot remove ${file}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }
}

/** Runs `sessions rm`. @throws KolegaError(usage) when a run is using the session (exit 2). */
export async function sessionsRemove(ref: string, ctx: CliContext): Promise<void> {
  const io = ctx.io ?? new IO({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  const home = kolegaHome(ctx.env);
  const id = resolveSessionId(home, ref);
  const file = sessionPath(home, id);
  const release = await lockSession(file, id, undefined, 0).catch((err: unknown) => {
    if ((err as KolegaError).code !== 'session_busy') throw err;
    throw new KolegaError('usage', 'session_busy', `session ${id} is in use by a kolega run`, {
      hint: 'remove it once that run has finished',
    });
  });
  try {
    unlink(file);
  } finally {
    await release();
  }
  io.warn(`kolega: removed session ${id}`);
}

/** Runs `sessions prune`: prints each removed id (`would remove <id>` with `--dry-run`, or `--json`); sessions in use are kept. */
export async function sessionsPrune(
  opts: { olderThan: number; dryRun?: boolean; json?: boolean },
  ctx: CliContext,
): Promise<void> {
  const io = ctx.io ?? new IO({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  const home = kolegaHome(ctx.env);
  const cutoff = Date.now() - opts.olderThan;
  const removed: string[] = [];
  for (const s of listSessions(home)) {
    if (s.mtimeMs >= cutoff) continue;
    if (await isSessionLocked(s.file)) {
      io.warn(`kolega: kept session ${s.id}: a run is using it`);
      continue;
    }
    if (!opts.dryRun) {
      const release = await lockSession(s.file, s.id, undefined, 0).catch(() => undefined);
      if (!release) continue;
      try {
        unlink(s.file);
      } finally {
        await release();
      }
    }
    removed.push(s.id);
  }
  if (opts.json) io.out(JSON.stringify({ schema_version: 1, dry_run: opts.dryRun === true, removed }, null, 2) + '\n');
  else for (const id of removed) io.out((opts.dryRun ? `would remove ${id}` : id) + '\n');
}
