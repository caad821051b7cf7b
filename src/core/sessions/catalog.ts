/**
 * Finding sessions (README "Sessions"): listing them most recent first, resolving an id or a
 * unique prefix, and the latest session of a workspace (`--continue`). A listing reads only each
 * file's header line and its last 64 KiB, so it stays fast with many large sessions.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { KolegaError } from '../errors.js';
import { isSessionId, parseHeader, sessionsDir } from './store.js';
import type { SessionHeader, TurnRecord } from './records.js';

/** One session as listed. */
export interface SessionSummary {
  id: string;
  /** Absolute path of the session file. */
  file: string;
  cwd: string;
  /** ISO 8601 creation time. */
  created_at: string;
  /** ISO 8601 time of the last write. */
  updated_at: string;
  provider: string;
  /** Model of the latest turn. */
  model: string;
  /** Turns started so far. */
  turns: number;
  title: string;
  parent_id?: string;
  /** File size in bytes. */
  bytes: number;
  /** Last write, ms since the epoch (for sorting). */
  mtimeMs: number;
}

const HEAD_MAX = 256 * 1024;
const TAIL = 64 * 1024;

function readAt(fd: number, pos: number, len: number): string {
  const buf = Buffer.alloc(len);
  const n = readSync(fd, buf, 0, len, pos);
  return buf.subarray(0, n).toString('utf8');
}

/** The latest `turn` record among whole lines of `text` (searching from the end), if any. */
function lastTurn(lines: string[]): TurnRecord | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const l = lines[i]!;
    if (l.startsWith('{"type":"turn",')) {
      try {
        return JSON.parse(l) as TurnRecord;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Summarises one session file; undefined when it is not a readable session, after telling `why`
 * (e.g. "is a directory", "has no header line (empty or NUL-filled)").
 */
export function summarize(file: string, why: (reason: string) => void = () => {}): SessionSummary | undefined {
  let fd: number;
  try {
    // A FIFO would block open() and a directory fails on read: only regular files are sessions.
    const kind = statSync(file);
    if (!kind.isFile()) {
      why(kind.isDirectory() ? 'is a directory' : 'is not a regular file');
      return undefined;
    }
    fd = openSync(file, 'r');
  } catch (err) {
    why(`cannot be opened (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
    return undefined;
  }
  try {
    const st = statSync(file);
    const head = readAt(fd, 0, Math.min(HEAD_MAX, st.size));
    const nl = head.indexOf('\n');
    if (nl < 0) {
      why('has no header line (empty, truncated or NUL-filled)');
      return undefined;
    }
    let header: SessionHeader;
    try {
      header = parseHeader(head.slice(0, nl), file);
    } catch (err) {
      why(`has an unreadable header (${(err as Error).message.replace(`${file}: `, '')})`);
      return undefined;
    }
    let turn = st.size <= TAIL ? lastTurn(head.split('\n').slice(1, -1)) : undefined;
    if (!turn && st.size > TAIL) {
      const tail = readAt(fd, st.size - TAIL, TAIL)
        .split('\n')
        .slice(1, -1);
      turn = lastTurn(tail);
      if (!turn) turn = lastTurn(readAt(fd, 0, st.size).split('\n').slice(1, -1));
    }
    return {
      id: header.id,
      file,
      cwd: header.cwd,
      created_at: header.created_at,
      updated_at: new Date(st.mtimeMs).toISOString(),
      provider: turn?.provider ?? header.provider,
      model: turn?.model ?? header.model,
      turns: turn?.turn ?? 0,
      title: header.title,
      ...(header.parent_id !== undefined ? { parent_id: header.parent_id } : {}),
      bytes: st.size,
      mtimeMs: st.mtimeMs,
    };
  } finally {
    closeSync(fd);
  }
}

/** Ids of every session file in `home` (unordered). */
export function sessionIds(home: string): string[] {
  let names: string[];
  try {
    names = readdirSync(sessionsDir(home));
  } catch {
    return [];
  }
  return names.filter((n) => n.endsWith('.jsonl') && isSessionId(n.slice(0, -6))).map((n) => n.slice(0, -6));
}

/**
 * Every readable session, most recently written first (ties: the newer id first).
 * @param cwd only sessions whose workspace is this directory
 * @param onSkip told of every session file left out (not readable as a session) and why
 */
export function listSessions(
  home: string,
  cwd?: string,
  onSkip?: (id: string, file: string, reason: string) => void,
): SessionSummary[] {
  const dir = sessionsDir(home);
  const out: SessionSummary[] = [];
  for (const id of sessionIds(home)) {
    const file = path.join(dir, `${id}.jsonl`);
    const s = summarize(file, (reason) => onSkip?.(id, file, reason));
    if (s && (cwd === undefined || s.cwd === cwd)) out.push(s);
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

/**
 * The id of the session named by `ref`: a whole id or a unique prefix of one.
 * @throws KolegaError(usage, `session_not_found` | `session_ambiguous`)
 */
export function resolveSessionId(home: string, ref: string): string {
  const want = ref.trim().toLowerCase();
  const ids = sessionIds(home);
  if (want !== '' && ids.includes(want)) return want;
  const matches = want === '' ? [] : ids.filter((id) => id.startsWith(want));
  if (matches.length === 1) return matches[0]!;
  if (matches.length === 0) {
    throw new KolegaError('usage', 'session_not_found', `no session ${JSON.stringify(ref)}`, {
      hint: 'list sessions with: kolega sessions list --all',
    });
  }
  throw new KolegaError(
    'usage',
    'session_ambiguous',
    `${JSON.stringify(ref)} matches ${matches.length} sessions (${matches.slice(0, 3).join(', ')}${matches.length > 3 ? ', ...' : ''})`,
    {
      hint: 'give more characters of the id',
    },
  );
}

/**
 * The session `--continue` picks: the most recently written session of workspace `cwd`.
 * @throws KolegaError(usage, `no_session`) when the workspace has none
 */
export function latestSessionOf(home: string, cwd: string): SessionSummary {
  const latest = listSessions(home, cwd)[0];
  if (!latest) {
    throw new KolegaError('usage', 'no_session', `no session recorded for ${cwd}`, {
      hint: 'start one with kolega run, or pick one from: kolega sessions list --all',
    });
  }
  return latest;
}
