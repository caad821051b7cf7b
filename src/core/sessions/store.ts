/**
 * Session files on disk (README "Sessions"): `KOLEGA_HOME/sessions/<id>.jsonl`, directory 0700,
 * files 0600 (they hold conversation content). Files are only ever appended to, one whole JSON
 * line per write, by the one process holding the session's lock (./lock.ts). A process killed
 * mid-write leaves a torn last line: readers ignore it with a warning, and the next writer cuts it
 * off before appending, so the file stays a sequence of whole lines.
 */
import {
  chmodSync,
  closeSync,
  fchmodSync,
  ftruncateSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
  writeSync,
} from 'node:fs';
import { isAscii } from 'node:buffer';
import path from 'node:path';
import { KolegaError } from '../errors.js';
import { ensureHome } from '../store/paths.js';
import { SESSION_FORMAT, type SessionHeader, type SessionRecord } from './records.js';

/** The sessions directory of `home`. */
export function sessionsDir(home: string): string {
  return path.join(home, 'sessions');
}

/** The file of session `id`. */
export function sessionPath(home: string, id: string): string {
  return path.join(sessionsDir(home), `${id}.jsonl`);
}

/** True for a string shaped like a session id (lower-case UUID). */
export function isSessionId(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(s);
}

/**
 * Creates the sessions directory (0700, and `home` 0700) when missing.
 * @throws KolegaError(config) when it cannot be created
 */
export function ensureSessionsDir(home: string): string {
  ensureHome(home);
  const dir = sessionsDir(home);
  try {
    mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new KolegaError('config', 'sessions_dir_failed', `cannot create ${dir}: ${(err as Error).message}`, {
        hint: 'set KOLEGA_HOME to a writable directory',
        cause: err,
      });
    }
  }
  // What exists may be a file, a dangling or looping symlink: say so instead of failing later on a lock.
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) {
    throw new KolegaError('config', 'sessions_dir_failed', `${dir} is not a usable directory`, {
      hint: 'remove it and kolega creates it again, or set KOLEGA_HOME elsewhere',
    });
  }
  try {
    // Sessions hold conversation content: keep the directory private even if its mode was changed.
    chmodSync(dir, 0o700);
  } catch {
    // Not ours to change (another owner): the files themselves stay 0600.
  }
  return dir;
}

/** Appends records to one session file. */
export class SessionWriter {
  private fd: number | undefined;

