/**
 * The work of `kolega sessions show`: the turns of a session as text (prompt, tool calls,
 * answer, usage), or `--json`: the header, one entry per turn and every recorded item.
 */
import { resolveSessionId } from '../../core/sessions/catalog.js';
import type { SessionRecord, TurnRecord } from '../../core/sessions/records.js';
import { loadSession, sessionPath } from '../../core/sessions/store.js';
import type { Usage } from '../../core/events.js';
import { messageText, type OutputItem } from '../../core/responses/items.js';
import { kolegaHome } from '../../core/store/paths.js';
import type { CliContext } from '../context.js';
import { IO } from '../io.js';
import { formatWhen } from '../../core/format.js';

/** One turn in the `--json` document. */
export interface ShownTurn {
  turn: number;
  started_at: string;
  ended_at: string | null;
  provider: string;
  model: string;
  effort: string | null;
  sandbox: string;
  cwd: string;
  prompt: string;
  /** `completed`, `failed`, or `incomplete` when the run was killed before the end. */
  status: 'completed' | 'failed' | 'incomplete';
  final_text: string | null;
  usage: Usage | null;
  error: { code: string; message: string } | null;
  project_docs: string[];
}

/** The user prompt text of a user message item, or undefined for other items. */
function promptOf(item: unknown): string | undefined {
  const m = item as { type?: string; role?: string; content?: { type: string; text?: string }[] };
  if (m.type !== 'message' || m.role !== 'user' || !Array.isArray(m.content)) return undefined;
  return m.content
    .filter((c) => c.type === 'input_text')
    .map((c) => c.text ?? '')
    .join('');
}

/** The turns of `records`. */
export function turnsOf(records: SessionRecord[]): ShownTurn[] {
  const turns: ShownTurn[] = [];
  let cur: ShownTurn | undefined;
  for (const r of records) {
    if (r.type === 'turn') {
      cur = fromTurn(r);
      turns.push(cur);
    } else if (cur && r.type === 'input' && r.lead === undefined) {
      const p = promptOf(r.item);
      if (p !== undefined) cur.prompt = p;
    } else if (cur && r.type === 'turn_end') {
      cur.ended_at = r.at;
      cur.status = r.status;
      cur.final_text = r.final_text ?? null;
      cur.usage = r.usage;
      cur.error = r.error ?? null;
    }
  }
  return turns;
}

function fromTurn(r: TurnRecord): ShownTurn {
  return {
    turn: r.turn,
    started_at: r.at,
    ended_at: null,
    provider: r.provider,
    model: r.model,
    effort: r.effort,
    sandbox: r.sandbox,
    cwd: r.cwd,
    prompt: '',
    status: 'incomplete',
    final_text: null,
    usage: null,
    error: null,
    project_docs: r.project_docs ?? [],
  };
}

const oneLine = (s: string, max = 200): string => {
  const t = s.replace(/\s+/g, ' ').trim();
  return t.length > max ? t.slice(0, max - 1) + '…' : t;
};

/** Runs `sessions show`. @throws KolegaError for an unknown or ambiguous id. */
export function sessionsShow(ref: string, opts: { json?: boolean }, ctx: CliContext): void {
  const io = ctx.io ?? new IO({ stdout: ctx.stdout, stderr: ctx.stderr, env: ctx.env });
  const home = kolegaHome(ctx.env);
  const s = loadSession(sessionPath(home, resolveSessionId(home, ref)));
  for (const w of s.warnings) io.warn(`kolega: ${w}`);
  const turns = turnsOf(s.records);
  if (opts.json) {
    const items = s.records.flatMap((r): Record<string, unknown>[] =>
      r.type === 'input'
        ? [{ turn: r.turn, direction: 'sent', ...(r.lead ? { lead: r.lead } : {}), item: r.item }]
        : r.type === 'output'
          ? [{ turn: r.turn, direction: 'received', item: r.item }]
          : [],
    );
    io.out(
      JSON.stringify({ schema_version: 1, session: { ...s.header, bytes: s.bytes }, turns, items }, null, 2) + '\n',
    );
    return;
  }
  const h = s.header;
  io.out(
    `session ${h.id}\n  workspace ${h.cwd}\n  created   ${formatWhen(Date.parse(h.created_at))}\n${h.parent_id ? `  forked from ${h.parent_id}\n` : ''}`,
  );
  let turn = 0;
  for (const r of s.records) {
    if (r.type === 'turn') {
      turn = r.turn;
      io.out(
        `\n## turn ${turn}  ${formatWhen(Date.parse(r.at))}  ${r.provider}/${r.model}${r.effort ? ` (${r.effort})` : ''}  ${r.sandbox}\n`,
      );
      if (r.project_docs?.length) io.out(`  AGENTS.md: ${r.project_docs.join(', ')}\n`);
    } else if (r.type === 'input' && r.lead === undefined) {
      const p = promptOf(r.item);
      const i = r.item as { type: string; output?: unknown };
      if (p !== undefined) io.out(`> ${p.replace(/\n/g, '\n> ')}\n`);
      else if (i.type === 'function_call_output')
        io.out(`  <- ${oneLine(typeof i.output === 'string' ? i.output : JSON.stringify(i.output))}\n`);
    } else if (r.type === 'output') {
      const item = r.item as OutputItem;
      if (item.type === 'function_call') io.out(`  -> ${item.name ?? ''} ${oneLine(item.arguments ?? '')}\n`);
      else if (item.type === 'message')
        io.out(`${item.phase === 'commentary' ? '  (commentary) ' : ''}${messageText(item)}\n`);
    } else if (r.type === 'turn_end') {
      const u = r.usage;
      io.out(
        `  [${r.status}${r.error ? `: ${r.error.code}` : ''}; ${u.input_tokens} in (${u.cached_input_tokens} cached), ${u.output_tokens} out]\n`,
      );
    }
  }
}
