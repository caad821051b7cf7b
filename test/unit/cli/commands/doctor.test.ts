/** `kolega doctor` flag parsing in-process (src/cli/commands/doctor.ts through its `runF`). */
import { expect, it } from 'vitest';
import { registerDoctor, type DoctorOptions } from '../../../../src/cli/commands/doctor.js';
import { parseCommand } from '../../../helpers/parse-command.js';

const parse = (...argv: string[]) => parseCommand<DoctorOptions>(registerDoctor, ['doctor', ...argv]);

it('checks offline with a 5 s limit per network check by default', async () => {
  expect((await parse()).parsed).toEqual({ timeout: 5 });
});

it('parses --json, --fix, --online and --timeout', async () => {
  expect((await parse('--json', '--fix', '--online', '--timeout', '2.5')).parsed).toEqual({
    json: true,
    fix: true,
    online: true,
    timeout: 2.5,
  });
});

it('refuses a timeout that is not a positive number of seconds', async () => {
  const r = await parse('--timeout', '0');
  expect(r.calls).toEqual([]);
  expect(r.stderr).toMatch(/positive number of seconds/);
});