  /** @param file the session file; @param fd an open, append-mode descriptor of it */
  constructor(
    readonly file: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /**
   * Appends one record as one line (one write call).
   * @throws KolegaError(config, `session_write_failed`) on a disk error (ENOSPC, EIO...)
   */
  append(record: SessionRecord): void {
    this.appendLine(JSON.stringify(record));
  }

  /** Appends lines that are already serialized records (a fork's copy). */
  appendLines(lines: string[]): void {
    if (lines.length > 0) this.appendLine(lines.join('\n'));
  }

  private appendLine(line: string): void {
    if (this.fd === undefined) return;
    try {
      writeSync(this.fd, line + '\n');
    } catch (err) {
      throw new KolegaError('config', 'session_write_failed', `cannot write ${this.file}: ${(err as Error).message}`, {
        cause: err,
      });
    }
  }

  /** Closes the file (idempotent). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Creates a new session file holding `header` (fails if it exists).
 * @throws KolegaError(config) when the file cannot be created
 */
export function createSession(home: string, header: SessionHeader): SessionWriter {
  ensureSessionsDir(home);
  const file = sessionPath(home, header.id);
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
    fchmodSync(fd, 0o600);
  } catch (err) {
    throw new KolegaError('config', 'session_create_failed', `cannot create ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  const writer = new SessionWriter(file, openAppend(file, fd));
  writer.appendLines([JSON.stringify(header)]);
  return writer;
}

function openAppend(file: string, createdFd?: number): number {
  if (createdFd !== undefined) closeSync(createdFd);
  return openSync(file, 'a', 0o600);
}

/**
 * Opens an existing session file for appending. A torn last line (no newline at the end: the
 * writer was killed mid-write) is cut off first.
 * @returns the writer and whether a torn line was cut
 * @throws KolegaError(config) when the file cannot be opened
 */
export function openSessionForAppend(file: string): { writer: SessionWriter; cutTornLine: boolean } {
  let fd: number;
  try {
    fd = openSync(file, 'r+');
  } catch (err) {
    throw new KolegaError('config', 'session_open_failed', `cannot open ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  let cut = false;
  try {
    try {
      fchmodSync(fd, 0o600);
      chmodSync(path.dirname(file), 0o700);
    } catch {
      // Not the owner: appending still works; the mode stays as it is.
    }
    const size = fstatSync(fd).size;
    const end = lastNewlineEnd(fd, size);
    if (end < size) {
      ftruncateSync(fd, end);
      cut = true;
    }
  } finally {
    closeSync(fd);
  }
  return { writer: new SessionWriter(file, openAppend(file)), cutTornLine: cut };
}

/** The offset just after the last newline of the file (0 when there is none). */
function lastNewlineEnd(fd: number, size: number): number {
  const chunk = Buffer.alloc(64 * 1024);
  let pos = size;
  while (pos > 0) {
    const len = Math.min(chunk.length, pos);
    pos -= len;
    readSync(fd, chunk, 0, len, pos);
    const i = chunk.subarray(0, len).lastIndexOf(0x0a);
    if (i >= 0) return pos + i + 1;
  }
  return 0;
}

/** A session file read whole. */
export interface LoadedSession {
  header: SessionHeader;
  records: SessionRecord[];
  /** The raw lines of `records`, in order (for a fork's byte-exact copy). */
  lines: string[];
  /**
   * For an all-ASCII file (the usual case), its bytes and where each line of `lines` starts in
   * them: there a character offset in a line is also its byte offset, so a resume can send
   * recorded text as the bytes read (./compose.ts).
   */
  ascii?: { data: Buffer; offsets: number[] };
  /** Problems that did not stop the load (a torn last line). */
  warnings: string[];
  /** Size of the file in bytes. */
  bytes: number;
}

/**
 * Parses the header line.
 * @throws KolegaError(config, `session_corrupt`) when it is not a session header of a known version
 */
export function parseHeader(line: string, file: string): SessionHeader {
  let h: SessionHeader;
  try {
    h = JSON.parse(line) as SessionHeader;
  } catch {
    throw corrupt(file, 1, 'the first line is not JSON');
  }
  if (!h || h.type !== 'session' || typeof h.id !== 'string' || typeof h.cwd !== 'string')
    throw corrupt(file, 1, 'the first line is not a session header');
  if (typeof h.v !== 'number' || !Number.isInteger(h.v) || h.v < 1) {
    throw corrupt(
      file,
      1,
      `the header's format version ${JSON.stringify(h.v) ?? 'is missing'} is not one kolega writes`,
    );
  }
  if (h.v > SESSION_FORMAT) {
    throw new KolegaError(
      'config',
      'session_too_new',
      `${file} was written by a newer kolega (format ${String(h.v)})`,
      { hint: 'upgrade kolega to read it' },
    );
  }
  return h;
}

function corrupt(file: string, line: number, why: string): KolegaError {
  return new KolegaError('config', 'session_corrupt', `${file} line ${line}: ${why}`, {
    hint: 'the session file was changed by something other than kolega; remove it with kolega sessions rm ID',
  });
}

/**
 * Reads a whole session file. A torn last line is skipped with a warning; a bad line anywhere
 * else is an error (the file was edited, not torn).
 * @throws KolegaError(config, `session_not_found` | `session_corrupt` | `session_too_new`)
 */
export function loadSession(file: string): LoadedSession {
  let raw: Buffer;
  try {
    // A Buffer then one decode: faster than readFileSync(file, 'utf8') on multi-megabyte files
    // (measured with bench/resume.ts).
    // A FIFO would block the read (signals cannot end a blocked read) and a directory fails on
    // it: only a regular file is a session.
    if (!statSync(file).isFile()) {
      throw new KolegaError('config', 'session_open_failed', `${file} is not a regular file`, {
        hint: 'remove it (kolega sessions rm ID, or rm the path)',
      });
    }
    raw = readFileSync(file);
  } catch (err) {
    if (err instanceof KolegaError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new KolegaError('usage', 'session_not_found', `no session file ${file}`, {
        hint: 'list sessions with: kolega sessions list --all',
      });
    }
    throw new KolegaError('config', 'session_open_failed', `cannot read ${file}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  // An all-ASCII file (the usual case) decodes as Latin-1 without UTF-8 validation, the same text
  // faster; a file with any other byte takes the UTF-8 path.
  const ascii = isAscii(raw);
  const text = ascii ? raw.toString('latin1') : raw.toString('utf8');
  const warnings: string[] = [];
  const lines = text.split('\n');
  const last = lines.pop() ?? '';
  if (last !== '')
    warnings.push(
      `${file}: ignored an incomplete last line (${Buffer.byteLength(last)} bytes; kolega was stopped while writing it)`,
    );
  if (lines.length === 0) throw corrupt(file, 1, 'the session header is missing');
  const header = parseHeader(lines[0]!, file);
  const records: SessionRecord[] = [];
  const offsets: number[] = [];
  let offset = lines[0]!.length + 1;
  for (let i = 1; i < lines.length; i++) {
    offsets.push(offset);
    offset += lines[i]!.length + 1;
    let rec: SessionRecord;
    try {
      rec = JSON.parse(lines[i]!) as SessionRecord;
    } catch {
      throw corrupt(file, i + 1, 'not JSON');
    }
    if (!rec || typeof rec.type !== 'string') throw corrupt(file, i + 1, 'not a session record');
    records.push(rec);
  }
  return {
    header,
    records,
    lines: lines.slice(1),
    ...(ascii ? { ascii: { data: raw, offsets } } : {}),
    warnings,
    bytes: raw.length,
  };
}
