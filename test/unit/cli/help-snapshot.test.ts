/**
 * dist/help.json (printed by bin/kolega for help into a pipe) is what the CLI prints: the build
 * writes it from the command tree, and it holds every command's help.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { helpSnapshot, type HelpSnapshot } from '../../../src/cli/help-snapshot.js';
import { REPO_ROOT } from '../../helpers/cli.js';

describe('help snapshot', () => {
  it('dist/help.json equals the help the current source prints (the build keeps it fresh)', async () => {
    const built = JSON.parse(readFileSync(path.join(REPO_ROOT, 'dist', 'help.json'), 'utf8')) as HelpSnapshot;
    expect(built).toEqual(await helpSnapshot());
  });

  it('holds --help, -h and `help <command>` of nested commands, laid out for 80 columns', async () => {
    const { entries } = await helpSnapshot();
    for (const key of ['--help', 'help', 'sessions\0prune\0--help', 'auth\0login\0-h', 'help\0config\0set'])
      expect(entries[key], key).toMatch(/^Usage: kolega/);
    expect(entries['help\0exit-codes']).toContain('130');
    // Commander wraps option descriptions to the width (the topic tables are not wrapped).
    const runHelp = entries['run\0--help']!;
    const optionLines = runHelp.split('\n').filter((l) => /^ {2}-/.test(l));
    expect(optionLines.length).toBeGreaterThan(10);
    for (const line of optionLines) expect(line.length, line).toBeLessThanOrEqual(80);
  });
});
