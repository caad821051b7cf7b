/** bwrapArgs ordering and flags; OutputCapture head/tail truncation. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bwrapArgs } from '../../../../src/core/tools/bwrap-args.js';
import { OutputCapture } from '../../../../src/core/tools/output-capture.js';
import { tempDir } from '../../../helpers/cli.js';

let dir: { dir: string; cleanup: () => void };
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => dir.cleanup());

describe('bwrapArgs', () => {
  it('mounts /tmp before the writable binds, masks existing protected files after them, and unshares the network', () => {
    const cred = path.join(dir.dir, 'credentials.json');
    writeFileSync(cred, '{}');
    const args = bwrapArgs({
      writable: ['/tmp/ws', '/srv/extra'],
      masked: [cred, path.join(dir.dir, 'absent.json')],
      network: false,
      cwd: '/tmp/ws',
      command: ['bash', '-c', 'x'],
    });
    const at = (...seq: string[]) => args.findIndex((_, i) => seq.every((s, j) => args[i + j] === s));
    expect(args.slice(0, 3)).toEqual(['--ro-bind', '/', '/']);
    expect(at('--tmpfs', '/tmp')).toBeLessThan(at('--bind', '/tmp/ws', '/tmp/ws'));
    expect(at('--bind', '/srv/extra', '/srv/extra')).toBeGreaterThan(0);
    expect(at('--ro-bind', '/dev/null', cred)).toBeGreaterThan(at('--bind', '/srv/extra', '/srv/extra'));
    expect(args.join(' ')).not.toContain('absent.json');
    expect(args).toContain('--unshare-net');
    expect(args).toContain('--die-with-parent');
    expect(args.slice(-5)).toEqual(['/tmp/ws', '--', 'bash', '-c', 'x']);
    expect(bwrapArgs({ writable: [], masked: [], network: true, cwd: '/', command: ['true'] })).not.toContain(
      '--unshare-net',
    );
  });
});

describe('OutputCapture', () => {
  it('keeps everything under the limit', () => {
    const c = new OutputCapture(10);
    c.push(Buffer.from('abc'));
    c.push(Buffer.from('defg'));
    expect(c.text()).toBe('abcdefg');
    expect(c.omitted).toBe(0);
  });

  it('keeps the first and last halves around a marker', () => {
    const c = new OutputCapture(10);
    for (const piece of ['01234', '56789', 'abcde', 'fghij', 'KLMNO']) c.push(Buffer.from(piece));
    expect(c.total).toBe(25);
    expect(c.text()).toBe('01234\n[... 15 bytes of output omitted ...]\nKLMNO');
  });

  it('handles one huge chunk', () => {
    const c = new OutputCapture(8);
    c.push(Buffer.from('HEAD' + 'x'.repeat(1000) + 'TAIL'));
    expect(c.text()).toBe('HEAD\n[... 1000 bytes of output omitted ...]\nTAIL');
  });
});
