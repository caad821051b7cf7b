/** The work of `kolega sessions list`: a line per session, only ids, or one JSON document. */
import path from 'node:path';
import { listSessions, type SessionSummary } from '../../core/sessions/catalog.js';
import { kolegaHome } from '../../core/store/paths.js';
import type { SessionsListOptions } from '../commands/sessions.js';
import type { CliContext } from '../context.js';
import { IO } from '../io.js';
import { formatWhen } from '../../core/format.js';

/** One session in the `--json` documents (schema/sessions.schema.json). */
export type SessionEntry = Omit<SessionSummary, 'mtimeMs'>;

/** The entry of a summary. */
export function sessionEntry(s: SessionSummary): SessionEntry {
  const { mtimeMs: _unused, ...rest } = s;
  return rest;
}

/** Runs `sessions list`. */
export function sessionsList(opts: SessionsListOptions, ctx: CliContext): void {
  const io = ctx.io ?? new IO({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  const home = kolegaHome(ctx.env);
  const cwd = opts.all ? undefined : path.resolve(opts.cd ?? process.cwd());
  // One stderr line per file left out, so a damaged session is not silently missing.
  const all = listSessions(home, cwd, (id, file, reason) =>
    io.warn(`kolega: skipped ${file}: it ${reason} (inspect it, or remove it with: kolega sessions rm ${id})`),
  );
  if (opts.json) {
    io.out(
      JSON.stringify({ schema_version: 1, workspace: cwd ?? null, sessions: all.map(sessionEntry) }, null, 2) + '\n',
    );
    return;
  }
  if (opts.ids) {
    for (const s of all) io.out(s.id + '\n');
    return;
  }
  if (all.length === 0) {
    io.warn(
      cwd
        ? `kolega: no sessions for ${cwd} (all workspaces: kolega sessions list --all)`
        : 'kolega: no sessions recorded',
    );
    return;
  }
  const now = Date.now();
  const when = all.map((s) => formatWhen(Date.parse(s.updated_at), now));
  const width = Math.max(...when.map((w) => w.length));
  for (const [i, s] of all.entries()) {
    const where = opts.all ? `  ${s.cwd}` : '';
    io.out(
      `${s.id}  ${(when[i] ?? '').padEnd(width)}  ${String(s.turns).padStart(3)} turn${s.turns === 1 ? ' ' : 's'}  ${s.model}${where}  ${s.title}\n`,
    );
  }
}
