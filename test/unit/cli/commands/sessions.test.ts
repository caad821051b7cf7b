/** `kolega sessions list|show|rm|prune` flag parsing in-process (src/cli/commands/sessions.ts through its `runF`). */
import { describe, expect, it } from 'vitest';
import { registerSessions, type SessionsCommand } from '../../../../src/cli/commands/sessions.js';
import { parseCommand } from '../../../helpers/parse-command.js';

const parse = (...argv: string[]) => parseCommand<SessionsCommand>(registerSessions, ['sessions', ...argv]);
const parsed = async (...argv: string[]) => (await parse(...argv)).parsed;
const DAY = 86_400_000;

describe('kolega sessions', () => {
  it('parses list with its options', async () => {
    expect(await parsed('list')).toEqual({ command: 'list', options: {} });
    expect(await parsed('list', '-C', '/w', '--all', '--json', '--ids')).toEqual({
      command: 'list',
      options: { cd: '/w', all: true, json: true, ids: true },
    });
  });

  it('parses show and rm with their id (a prefix is kept as typed)', async () => {
    expect(await parsed('show', '0196f3', '--json')).toEqual({
      command: 'show',
      id: '0196f3',
      options: { json: true },
    });
    expect(await parsed('rm', '0196f3')).toEqual({ command: 'rm', id: '0196f3' });
  });

  it('refuses show and rm without an id', async () => {
    for (const sub of ['show', 'rm']) {
      const r = await parse(sub);
      expect(r.calls).toEqual([]);
      expect(r.stderr).toMatch(/missing required argument 'id'/);
    }
  });

  it.each([
    ['45s', 45_000],
    ['90m', 90 * 60_000],
    ['12h', 12 * 3_600_000],
    ['30d', 30 * DAY],
    ['2w', 14 * DAY],
  ])('parses prune --older-than %s into ms', async (given, ms) => {
    expect(await parsed('prune', '--older-than', given)).toEqual({ command: 'prune', options: { olderThan: ms } });
  });

  it('parses prune --dry-run --json', async () => {
    expect(await parsed('prune', '--older-than', '1d', '--dry-run', '--json')).toEqual({
      command: 'prune',
      options: { olderThan: DAY, dryRun: true, json: true },
    });
  });

  it('requires --older-than and refuses a duration without a unit', async () => {
    const none = await parse('prune');
    expect(none.calls).toEqual([]);
    expect(none.stderr).toMatch(/required option '--older-than <duration>' not specified/);
    const bad = await parse('prune', '--older-than', '30');
    expect(bad.calls).toEqual([]);
    expect(bad.stderr).toMatch(/a number and a unit/);
  });
});
