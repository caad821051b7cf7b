/** Session files (src/core/sessions/store.ts, catalog.ts, lock.ts): modes, torn lines, prefixes, listing, the lock. */
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { listSessions, resolveSessionId } from '../../../../src/core/sessions/catalog.js';
import { isSessionLocked, lockSession } from '../../../../src/core/sessions/lock.js';
import type { SessionHeader } from '../../../../src/core/sessions/records.js';
import {
  createSession,
  loadSession,
  openSessionForAppend,
  parseHeader,
  sessionPath,
  sessionsDir,
} from '../../../../src/core/sessions/store.js';
import { tempDir } from '../../../helpers/cli.js';

const header = (id: string, cwd = '/w'): SessionHeader => ({
  type: 'session',
  v: 1,
  id,
  created_at: '2026-12-03T00:00:00.000Z',
  cwd,
  provider: 'openai',
  model: 'gpt-5.5',
  effort: 'low',
  sandbox: 'read-only',
  title: 't',
});
const ID1 = '01a237af-0000-7000-8000-000000000001';
const ID2 = '01a237af-0000-7000-8000-000000000002';
const ID3 = '01b00000-0000-7000-8000-000000000003';

describe('session store', () => {
  it('creates 0600 files in a 0700 directory and appends whole lines', () => {
    const t = tempDir();
    try {
      const w = createSession(t.dir, header(ID1));
      w.append({
        type: 'turn',
        turn: 1,
        at: 'x',
        provider: 'openai',
        model: 'gpt-5.5',
        effort: 'low',
        sandbox: 'read-only',
        cwd: '/w',
        instructions: 'i',
      });
      w.close();
      expect(statSync(sessionsDir(t.dir)).mode & 0o777).toBe(0o700);
      expect(statSync(sessionPath(t.dir, ID1)).mode & 0o777).toBe(0o600);
      const s = loadSession(sessionPath(t.dir, ID1));
      expect(s.header.id).toBe(ID1);
      expect(s.records).toHaveLength(1);
      expect(s.warnings).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  it('a torn last line is ignored with a warning and cut before the next append; a bad middle line is an error', () => {
    const t = tempDir();
    try {
      createSession(t.dir, header(ID1)).close();
      const file = sessionPath(t.dir, ID1);
      appendFileSync(file, '{"type":"turn","tu');
      expect(loadSession(file).warnings[0]).toMatch(/ignored an incomplete last line \(18 bytes/);
      const { writer, cutTornLine } = openSessionForAppend(file);
      expect(cutTornLine).toBe(true);
      writer.append({
        type: 'turn_end',
        turn: 1,
        at: 'x',
        status: 'failed',
        usage: {
          input_tokens: 0,
          cached_input_tokens: 0,
          output_tokens: 0,
          reasoning_output_tokens: 0,
          total_tokens: 0,
        },
      });
      writer.close();
      expect(loadSession(file).warnings).toEqual([]);
      writeFileSync(file, readFileSync(file, 'utf8').replace('"turn_end"', '"turn_end'));
      expect(() => loadSession(file)).toThrow(/line 2: not JSON/);
    } finally {
      t.cleanup();
    }
  });

  it('a file of a newer format is refused with a hint', () => {
    const t = tempDir();
    try {
      createSession(t.dir, { ...header(ID1), v: 99 }).close();
      expect(() => loadSession(sessionPath(t.dir, ID1))).toThrow(/newer kolega/);
    } finally {
      t.cleanup();
    }
  });

  it('ids resolve by unique prefix; ambiguous and unknown prefixes are usage errors', () => {
    const t = tempDir();
    try {
      for (const id of [ID1, ID2, ID3]) createSession(t.dir, header(id, id === ID3 ? '/other' : '/w')).close();
      expect(resolveSessionId(t.dir, '01b')).toBe(ID3);
      expect(resolveSessionId(t.dir, ID1.toUpperCase())).toBe(ID1);
      expect(() => resolveSessionId(t.dir, '01a237af')).toThrow(/matches 2 sessions/);
      expect(() => resolveSessionId(t.dir, 'zz')).toThrow(/no session "zz"/);
      expect(
        listSessions(t.dir, '/w')
          .map((s) => s.id)
          .sort(),
      ).toEqual([ID1, ID2]);
      expect(listSessions(t.dir)).toHaveLength(3);
    } finally {
      t.cleanup();
    }
  });
});

describe('session lock', () => {
  it('a second holder waits the bounded time, then gets session_busy naming --fork; released, it is free', async () => {
    const t = tempDir();
    try {
      createSession(t.dir, header(ID1)).close();
      const file = sessionPath(t.dir, ID1);
      const release = await lockSession(file, ID1);
      expect(await isSessionLocked(file)).toBe(true);
      await expect(lockSession(file, ID1, undefined, 300)).rejects.toMatchObject({
        code: 'session_busy',
        exitClass: 'usage',
        hint: expect.stringContaining(`--fork ${ID1}`),
      });
      await release();
      expect(await isSessionLocked(file)).toBe(false);
      await (
        await lockSession(file, ID1, undefined, 300)
      )();
    } finally {
      t.cleanup();
    }
  });
});

describe('non-ASCII content', () => {
  it('a session with UTF-8 text loads it unchanged (the Latin-1 fast path is for ASCII files only)', () => {
    const t = tempDir();
    try {
      const w = createSession(t.dir, { ...header(ID1), title: 'héllo – 日本 🙂' });
      w.close();
      expect(loadSession(sessionPath(t.dir, ID1)).header.title).toBe('héllo – 日本 🙂');
    } finally {
      t.cleanup();
    }
  });
});

describe('parseHeader format version', () => {
  const line = (v: unknown) =>
    JSON.stringify({ type: 'session', id: 'x', cwd: '/w', ...(v === undefined ? {} : { v }) });
  it('a version kolega never writes is a corrupt header, a larger integer is a newer kolega', () => {
    expect(parseHeader(line(1), 'f').v).toBe(1);
    for (const v of ['1', 0, -1, 0.5, null, undefined, {}]) {
      expect(() => parseHeader(line(v), 'f')).toThrow(expect.objectContaining({ code: 'session_corrupt' }));
    }
    expect(() => parseHeader(line(99), 'f')).toThrow(expect.objectContaining({ code: 'session_too_new' }));
  });
});
